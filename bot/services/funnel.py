"""Outcomes of the cooperation loop and the yearly funnel against the policy's targets.

Funnel stages, each counted by when it happened in the year: needs submitted → approved →
people proposed → asked → said yes → introduced → agreements signed → projects landed.
The policy asks for 100+ 产学研 agreements and 20+ landed projects a year ([targets]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.config import TargetsConfig
from bot.models import Demand, Match, Outcome, OutcomeKind
from bot.services import audit
from bot.validators import ValidationError

OUTCOME_LABELS = {
    OutcomeKind.CONTACTED: "已联系",
    OutcomeKind.AGREEMENT: "已签约",
    OutcomeKind.LANDED: "已落地",
}
STAGE_LABELS = {
    "needs": "提交需求",
    "approved": "审核通过",
    "proposed": "推荐人选",
    "asked": "征询人才",
    "yes": "人才同意",
    "introduced": "完成引荐",
    "agreements": "签订协议",
    "landed": "项目落地",
}


def record_outcome(
    session: Session,
    demand: Demand,
    kind: OutcomeKind,
    *,
    recorded_by: str,
    match: Match | None = None,
    amount_wan: float | None = None,
    note: str = "",
    occurred_on: date | None = None,
) -> Outcome:
    """Record (or update) what came of a need or one introduction; one row per kind and match.

    ``amount_wan`` is the agreement amount in 万元. Raises ValidationError on a negative amount
    or a match of another need.
    """
    if amount_wan is not None and amount_wan < 0:
        raise ValidationError("amount", "金额不能是负数。", "amount must not be negative")
    if match is not None and match.demand_id != demand.id:
        raise ValidationError("match", "这次对接不属于这条需求。", "match of another demand")
    query = select(Outcome).where(Outcome.demand_id == demand.id, Outcome.kind == kind)
    query = query.where(
        Outcome.match_id == match.id if match is not None else Outcome.match_id.is_(None)
    )
    outcome = session.scalars(query).first()
    if outcome is None:
        outcome = Outcome(
            demand_id=demand.id,
            match_id=match.id if match is not None else None,
            kind=kind,
            recorded_by=recorded_by,
            occurred_on=occurred_on or datetime.now(UTC).date(),
            note="",
        )
        session.add(outcome)
    if amount_wan is not None:
        outcome.amount_wan = amount_wan
    if note:
        outcome.note = note[:500]
    if occurred_on is not None:
        outcome.occurred_on = occurred_on
    session.flush()
    audit.record(session, recorded_by, "outcome", "demand", demand.id, kind=str(kind))
    return outcome


def outcomes_of(session: Session, demand: Demand) -> list[Outcome]:
    """Return the outcomes recorded for a need, oldest first."""
    return list(
        session.scalars(
            select(Outcome)
            .where(Outcome.demand_id == demand.id)
            .order_by(Outcome.occurred_on, Outcome.id)
        )
    )


@dataclass(frozen=True)
class FunnelStage:
    key: str
    label: str
    count: int
    target: int | None = None

    @property
    def percent(self) -> int | None:
        """Return progress against the target as a whole percentage (None without a target)."""
        if not self.target:
            return None
        return min(100, round(100 * self.count / self.target))


@dataclass(frozen=True)
class Funnel:
    year: int
    stages: list[FunnelStage]
    agreement_amount_wan: float

    def stage(self, key: str) -> FunnelStage:
        """Return the stage named ``key``; raise KeyError when there is none."""
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    def format(self) -> str:
        """Return the funnel as aligned text lines (CLI, report)."""
        lines = [f"funnel {self.year}"]
        for stage in self.stages:
            target = f" / target {stage.target}" if stage.target else ""
            lines.append(f"  {stage.key:<11} {stage.label}  {stage.count:>5}{target}")
        if self.agreement_amount_wan:
            lines.append(f"  agreements total {self.agreement_amount_wan:g} 万元")
        return "\n".join(lines)


def _in_year(
    column: ColumnElement[datetime] | ColumnElement[datetime | None], year: int
) -> ColumnElement[bool]:
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    return (column >= start) & (column < end)


def funnel(session: Session, year: int, targets: TargetsConfig) -> Funnel:
    """Return the funnel of ``year`` (stages counted by when they happened, UTC)."""

    def count(model: type, column: Any) -> int:
        return int(
            session.scalar(select(func.count()).select_from(model).where(_in_year(column, year)))
            or 0
        )

    def outcomes(kind: OutcomeKind) -> int:
        return int(
            session.scalar(
                select(func.count(Outcome.id)).where(
                    Outcome.kind == kind,
                    Outcome.occurred_on >= date(year, 1, 1),
                    Outcome.occurred_on < date(year + 1, 1, 1),
                )
            )
            or 0
        )

    amount = session.scalar(
        select(func.coalesce(func.sum(Outcome.amount_wan), 0.0)).where(
            Outcome.kind == OutcomeKind.AGREEMENT,
            Outcome.occurred_on >= date(year, 1, 1),
            Outcome.occurred_on < date(year + 1, 1, 1),
        )
    )
    values = {
        "needs": count(Demand, Demand.created_at),
        "approved": count(Demand, Demand.approved_at),
        "proposed": count(Match, Match.created_at),
        "asked": count(Match, Match.asked_at),
        "yes": count(Match, Match.consented_at),
        "introduced": count(Match, Match.introduced_at),
        "agreements": outcomes(OutcomeKind.AGREEMENT),
        "landed": outcomes(OutcomeKind.LANDED),
    }
    target_of = {
        "agreements": targets.agreements_per_year,
        "landed": targets.landed_projects_per_year,
    }
    stages = [
        FunnelStage(key, STAGE_LABELS[key], values[key], target_of.get(key)) for key in STAGE_LABELS
    ]
    return Funnel(year, stages, float(amount or 0.0))
