"""bot.deadlines: a thread's waiting statement is cancelled once its deadline passed, no sooner."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from bot import deadlines
from bot.config import ConfigError, load_config
from bot.db import CANCEL_TIMEOUT_SECONDS, Database
from bot.deadlines import Deadlines
from devtools.tcp_proxy import TcpProxy

LOCK_KEY = 770_011


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A database of its own (its kept connections released afterwards)."""
    database = Database(database_url)
    try:
        yield database
    finally:
        database.release_held()
        database.dispose()


def _postgresql(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL can cancel a running statement")


def test_a_statement_waiting_for_a_lock_is_cancelled_at_the_deadline(database: Database) -> None:
    _postgresql(database)
    watchdog = Deadlines(database.cancel_held)
    with database.engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        began = time.monotonic()
        with (
            pytest.raises(OperationalError, match="cancel"),
            watchdog.watch(began + 0.2) as watch,
            database.held_transaction() as session,
        ):
            session.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        waited = time.monotonic() - began
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
        holder.commit()
    assert watch.cancelled
    assert 0.2 <= waited < 0.2 + deadlines.POLL_SECONDS + 1.0
    # The thread's next transaction runs normally (on the same or a fresh connection).
    with database.held_transaction() as session:
        assert session.scalar(text("SELECT 1")) == 1


def test_a_watch_left_in_time_cancels_nothing(database: Database) -> None:
    _postgresql(database)
    watchdog = Deadlines(database.cancel_held)
    with watchdog.watch(time.monotonic() + 0.3) as watch, database.held_transaction() as session:
        assert session.scalar(text("SELECT 1")) == 1
    # Past the deadline now; the thread runs a statement that takes longer than a poll.
    time.sleep(0.3 + 2 * deadlines.POLL_SECONDS)
    with database.held_transaction() as session:
        session.execute(text("SELECT pg_sleep(:s)"), {"s": 2 * deadlines.POLL_SECONDS})
    assert not watch.cancelled


def test_slow_python_code_is_not_interrupted_and_its_next_statement_runs(
    database: Database,
) -> None:
    _postgresql(database)
    watchdog = Deadlines(database.cancel_held)
    with watchdog.watch(time.monotonic() + 0.05) as watch, database.held_transaction() as session:
        session.execute(text("SELECT 1"))
        time.sleep(0.05 + 3 * deadlines.POLL_SECONDS)  # a handler slow on its own
        # The cancel reached an idle connection, which ignores it.
        assert session.scalar(text("SELECT 2")) == 2
    assert watch.cancelled


def test_each_thread_is_cancelled_alone() -> None:
    cancelled: list[int] = []
    watchdog = Deadlines(cancelled.append)
    ready = threading.Barrier(3)
    idents: dict[str, int] = {}

    def work(name: str, seconds: float) -> None:
        idents[name] = threading.get_ident()
        with watchdog.watch(time.monotonic() + seconds):
            ready.wait(5)
            time.sleep(0.1 + 3 * deadlines.POLL_SECONDS)

    late = threading.Thread(target=work, args=("late", 0.05))
    timely = threading.Thread(target=work, args=("timely", 30.0))
    late.start()
    timely.start()
    ready.wait(5)
    late.join()
    timely.join()
    assert cancelled == [idents["late"]]


def test_deliveries_setting_is_checked() -> None:
    assert load_config(overrides={"wechat": {"deliveries": "threads"}}).wechat.deliveries == (
        "threads"
    )
    with pytest.raises(ConfigError, match="wechat.deliveries"):
        load_config(overrides={"wechat": {"deliveries": "inline"}})
    auto = load_config().wechat
    assert auto.deliveries_in_request("postgresql") and not auto.deliveries_in_request("sqlite")


def test_a_wait_the_cancel_cannot_end_is_stopped_by_shutting_the_socket(database_url: str) -> None:
    # A network that stopped answering: the cancel request hangs too. The statement still ends,
    # as on a lost connection, soon after the grace period.
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("only PostgreSQL can cancel a running statement")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    database = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    try:
        watchdog = Deadlines(database.cancel_held, database.stop_held)
        with database.held_transaction() as session:
            assert session.scalar(text("SELECT 1")) == 1
        proxy.stall()
        began = time.monotonic()
        with (
            pytest.raises(OperationalError),
            watchdog.watch(began + 0.2) as watch,
            database.held_transaction() as session,
        ):
            session.execute(text("SELECT 2"))
        waited = time.monotonic() - began
        assert watch.cancelled and watch.stopped
        assert waited < 0.2 + CANCEL_TIMEOUT_SECONDS + deadlines.GRACE_SECONDS + 1.0
        proxy.resume()
        # The broken connection was dropped: the thread's next transaction gets a fresh one.
        with database.held_transaction() as session:
            assert session.scalar(text("SELECT 3")) == 3
    finally:
        proxy.stop()
        database.release_held()
        database.dispose()
