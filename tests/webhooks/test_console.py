from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import AuditEntry, DemandStatus, Role
from bot.services import users
from tests.factories import make_demand, make_talent

PASSWORD = "organiser-password"


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, page
    return match.group(1)


def log_in(client: FlaskClient, db_session: Session, username: str = "li") -> None:
    users.create_user(db_session, username=username, password=PASSWORD, role=Role.ORGANISER)
    db_session.commit()
    token = csrf_token(client, "/console/login")
    response = client.post(
        "/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_console_pages_need_a_login(client: FlaskClient) -> None:
    for path in ("/console/", "/console/talents", "/console/demands"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/console/login" in response.headers["Location"]


def test_wrong_password_is_refused(client: FlaskClient, db_session: Session) -> None:
    users.create_user(db_session, username="wang", password=PASSWORD, role=Role.ORGANISER)
    db_session.commit()
    token = csrf_token(client, "/console/login")
    response = client.post(
        "/console/login", data={"username": "wang", "password": "nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码不对" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client: FlaskClient, db_session: Session) -> None:
    users.create_user(db_session, username="zhao", password=PASSWORD, role=Role.ORGANISER)
    db_session.commit()
    response = client.post("/console/login", data={"username": "zhao", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/console/").status_code == 302


def test_login_does_not_redirect_off_site(client: FlaskClient, db_session: Session) -> None:
    users.create_user(db_session, username="sun", password=PASSWORD, role=Role.ORGANISER)
    db_session.commit()
    token = csrf_token(client, "/console/login")
    response = client.post(
        "/console/login?next=//evil.example/x",
        data={"username": "sun", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/console/"


def test_dashboard_shows_progress_against_targets(client: FlaskClient, db_session: Session) -> None:
    make_talent(db_session, origin_code="410882")
    make_talent(db_session, origin_code="410882")
    log_in(client, db_session)
    page = client.get("/console/").get_data(as_text=True)
    assert "2025年底入库人才" in page
    assert "2 / 5000" in page
    assert "沁阳市" in page


def test_talent_list_filters_and_detail_is_audited(
    client: FlaskClient, db_session: Session
) -> None:
    talent = make_talent(db_session, name="沁阳李工", origin_code="410882")
    make_talent(db_session, name="温县王工", origin_code="410825")
    log_in(client, db_session)
    page = client.get("/console/talents?county=410882").get_data(as_text=True)
    assert "沁阳李工" in page and "温县王工" not in page
    assert client.get("/console/talents?county=999999").status_code == 200
    assert client.get(f"/console/talents/{talent.id}").status_code == 200
    reads = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert [(e.actor, e.subject_id) for e in reads] == [("console:li", talent.id)]
    assert client.get("/console/talents/999999").status_code == 404


def test_organiser_approves_a_pending_need(client: FlaskClient, db_session: Session) -> None:
    demand = make_demand(db_session, title="高镍正极材料烧结工艺优化")
    log_in(client, db_session)
    token = csrf_token(client, "/console/demands")
    response = client.post(
        f"/console/demands/{demand.id}/review",
        data={"csrf_token": token, "approve": "通过", "note": "需求清楚"},
    )
    assert response.status_code == 302
    db_session.refresh(demand)
    assert demand.status == DemandStatus.APPROVED
    assert demand.reviewed_by == "console:li"
    # A second review of the same need is refused without changing it.
    token = csrf_token(client, "/console/demands")
    client.post(f"/console/demands/{demand.id}/review", data={"csrf_token": token, "reject": "x"})
    db_session.refresh(demand)
    assert demand.status == DemandStatus.APPROVED


def test_review_without_csrf_token_changes_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    demand = make_demand(db_session)
    log_in(client, db_session)
    client.post(f"/console/demands/{demand.id}/review", data={"approve": "通过"})
    db_session.refresh(demand)
    assert demand.status == DemandStatus.PENDING_REVIEW


def test_logout_needs_the_form_token(client: FlaskClient, db_session: Session) -> None:
    log_in(client, db_session)
    client.post("/console/logout")
    assert client.get("/console/").status_code == 200
    token = csrf_token(client, "/console/")
    client.post("/console/logout", data={"csrf_token": token})
    assert client.get("/console/").status_code == 302
