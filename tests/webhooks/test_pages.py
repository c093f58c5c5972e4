"""The about page, Chinese error pages, and the security headers on every response."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection

from tests.conftest import app_overrides
from webhooks import create_app


def test_about_page_says_what_huaicai_is_and_how_data_is_handled(client: FlaskClient) -> None:
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for words in ("关于怀才", "由谁运营", "个人信息保护", "联系我们", "注销"):
        assert words in page


def test_errors_are_chinese_pages(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
    assert "Not Found" not in response.get_data(as_text=True)
    response = client.post("/")
    assert response.status_code == 405
    assert "操作方式不对" in response.get_data(as_text=True)


def test_an_exception_gives_the_chinese_500_page(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("on purpose")

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "系统出了点问题" in response.get_data(as_text=True)


def test_security_headers_forbid_inline_script_and_framing(client: FlaskClient) -> None:
    headers = client.get("/console/login").headers
    policy = headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_no_page_carries_inline_script(client: FlaskClient) -> None:
    for path in ("/", "/console/login", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "onclick=" not in page


def test_session_cookie_is_secure_and_lax_outside_demo(
    database_url: str, db_connection: Connection
) -> None:
    overrides = app_overrides(database_url)
    overrides["app"].update(demo=False, secret_key="a-real-secret-from-the-environment")
    overrides["wechat"].update(secret="real-wechat-secret", token="real-token")
    overrides["console"] = {"demo_password": "not-the-demo-one"}
    app = create_app(overrides)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    app.extensions["huaicai"].database.dispose()


def test_an_id_beyond_the_database_integer_is_not_found(client: FlaskClient) -> None:
    response = client.get("/api/v1/needs/9223372036854775808")
    assert response.status_code == 404
    assert client.get("/console/talents/9223372036854775808").status_code == 404
