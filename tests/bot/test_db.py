"""The engine's pool, and its handling of server connections that died in the pool."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.db import PING_AFTER_IDLE_SECONDS, Database


@contextmanager
def pooled_connection_killed(
    database_url: str, ping_after_idle: float = PING_AFTER_IDLE_SECONDS
) -> Iterator[tuple[Database, int]]:
    """Yield a database whose one pooled connection's server process was just terminated."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    database = Database(database_url, ping_after_idle=ping_after_idle)
    killer = Database(database_url)
    try:
        with database.engine.connect() as connection:
            victim = connection.scalar(text("SELECT pg_backend_pid()"))
        with killer.engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
        yield database, victim
    finally:
        database.dispose()
        killer.dispose()


def test_an_idle_pooled_connection_that_died_is_replaced_before_use(database_url: str) -> None:
    with pooled_connection_killed(database_url, ping_after_idle=0.0) as (database, victim):
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != victim


def test_a_connection_returned_moments_ago_is_handed_out_without_a_ping(database_url: str) -> None:
    # The other side of the trade: no round trip per checkout, so a connection that died
    # moments after its last use fails its next statement (the callback retries that once).
    with pooled_connection_killed(database_url) as (database, _):  # pings only after 5 s idle
        with pytest.raises(DBAPIError) as failure, database.engine.connect() as connection:
            connection.scalar(text("SELECT 1"))
        assert failure.value.connection_invalidated


def test_the_pool_keeps_as_many_connections_as_configured(database_url: str) -> None:
    database = Database(database_url, pool_size=3)
    try:
        assert database.engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        database.dispose()


def test_a_sqlite_transaction_that_read_first_can_still_write_after_another_commit(
    tmp_path: Path,
) -> None:
    """Two processes on one SQLite file: reading, then writing after the other one committed.

    With a deferred BEGIN the reader's write fails at once with "database is locked" (its
    snapshot is older than the other commit); a transaction marked as writing begins
    IMMEDIATE, and the other writer waits.
    """
    url = f"sqlite:///{tmp_path / 'two.db'}"
    first, second = Database(url), Database(url)
    try:
        with first.transaction() as session:
            session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        other_done = threading.Event()
        errors: list[BaseException] = []

        def other_writer() -> None:
            try:
                with second.transaction() as session:
                    session.execute(text("INSERT INTO notes (body) VALUES ('heartbeat')"))
            except BaseException as exc:
                errors.append(exc)
            finally:
                other_done.set()

        with first.transaction(write=True) as session:
            assert session.scalar(text("SELECT count(*) FROM notes")) == 0
            writer = threading.Thread(target=other_writer)
            writer.start()
            # The other process's commit lands (deferred BEGIN) or waits for us (IMMEDIATE).
            other_done.wait(1.0)
            session.execute(text("INSERT INTO notes (body) VALUES ('invitation')"))
        writer.join(10)
        assert errors == []
        with first.transaction() as session:
            bodies = session.scalars(text("SELECT body FROM notes ORDER BY id")).all()
        assert sorted(bodies) == ["heartbeat", "invitation"]
    finally:
        first.dispose()
        second.dispose()


def test_a_reader_answers_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    writer, reader = Database(url), Database(url)
    try:
        with writer.transaction() as session:
            session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
        with writer.transaction() as session:
            session.execute(text("INSERT INTO notes DEFAULT VALUES"))
            # A health check meanwhile (reading only) does not wait for the lock.
            started = time.monotonic()
            assert reader.ping()
            assert time.monotonic() - started < 5
    finally:
        writer.dispose()
        reader.dispose()


def test_a_failed_statements_error_text_leaves_its_values_out(
    migrated_database: Database,
) -> None:
    # Errors are logged with their traceback; the values are openids and what people typed.
    openid = "o-secret-openid-in-a-parameter"
    with pytest.raises(DBAPIError) as failure, migrated_database.engine.connect() as connection:
        connection.execute(
            text("SELECT :openid, :typed FROM no_such_table"),
            {"openid": openid, "typed": "我的手机号13800000000"},
        )
    assert openid not in str(failure.value)
    assert "13800000000" not in str(failure.value)
    assert "hidden due to hide_parameters" in str(failure.value)
