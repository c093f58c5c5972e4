"""The dashboard's figures, counted in the database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.config import TargetsConfig
from bot.models import TalentStatus
from bot.services import stats
from tests.factories import make_talent


def test_dashboard_counts_talents_counties_and_industries(db_session: Session) -> None:
    first = make_talent(db_session, origin_code="410882")
    first.industries = ["新能源电池", "新材料"]
    second = make_talent(db_session, origin_code="410882")
    second.industries = ["新材料"]
    friend = make_talent(db_session, origin_code=None, is_from_jiaozuo=False)
    friend.industries = []
    gone = make_talent(db_session, origin_code="410825")
    gone.industries = ["新材料", "装备制造"]
    gone.status = TalentStatus.INACTIVE
    db_session.flush()

    board = stats.dashboard(db_session, TargetsConfig(), datetime.now(UTC))

    assert board.talents == 3
    assert board.friends_of_jiaozuo == 1
    assert board.by_industry == [("新材料", 2), ("新能源电池", 1)]
    assert dict(board.by_county)["沁阳市"] == 2
    assert board.targets[1].value == 2
