"""Operations: what the scheduler did and when it last showed signs of life."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class SchedulerRun(Base):
    """One row per scheduled job: how often it ran and failed, and its last run.

    The row of the ``heartbeat`` job is the scheduler's heartbeat (``huaicai doctor`` reads it);
    the counts feed ``/metrics`` on every web node, whichever machine runs the scheduler.
    """

    __tablename__ = "scheduler_runs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Which scheduler process ran it last ("host:pid"): shows that only one does the work.
    runner: Mapped[str] = mapped_column(String(128), default="")
