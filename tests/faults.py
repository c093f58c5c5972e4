"""Faults injected into the test's own database connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection


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
