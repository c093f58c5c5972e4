"""The console in Chromium, on a desktop and on a 390×844 phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from bot.db import utcnow
from bot.models import ConsentPurpose, Event, Role, Talent
from bot.services import consents, users
from devtools.simulator import WeChatUser
from tests.conftest import TEST_WECHAT
from tests.factories import make_demand, make_enterprise, make_talent
from tests.webhooks.browser.conftest import ARTIFACTS, DESKTOP, PHONE, ConsoleServer

PASSWORD = "browser-password"
CITIES = ["深圳", "北京", "上海", "杭州", "郑州", "武汉", "深圳", "北京"]
LISTING = (
    "姓名,手机,工作单位,工作城市,籍贯\n"
    "李雷,13800000101,华为,深圳,温县\n"
    "韩梅梅,12345,腾讯,深圳,沁阳\n"  # bad phone
    ",13800000103,阿里,杭州,\n"  # no name
    "王建国,13800000001,中科院,北京,孟州\n"  # already stored
)


def seed(server: ConsoleServer) -> dict[str, Any]:
    """Store two enterprises with users and needs, staff, and talents across China."""
    with server.database.transaction() as session:
        firm_a = make_enterprise(session, name="焦作市甲新材料有限公司")
        firm_b = make_enterprise(session, name="焦作市乙装备有限公司")
        need_a = make_demand(session, firm_a, title="高镍正极材料烧结工艺优化")
        need_b = make_demand(session, firm_b, title="减速机齿轮热处理变形控制")
        for number, city in enumerate(CITIES):
            talent = make_talent(
                session, name=f"人才{number}", city=city, openid=f"o-browser-{number}"
            )
            for purpose in (ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS):
                consents.record_consent(
                    session, purpose=purpose, version="t", granted=True, talent=talent
                )
        make_talent(session, name="王建国", phone="13800000001", city="北京")
        for name, role, firm in (
            ("organiser", Role.ORGANISER, None),
            ("admin", Role.ADMIN, None),
            ("firm-a", Role.ENTERPRISE, firm_a),
            ("firm-b", Role.ENTERPRISE, firm_b),
        ):
            users.create_user(
                session,
                username=name,
                password=PASSWORD,
                role=role,
                enterprise_id=firm.id if firm else None,
            )
        return {"need_a": need_a.id, "need_b": need_b.id}


def scene_of(server: ConsoleServer, title: str) -> str:
    with server.database.transaction() as session:
        event = session.scalars(select(Event).where(Event.title == title)).one()
        return str(event.qr_scene)


def log_in(page: Any, server: ConsoleServer, username: str) -> None:
    page.goto(f"{server.url}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def log_out(page: Any) -> None:
    page.click("button.link")
    page.wait_for_url("**/console/login")


def shot(page: Any, name: str) -> None:
    """Save the whole page, and on a phone also the first screen as a person sees it."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if name.startswith("phone"):
        page.screenshot(path=str(ARTIFACTS / f"{name}-screen.png"))


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_console_on_a_desktop(browser: Any, console_server: ConsoleServer, tmp_path: Path) -> None:
    ids = seed(console_server)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    # Script errors, and any file of ours the pages fail to load (the login's 401 is expected).
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.status >= 400 and r.status != 401 else None
        ),
    )

    # Log in with a wrong password first: the reason is shown in Chinese.
    page.goto(f"{console_server.url}/console/login")
    page.fill("input[name=username]", "organiser")
    page.fill("input[name=password]", "wrong-password")
    page.click("input[type=submit]")
    assert "用户名或密码不对" in page.inner_text(".flash")
    log_in(page, console_server, "organiser")

    # The dashboard: figures, targets and charts drawn by the vendored ECharts (SVG).
    assert "人才库概览" in page.inner_text("h1")
    page.wait_for_selector("#chart-map svg path")
    page.wait_for_selector("#chart-growth svg")
    assert page.locator("#chart-county svg").count() == 1
    assert "已过期限" in page.inner_text("main")
    shot(page, "desktop-dashboard")

    page.click("nav a[href='/console/talents']")
    page.fill("input[name=q]", "%")
    page.click("button:has-text('筛选')")
    assert "没有符合条件的人才" in page.inner_text("table")
    page.goto(f"{console_server.url}/console/talents")
    shot(page, "desktop-talents")

    # Review a need: rejecting needs a reason and a confirmation; then approve it.
    page.goto(f"{console_server.url}/console/demands/{ids['need_a']}")
    page.select_option("select[name=decision]", "reject")
    page.fill("textarea[name=note]", "描述不清楚")
    page.click("input[value=提交审核]")
    assert "请勾选" in page.inner_text(".flash")
    page.select_option("select[name=decision]", "approve")
    page.click("input[value=提交审核]")
    assert "已通过" in page.inner_text(".flash")
    page.click("button:has-text('匹配人选')")
    shot(page, "desktop-need")
    page.locator("input[name=talent]").first.check()
    page.click("button:has-text('征询所选人员')")
    assert "已向 1 人发出征询" in page.inner_text(".flash")
    assert "已征询，待回复" in page.inner_text("table.list")

    # Create an event, let matching propose invitees, send, and see a scan check someone in.
    page.goto(f"{console_server.url}/console/events/new")
    page.fill("input[name=title]", "新材料院地合作对接会")
    page.select_option("select[name=kind]", "对接会")
    page.fill("input[name=starts_at]", (utcnow() + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=location]", "焦作市山阳区")
    page.fill("input[name=topics]", "锂电池、正极材料")
    page.click("input[value=保存]")
    assert "活动已创建" in page.inner_text(".flash")
    page.click("button:has-text('按活动主题匹配邀请对象')")
    assert "匹配到" in page.inner_text(".flash")
    assert "新材料院地合作对接会" in page.inner_text("#preview-text")
    page.click("button:has-text('发送邀请')")
    assert "已发出" in page.inner_text(".flash")
    shot(page, "desktop-event")
    event_url = page.url
    scene = scene_of(console_server, "新材料院地合作对接会")
    follower = WeChatUser(
        token=TEST_WECHAT["token"],
        appid=TEST_WECHAT["appid"],
        encoding_aes_key=TEST_WECHAT["encoding_aes_key"],
        openid="o-browser-0",
        mode="safe",
    )
    scan = follower.scan(scene)
    answer = requests.post(scan.url(f"{console_server.url}/wechat"), data=scan.body, timeout=10)
    assert answer.status_code == 200
    page.goto(event_url)
    assert page.inner_text("#count-attended") == "1"
    assert "已签到" in page.inner_text("#participants")
    page.click("text=签到二维码海报")
    assert page.locator(".poster-qr svg").count() == 1, page.inner_text("body")
    shot(page, "desktop-poster")

    # Import a list with bad rows and a person already stored.
    listing = tmp_path / "校友会名单.csv"
    listing.write_text(LISTING, encoding="utf-8")
    page.goto(f"{console_server.url}/console/import")
    page.set_input_files("input[name=file]", str(listing))
    page.fill("input[name=source_label]", "河南理工大学深圳校友会")
    page.check("input[name=ties][value=studied]")
    page.click("input[type=submit]")
    assert page.inner_text("#ready-count") == "1"
    assert page.inner_text("#rejected-count") == "2"
    assert page.inner_text("#duplicate-count") == "1"
    rows = page.inner_text("#problems")
    assert "手机" in rows and "姓名" in rows
    shot(page, "desktop-import-preview")
    page.click("button:has-text('确认导入')")
    assert "已导入 1 人" in page.inner_text(".flash")
    shot(page, "desktop-import-result")
    page.click("button[value=merge]")
    assert "已合并" in page.inner_text(".flash")
    log_out(page)

    # An administrator exports the consenting talents.
    log_in(page, console_server, "admin")
    page.goto(f"{console_server.url}/console/export")
    assert page.inner_text("#export-count") == str(len(CITIES))
    with page.expect_download() as download:
        page.click("input[value=导出]")
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    assert saved.stat().st_size > 1000
    page.goto(f"{console_server.url}/console/admin/users")
    shot(page, "desktop-users")
    assert errors == []
    context.close()

    with console_server.database.transaction() as session:
        imported = session.scalars(select(Talent).where(Talent.name == "李雷")).one()
        # 籍贯 温县 adds the born tie to the list's own 求学.
        assert imported.source == "import" and imported.ties == ["born", "studied"]


def test_console_on_a_phone(browser: Any, console_server: ConsoleServer) -> None:
    ids = seed(console_server)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, console_server, "organiser")
    page.wait_for_selector("#chart-map svg path")
    assert fits_the_screen(page)
    # The target bars keep a usable width on a phone.
    width = page.evaluate("document.querySelector('progress').getBoundingClientRect().width")
    assert width > 250
    shot(page, "phone-dashboard")
    for path, name in (
        ("/console/talents", "phone-talents"),
        (f"/console/demands/{ids['need_a']}", "phone-need"),
        ("/console/import", "phone-import"),
    ):
        page.goto(console_server.url + path)
        assert fits_the_screen(page), path
        shot(page, name)
    log_out(page)

    # Enterprise A sees its own need, not B's.
    log_in(page, console_server, "firm-a")
    assert "高镍正极材料" in page.inner_text("main")
    assert "减速机" not in page.inner_text("main")
    shot(page, "phone-enterprise")
    response = page.goto(f"{console_server.url}/console/enterprise/demands/{ids['need_b']}")
    assert response is not None and response.status == 404
    assert "页面不存在" in page.inner_text("h1")
    response = page.goto(f"{console_server.url}/console/demands/{ids['need_b']}")
    assert response is not None and response.status == 403
    shot(page, "phone-forbidden")
    context.close()
