"""Scheduled jobs, declared in one list and run only by the scheduler process."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.db import Database, utcnow
from bot.dialogs import profile_texts
from bot.services import (
    cooperation_jobs,
    erasure,
    events,
    inbound,
    invitations,
    nudges,
    operations,
    outbox,
    replay_guard,
    spool,
)
from bot.services.talent_search import TalentIndexCache
from bot.wechat.client import make_client

logger = logging.getLogger(__name__)

# Which process ran a job, recorded with each run ("host:pid").
RUNNER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[Session, Config], object]
    every_seconds: Callable[[Config], int]
    description: str


def purge_inbound_messages(session: Session, config: Config) -> int:
    """Forget de-duplication records older than the retention period."""
    cutoff = utcnow() - timedelta(days=config.scheduler.inbound_retention_days)
    return inbound.purge_before(session, cutoff)


def refresh_talent_index(session: Session, config: Config) -> str:
    """Bring the saved talent index (matching.index_path) up to date; web workers load it."""
    cache = TalentIndexCache.from_config(config)
    rebuilt = cache.refresh(session)
    return f"{'rebuilt' if rebuilt else 'synced'}, {cache.count} talents"


def nudge_stale_profiles(session: Session, config: Config) -> int:
    """Ask people whose profile is older than scheduler.stale_profile_days to check it."""
    cutoff = utcnow() - timedelta(days=config.scheduler.stale_profile_days)
    return nudges.nudge_stale_profiles(
        session, untouched_since=cutoff, text=profile_texts.STALE_PROFILE_NUDGE
    )


def deliver_outbox(session: Session, config: Config) -> outbox.DeliveryReport:
    """Send the outbox messages that are due through the WeChat API."""
    # The sender commits each claim and outcome on its own, so it gets its own sessions on the
    # job's engine (or connection, in tests) rather than the job's transaction.
    bind = session.get_bind()
    client = make_client(config, bind.engine)
    sessions = sessionmaker(
        bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    outbox.remember_token(client)
    settings = outbox.Settings.from_config(config.outbox, config.app.timezone)
    if not isinstance(bind, Engine):
        # One test connection cannot serve several sending threads.
        settings = replace(settings, workers=1)
    try:
        # Round after round while messages are due, leaving the next run its turn.
        return outbox.drain(
            sessions,
            client,
            seconds=0.8 * config.scheduler.outbox_interval_seconds,
            limit=config.outbox.batch_size,
            settings=settings,
            record=outbox.CustomerServiceRecord(client),
        )
    finally:
        client.close()


def queue_event_reminders(session: Session, config: Config) -> int:
    """Queue the reminders due before events (events.first/second_reminder_hours)."""
    return invitations.queue_reminders(session, config)


def thank_event_attendees(session: Session, config: Config) -> int:
    """Queue the thank-you with its feedback question to attendees of events that ended."""
    return invitations.queue_thanks(session, config)


def expire_waitlist_offers(session: Session, config: Config) -> int:
    """Cancel seat offers past their time limit and offer the seats to the next in line."""
    return events.expire_offers(session, offer_hours=config.events.offer_hours)


def mark_event_no_shows(session: Session, config: Config) -> int:
    """Mark registered people who never checked in as no-shows once their event ended."""
    return events.mark_no_shows(
        session, default_duration_hours=config.events.default_duration_hours
    )


def drain_spool(session: Session, config: Config) -> spool.DrainReport:
    """Handle the WeChat deliveries kept on disk while the database was unreachable."""
    # Each delivery commits on its own, like the outbox sender.
    sessions = sessionmaker(
        bind=session.get_bind(), expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    return spool.drain(sessions, config)


def purge_callback_nonces(session: Session, config: Config) -> int:
    """Forget signed (timestamp, nonce) pairs whose timestamp can no longer be accepted."""
    return replay_guard.purge_expired(session)


def purge_abandoned_drafts(session: Session, config: Config) -> int:
    """Delete conversations left unfinished for scheduler.abandoned_draft_days, drafts included."""
    return erasure.purge_abandoned_drafts(session, config.scheduler.abandoned_draft_days)


def heartbeat(session: Session, config: Config) -> str:
    """Do nothing: its recorded run is the scheduler's heartbeat (read by huaicai doctor)."""
    return "alive"


JOBS: list[Job] = [
    Job(
        id="expire-introduction-asks",
        run=cooperation_jobs.expire_introduction_asks,
        every_seconds=lambda config: 3600,
        description="count introduction asks unanswered in time as a no",
    ),
    Job(
        id="ask-how-introductions-went",
        run=cooperation_jobs.ask_how_introductions_went,
        every_seconds=lambda config: 86400,
        description="ask both sides of month-old introductions how it went (once)",
    ),
    Job(
        id="send-digests",
        run=cooperation_jobs.send_digests,
        every_seconds=lambda config: 86400,
        description="weekly digest of fitting new needs and events (opt-in, once a week)",
    ),
    Job(
        id="yearly-profile-check",
        run=cooperation_jobs.yearly_profile_check,
        every_seconds=lambda config: 86400,
        description="ask once a year whether a profile is still right (and the consent text)",
    ),
    Job(
        id="issue-referral-codes",
        run=cooperation_jobs.issue_referral_codes,
        every_seconds=lambda config: 60,
        description="get requested referral QR codes from WeChat and send them",
    ),
    Job(
        id="credit-referrals",
        run=cooperation_jobs.credit_referrals,
        every_seconds=lambda config: 300,
        description="credit registrations that came through a referral code",
    ),
    Job(
        id="assign-liaisons",
        run=cooperation_jobs.assign_liaisons,
        every_seconds=lambda config: 86400,
        description="give talents without a liaison the organiser of their county or industry",
    ),
    Job(
        id=operations.HEARTBEAT_JOB,
        run=heartbeat,
        every_seconds=lambda config: config.scheduler.heartbeat_seconds,
        description="record that the scheduler is alive",
    ),
    Job(
        id="purge-inbound-messages",
        run=purge_inbound_messages,
        every_seconds=lambda config: 3600,
        description="forget old WeChat delivery records",
    ),
    Job(
        id="refresh-talent-index",
        run=refresh_talent_index,
        every_seconds=lambda config: 600,
        description="rebuild or sync the saved talent index that web workers load",
    ),
    Job(
        id="nudge-stale-profiles",
        run=nudge_stale_profiles,
        every_seconds=lambda config: 86400,
        description="ask people with long-unchanged profiles to check them",
    ),
    Job(
        id="drain-spool",
        run=drain_spool,
        every_seconds=lambda config: config.scheduler.outbox_interval_seconds,
        description="handle WeChat deliveries kept on disk during a database outage",
    ),
    Job(
        id="purge-callback-nonces",
        run=purge_callback_nonces,
        every_seconds=lambda config: 600,
        description="forget signed callback pairs older than the timestamp window",
    ),
    Job(
        id="purge-abandoned-drafts",
        run=purge_abandoned_drafts,
        every_seconds=lambda config: 86400,
        description="delete registrations left unfinished for too long",
    ),
    Job(
        id="deliver-outbox",
        run=deliver_outbox,
        every_seconds=lambda config: config.scheduler.outbox_interval_seconds,
        description="send due outbox messages through the WeChat API",
    ),
    Job(
        id="queue-event-reminders",
        run=queue_event_reminders,
        every_seconds=lambda config: 300,
        description="queue reminders before events",
    ),
    Job(
        id="thank-event-attendees",
        run=thank_event_attendees,
        every_seconds=lambda config: 900,
        description="thank attendees after events and ask for a one-line feedback",
    ),
    Job(
        id="expire-waitlist-offers",
        run=expire_waitlist_offers,
        every_seconds=lambda config: 300,
        description="cancel expired seat offers and offer the seats to the waitlist",
    ),
    Job(
        id="mark-event-no-shows",
        run=mark_event_no_shows,
        every_seconds=lambda config: 900,
        description="mark registered people who never checked in as no-shows",
    ),
]


def run_job(database: Database, config: Config, job: Job) -> object:
    """Run one job in its own transaction; log and re-raise its errors.

    Its start, end and failure are recorded in transactions of their own (scheduler_runs), so a
    failed job's rolled-back work still leaves its failure counted.
    """
    logger.info("job %s starting", job.id)
    with database.transaction() as session:
        operations.record_job_start(session, job.id, RUNNER, utcnow())
    try:
        with database.transaction() as session:
            result = job.run(session, config)
    except Exception as exc:
        logger.exception("job %s failed", job.id)
        with database.transaction() as session:
            error = f"{type(exc).__name__}: {exc}"
            operations.record_job_end(session, job.id, RUNNER, utcnow(), error)
        raise
    with database.transaction() as session:
        operations.record_job_end(session, job.id, RUNNER, utcnow(), None)
    logger.info("job %s done: %s", job.id, result)
    return result


def build_scheduler(database: Database, config: Config) -> BlockingScheduler:
    """Return a scheduler with every job of JOBS registered under its stable id.

    On SQLite the jobs run one at a time: SQLite has one writer, and jobs started together
    (all of them at start-up) would otherwise fail each other's transactions with "database is
    locked" when a read transaction cannot become a write one.
    """
    # The "control" executor runs the scheduler's own checks (its lock) beside the jobs.
    sqlite = database.engine.dialect.name == "sqlite"
    executors = {
        # APScheduler's own default is ten threads.
        "default": ThreadPoolExecutor(max_workers=1 if sqlite else 10),
        "control": ThreadPoolExecutor(max_workers=1),
    }
    scheduler = BlockingScheduler(timezone=config.app.timezone, executors=executors)
    for job in JOBS:
        scheduler.add_job(
            run_job,
            "interval",
            seconds=job.every_seconds(config),
            args=(database, config, job),
            id=job.id,
            name=job.description,
            max_instances=1,
            coalesce=True,
            # A run that starts late still runs (once): APScheduler's default skips any run
            # more than 1 s late, which on SQLite, where jobs run one at a time, skipped the
            # start-up runs queued behind a slow job until their next interval (a day).
            misfire_grace_time=None,
            next_run_time=utcnow() + timedelta(seconds=5),
        )
    return scheduler
