"""Keep WeChat deliveries on local disk while the database is unreachable, and replay them later.

When the callback's transaction still fails after its retries within the reply budget, the
delivery's parsed fields are written to a file in ``wechat.spool_dir`` (written, fsynced,
renamed, directory fsynced: it survives a crash) and WeChat gets ``success``. Once the database
answers again the files are handled oldest first (so in order for each person), each in its own
transaction, with the reply going out as a customer-service message through the outbox. The
de-duplication key makes a delivery that had in fact been committed a no-op, so nothing is
handled twice. Only one process drains a directory at a time (an exclusive ``flock``).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT, Config
from bot.dispatch import Incoming, Registry
from bot.wechat.codec import MalformedMessage, to_incoming

if TYPE_CHECKING:
    from bot.services.talent_search import TalentIndexCache

logger = logging.getLogger(__name__)

SUFFIX = ".json"
FAILED_DIR = "failed"
LOCK_NAME = ".drain.lock"
_sequence = itertools.count()


def database_unreachable(exc: BaseException) -> bool:
    """Return whether ``exc`` says the database could not be reached (not a bug in a handler)."""
    if isinstance(exc, PoolTimeout | OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def cause(exc: BaseException) -> str:
    """Return the driver's own first line for a database error ("database or disk is full").

    Only that line: SQLAlchemy's full text also carries the statement's parameters, which may
    hold personal data and must stay out of the logs.
    """
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return (lines[0] if lines else type(original).__name__)[:200]


@dataclass(frozen=True)
class DrainReport:
    handled: int = 0
    failed: int = 0
    left: int = 0
    busy: bool = False  # another process was draining

    def __str__(self) -> str:
        if self.busy:
            return "another process is draining"
        return f"{self.handled} handled, {self.failed} failed, {self.left} left"


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Spool:
    """A directory of deliveries waiting for the database, one JSON file each."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # Files may have been left by an earlier run of this process's predecessor.
        self.maybe_pending = True
        self._drain_thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()

    def keep(self, message: Incoming) -> Path:
        """Write ``message`` durably; return its file. Raises OSError when the disk fails."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Names sort in arrival order: nanoseconds, then process and a per-process counter.
        name = f"{time.time_ns():020d}-{os.getpid():07d}-{next(_sequence):06d}"
        record = {"version": 1, "fields": dict(message.raw)}
        temporary = self.directory / f".{name}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        path = self.directory / (name + SUFFIX)
        os.replace(temporary, path)
        _fsync_directory(self.directory)
        self.maybe_pending = True
        return path

    def pending(self) -> list[Path]:
        """Return the waiting files, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(
            Path(entry.path)
            for entry in os.scandir(self.directory)
            if entry.is_file() and entry.name.endswith(SUFFIX)
        )

    @contextmanager
    def _exclusive(self) -> Iterator[bool]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.directory / LOCK_NAME, "a+b") as lock_file:
            try:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def drain(self, handle: Callable[[Incoming], object]) -> DrainReport:
        """Handle the waiting deliveries in order; stop at the first the database refuses.

        A file that cannot be read or whose handling fails for another reason is moved to
        ``failed/`` (logged) so it does not block the people after it.
        """
        with self._exclusive() as mine:
            if not mine:
                return DrainReport(busy=True)
            handled = failed = 0
            files = self.pending()
            for number, path in enumerate(files):
                try:
                    message = self._read(path)
                    handle(message)
                except Exception as exc:
                    if database_unreachable(exc):
                        left = len(files) - number
                        logger.warning("spool: database still unreachable; %d left", left)
                        return DrainReport(handled, failed, left)
                    logger.exception("spool: %s could not be handled; moved aside", path.name)
                    self._set_aside(path)
                    failed += 1
                    continue
                path.unlink()
                handled += 1
            if files:
                _fsync_directory(self.directory)
                logger.info("spool: %d handled, %d set aside", handled, failed)
            self.maybe_pending = False
            return DrainReport(handled, failed, 0)

    def _read(self, path: Path) -> Incoming:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            fields: dict[str, Any] = record["fields"]
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedMessage(f"unreadable spool file: {exc}") from None
        return to_incoming(fields)

    def _set_aside(self, path: Path) -> None:
        failed = self.directory / FAILED_DIR
        failed.mkdir(exist_ok=True, mode=0o700)
        os.replace(path, failed / path.name)

    def kick(self, handle: Callable[[Incoming], object]) -> bool:
        """Start draining in a background thread if files may wait; return whether it started."""
        if not self.maybe_pending:
            return False
        with self._thread_lock:
            if self._drain_thread is not None and self._drain_thread.is_alive():
                return False
            self._drain_thread = threading.Thread(
                target=self._drain_quietly, args=(handle,), name="spool-drain", daemon=True
            )
            self._drain_thread.start()
            return True

    def _drain_quietly(self, handle: Callable[[Incoming], object]) -> None:
        try:
            self.drain(handle)
        except Exception:  # a background drain must not kill its thread silently
            logger.exception("spool: background drain failed")

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background drain to end (tests, shutdown)."""
        thread = self._drain_thread
        if thread is not None:
            thread.join(timeout)


def spool_of(config: Config) -> Spool:
    """Return the spool of ``wechat.spool_dir`` (relative paths are under the project)."""
    directory = Path(config.wechat.spool_dir)
    if not directory.is_absolute():
        directory = PROJECT_ROOT / directory
    return Spool(directory)


def handler(
    session_factory: Callable[[], Session],
    config: Config,
    registry: Registry,
    talent_index: TalentIndexCache | None = None,
) -> Callable[[Incoming], object]:
    """Return the function that handles one spooled delivery, replying through the outbox."""
    from bot.services import inbound

    def handle(message: Incoming) -> object:
        # The request was answered long ago: the reply goes out as a customer-service message.
        delivery = inbound.Delivery()
        delivery.give_up()
        result = inbound.process(
            session_factory,
            config,
            message,
            registry=registry,
            delivery=delivery,
            talent_index=talent_index,
        )
        if result.outcome == "repeat":
            _send_unsent_reply(session_factory, message)
        return result

    return handle


def _send_unsent_reply(session_factory: Callable[[], Session], message: Incoming) -> None:
    # The delivery had in fact been committed (the connection died while COMMIT was answered),
    # but the request answered "success": its cached reply never reached the person. Queue it
    # once (the outbox key is unique) and stop retries from getting it again.
    from bot.services import inbound, outbox

    key = inbound.delivery_key(message)
    with session_factory() as session, session.begin():
        row = inbound.find(session, key)
        if row is None or row.status != inbound.HANDLED or not row.reply:
            return
        outbox.enqueue(
            session,
            kind="text",
            openid=message.openid,
            payload={"content": row.reply},
            dedupe_key=f"reply:{key}",
        )
        row.status = inbound.QUEUED
        logger.info("spool: %s was committed before the outage; its reply is queued", key)


def drain(session_factory: Callable[[], Session], config: Config) -> DrainReport:
    """Handle every delivery waiting in the configured spool (the scheduler's job)."""
    waiting = spool_of(config)
    if not waiting.pending():
        return DrainReport()
    from bot import dialogs

    return waiting.drain(handler(session_factory, config, dialogs.build_registry()))
