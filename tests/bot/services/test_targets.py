"""Every policy target in [targets] reaches the dashboard (none is documented but unread)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.config import TargetsConfig
from bot.models import Match, MatchStatus
from bot.services import stats
from tests.factories import make_demand, make_talent


def test_every_target_of_the_config_is_shown_on_the_dashboard(db_session: Session) -> None:
    # Distinct values, so each one shown can only come from its own key.
    targets = TargetsConfig(**{f.name: 1000 + i for i, f in enumerate(fields(TargetsConfig))})
    board = stats.dashboard(db_session, targets, datetime.now(UTC))
    shown = sorted(t.target for t in [*board.targets, *board.yearly_targets])
    assert shown == sorted(getattr(targets, f.name) for f in fields(TargetsConfig))


def test_enterprises_introduced_this_year_count_once_each(db_session: Session) -> None:
    now = datetime.now(UTC)
    demand = make_demand(db_session)
    second_need = make_demand(db_session, enterprise=demand.enterprise)
    for need in (demand, second_need):
        talent = make_talent(db_session)
        match = Match(demand_id=need.id, talent_id=talent.id, score=0.5, reasons=[])
        match.status, match.introduced_at, match.created_at = MatchStatus.INTRODUCED, now, now
        db_session.add(match)
    db_session.flush()
    board = stats.dashboard(db_session, TargetsConfig(enterprise_visits_per_year=77), now)
    (visits,) = [t for t in board.yearly_targets if t.target == 77]
    assert visits.value == 1
