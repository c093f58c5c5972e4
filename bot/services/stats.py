"""Progress figures for the organisers' dashboard, against the policy's targets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
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
    industries: Counter[str] = Counter()
    for names in session.scalars(select(Talent.industries).where(active)):
        industries.update(names or [])
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
        by_industry=industries.most_common(),
        demands_by_status={str(status): count for status, count in demand_rows},
        upcoming_events=upcoming,
    )


DEMAND_STATUS_LABELS = {
    DemandStatus.DRAFT: "草稿",
    DemandStatus.PENDING_REVIEW: "待审核",
    DemandStatus.APPROVED: "已发布",
    DemandStatus.REJECTED: "未通过",
    DemandStatus.CLOSED: "已关闭",
}
