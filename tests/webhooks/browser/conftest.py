"""The console on a real server, driven by Debian's Chromium through Playwright.

No browser is ever downloaded: Playwright launches ``/usr/bin/chromium`` (``.ci/run`` installs
the package when missing). These tests run on the SQLite backend only: they check pages in a
browser, which the database under them does not change, and they are the slowest tests we have.
Screenshots go to ``tests/artifacts/`` (ignored by git).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from bot.db import Database
from devtools.fake_wechat import FakeWeChat
from tests.conftest import app_overrides
from tests.wechat_fixtures import FAKE_SECRET
from webhooks import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@dataclass
class ConsoleServer:
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread
    database: Database

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def console_server(
    committed_database: Database, tmp_path: Path, fake_wechat: FakeWeChat
) -> Iterator[ConsoleServer]:
    """Serve the whole app over the committed test database on a free local port, its WeChat
    API calls answered by the fake WeChat server."""
    if committed_database.engine.dialect.name != "sqlite":
        pytest.skip("browser tests run once, on the SQLite backend")
    url = committed_database.engine.url.render_as_string(hide_password=False)
    overrides = app_overrides(
        url,
        app={"instance_dir": str(tmp_path)},
        wechat={"api_base_url": fake_wechat.api_base_url, "secret": FAKE_SECRET},
        # Talents' H5 pages sign people in through the fake server's web OAuth.
        events={"oauth_authorize_url": f"{fake_wechat.url}/connect/oauth2/authorize"},
    )
    app = create_app(overrides)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console", daemon=True)
    thread.start()
    try:
        yield ConsoleServer(app, server, thread, committed_database)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        app.extensions["huaicai"].close()
        app.extensions["huaicai"].database.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium once for the session."""
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        yield chromium
        chromium.close()
