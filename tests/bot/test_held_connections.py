"""Database.held_transaction: a connection kept per thread between the reply threads' deliveries."""

from __future__ import annotations

import gc
import secrets
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db import Database
from tests.faults import terminate_backends

# A scratch table per test run (created and dropped by the fixture).
TABLE = f"held_probe_{secrets.token_hex(4)}"
INSERT = text(f"INSERT INTO {TABLE} (n) VALUES (:n)")  # noqa: S608 - our own fixed name
COUNT = f"SELECT count(*) FROM {TABLE}"  # noqa: S608 - our own fixed name


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A database of its own with the scratch table (dropped afterwards)."""
    database = Database(database_url)
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE {TABLE} (n INTEGER)")
    try:
        yield database
    finally:
        database.release_held()
        with database.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {TABLE}")
        database.dispose()


def _count(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.exec_driver_sql(COUNT).scalar() or 0)


def _insert(database: Database, n: int) -> Connection:
    with database.held_transaction() as session:
        session.execute(INSERT, {"n": n})
        return session.connection()


def test_each_transaction_commits_and_the_thread_keeps_its_connection(database: Database) -> None:
    first = _insert(database, 1)
    second = _insert(database, 2)
    assert _count(database) == 2  # both committed, seen from another connection
    assert first.connection.driver_connection is second.connection.driver_connection
    # Kept, not in the pool: another checkout gets a different connection.
    with database.engine.connect() as other:
        assert other.connection.driver_connection is not first.connection.driver_connection


def test_threads_keep_connections_of_their_own(database: Database) -> None:
    seen: list[object] = []
    # All three alive together: a thread that ended would have given its connection back.
    together = threading.Barrier(3)

    def work(n: int) -> None:
        seen.append(_insert(database, n).connection.driver_connection)
        together.wait(10)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(connection) for connection in seen}) == 3
    assert _count(database) == 3


class _Probe(DeclarativeBase):
    pass


class _Row(_Probe):
    """The scratch table as an ORM class: changes that only the unit of work knows of."""

    __tablename__ = TABLE
    n: Mapped[int] = mapped_column(primary_key=True)


def test_orm_changes_left_unflushed_are_committed(database: Database) -> None:
    # A dialog may add an object or change an attribute and return: nothing flushes it before
    # the transaction ends, so the held transaction must, as Session.commit does.
    with database.held_transaction() as session:
        session.add(_Row(n=1))
        session.add(_Row(n=2))
    assert _count(database) == 2
    with database.held_transaction() as session:
        row = session.get(_Row, 2)
        assert row is not None
        row.n = 3
    with database.engine.connect() as connection:
        stored = connection.exec_driver_sql(f"SELECT n FROM {TABLE} ORDER BY n").scalars().all()  # noqa: S608
    assert stored == [1, 3]


def test_an_error_rolls_the_transaction_back_and_the_next_one_commits(database: Database) -> None:
    with pytest.raises(RuntimeError), database.held_transaction() as session:
        session.execute(INSERT, {"n": 1})
        raise RuntimeError("the dialog failed")
    assert _count(database) == 0
    _insert(database, 2)
    assert _count(database) == 1


def test_release_gives_every_kept_connection_back(database: Database) -> None:
    _insert(database, 1)
    inserted, finish = threading.Event(), threading.Event()

    def work() -> None:  # a thread still alive: it keeps its connection
        _insert(database, 2)
        inserted.set()
        finish.wait(10)

    thread = threading.Thread(target=work)
    thread.start()
    inserted.wait(10)
    pool = database.engine.pool
    assert pool.checkedout() == 2  # type: ignore[attr-defined]
    database.release_held()
    finish.set()
    thread.join()
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    _insert(database, 3)  # the thread takes a new one
    assert _count(database) == 3


def _kill_kept_connection(database: Database) -> int:
    with database.held_transaction() as session:
        victim = int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
    killer = Database(database.url)
    try:
        terminate_backends(killer, [victim])
    finally:
        killer.dispose()
    return victim


def test_a_kept_connection_that_broke_is_replaced_for_the_next_transaction(
    database: Database,
) -> None:
    if not database.url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    victim = _kill_kept_connection(database)
    # Used moments ago: no ping, so this transaction fails as a pooled one would (the reply
    # thread retries it) ...
    with pytest.raises(DBAPIError), database.held_transaction() as session:
        session.execute(text("SELECT 1"))
    # ... and the next one runs on a fresh connection.
    with database.held_transaction() as session:
        assert session.scalar(text("SELECT pg_backend_pid()")) != victim


def test_a_kept_connection_idle_for_long_is_pinged_and_replaced_before_use(
    database: Database,
) -> None:
    if not database.url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    database.ping_after_idle = 0.0
    victim = _kill_kept_connection(database)
    with database.held_transaction() as session:  # no error: the ping found it dead
        assert session.scalar(text("SELECT pg_backend_pid()")) != victim


def test_bound_to_a_tests_connection_it_joins_that_connections_transaction(
    database: Database,
) -> None:
    settings = dict(database.sessionmaker.kw)
    with database.engine.connect() as connection:
        outer = connection.begin()
        database.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            with database.held_transaction() as session:
                session.execute(INSERT, {"n": 1})
            assert connection.exec_driver_sql(COUNT).scalar() == 1
        finally:
            outer.rollback()
            database.sessionmaker.kw.clear()
            database.sessionmaker.kw.update(settings)
    assert _count(database) == 0  # the test's transaction decided, and rolled back


def test_a_thread_that_ends_gives_its_connection_back(database: Database) -> None:
    # Servers that start a thread per request (Werkzeug's threaded server) must not run the
    # pool dry: each ended thread's kept connection goes back to the pool.
    pool = database.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    for n in range(15):  # more than the pool and its overflow would allow if kept
        thread = threading.Thread(target=_insert, args=(database, n))
        thread.start()
        thread.join()
    deadline = time.monotonic() + 5
    while pool.checkedout() > before and time.monotonic() < deadline:  # type: ignore[attr-defined]
        gc.collect()
        time.sleep(0.01)
    assert pool.checkedout() == before  # type: ignore[attr-defined]
    assert _count(database) == 15


def test_nothing_of_one_transaction_is_left_in_the_next(database: Database) -> None:
    # The thread's session is reused: its objects, info and pending changes must not carry over.
    with database.held_transaction() as session:
        session.add(_Row(n=1))
        session.flush()
        session.info["person"] = "o-first"
    with pytest.raises(RuntimeError), database.held_transaction() as session:
        session.add(_Row(n=2))
        raise RuntimeError("the dialog failed")
    with database.held_transaction() as session:
        assert not session.info
        assert not session.new and not list(session.identity_map.values())
        assert session.scalars(select(_Row.n)).all() == [1]
