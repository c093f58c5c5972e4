"""``huaicai fake-wechat`` and ``huaicai outbox``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import requests
from click.testing import CliRunner, Result

from bot.config import PROJECT_ROOT
from bot.db import Database
from bot.services import outbox
from cli import main
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET


def _run(args: list[str], database: Database, fake: FakeWeChat) -> Result:
    environment = {
        "HUAICAI_DATABASE__URL": database.engine.url.render_as_string(hide_password=False),
        "HUAICAI_WECHAT__APPID": FAKE_APPID,
        "HUAICAI_WECHAT__SECRET": FAKE_SECRET,
        "HUAICAI_WECHAT__API_BASE_URL": fake.api_base_url,
        "HUAICAI_WECHAT__TOKEN_STORE": "database",
    }
    return CliRunner().invoke(main, args, env=environment)


def test_outbox_status_and_deliver(committed_database: Database, fake_wechat: FakeWeChat) -> None:
    with committed_database.transaction() as session:
        message = outbox.enqueue(
            session, kind="text", openid="o-1", payload={"content": "您好"}, dedupe_key="k1"
        )
    fake_wechat.interact("o-1")

    status = _run(["outbox", "status"], committed_database, fake_wechat)
    assert status.exit_code == 0, status.output
    assert "pending   1" in status.output

    delivered = _run(["outbox", "deliver"], committed_database, fake_wechat)
    assert delivered.exit_code == 0, delivered.output
    assert f"#{message.id} sent customer_service" in delivered.output

    status = _run(["outbox", "status"], committed_database, fake_wechat)
    assert "sent      1" in status.output
    assert "next due: nothing waiting" in status.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_fake_wechat_command_serves_the_api() -> None:
    port = _free_port()
    environment = {"HUAICAI_WECHAT__APPID": FAKE_APPID, "HUAICAI_WECHAT__SECRET": FAKE_SECRET}
    command = [sys.executable, "-m", "cli", "fake-wechat", "--port", str(port)]
    server = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**_base_environment(), **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    body = {"grant_type": "client_credential", "appid": FAKE_APPID, "secret": FAKE_SECRET}
    try:
        answer = None
        deadline = time.monotonic() + 30
        with requests.Session() as http:
            while answer is None and time.monotonic() < deadline:
                try:
                    url = f"http://127.0.0.1:{port}/cgi-bin/stable_token"
                    answer = http.post(url, json=body, timeout=2).json()
                except requests.ConnectionError:
                    time.sleep(0.1)
        assert answer is not None and answer["access_token"].startswith("fake-")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _base_environment() -> dict[str, str]:
    # The child needs PATH and friends; our HUAICAI_ settings are added on top.
    return {key: value for key, value in os.environ.items() if not key.startswith("HUAICAI_")}
