"""The JSON API's writes: a need for an enterprise (its own only), a check-in, an outcome;
validation answered as JSON in Chinese with nothing stored, and every write audited."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import AuditEntry, Demand, Invitation, InvitationStatus, Outcome, Role
from tests.factories import make_demand, make_enterprise, make_event, make_talent
from tests.webhooks.test_api import token_for

NEED = {"title": "锂电池隔膜涂覆工艺改进", "description": "想请高校专家帮忙提高隔膜涂覆的均匀性。"}


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_enterprise_client_submits_a_need_for_its_own_enterprise_only(
    client: FlaskClient, db_session: Session
) -> None:
    mine, theirs = make_enterprise(db_session), make_enterprise(db_session)
    headers = token_for(db_session, Role.ENTERPRISE, mine.id)
    response = client.post("/api/v1/needs", json=NEED, headers=headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert body is not None and body["enterprise"]["id"] == mine.id
    assert body["status"] == "pending_review" and body["keywords"]
    demand = db_session.get(Demand, body["id"])
    assert demand is not None and demand.title == NEED["title"]
    actions = db_session.scalars(
        select(AuditEntry.actor).where(
            AuditEntry.subject_type == "demand", AuditEntry.subject_id == demand.id
        )
    ).all()
    assert actions == [f"api-client-enterprise-{mine.id}"]

    other = client.post("/api/v1/needs", json={**NEED, "enterprise_id": theirs.id}, headers=headers)
    assert other.status_code == 403 and other.json and other.json["field"] == "enterprise_id"
    assert _count(db_session, Demand) == 1


def test_a_bad_need_is_refused_in_chinese_and_nothing_is_stored(
    client: FlaskClient, db_session: Session
) -> None:
    firm = make_enterprise(db_session)
    headers = token_for(db_session, Role.ORGANISER)
    empty = client.post(
        "/api/v1/needs", json={**NEED, "title": "  ", "enterprise_id": firm.id}, headers=headers
    )
    assert empty.status_code == 422
    assert empty.json == {"error": "需求标题不能为空。", "status": 422, "field": "title"}
    past = client.post(
        "/api/v1/needs",
        json={**NEED, "enterprise_id": firm.id, "deadline": "2020-01-01"},
        headers=headers,
    )
    assert past.status_code == 422 and past.json and past.json["field"] == "deadline"
    assert "截止日期" in past.json["error"]
    nobody = client.post("/api/v1/needs", json=NEED, headers=headers)
    assert nobody.status_code == 422 and nobody.json and nobody.json["field"] == "enterprise_id"
    text = client.post("/api/v1/needs", data="title=x", headers=headers)
    assert text.status_code == 400 and text.json and "JSON" in text.json["error"]
    assert _count(db_session, Demand) == 0
    assert not db_session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "demand")
    ).all()


def test_organisers_check_people_in_and_the_check_in_is_audited(
    client: FlaskClient, db_session: Session
) -> None:
    event = make_event(db_session, starts_at=utcnow() + timedelta(hours=1))
    later = make_event(db_session, title="明年的活动", starts_at=utcnow() + timedelta(days=300))
    talent = make_talent(db_session, openid="o-api-guest")
    unbound = make_talent(db_session, openid=None)
    headers = token_for(db_session, Role.ORGANISER)
    url = f"/api/v1/events/{event.id}/check-ins"
    first = client.post(url, json={"talent_id": talent.id}, headers=headers)
    assert first.status_code == 200 and first.json and first.json["outcome"] == "walk_in"
    again = client.post(url, json={"openid": "o-api-guest"}, headers=headers)
    assert again.status_code == 200 and again.json and again.json["outcome"] == "already"
    row = db_session.scalars(select(Invitation).where(Invitation.event_id == event.id)).one()
    assert row.status == InvitationStatus.ATTENDED and row.talent_id == talent.id
    assert (
        db_session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "event"))
        .all()
        .count("check_in")
        == 2
    )

    no_wechat = client.post(url, json={"talent_id": unbound.id}, headers=headers)
    assert no_wechat.status_code == 422 and no_wechat.json and "微信" in no_wechat.json["error"]
    early = client.post(
        f"/api/v1/events/{later.id}/check-ins", json={"talent_id": talent.id}, headers=headers
    )
    assert early.status_code == 409 and early.json and "还没到签到时间" in early.json["error"]
    firm = token_for(db_session, Role.ENTERPRISE, make_enterprise(db_session).id)
    assert client.post(url, json={"talent_id": talent.id}, headers=firm).status_code == 403
    assert _count(db_session, Invitation) == 1


def test_organisers_record_an_outcome_and_a_negative_amount_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    demand = make_demand(db_session)
    headers = token_for(db_session, Role.ORGANISER)
    url = f"/api/v1/needs/{demand.id}/outcomes"
    bad = client.post(url, json={"kind": "agreement", "amount_wan": -5}, headers=headers)
    assert bad.status_code == 422 and bad.json and bad.json["field"] == "amount_wan"
    unknown = client.post(url, json={"kind": "married"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json and unknown.json["field"] == "kind"
    assert _count(db_session, Outcome) == 0
    done = client.post(
        url,
        json={
            "kind": "agreement",
            "amount_wan": 120.5,
            "note": "签了三年",
            "occurred_on": "2026-05-01",
        },
        headers=headers,
    )
    assert done.status_code == 201, done.json
    outcome = db_session.scalars(select(Outcome)).one()
    assert (outcome.amount_wan, outcome.note, outcome.occurred_on.isoformat()) == (
        120.5,
        "签了三年",
        "2026-05-01",
    )
    firm = token_for(db_session, Role.ENTERPRISE, demand.enterprise_id)
    assert client.post(url, json={"kind": "landed"}, headers=firm).status_code == 403
    assert (
        client.post(
            "/api/v1/needs/999999/outcomes", json={"kind": "landed"}, headers=headers
        ).status_code
        == 404
    )
