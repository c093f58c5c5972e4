"""Operations: scheduler runs and heartbeat, and the counts ``/metrics`` and ``doctor`` read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Invitation, OutboxMessage, SchedulerRun, Talent

# The job whose row is the scheduler's heartbeat.
HEARTBEAT_JOB = "heartbeat"


def _row(session: Session, job_id: str) -> SchedulerRun:
    row = session.get(SchedulerRun, job_id)
    if row is None:
        row = SchedulerRun(job_id=job_id, runs=0, failures=0, last_error="", runner="")
        session.add(row)
    return row


def record_job_start(session: Session, job_id: str, runner: str, now: datetime) -> None:
    """Note that ``runner`` ("host:pid") started ``job_id``; the caller commits."""
    row = _row(session, job_id)
    row.last_started_at = now
    row.runner = runner


def record_job_end(
    session: Session, job_id: str, runner: str, now: datetime, error: str | None
) -> None:
    """Count one run of ``job_id`` (and a failure when ``error`` is given); the caller commits."""
    row = _row(session, job_id)
    row.runs = (row.runs or 0) + 1
    row.runner = runner
    row.last_finished_at = now
    if error is not None:
        row.failures = (row.failures or 0) + 1
        row.last_error = error[:2000]


def scheduler_runs(session: Session) -> list[SchedulerRun]:
    """Return every job's run record, by job id."""
    return list(session.scalars(select(SchedulerRun).order_by(SchedulerRun.job_id)))


def last_heartbeat(session: Session) -> datetime | None:
    """Return when the scheduler last beat, or None if it never ran."""
    row = session.get(SchedulerRun, HEARTBEAT_JOB)
    return row.last_finished_at if row is not None else None


@dataclass(frozen=True)
class Counts:
    """Rows by state, for gauges: outbox (channel, status), talents (status), invitations."""

    outbox: dict[tuple[str, str], int]
    talents: dict[str, int]
    invitations: dict[str, int]


def counts(session: Session) -> Counts:
    """Return the outbox, talent and invitation counts (three grouped queries)."""
    outbox_rows = session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
            OutboxMessage.channel, OutboxMessage.status
        )
    )
    talent_rows = session.execute(select(Talent.status, func.count()).group_by(Talent.status))
    invitation_rows = session.execute(
        select(Invitation.status, func.count()).group_by(Invitation.status)
    )
    return Counts(
        outbox={(channel or "none", str(status)): n for channel, status, n in outbox_rows},
        talents={str(status): n for status, n in talent_rows},
        invitations={str(status): n for status, n in invitation_rows},
    )
