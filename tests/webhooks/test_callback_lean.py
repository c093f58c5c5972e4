"""The callback's hot path asks the database as little as a delivery needs (issues 9 and 16).

A message is claimed in one round trip on PostgreSQL that also binds the signed query string to
its body and reads the person's dialog state and registration; the dialogs then look the person
up from what that round trip read. These tests count the statements a delivery runs and check
that the shortcuts never answer with stale facts within one delivery.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import delete, event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.dialogs import basics_texts
from bot.logs import RequestIdFilter
from bot.models import CallbackNonce, Talent
from bot.services import talents
from bot.services.replay_guard import LocalPairStore
from devtools.simulator import SignedRequest
from tests.factories import make_talent
from tests.faults import statements_fail
from tests.webhooks.conftest import CountingHandler, Phone
from webhooks.callback import EXTENSION_KEY, SORRY, CallbackFirst


@pytest.fixture
def statements(db_connection: Connection) -> Iterator[list[str]]:
    """Collect the SQL the test's connection runs (savepoints left out)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(db_connection, "before_cursor_execute", record)
    yield seen
    event.remove(db_connection, "before_cursor_execute", record)


def _reads_talents(statement: str) -> bool:
    return "FROM talents" in statement


@pytest.mark.parametrize("registered", [True, False])
def test_help_asks_nothing_beyond_the_claim(
    phone: Phone, db_session: Session, statements: list[str], registered: bool
) -> None:
    if registered:
        make_talent(db_session, openid=phone.user.openid)
        db_session.flush()
    statements.clear()
    expected = basics_texts.HELP_REGISTERED if registered else basics_texts.HELP
    assert phone.say("帮助") == expected
    # On PostgreSQL: the claim (pair, key, interaction, deferred messages, state, registration)
    # and storing the reply. SQLite takes those as separate statements, but the dialogs
    # themselves never look the person up again.
    if db_session.get_bind().dialect.name == "postgresql":
        assert len(statements) == 2, statements
    talent_reads = [s for s in statements if _reads_talents(s)]
    assert len(talent_reads) <= 1, talent_reads


def test_not_understood_looks_the_person_up_at_most_once(
    phone: Phone, db_session: Session, statements: list[str]
) -> None:
    make_talent(db_session, openid=phone.user.openid)
    db_session.flush()
    statements.clear()
    assert phone.say("今天天气不错") == basics_texts.NOT_UNDERSTOOD_REGISTERED
    assert len([s for s in statements if _reads_talents(s)]) <= 1


def test_a_failed_delivery_binds_no_pair_and_its_retry_is_handled(
    phone: Phone, db_session: Session, command: Callable[..., CountingHandler]
) -> None:
    handler = command("坏了", fail=True)
    request = phone.user.text("坏了")
    assert phone.send(request).text == SORRY
    # The pair is bound in the delivery's transaction, which rolled back.
    assert db_session.scalar(select(func.count()).select_from(CallbackNonce)) == 0
    handler.fail = False
    assert phone.send(request).text == "收到"
    assert db_session.scalar(select(func.count()).select_from(CallbackNonce)) == 1
    # And the same query string with another body is still a replay afterwards.
    other = phone.user.text("帮助")
    forged = SignedRequest(request.query, other.body, request.nonce)
    assert phone.post(forged).status_code == 403


def test_a_replay_while_the_database_is_away_is_checked_on_this_machine(
    app: Flask, phone: Phone, db_connection: Connection, tmp_path: Path
) -> None:
    callback = app.extensions[EXTENSION_KEY]
    kept: list[object] = []
    callback.responder.keep = kept.append
    callback.responder.check_locally = LocalPairStore(tmp_path / "pairs").bind_pair
    seen = phone.user.text("帮助")
    other = phone.user.text("我的资料")
    forged = SignedRequest(seen.query, other.body, seen.nonce)
    # The database stops answering (the driver's own "cannot reach" error).
    error = (
        psycopg.OperationalError("connection refused")
        if db_connection.dialect.name == "postgresql"
        else sqlite3.OperationalError("database is locked")
    )
    callback.responder._away_until = float("inf")  # known to be away: kept at once
    with statements_fail(db_connection, error):
        assert phone.post(seen).status_code == 200  # kept for later, answered "success"
        assert phone.post(forged).status_code == 403  # this machine saw the pair
        assert phone.post(seen).status_code == 200  # WeChat's retry is no replay
    assert len(kept) == 2


def test_known_registration_follows_changes_within_the_delivery(db_session: Session) -> None:
    openid = "o-lean-memo"
    talents.remember_talent_id(db_session, openid, None)
    assert not talents.is_registered(db_session, openid)
    # Registering in the same transaction is seen at once (before any flush).
    talent = make_talent(db_session, openid=openid)
    assert talents.get_talent_by_openid(db_session, openid) is talent
    assert talents.is_registered(db_session, openid)
    db_session.flush()
    talents.remember_talent_id(db_session, openid, talent.id)
    # Deleted through the session: gone before and after the flush.
    db_session.delete(talent)
    assert talents.get_talent_by_openid(db_session, openid) is None
    db_session.flush()
    assert not talents.is_registered(db_session, openid)


def test_known_registration_is_forgotten_after_a_bulk_delete(db_session: Session) -> None:
    talent = make_talent(db_session, openid="o-lean-bulk")
    db_session.flush()
    talents.remember_talent_id(db_session, "o-lean-bulk", talent.id)
    db_session.execute(delete(Talent).where(Talent.id == talent.id))
    assert talents.get_talent_by_openid(db_session, "o-lean-bulk") is None
    assert not talents.is_registered(db_session, "o-lean-bulk")


def test_the_callback_skips_the_consoles_per_request_machinery(app: Flask, phone: Phone) -> None:
    response = phone.post(phone.user.text("帮助"))
    assert response.status_code == 200
    # Still timed, counted and given a request id for the logs ...
    assert response.headers.get("X-Request-Id")
    # ... but no browser security headers, cookie session or rate-limit bookkeeping.
    assert "Content-Security-Policy" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert not any(name.startswith("X-RateLimit") for name in response.headers.keys())
    # The console, behind the same WSGI entry point, keeps all of them.
    page = app.test_client().get("/console/login")
    assert "Content-Security-Policy" in page.headers


def test_the_log_names_why_the_database_is_away_without_the_parameters(
    app: Flask, phone: Phone, db_connection: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    callback = app.extensions[EXTENSION_KEY]
    callback.responder.keep = lambda _message: None
    error = (
        psycopg.OperationalError("could not write: No space left on device")
        if db_connection.dialect.name == "postgresql"
        else sqlite3.OperationalError("database or disk is full")
    )
    callback.responder._away_until = float("inf")
    with (
        statements_fail(db_connection, error),
        caplog.at_level("WARNING", logger="bot.services.inbound"),
    ):
        assert phone.post(phone.user.text("帮助")).status_code == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(error) in logged
    assert phone.user.openid not in logged  # the statement's parameters stay out


def test_the_callback_reads_no_cookie_session(app: Flask, phone: Phone) -> None:
    # Served in front of the Flask app: a cookie sent along is not read, signed or answered.
    assert isinstance(app.wsgi_app, CallbackFirst)
    phone_client = app.test_client()
    phone_client.set_cookie("session", "forged")
    request = phone.user.text("帮助")
    response = phone_client.post(request.url("/wechat"), data=request.body)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_an_unexpected_error_is_logged_and_answered_500(
    app: Flask, phone: Phone, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A fault outside the delivery's own error handling (here: in the signature check).
    def broken(*_args: Any) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr("webhooks.callback.sign", broken)
    with caplog.at_level("ERROR", logger="webhooks.callback"):
        response = phone.post(phone.user.text("帮助"))
    assert response.status_code == 500
    assert response.headers.get("X-Request-Id")
    assert any(record.exc_info for record in caplog.records)
    # The next message is answered as usual once the fault is gone.
    monkeypatch.undo()
    assert phone.say("帮助")


def test_other_methods_are_refused_with_the_allowed_ones(app: Flask) -> None:
    response = app.test_client().put("/wechat", data=b"<xml/>")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


def test_a_callers_request_id_is_kept_in_the_logs_and_the_answer(
    app: Flask, phone: Phone, caplog: pytest.LogCaptureFixture
) -> None:
    request = phone.user.text("帮助")
    client = app.test_client()
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level("INFO", logger="bot.services.inbound"):
        response = client.post(
            request.url("/wechat"), data=request.body, headers={"X-Request-Id": "nginx-req-0042"}
        )
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "nginx-req-0042"
    # Logged by the reply thread, which carries the request's id along.
    handled = [r for r in caplog.records if r.getMessage().endswith(" handled")]
    assert handled and {getattr(r, "request_id", None) for r in handled} == {"nginx-req-0042"}


def test_the_answers_carry_the_headers_a_response_would(app: Flask, phone: Phone) -> None:
    # CallbackFirst renders its answers straight to WSGI: type, length, id, and no body for HEAD.
    client = app.test_client()
    reply = phone.post(phone.user.text("帮助"))
    assert reply.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert int(reply.headers["Content-Length"]) == len(reply.data) > 0
    echo = phone.user.verification("echo-1234")
    got = client.get(echo.url("/wechat"))
    assert (got.status_code, got.data) == (200, b"echo-1234")
    assert got.headers["Content-Type"] == "text/plain; charset=utf-8"
    head = client.head(echo.url("/wechat"))
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(b"echo-1234"))
    refused = client.post("/wechat?timestamp=1&nonce=n&signature=x", data=b"<xml/>")
    assert (refused.status_code, refused.data) == (403, b"forbidden")
    assert refused.headers["X-Request-Id"]


def test_the_query_string_reads_as_werkzeugs_args_do() -> None:
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from webhooks.callback import _query

    for query in ["a=1&a=2&b=%E4%BD%A0&c=", "timestamp=170&nonce=x%20y&signature=ab+c", "", "d"]:
        environ = EnvironBuilder(path="/wechat", query_string=query).get_environ()
        werkzeugs = Request(environ).args
        raw = environ["QUERY_STRING"].encode("latin-1").decode("utf-8", "replace")
        assert _query(raw) == {name: werkzeugs.get(name) for name in werkzeugs}
