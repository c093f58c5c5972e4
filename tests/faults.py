"""Faults injected into the test's own database connection, or into the server's backends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from bot.db import Database


@contextmanager
def statements_fail(connection: Connection, error: BaseException) -> Iterator[None]:
    """Within the block, every statement ``connection`` runs raises ``error`` (a driver error).

    Raised from ``before_cursor_execute``, so SQLAlchemy and ``bot.direct`` handle it as they
    would the driver's own.
    """

    def refuse(*_args: Any) -> None:
        raise error

    event.listen(connection, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(connection, "before_cursor_execute", refuse)


def terminate_backends(killer: Database, pids: list[int]) -> None:
    """End the PostgreSQL backends ``pids`` (through ``killer``) and wait until they are gone."""
    with killer.engine.connect() as connection:
        for pid in pids:
            connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(200):
            alive = connection.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                {"pids": pids},
            )
            connection.rollback()  # the activity view is read once per transaction
            if not alive:
                return
            time.sleep(0.01)
    raise AssertionError(f"backends {pids} still alive")
