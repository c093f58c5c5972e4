"""The event jobs of JOBS, run by id the way the scheduler runs them, twice each."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.config import load_config
from bot.db import Database, utcnow
from bot.jobs import JOBS, run_job
from bot.models import EventStatus, InvitationStatus, OutboxMessage
from bot.services import events
from tests.factories import make_event, make_talent

EVENT_JOBS = (
    "queue-event-reminders",
    "thank-event-attendees",
    "expire-waitlist-offers",
    "mark-event-no-shows",
)


def test_event_jobs_are_declared_once_with_stable_ids() -> None:
    ids = [job.id for job in JOBS]
    assert len(ids) == len(set(ids))
    assert set(EVENT_JOBS) <= set(ids)


def test_event_jobs_run_twice_do_their_work_once(committed_database: Database) -> None:
    config = load_config(environ={}, overrides={"database": {"url": committed_database.url}})
    now = utcnow()
    with committed_database.transaction() as session:
        # Tomorrow: one registered person gets the 24 h reminder.
        soon = make_event(session, starts_at=now + timedelta(hours=20), status=EventStatus.OPEN)
        events.register(session, soon.id, talent_id=make_talent(session).id, now=now)
        # Ended an hour ago: one came (thanked), one did not (no-show).
        ended = make_event(
            session,
            starts_at=now - timedelta(hours=3),
            ends_at=now - timedelta(hours=1),
            status=EventStatus.OPEN,
        )
        came, absent = make_talent(session), make_talent(session)
        for talent in (came, absent):
            events.register(session, ended.id, talent_id=talent.id, now=now - timedelta(days=2))
        events.check_in(
            session, ended.qr_scene or "", openid=came.openid or "", now=now - timedelta(hours=2)
        )
        # Full, with a seat offer that ran out: the seat passes to the next in line.
        full = make_event(
            session, starts_at=now + timedelta(days=5), status=EventStatus.OPEN, capacity=1
        )
        holder, first, second = (make_talent(session) for _ in range(3))
        for talent in (holder, first, second):
            events.register(session, full.id, talent_id=talent.id, now=now - timedelta(days=2))
        events.decline(session, full.id, talent_id=holder.id, now=now - timedelta(days=2))
        ids = {"ended": ended.id, "full": full.id, "absent": absent.id, "second": second.id}

    by_id = {job.id: job for job in JOBS}
    first_run = [run_job(committed_database, config, by_id[job_id]) for job_id in EVENT_JOBS]
    second_run = [run_job(committed_database, config, by_id[job_id]) for job_id in EVENT_JOBS]
    assert first_run == [1, 1, 1, 1]
    assert second_run == [0, 0, 0, 0]
    with committed_database.transaction() as session:
        keys = set(session.scalars(select(OutboxMessage.dedupe_key)))
        assert any(key.startswith("remind24:") for key in keys)
        assert any(key.startswith(f"thanks:{ids['ended']}:") for key in keys)
        assert sum(key.startswith(f"offer:{ids['full']}:") for key in keys) == 2
        assert session.scalar(select(func.count(OutboxMessage.id))) == len(keys)
        absent_row = events.participation(session, ids["ended"], talent_id=ids["absent"])
        assert absent_row is not None and absent_row.status is InvitationStatus.NO_SHOW
        offered = events.participation(session, ids["full"], talent_id=ids["second"])
        assert offered is not None and offered.status is InvitationStatus.OFFERED
