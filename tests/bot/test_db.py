"""The engine's pool, and its handling of server connections that died in the pool."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
