"""Database engine, sessions and the column types shared by every model."""

from __future__ import annotations

import logging
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any, Literal

from psycopg.pq import TransactionStatus
from sqlalchemy import JSON, DateTime, Dialect, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants as UTC and always hand back timezone-aware values.

    SQLite keeps no zone, so values are normalised to UTC on the way in and tagged on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (bot.db.utcnow())")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSON everywhere, JSONB where PostgreSQL can index it.
JSONType = JSON().with_variant(JSONB(), "postgresql")


# Connections kept open per process (config: database.pool_size); as many again may be opened
# for a moment beyond it.
POOL_SIZE = 10
# How long a cancel request may take to reach the server (s).
CANCEL_TIMEOUT_SECONDS = 0.5
# A pooled server connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0


def make_engine(
    url: str,
    echo: bool = False,
    *,
    pool_size: int = POOL_SIZE,
    ping_after_idle: float = PING_AFTER_IDLE_SECONDS,
) -> Engine:
    """Create an engine with the settings HuaiCai relies on for each backend.

    Server connections are checked before use only when they sat idle in the pool for more
    than ``ping_after_idle`` seconds (a database restart is noticed then), not on every
    checkout as ``pool_pre_ping`` would: under load that ping was one more round trip per
    WeChat message. A connection that breaks while busy raises an error that invalidates the
    pool; the callback retries its transaction once on a fresh connection.
    """
    # hide_parameters: an error's text (logged with its traceback) names the statement but not
    # its values, which hold openids, signatures and what people typed.
    kwargs: dict[str, Any] = {
        "echo": echo,
        "future": True,
        "pool_size": pool_size,
        "hide_parameters": True,
    }
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
    else:
        _ping_idle_connections(engine, ping_after_idle)
    return engine


def _ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    # SQLAlchemy's "pessimistic disconnect handling, custom" recipe: raising DisconnectionError
    # from a checkout listener makes the pool discard that connection and hand out a new one.
    @event.listens_for(engine, "checkin")
    def note_return(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at <= idle_seconds:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except engine.dialect.loaded_dbapi.Error as exc:
            logger.info("database: dropping a pooled connection that failed its ping: %s", exc)
            raise DisconnectionError() from exc


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the pysqlite driver so that BEGIN and SAVEPOINT
    # behave as on PostgreSQL (the driver's own handling breaks savepoints).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets the scheduler and web workers coexist.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Set (``writing``) around a unit of work that reads and then writes, so that on SQLite its
# transaction takes the write lock when it begins.
_WRITING: ContextVar[bool] = ContextVar("huaicai_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Within this block, SQLite transactions begin IMMEDIATE: with the write lock.

    A deferred transaction starts as a reader, and one that read before another connection
    committed cannot become a writer: its first write fails at once with "database is locked",
    whatever the busy timeout (e.g. sending invitations while the scheduler records its
    heartbeat). IMMEDIATE waits up to the busy timeout for the lock instead (Rails 7.1 and
    Django 5.1's ``transaction_mode`` do the same for SQLite). Only around work that opens no
    second transaction of its own while this one is open: that one would wait for this lock.
    No effect on PostgreSQL.
    """
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def mark_writing() -> Token[bool]:
    """Start ``writing`` for the rest of this context (a request); undo with ``unmark_writing``."""
    return _WRITING.set(True)


def unmark_writing(token: Token[bool]) -> None:
    """Undo ``mark_writing``."""
    _WRITING.reset(token)


def _begin_sqlite(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")


def _close_kept(connection: Connection) -> None:
    """Give a thread's kept connection back to the pool; a broken one may fail to close."""
    try:
        connection.close()
    except DBAPIError:
        logger.info("database: a broken kept connection could not be closed cleanly")


class _ThreadEnd:
    """Kept in a thread's local storage; collected when the thread ends (``weakref.finalize``)."""


class Database:
    """An engine and the session factory bound to it."""

    def __init__(
        self,
        url: str,
        echo: bool = False,
        *,
        pool_size: int = POOL_SIZE,
        ping_after_idle: float = PING_AFTER_IDLE_SECONDS,
    ) -> None:
        self.url = url
        self.engine = make_engine(
            url, echo=echo, pool_size=pool_size, ping_after_idle=ping_after_idle
        )
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.ping_after_idle = ping_after_idle
        # Connections kept by threads between their transactions (``held_transaction``).
        self._held = threading.local()
        self._all_held: set[Connection] = set()
        # The kept connection of each thread (by thread id), for ``cancel_held``.
        self._held_by_thread: dict[int, Connection] = {}
        self._held_lock = threading.Lock()

    def session(self) -> Session:
        """Open a new session; the caller closes it."""
        return self.sessionmaker()

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """Yield a session whose work is committed on success and rolled back on error.

        ``write``: the work reads and then writes; on SQLite it takes the write lock at once
        (see ``writing``).
        """
        with writing() if write else nullcontext():
            session = self.sessionmaker()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def held_transaction(self) -> Iterator[Session]:
        """Yield a session in a transaction on a connection the calling thread keeps; commit.

        For threads that run one short transaction after another (the callback's reply
        threads): checking a connection out of the pool and back in, with the session's own
        begin and close around it, costs about as much CPU as the statements of a WeChat
        message (``bench/callback_instructions.py``: 10 % of the full callback's instructions).
        The connection stays with the thread; one idle for longer than ``ping_after_idle`` is
        pinged first, as the pool does, and one that broke is dropped, so the next transaction
        gets a fresh one. Errors are raised as ``Session`` raises them (the transaction rolled
        back). When the session factory is bound to a connection rather than the engine (tests
        sharing one transaction), this is ``transaction`` without the write lock.
        """
        if not isinstance(self.sessionmaker.kw.get("bind"), Engine):
            with self.transaction() as shared:
                yield shared
            return
        connection = self._held_connection()
        # One session per kept connection, reset after each transaction (closed: its objects
        # detached; its info emptied): building a Session costs more than resetting one.
        session: Session | None = getattr(self._held, "session", None)
        if session is None or session.bind is not connection:
            session = self._held.session = Session(bind=connection, expire_on_commit=False)
        try:
            with connection.begin():
                try:
                    yield session
                    # What the unit of work still holds is flushed (closing would drop it); the
                    # connection's transaction commits on leaving.
                    if session.new or session.dirty or session.deleted:
                        session.commit()
                finally:
                    session.close()
                    session.info.clear()
        except BaseException:
            if connection.invalidated or connection.closed:
                self._drop_held(connection)
            raise
        self._held.used_at = time.monotonic()

    def _held_connection(self) -> Connection:
        connection: Connection | None = getattr(self._held, "connection", None)
        if connection is not None and (connection.invalidated or connection.closed):
            self._drop_held(connection)
            connection = None
        if connection is not None and self.engine.dialect.name != "sqlite":
            idle = time.monotonic() - getattr(self._held, "used_at", 0.0)
            if idle > self.ping_after_idle:
                try:
                    connection.exec_driver_sql("SELECT 1")
                    connection.rollback()
                except DBAPIError as exc:
                    logger.info(
                        "database: dropping a kept connection that failed its ping: %s", exc
                    )
                    self._drop_held(connection)
                    connection = None
        if connection is None:
            connection = self.engine.connect()
            thread_id = threading.get_ident()
            self._held.connection = connection
            # A thread that ends gives its connection back: the sentinel lives in the thread's
            # local storage, which Python drops when the thread ends (servers that start a
            # thread per request would otherwise run the pool dry).
            sentinel = _ThreadEnd()
            self._held.sentinel = sentinel
            self._held.at_end = weakref.finalize(
                sentinel, self._release_ended, thread_id, connection
            )
            with self._held_lock:
                self._all_held.add(connection)
                self._held_by_thread[thread_id] = connection
        return connection

    def _drop_held(self, connection: Connection) -> None:
        if getattr(self._held, "connection", None) is connection:
            self._held.connection = None
            self._held.session = None
            self._held.at_end.detach()
        self._forget_held(threading.get_ident(), connection)
        _close_kept(connection)

    def _forget_held(self, thread_id: int, connection: Connection) -> bool:
        """Stop tracking ``connection`` as kept; return whether it still was."""
        with self._held_lock:
            if self._held_by_thread.get(thread_id) is connection:
                del self._held_by_thread[thread_id]
            if connection not in self._all_held:
                return False
            self._all_held.discard(connection)
            return True

    def _release_ended(self, thread_id: int, connection: Connection) -> None:
        # Runs in whichever thread drops the ended thread's storage; the owner is gone.
        if self._forget_held(thread_id, connection):
            _close_kept(connection)

    def _held_driver(self, thread_id: int) -> Any:
        """Return the open psycopg connection the thread keeps (None: none, or not PostgreSQL).

        Read from any thread: the pooled connection as it stands, without
        ``Connection.connection``'s reconnecting of an invalidated one (which must happen in the
        owning thread, if at all).
        """
        if self.engine.dialect.name != "postgresql":
            return None
        with self._held_lock:
            connection = self._held_by_thread.get(thread_id)
        pooled = getattr(connection, "_dbapi_connection", None)
        driver = getattr(pooled, "driver_connection", None)
        return None if driver is None or driver.closed else driver

    def cancel_held(self, thread_id: int) -> bool:
        """Ask PostgreSQL to cancel the statement the thread's kept connection runs, if any.

        Safe from any thread (libpq's cancel request, on a connection of its own); harmless
        when the connection is idle. Returns whether a cancel request was sent (False: the
        thread keeps no connection, or the database is not PostgreSQL).
        """
        driver = self._held_driver(thread_id)
        if driver is None:
            return False
        driver.cancel_safe(timeout=CANCEL_TIMEOUT_SECONDS)
        return True

    def stop_held(self, thread_id: int) -> bool:
        """Shut down the socket of the thread's kept connection if a statement is in progress.

        For a wait a cancel request could not end (the network or the server stopped
        answering): the thread's statement fails at once as on a lost connection, and the
        connection is replaced by its next transaction. Nothing happens to a connection that
        is idle or in a transaction between statements. Returns whether the socket was shut.
        """
        driver = self._held_driver(thread_id)
        if driver is None or driver.info.transaction_status != TransactionStatus.ACTIVE:
            return False
        # A duplicate of libpq's descriptor: shutting it down ends the connection for both,
        # and closing the duplicate leaves libpq's own descriptor to libpq.
        with socket.fromfd(driver.pgconn.socket, socket.AF_INET, socket.SOCK_STREAM) as duplicate:
            try:
                duplicate.shutdown(socket.SHUT_RDWR)
            except OSError:
                return False
        return True

    def release_held(self) -> None:
        """Give every thread's kept connection back to the pool (shutdown, tests)."""
        with self._held_lock:
            held, self._all_held = self._all_held, set()
            self._held_by_thread.clear()
        for connection in held:
            _close_kept(connection)

    def ping(self) -> bool:
        """Return whether the database answers a trivial query."""
        return self.schema_revision() is not False

    def schema_revision(self) -> str | None | Literal[False]:
        """Return the Alembic revision of the schema, None if unmigrated, False if unreachable."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except Exception:  # health checks report failures, they do not raise
            logger.exception("database unreachable")
            return False

    def dispose(self) -> None:
        """Close kept and pooled connections."""
        self.release_held()
        self.engine.dispose()
