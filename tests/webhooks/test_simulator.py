"""The web simulator: demo mode only, each line through the real (safe-mode) callback."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.engine import Connection

from tests.conftest import app_overrides
from webhooks import create_app, simulator


def test_simulator_chats_through_the_real_callback(client: FlaskClient) -> None:
    simulator.reset()
    page = client.get("/simulator").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    client.post("/simulator", data={"csrf_token": token.group(1), "text": "帮助"})
    page = client.get("/simulator").text
    assert 'class="bubble me">帮助' in page
    replies = re.findall(r'class="bubble bot">([^<]+)', page)
    assert replies and "没有回答" not in replies[0] and len(replies[0]) > 10


def test_simulator_does_not_exist_outside_demo_mode(
    database_url: str, db_connection: Connection
) -> None:
    overrides = app_overrides(database_url)
    overrides["app"].update(demo=False, secret_key="a-real-secret-from-the-environment")
    overrides["wechat"].update(secret="real-wechat-secret", token="real-token")
    overrides["console"] = {"demo_password": "not-the-demo-one"}
    app = create_app(overrides)
    assert app.test_client().get("/simulator").status_code == 404
    app.extensions["huaicai"].database.dispose()
