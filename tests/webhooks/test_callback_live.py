"""The callback on a real threaded server: concurrent copies, the reply budget, chunked bodies."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select, text

from bot.db import Database
from bot.dispatch import Context
from bot.models import InboundMessage, OutboxMessage
from bot.services import inbound
from devtools.simulator import Reply, SignedRequest, WeChatUser
from tests.webhooks.conftest import CountingHandler, LiveServer, MakeUser
from webhooks.callback import EXTENSION_KEY


def _post(server: LiveServer, user: WeChatUser, request: SignedRequest) -> Reply:
    response = requests.post(
        server.url,
        params=request.query,
        data=request.body,
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    return user.read_reply(response.status_code, response.content)


def _stored(database: Database) -> list[InboundMessage]:
    with database.session() as session:
        return list(session.scalars(select(InboundMessage)))


def _outbox(database: Database) -> list[OutboxMessage]:
    with database.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _lock_waiters(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            or 0
        )


def test_two_copies_at_the_same_moment_run_once_and_get_the_same_reply(
    live_server: Callable[..., LiveServer],
    committed_database: Database,
    wechat_user: MakeUser,
) -> None:
    postgres = committed_database.engine.dialect.name == "postgresql"
    calls: list[str] = []
    second_copy_waited: list[bool] = []

    def handler(ctx: Context) -> str:
        calls.append(ctx.openid)
        ctx.followups.append("补充一条")
        if postgres:
            # Hold the uncommitted claim until the other copy's INSERT waits on its key.
            deadline = time.monotonic() + 5
            while _lock_waiters(committed_database) == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            second_copy_waited.append(_lock_waiters(committed_database) > 0)
        else:
            time.sleep(0.3)  # SQLite: the other copy waits for the single writer
        return "只处理一次"

    server = live_server()
    server.app.extensions["huaicai"].registry.command("并发")(handler)
    user = wechat_user("safe")
    request = user.text("并发")
    start = threading.Barrier(2)
    replies: list[str] = []

    def deliver() -> None:
        start.wait()
        replies.append(_post(server, user, request).text)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert replies == ["只处理一次", "只处理一次"]
    assert calls == [user.openid]
    assert second_copy_waited == ([True] if postgres else [])
    assert [row.status for row in _stored(committed_database)] == [inbound.HANDLED]
    assert [row.payload["content"] for row in _outbox(committed_database)] == ["补充一条"]


def test_slow_handling_answers_success_now_and_sends_the_reply_later(
    live_server: Callable[..., LiveServer],
    committed_database: Database,
    wechat_user: MakeUser,
    command: Callable[..., CountingHandler],
) -> None:
    # Reply threads: the request waits at most the budget, whatever the handler does.
    handler = command("慢", reply="慢慢来的回复", delay=1.0)
    server = live_server(reply_budget_seconds=0.2, deliveries="threads")
    user = wechat_user()
    request = user.text("慢")

    began = time.monotonic()
    first = _post(server, user, request)
    answered_after = time.monotonic() - began
    retry_meanwhile = _post(server, user, request)  # WeChat's retry while the work still runs

    assert first.text == "" and first.status == 200
    assert answered_after < 0.9
    assert retry_meanwhile.text == ""
    _wait_for(lambda: [r.status for r in _stored(committed_database)] == [inbound.QUEUED])
    queued = _outbox(committed_database)
    assert [(m.kind, m.openid, m.payload) for m in queued] == [
        ("text", user.openid, {"content": "慢慢来的回复"})
    ]
    assert queued[0].dedupe_key.startswith("reply:msg:")

    handler.gate.set()  # later retries are quick, and must not run the work again
    assert _post(server, user, request).text == ""
    server.app.extensions["huaicai_wechat"].responder.close()  # wait for every worker
    assert handler.calls == 1
    assert len(_outbox(committed_database)) == 1


def test_in_the_request_thread_a_retry_waiting_for_a_slow_delivery_is_answered_in_time(
    live_server: Callable[..., LiveServer],
    committed_database: Database,
    wechat_user: MakeUser,
    command: Callable[..., CountingHandler],
    caplog: pytest.LogCaptureFixture,
) -> None:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL can cancel a waiting statement")
    handler = command("慢", reply="慢慢来的回复", delay=2.0)
    server = live_server(reply_budget_seconds=0.2, deliveries="request")
    user = wechat_user()
    request = user.text("慢")
    answers: list[tuple[Reply, float]] = []

    def first_copy() -> None:
        began = time.monotonic()
        answers.append((_post(server, user, request), time.monotonic() - began))

    first = threading.Thread(target=first_copy)
    first.start()
    _wait_for(lambda: handler.calls == 1)  # the first copy holds the claim, in its handler
    began = time.monotonic()
    retry = _post(server, user, request)  # WeChat's retry: it waits for the first's claim
    retry_after = time.monotonic() - began
    first.join(timeout=10)

    # The retry's wait was cancelled at its deadline: answered at once, kept in the spool.
    assert retry.text == "" and retry_after < 0.9
    assert "stopped at its deadline" in caplog.text
    # The first copy ran in its request thread past the budget: its reply goes out later.
    assert answers[0][0].text == "" and answers[0][1] >= 2.0
    _wait_for(lambda: [r.status for r in _stored(committed_database)] == [inbound.QUEUED])
    queued = _outbox(committed_database)
    assert [(m.kind, m.openid, m.payload) for m in queued] == [
        ("text", user.openid, {"content": "慢慢来的回复"})
    ]
    # A later copy (and the spooled one, once drained) is a repeat: the work is done once.
    assert _post(server, user, request).text == ""
    callback = server.app.extensions[EXTENSION_KEY]
    callback.spool.kick(callback.drain)
    callback.spool.wait(10)
    assert not callback.spool.pending()
    assert handler.calls == 1
    assert len(_outbox(committed_database)) == 1


def test_chunked_body_over_the_cap_is_refused(
    live_server: Callable[..., LiveServer],
    committed_database: Database,
    wechat_user: MakeUser,
) -> None:
    server = live_server(max_body_bytes=2048)
    user = wechat_user()
    request = user.text("长" * 2000)
    parts = urlsplit(request.url(server.url))

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(request.body), 1000):
            yield request.body[start : start + 1000]

    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request(
            "POST",
            f"{parts.path}?{parts.query}",
            body=chunks(),
            headers={"Content-Type": "text/xml"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 413
    assert _stored(committed_database) == []


def _terminate_other_connections(database: Database) -> int:
    """Kill every other server connection to the test database, as a restart would."""
    with database.engine.connect() as connection:
        killed = connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    database.engine.dispose()  # the test's own pool held some of them too
    return int(killed or 0)


def test_a_connection_lost_under_load_is_retried_and_the_person_gets_the_reply(
    live_server: Callable[..., LiveServer],
    committed_database: Database,
    wechat_user: MakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    server = live_server()
    user = wechat_user()
    assert _post(server, user, user.text("帮助")).text  # the server's pool now holds a connection
    assert _terminate_other_connections(committed_database) >= 1

    # Well within the idle time after which a pooled connection is pinged: the dead one is used.
    reply = _post(server, user, user.text("帮助"))

    assert reply.text and "开了个小差" not in reply.text
    # Whichever statement met the dead connection first (the replay guard's or the delivery's)
    # retried on a fresh one.
    assert "lost the database connection" in caplog.text or "unreachable" in caplog.text
    assert [row.status for row in _stored(committed_database)] == [inbound.HANDLED] * 2


def test_an_unsubscribe_is_stored_by_the_reply_threads(
    live_server: Callable[..., LiveServer],
    committed_database: Database,
    wechat_user: MakeUser,
) -> None:
    # The reply threads run each delivery in a transaction on a connection they keep: a change
    # the dialog leaves in the unit of work (here: is_following, set and not flushed) is stored.
    from bot.models import Talent
    from bot.services import talents

    server = live_server()
    user = wechat_user()
    with committed_database.transaction() as session:
        talents.create_talent(session, name="李四", openid=user.openid).is_following = True

    _post(server, user, user.unsubscribe())

    with committed_database.session() as session:
        stored = session.scalars(select(Talent).where(Talent.openid == user.openid)).one()
        assert stored.is_following is False
