"""Signing in and out: messages in Chinese, throttling, timing, sessions ended on the server."""

from __future__ import annotations

import statistics
import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from bot.models import Role
from bot.services import users
from tests.conftest import app_overrides
from tests.webhooks.console.conftest import PASSWORD, csrf_token, make_user, sign_in
from webhooks import create_app
from webhooks.extensions import runtime


def test_console_pages_need_a_login(client: FlaskClient) -> None:
    for path in ("/console/", "/console/talents", "/console/demands", "/console/import"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/console/login" in response.headers["Location"]


def test_wrong_password_is_refused_in_chinese(client: FlaskClient, db_session: Session) -> None:
    user = make_user(db_session, Role.ORGANISER)
    response = client.post(
        "/console/login",
        data={
            "username": user.username,
            "password": "nope-nope",
            "csrf_token": csrf_token(client, "/console/login"),
        },
    )
    assert response.status_code == 401
    assert "用户名或密码不对" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_stale_token_and_empty_fields_are_explained(
    client: FlaskClient, db_session: Session
) -> None:
    user = make_user(db_session, Role.ORGANISER)
    response = client.post("/console/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "页面停留太久" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302
    token = csrf_token(client, "/console/login")
    response = client.post(
        "/console/login", data={"username": "", "password": "", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写用户名" in page and "请填写密码" in page


def test_login_does_not_redirect_off_site(client: FlaskClient, db_session: Session) -> None:
    user = make_user(db_session, Role.ORGANISER)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        token = csrf_token(client, "/console/login")
        response = client.post(
            f"/console/login?next={target}",
            data={"username": user.username, "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/console/"
        client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})


def test_enterprise_user_lands_on_their_own_page(client: FlaskClient, db_session: Session) -> None:
    from tests.factories import make_enterprise

    user = make_user(db_session, Role.ENTERPRISE, make_enterprise(db_session))
    token = csrf_token(client, "/console/login")
    response = client.post(
        "/console/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/console/enterprise"
    assert client.get("/console/").status_code == 403


def test_logout_needs_the_form_token(client: FlaskClient, db_session: Session) -> None:
    user = make_user(db_session, Role.ORGANISER)
    sign_in(client, user.username)
    client.post("/console/logout")
    assert client.get("/console/").status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    assert client.get("/console/").status_code == 302


def test_a_copied_cookie_stops_working_after_logout(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    user = make_user(db_session, Role.ORGANISER)
    sign_in(client, user.username)
    cookie = client.get_cookie("huaicai_session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("huaicai_session", cookie.value)
    assert thief.get("/console/").status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    assert thief.get("/console/").status_code == 302


def test_deactivated_user_is_signed_out_at_once(client: FlaskClient, db_session: Session) -> None:
    user = make_user(db_session, Role.ORGANISER)
    admin = make_user(db_session, Role.ADMIN)
    sign_in(client, user.username)
    users.update_user(db_session, user, actor="test", is_active=False)
    db_session.commit()
    assert admin.is_active
    assert client.get("/console/").status_code == 302


def test_login_is_throttled_per_user_name(client: FlaskClient, db_session: Session) -> None:
    user = make_user(db_session, Role.ORGANISER)
    statuses = [sign_in(client, user.username, "wrong-password") for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    # Even the right password waits now; the page says why, in Chinese.
    token = csrf_token(client, "/console/login")
    response = client.post(
        "/console/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 429
    assert "太频繁" in response.get_data(as_text=True)
    # Another user from the same address is not locked out by this.
    other = make_user(db_session, Role.ORGANISER)
    assert sign_in(client, other.username) == 302


def test_login_is_throttled_per_address(database_url: str, db_connection: object) -> None:
    app = create_app(
        app_overrides(database_url, console={"login_limit_per_address": "3 per 15 minutes"})
    )
    app.config["TESTING"] = True
    with app.app_context():
        runtime().database.sessionmaker.configure(
            bind=db_connection, join_transaction_mode="create_savepoint"
        )
    client = app.test_client()
    statuses = [sign_in(client, f"nobody-{n}", "wrong-password") for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    app.extensions["huaicai"].database.dispose()


def test_unknown_user_costs_as_much_as_a_wrong_password(db_session: Session) -> None:
    users.create_user(db_session, username="known", password=PASSWORD, role=Role.ORGANISER)

    def timed(name: str) -> float:
        started = time.perf_counter()
        assert users.authenticate(db_session, name, "wrong-password") is None
        return time.perf_counter() - started

    known = statistics.median(timed("known") for _ in range(5))
    unknown = statistics.median(timed("unknown") for _ in range(5))
    # Before the fix the unknown path took ~1/9 of the time of a hash check.
    assert unknown > 0.5 * known


def test_a_demo_account_signs_in_only_in_demo_mode(db_session: Session) -> None:
    user = users.create_user(
        db_session, username="demo-org", password=PASSWORD, role=Role.ORGANISER
    )
    user.is_demo = True
    db_session.flush()
    assert users.authenticate(db_session, "demo-org", PASSWORD, demo_mode=True) is not None
    assert users.authenticate(db_session, "demo-org", PASSWORD, demo_mode=False) is None
    user.is_demo = False
    assert users.authenticate(db_session, "demo-org", PASSWORD, demo_mode=False) is not None
