"""Progress figures for the organisers' dashboard, against the policy's targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from bot.config import TargetsConfig
from bot.models import Demand, DemandStatus, Event, Talent, TalentStatus
from bot.vocabulary import JIAOZUO_COUNTIES


@dataclass(frozen=True)
class TargetProgress:
    label: str
    value: int
    target: int

    @property
    def percent(self) -> int:
        """Return progress as a whole percentage, capped at 100."""
        return min(100, round(100 * self.value / self.target)) if self.target else 0


@dataclass(frozen=True)
class Dashboard:
    talents: int
    friends_of_jiaozuo: int
    registered_this_year: int
    targets: list[TargetProgress]
    by_county: list[tuple[str, int]]
    by_industry: list[tuple[str, int]]
    demands_by_status: dict[str, int]
    upcoming_events: list[Event]


def dashboard(session: Session, targets: TargetsConfig, now: datetime) -> Dashboard:
    """Return the figures the console's front page shows."""
    active = Talent.status == TalentStatus.ACTIVE
    total = int(session.scalar(select(func.count(Talent.id)).where(active)) or 0)
    friends = int(
        session.scalar(
            select(func.count(Talent.id)).where(active, Talent.is_from_jiaozuo.is_(False))
        )
        or 0
    )
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    this_year = int(
        session.scalar(
            select(func.count(Talent.id)).where(active, Talent.registered_at >= year_start)
        )
        or 0
    )
    county_rows = session.execute(
        select(Talent.origin_code, func.count(Talent.id)).where(active).group_by(Talent.origin_code)
    ).all()
    by_county = sorted(
        (
            (JIAOZUO_COUNTIES.get(code or "", "未识别/焦作之友"), count)
            for code, count in county_rows
        ),
        key=lambda row: -row[1],
    )
    industries = _industry_counts(session, active)
    demand_rows = session.execute(
        select(Demand.status, func.count(Demand.id)).group_by(Demand.status)
    ).all()
    upcoming = list(
        session.scalars(
            select(Event).where(Event.starts_at >= now).order_by(Event.starts_at).limit(5)
        )
    )
    from_jiaozuo = total - friends
    return Dashboard(
        talents=total,
        friends_of_jiaozuo=friends,
        registered_this_year=this_year,
        targets=[
            TargetProgress("2020年底入库人才", from_jiaozuo, targets.talents_2020),
            TargetProgress("2025年底入库人才", from_jiaozuo, targets.talents_2025),
        ],
        by_county=by_county,
        by_industry=industries,
        demands_by_status={str(status): count for status, count in demand_rows},
        upcoming_events=upcoming,
    )


def _industry_counts(session: Session, active: ColumnElement[bool]) -> list[tuple[str, int]]:
    """Count active talents per industry in the database, most common first.

    ``talents.industries`` is a JSON list: PostgreSQL expands it with
    ``jsonb_array_elements_text``, SQLite with ``json_each``; both as a lateral table.
    """
    expand = (
        func.jsonb_array_elements_text
        if session.get_bind().dialect.name == "postgresql"
        else func.json_each
    )
    element = expand(Talent.industries).table_valued("value").alias("industry")
    count = func.count()
    rows = session.execute(
        select(element.c.value, count)
        .select_from(Talent)
        .join(element, true())
        .where(active)
        .group_by(element.c.value)
        .order_by(count.desc(), element.c.value)
    ).all()
    return [(str(name), int(number)) for name, number in rows]


DEMAND_STATUS_LABELS = {
    DemandStatus.DRAFT: "草稿",
    DemandStatus.PENDING_REVIEW: "待审核",
    DemandStatus.APPROVED: "已发布",
    DemandStatus.REJECTED: "未通过",
    DemandStatus.CLOSED: "已关闭",
}
