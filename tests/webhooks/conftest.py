"""WeChat callback fixtures: simulated followers, signed requests and a real threaded server."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import TestResponse

from bot.db import Database
from bot.dispatch import Context
from bot.models import InboundMessage
from devtools.simulator import Reply, SignedRequest, WeChatUser
from tests.conftest import TEST_WECHAT, app_overrides
from webhooks import create_app
from webhooks.callback import EXTENSION_KEY

_openids = itertools.count(1)

MakeUser = Callable[..., WeChatUser]


def new_user(mode: str = "plain", openid: str | None = None, **kwargs: Any) -> WeChatUser:
    """Return a follower signing with the test account's credentials (WECHAT.md vectors)."""
    return WeChatUser(
        token=TEST_WECHAT["token"],
        appid=TEST_WECHAT["appid"],
        encoding_aes_key=TEST_WECHAT["encoding_aes_key"],
        openid=openid or f"o-test-{next(_openids):05d}",
        mode=mode,
        **kwargs,
    )


@pytest.fixture
def wechat_user() -> MakeUser:
    """Return a factory of simulated followers: ``wechat_user(mode="safe")``."""
    return new_user


@dataclass
class Phone:
    """A follower posting signed requests through the Flask test client."""

    client: FlaskClient
    user: WeChatUser

    def post(self, request: SignedRequest) -> TestResponse:
        """POST ``request`` to the callback as WeChat would."""
        return self.client.post(
            "/wechat",
            query_string=request.query,
            data=request.body,
            content_type="text/xml",
        )

    def send(self, request: SignedRequest) -> Reply:
        """POST ``request`` and return the (decrypted) reply."""
        response = self.post(request)
        return self.user.read_reply(response.status_code, response.get_data())

    def say(self, text: str) -> str:
        """Send a text message; return the reply's text."""
        return self.send(self.user.text(text)).text


@pytest.fixture
def phone(client: FlaskClient) -> Phone:
    """Return a plain-mode follower talking to the test app (shared rolled-back transaction)."""
    return Phone(client, new_user())


def inbound_count(session: Session) -> int:
    """Return how many deliveries are stored."""
    return int(session.scalar(select(func.count(InboundMessage.id))) or 0)


@dataclass
class CountingHandler:
    """A command handler that counts its runs, optionally sleeping first."""

    reply: str = "收到"
    delay: float = 0.0
    followups: tuple[str, ...] = ()
    fail: bool = False

    def __post_init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()
        # Set it to end the delay early.
        self.gate = threading.Event()

    def __call__(self, ctx: Context) -> str:
        with self.lock:
            self.calls += 1
        if self.delay:
            self.gate.wait(self.delay)
        if self.fail:
            raise RuntimeError("handler failed on purpose")
        ctx.followups.extend(self.followups)
        return self.reply


@pytest.fixture
def extra_commands() -> dict[str, CountingHandler]:
    """Return the command words a test added, for every app it starts."""
    return {}


@pytest.fixture
def command(
    request: pytest.FixtureRequest, extra_commands: dict[str, CountingHandler]
) -> Callable[..., CountingHandler]:
    """Register a counting handler for a command word on the test's apps (this test only)."""

    def register(word: str, **options: Any) -> CountingHandler:
        handler = CountingHandler(**options)
        extra_commands[word] = handler
        if "app" in request.fixturenames:
            request.getfixturevalue("app").extensions["huaicai"].registry.command(word)(handler)
        return handler

    return register


@dataclass
class LiveServer:
    """The full app on a real threaded HTTP server over a committed database."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/wechat"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.app.extensions[EXTENSION_KEY].responder.close()
        self.app.extensions["huaicai"].database.dispose()


def committed_app(database: Database, **wechat: Any) -> Flask:
    """Return the app on ``database`` with real commits and ``wechat`` settings overridden."""
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app(app_overrides(url, wechat=wechat))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def live_server(
    committed_database: Database, extra_commands: dict[str, CountingHandler]
) -> Iterator[Callable[..., LiveServer]]:
    """Return a starter of real servers: ``live_server(reply_budget_seconds=0.2)``."""
    started: list[LiveServer] = []

    def start(**wechat: Any) -> LiveServer:
        app = committed_app(committed_database, **wechat)
        for word, handler in extra_commands.items():
            app.extensions["huaicai"].registry.command(word)(handler)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-wechat", daemon=True)
        thread.start()
        live = LiveServer(app, server, thread)
        started.append(live)
        return live

    yield start
    for live in started:
        live.stop()
