"""Talents' H5 pages in Chromium on a phone: WeChat web OAuth (snsapi_base) against the fake
server, registration by form with a bad field first, then "my profile" and "my events"."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.models import Talent
from devtools.fake_wechat import FakeWeChat
from tests.webhooks.browser.conftest import ARTIFACTS, PHONE, ConsoleServer

OPENID = "o-h5-browser"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _stored(server: ConsoleServer) -> list[Talent]:
    with server.database.transaction() as session:
        found = list(session.scalars(select(Talent).where(Talent.openid == OPENID)))
        session.expunge_all()
        return found


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fits_the_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_talent_registers_on_the_h5_form_after_wechat_oauth(
    browser: Any, console_server: ConsoleServer, fake_wechat: FakeWeChat
) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    context.set_default_timeout(10_000)
    # The fake authorize page recognises the person by this cookie, as WeChat would.
    context.add_cookies([{"name": "fake_openid", "value": OPENID, "url": fake_wechat.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{console_server.url}/h5/register")
    # WeChat's "#wechat_redirect" fragment rides along the redirects, as in a real browser.
    assert page.url.split("#")[0] == f"{console_server.url}/h5/register"
    authorize = fake_wechat.calls("connect/oauth2/authorize")
    assert len(authorize) == 1 and "snsapi_base" in str(authorize[0])
    assert len(fake_wechat.calls("sns/oauth2/access_token")) == 1
    assert "加入焦作籍在外人才库" in page.inner_text("h1")

    page.check("input[name=consent]")
    page.fill("input[name=name]", "王建国")
    page.select_option("select[name=county]", "410825")
    page.fill("input[name=city]", "深证")  # not a city: the chat would ask again too
    page.fill("input[name=employer]", "华为")
    page.select_option("select[name=education]", "博士")
    page.fill("textarea[name=expertise]", "锂离子电池正极材料")
    page.check("input[name=cooperation_wishes][value=技术咨询]")
    page.fill("input[name=phone]", "138 1234 5678")
    _shot(page, "phone-h5-register")
    page.click("button.primary")
    page.wait_for_load_state()
    problem = page.inner_text(".flash")
    assert CJK.search(problem) and "没找到“深证”这个城市" in problem, problem
    assert _fits_the_phone(page)
    _shot(page, "phone-h5-register-error")
    assert _stored(console_server) == []

    # The form keeps what was typed; only the city is corrected.
    assert page.input_value("input[name=name]") == "王建国"
    if not page.is_checked("input[name=consent]"):
        page.check("input[name=consent]")
    page.fill("input[name=city]", "深圳市")
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/h5/me(#.*)?$"))
    assert "登记成功" in page.inner_text(".flash")
    assert page.inner_text("h1") == "王建国"
    assert page.input_value("input[name=employer]") == "华为"
    assert _fits_the_phone(page)
    _shot(page, "phone-h5-me")
    [talent] = _stored(console_server)
    assert (talent.name, talent.city, talent.phone, talent.source) == (
        "王建国",
        "深圳",
        "13812345678",
        "h5",
    )

    page.click("a:has-text('我的活动')")
    page.wait_for_url(re.compile(r"/h5/my-events(#.*)?$"))
    assert "还没有报名的活动" in page.inner_text("body")
    _shot(page, "phone-h5-my-events")
    assert errors == []
    context.close()
