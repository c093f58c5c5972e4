"""A scheduler killed with SIGKILL during an invitation batch: nothing lost, nothing doubled.

Two real ``huaicai scheduler`` processes (``python -m cli scheduler``, the command's own code
path) run against the fake WeChat API: the first takes the scheduler lock, the second waits as
a standby, as on a second node. An organiser has just sent an event's invitations to 60
consenting talents (queued in the outbox, as the console does). The first scheduler's outbox
job sends them, each send slowed a little at the fake, and is killed with SIGKILL when half of
them arrived. At that moment the outbox holds rows claimed
("sending") whose text already reached WeChat but whose outcome was never committed (outcomes
are committed ten at a time), rows claimed and not sent, and rows never claimed. The standby
takes the lock (the dead process's advisory lock or lock file died with it) and finishes.

What the outbox promises for customer-service texts (``bot.services.outbox``) is exactly once
as far as WeChat's message record can tell: once the dead sender's lease ran out, the next
sender marks as sent the claimed rows whose text the record holds and sends only the rest. So
every invited person must have received their invitation exactly once; every outbox row ends
"sent" and every invitation "invited". (Template and subscribe messages have no such record and
are at least once; these invitations go out as customer-service texts, the channel WeChat
records, since the invitees wrote to the account within 48 hours.)
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.db import Database, utcnow
from bot.models import (
    ConsentPurpose,
    Event,
    Invitation,
    InvitationStatus,
    OutboxMessage,
    OutboxStatus,
    SchedulerRun,
)
from bot.scheduler_lock import held_elsewhere
from bot.services import consents, events, invitations, operations
from bot.services.talent_search import TalentIndexCache
from devtools.fake_wechat import FakeWeChat
from tests.bot.test_scheduler_lock import Process, scheduler_starter
from tests.factories import make_event, make_talent
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET

ROOT = Path(__file__).resolve().parents[2]
INVITEES = 60
# Outbox rows claimed per round: the kill at half the batch lands inside the second round.
BATCH_SIZE = 20
# Each send takes this long at the fake, so sends are in flight when the kill comes.
SEND_LATENCY = 0.08
# Longer than SEND_LATENCY: the dead scheduler's last requests have landed when the lease ends.
LEASE_SECONDS = 2
DELIVER_OUTBOX = "deliver-outbox"


@dataclass(frozen=True)
class Row:
    """An outbox row as the test compares it with the fake's message record."""

    id: int
    dedupe_key: str
    text: tuple[str, str]  # (openid, content), as the record holds it
    status: OutboxStatus
    last_error: str
    sent_at: datetime | None


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    fake = FakeWeChat(FAKE_APPID, FAKE_SECRET, seed=5).start()
    try:
        fake.inject(latency=SEND_LATENCY, times=None, path="message/custom/send")
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def start_scheduler(
    committed_database: Database, fake: FakeWeChat, tmp_path: Path
) -> Iterator[Callable[[], Process]]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "HUAICAI_DATABASE__URL": committed_database.url,
            "HUAICAI_APP__INSTANCE_DIR": str(tmp_path),
            "HUAICAI_MATCHING__INDEX_PATH": str(tmp_path / "match-index"),
            "HUAICAI_WECHAT__SPOOL_DIR": str(tmp_path / "spool"),
            "HUAICAI_WECHAT__API_BASE_URL": fake.api_base_url,
            "HUAICAI_WECHAT__APPID": FAKE_APPID,
            "HUAICAI_WECHAT__SECRET": FAKE_SECRET,
            "HUAICAI_SCHEDULER__LOCK_POLL_SECONDS": "1",
            "HUAICAI_SCHEDULER__HEARTBEAT_SECONDS": "1",
            "HUAICAI_SCHEDULER__OUTBOX_INTERVAL_SECONDS": "1",
            "HUAICAI_OUTBOX__BATCH_SIZE": str(BATCH_SIZE),
            "HUAICAI_OUTBOX__SENDING_LEASE_SECONDS": str(LEASE_SECONDS),
            # Invitations wait outside quiet hours; the test runs at any hour.
            "HUAICAI_OUTBOX__QUIET_HOURS_START": "00:00",
            "HUAICAI_OUTBOX__QUIET_HOURS_END": "00:00",
        }
    )
    yield from scheduler_starter(env)


def _prepare_invitees(database: Database, fake: FakeWeChat) -> tuple[int, dict[str, str]]:
    """Put INVITEES consenting talents on an event's draft list; return the event, openid->name.

    The event was announced over a week ago, so the weekly digest has nothing new to say and the
    invitations are the only messages.
    """
    invitees: dict[str, str] = {}
    with database.transaction() as session:
        event = make_event(session, title="新材料院地合作对接会", capacity=200)
        event.created_at = utcnow() - timedelta(days=8)
        for n in range(INVITEES):
            talent = make_talent(session, name=f"受邀人{n:03d}", openid=f"o-sched-crash-{n:03d}")
            consents.record_consent(
                session,
                purpose=ConsentPurpose.INVITATIONS,
                version="test",
                granted=True,
                talent=talent,
            )
            events.propose_invitation(session, event, talent, reasons=["研究方向与活动主题相符"])
            assert talent.openid is not None
            invitees[talent.openid] = talent.name
            fake.interact(talent.openid)  # they wrote to the account: the 48 h window is open
    return event.id, invitees


def _send_invitations(database: Database, event_id: int) -> None:
    """Send the draft list's invitations, as the organiser's button in the console does."""
    with database.transaction() as session:
        event = session.get(Event, event_id)
        assert event is not None
        summary = invitations.send_invitations(session, load_config(environ={}), event)
    assert summary.queued == INVITEES


def _outbox_rows(database: Database) -> list[Row]:
    with database.session() as session:
        return [
            Row(
                m.id,
                m.dedupe_key,
                (m.openid or "", str(m.payload.get("content", ""))),
                OutboxStatus(m.status),
                m.last_error,
                m.sent_at,
            )
            for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def _finished_by(database: Database, job_id: str, runner: str) -> bool:
    """Return whether ``runner``'s last run of ``job_id`` was recorded as finished."""
    with database.session() as session:
        row = session.get(SchedulerRun, job_id)
    return (
        row is not None
        and row.runner == runner
        and row.last_started_at is not None
        and row.last_finished_at is not None
        and row.last_finished_at >= row.last_started_at
    )


def _runners(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.scalars(select(SchedulerRun.runner)))


def _runner(process: Process) -> str:
    return f"{socket.gethostname()}:{process.popen.pid}"


def _wait_until(
    condition: Callable[[], bool],
    what: str,
    timeout: float = 30,
    state: Callable[[], object] = lambda: "",
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what} {state()}"
        time.sleep(0.05)


def _statuses(database: Database) -> Counter[str]:
    return Counter(row.status.value for row in _outbox_rows(database))


@pytest.mark.slow
def test_scheduler_killed_mid_invitation_batch_sends_each_invitation_exactly_once(
    committed_database: Database,
    fake: FakeWeChat,
    start_scheduler: Callable[[], Process],
    tmp_path: Path,
) -> None:
    event_id, invitees = _prepare_invitees(committed_database, fake)
    # The saved talent index is up to date, as in a running deployment: the schedulers' index
    # job only checks it (building it takes seconds of the start-up jobs, one at a time on SQLite).
    with committed_database.session() as session:
        TalentIndexCache(load_config(environ={}).matching, tmp_path / "match-index").refresh(
            session
        )
    _send_invitations(committed_database, event_id)

    first = start_scheduler()
    first.wait_for("scheduler: took the")
    standby = start_scheduler()
    standby.wait_for("another scheduler holds the")
    deadline = time.monotonic() + 30
    while len(fake.sent_texts()) < INVITEES // 2:
        assert first.popen.poll() is None, f"the scheduler ended early: {first.seen}"
        assert time.monotonic() < deadline, "the scheduler sent too little in 30 s"
        time.sleep(0.002)
    os.kill(first.popen.pid, signal.SIGKILL)
    assert first.popen.wait(timeout=10) == -signal.SIGKILL
    # Requests the dead scheduler had on the wire still land at the fake.
    time.sleep(SEND_LATENCY * 5)

    received_at_kill = set(fake.sent_texts())
    at_kill = _outbox_rows(committed_database)
    assert len(at_kill) == INVITEES
    assert INVITEES // 2 <= len(received_at_kill) < INVITEES, "the kill was not mid-batch"
    # The case that would be sent twice without WeChat's message record: received, not noted.
    received_unnoted = {
        row.id
        for row in at_kill
        if row.status is OutboxStatus.SENDING and row.text in received_at_kill
    }
    assert received_unnoted, "no send was left unnoted: the kill proved nothing"
    # Until then the standby did nothing.
    assert _runners(committed_database) == {_runner(first)}
    assert not any("took the" in line for line in standby.seen)

    standby.wait_for("scheduler: took the", timeout=30)
    _wait_until(
        lambda: set(_statuses(committed_database)) == {OutboxStatus.SENT.value},
        "the outbox drained:",
        state=lambda: dict(_statuses(committed_database)),
    )
    # The dead scheduler's lock was taken over: the standby beats and sends.
    for job_id in (operations.HEARTBEAT_JOB, DELIVER_OUTBOX):
        _wait_until(
            partial(_finished_by, committed_database, job_id, _runner(standby)),
            f"the standby finished a run of {job_id}",
        )
    assert held_elsewhere(committed_database.engine)
    assert standby.stop() == 0
    assert not held_elsewhere(committed_database.engine)

    rows = _outbox_rows(committed_database)
    received = Counter(fake.sent_texts())
    # Every message queued reached WeChat exactly once, and nothing else did.
    lost = sorted(row.text[0] for row in rows if row.text not in received)
    assert not lost, f"never received: {lost}"
    doubled = sorted(openid for (openid, _content), n in received.items() if n > 1)
    assert not doubled, f"received twice: {doubled}"
    assert sorted(received) == sorted(row.text for row in rows), "unexpected messages"
    assert {row.dedupe_key.split(":")[0] for row in rows} == {"invite"}
    assert {openid for openid, _content in received} == set(invitees)
    assert all(invitees[openid] in content for openid, content in received)
    # The sends that reached WeChat unnoted were confirmed from its record, not sent again.
    confirmed = {row.id for row in rows if row.last_error.startswith("confirmed by WeChat")}
    assert received_unnoted <= confirmed
    assert all(row.sent_at is not None for row in rows)
    with committed_database.session() as session:
        invitation_rows = session.scalars(select(Invitation)).all()
    assert len(invitation_rows) == INVITEES
    assert {(row.status, row.sent_at is not None) for row in invitation_rows} == {
        (InvitationStatus.INVITED, True)
    }
