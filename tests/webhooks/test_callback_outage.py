"""A database outage during a stream of messages: none lost, none doubled (issue 10 item 3).

On PostgreSQL the app talks to the server through a local TCP proxy that the test cuts (the
shared server itself is never stopped). On SQLite, which has no connection to lose, the same
path is driven by the error SQLite gives when its file cannot be written ("database is locked").
Each message must be answered exactly once: by its passive reply, or, when the database was
away for the whole reply budget, by a customer-service message queued once the spool drained.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import event, make_url, select
from werkzeug.serving import make_server

from bot.db import Database
from bot.dialogs import basics_texts
from bot.models import InboundMessage, OutboxMessage
from bot.wechat.codec import parse_message
from devtools.tcp_proxy import TcpProxy
from tests.conftest import app_overrides
from tests.webhooks.conftest import MakeUser
from webhooks import create_app
from webhooks.callback import EXTENSION_KEY


class Outage:
    """Make the app's database unreachable and reachable again."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.proxy: TcpProxy | None = None
        self.down = threading.Event()

    def app_url(self) -> str:
        url = self.database.engine.url
        if url.get_backend_name() != "postgresql":
            return url.render_as_string(hide_password=False)
        self.proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
        proxied = make_url(url).set(host="127.0.0.1", port=self.proxy.port)
        return proxied.render_as_string(hide_password=False)

    def attach(self, app: Flask) -> None:
        if self.proxy is not None:
            return
        engine = app.extensions["huaicai"].database.engine

        @event.listens_for(engine, "before_cursor_execute")
        def refuse(*_args: Any) -> None:
            if self.down.is_set():
                raise sqlite3.OperationalError("database is locked")

    def cut(self) -> None:
        self.down.set()
        if self.proxy is not None:
            self.proxy.cut()

    def restore(self) -> None:
        self.down.clear()
        if self.proxy is not None:
            self.proxy.restore()

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()


@pytest.fixture
def outage(committed_database: Database) -> Iterator[Outage]:
    cut = Outage(committed_database)
    yield cut
    cut.close()


def test_outage_during_a_stream_loses_and_doubles_nothing(
    committed_database: Database, outage: Outage, wechat_user: MakeUser, tmp_path: Path
) -> None:
    app = create_app(
        app_overrides(
            outage.app_url(),
            wechat={"reply_budget_seconds": 1.0, "spool_dir": str(tmp_path / "spool")},
        )
    )
    outage.attach(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/wechat"
    users = [wechat_user() for _ in range(4)]
    answered: dict[str, str] = {}  # MsgId -> passive reply ("" when success)
    statuses: list[int] = []
    lock = threading.Lock()

    def talk(user: Any, count: int) -> None:
        for _ in range(count):
            request = user.text("帮助")
            response = requests.post(url, params=request.query, data=request.body, timeout=15)
            reply = user.read_reply(response.status_code, response.content)
            msg_id = parse_message(request.body).msg_id
            with lock:
                statuses.append(response.status_code)
                answered[str(msg_id)] = reply.text
            time.sleep(0.05)

    try:
        with ThreadPoolExecutor(len(users)) as pool:
            futures = [pool.submit(talk, user, 10) for user in users]
            time.sleep(0.4)
            outage.cut()
            time.sleep(1.8)  # longer than the reply budget: some deliveries must be spooled
            outage.restore()
            for future in futures:
                future.result()
        # A message after the outage starts the drain; wait for the spool to empty.
        last = users[0].text("帮助")
        requests.post(url, params=last.query, data=last.body, timeout=15)
        answered[last.query["nonce"]] = "(not counted)"
        callback = app.extensions[EXTENSION_KEY]
        deadline = time.monotonic() + 20
        while callback.spool.pending() and time.monotonic() < deadline:
            callback.spool.kick(callback.drain)
            time.sleep(0.1)
        callback.spool.wait(10)
        assert callback.spool.pending() == []
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["huaicai"].close()
        app.extensions["huaicai"].database.dispose()

    assert set(statuses) == {200}
    sent = {key: text for key, text in answered.items() if text != "(not counted)"}
    with committed_database.session() as session:
        stored = set(session.scalars(select(InboundMessage.dedup_key)))
        queued = [row.dedupe_key for row in session.scalars(select(OutboxMessage))]
    later = {key.removeprefix("reply:msg:") for key in queued if key.startswith("reply:msg:")}
    passive = {msg_id for msg_id, text in sent.items() if text}
    assert all(text in ("", basics_texts.HELP) for text in sent.values())
    lost = [msg_id for msg_id in sent if msg_id not in passive and msg_id not in later]
    doubled = sorted(passive & later) + sorted({k for k in queued if queued.count(k) > 1})
    assert (lost, doubled) == ([], [])
    assert {f"msg:{msg_id}" for msg_id in sent} <= stored
    assert later, "the outage was too short to exercise the spool"
