"""One scheduler per deployment: a PostgreSQL advisory lock, or a lock file beside SQLite.

``huaicai scheduler`` takes the lock before it runs any job and holds it for its lifetime. A second
scheduler, started on purpose or by mistake on another node, waits (checking every
``scheduler.lock_poll_seconds``) and does nothing until the first one stops: jobs such as the
outbox sender and invitation batches must not run twice at once.

PostgreSQL releases an advisory lock when the session holding it ends, so a crashed scheduler
(even SIGKILL) frees the lock; so does the kernel for a lock file (``flock``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sqlalchemy import make_url
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

# pg_advisory_lock's key: a fixed 64-bit number that spells "huaicai" + 1 (scheduler).
ADVISORY_KEY = 0x6875616963616901


class SchedulerLock:
    """The lock a scheduler holds while it works; ``acquire`` blocks, ``release`` frees it."""

    def try_acquire(self) -> bool:
        """Take the lock if free; return whether this process holds it now."""
        raise NotImplementedError

    def still_held(self) -> bool:
        """Return whether the lock is still ours (the database connection is alive)."""
        raise NotImplementedError

    def release(self) -> None:
        """Give the lock up."""
        raise NotImplementedError

    def describe(self) -> str:
        """Name the lock for log lines."""
        raise NotImplementedError

    def acquire(
        self,
        poll_seconds: float,
        *,
        on_wait: Callable[[], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Block until this process holds the lock, calling ``on_wait`` once if it has to wait."""
        waited = False
        while not self.try_acquire():
            if not waited and on_wait is not None:
                on_wait()
            waited = True
            sleep(poll_seconds)


class AdvisoryLock(SchedulerLock):
    """``pg_try_advisory_lock`` on a connection of its own, kept open while the lock is held."""

    def __init__(self, engine: Engine, key: int = ADVISORY_KEY) -> None:
        self.engine = engine
        self.key = key
        self._connection: Any = None

    def try_acquire(self) -> bool:
        if self._connection is None:
            # Outside the pool: the lock lives as long as this one session does.
            self._connection = self.engine.raw_connection()
            self._connection.autocommit = True
        with self._connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", (self.key,))
            (taken,) = cursor.fetchone()
        return bool(taken)

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            with self._connection.cursor() as cursor:
                # The lock lives exactly as long as this session: alive means still held.
                cursor.execute("SELECT 1")
        except Exception:  # a lost connection means a lost lock; the caller stops
            logger.exception("scheduler lock: the database connection holding it failed")
            return False
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        finally:
            self._connection.close()
            self._connection = None

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {self.key}"


class FileLock(SchedulerLock):
    """An exclusive ``flock`` on a file next to the SQLite database (one machine only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{os.getpid()}\n")
        self._file.flush()
        return True

    def still_held(self) -> bool:
        return self._file is not None and not self._file.closed

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def describe(self) -> str:
        return f"lock file {self.path}"


def scheduler_lock(engine: Engine) -> SchedulerLock:
    """Return the lock for this database: advisory on PostgreSQL, a file beside SQLite."""
    url = make_url(str(engine.url))
    if url.get_backend_name() == "postgresql":
        return AdvisoryLock(engine)
    database = url.database or ""
    if not database or database == ":memory:":
        raise ValueError("the scheduler needs a database file, not an in-memory SQLite database")
    return FileLock(Path(database + ".scheduler.lock"))


def held_elsewhere(engine: Engine) -> bool:
    """Return whether some scheduler holds the lock now (for ``huaicai doctor``)."""
    lock = scheduler_lock(engine)
    try:
        return not lock.try_acquire()
    finally:
        lock.release()
