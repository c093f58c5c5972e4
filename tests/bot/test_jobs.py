"""The jobs issue 9 moved or wired: the saved talent index, stale-profile nudges, old deliveries."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Config, load_config
from bot.db import Database, utcnow
from bot.jobs import JOBS, build_scheduler
from bot.models import InboundMessage, OutboxMessage
from bot.services.talent_search import TalentIndexCache
from tests.factories import make_talent


def config_with(tmp_path: Path, **scheduler: int) -> Config:
    config = load_config(environ={})
    matching = dataclasses.replace(config.matching, index_path=str(tmp_path / "talent-index"))
    return dataclasses.replace(
        config,
        matching=matching,
        scheduler=dataclasses.replace(config.scheduler, **scheduler),
    )


def test_the_refresh_job_saves_the_index_a_worker_then_loads(
    db_session: Session, tmp_path: Path
) -> None:
    talent = make_talent(db_session)
    config = config_with(tmp_path)
    run = {job.id: job for job in JOBS}["refresh-talent-index"].run
    assert run(db_session, config) == "rebuilt, 1 talents"
    worker = TalentIndexCache.from_config(config)
    worker.warm(db_session)
    assert worker.ids == {talent.id} and worker.loaded_file_time is not None
    assert run(db_session, config) == "synced, 1 talents", "a second run only syncs"


def test_profiles_older_than_stale_profile_days_get_one_nudge(
    db_session: Session, tmp_path: Path
) -> None:
    stale = make_talent(db_session, name="王建国")
    stale.updated_at = utcnow() - timedelta(days=40)
    fresh = make_talent(db_session)
    gone = make_talent(db_session)
    gone.updated_at, gone.is_following = utcnow() - timedelta(days=40), False
    db_session.flush()
    run = {job.id: job for job in JOBS}["nudge-stale-profiles"].run
    config = config_with(tmp_path, stale_profile_days=30)
    assert run(db_session, config) == 1
    assert run(db_session, config) == 1, "still stale, but the nudge is queued once"
    sent = db_session.scalars(select(OutboxMessage)).all()
    assert [(m.openid, "王建国" in m.payload["content"]) for m in sent] == [(stale.openid, True)]
    assert fresh.openid not in {m.openid for m in sent}
    assert all(m.proactive for m in sent), "a nudge is ours to send: it waits out quiet hours"
    assert run(db_session, config_with(tmp_path, stale_profile_days=60)) == 0


def test_old_deliveries_are_forgotten_after_the_retention_period(
    db_session: Session, tmp_path: Path
) -> None:
    now = utcnow()
    for key, age in (("old", 20), ("recent", 2)):
        db_session.add(
            InboundMessage(
                dedup_key=key,
                openid="o-1",
                msg_type="text",
                status="handled",
                received_at=now - timedelta(days=age),
            )
        )
    db_session.flush()
    run = {job.id: job for job in JOBS}["purge-inbound-messages"].run
    assert run(db_session, config_with(tmp_path, inbound_retention_days=14)) == 1
    assert db_session.scalar(select(func.count(InboundMessage.id))) == 1


def test_the_scheduler_runs_sqlite_jobs_one_at_a_time(
    migrated_database: Database, tmp_path: Path
) -> None:
    scheduler = build_scheduler(migrated_database, config_with(tmp_path))
    assert {job.id for job in scheduler.get_jobs()} == {job.id for job in JOBS}
    # APScheduler keeps its executors privately; the pool size is what this test is about.
    pool = scheduler._executors["default"]._pool
    expected = 1 if migrated_database.engine.dialect.name == "sqlite" else 10
    assert pool._max_workers == expected


def test_a_job_that_starts_late_still_runs(migrated_database: Database, tmp_path: Path) -> None:
    # APScheduler's default grace of 1 s skipped start-up runs queued behind a slow job.
    scheduler = build_scheduler(migrated_database, config_with(tmp_path))
    assert {job.misfire_grace_time for job in scheduler.get_jobs()} == {None}
