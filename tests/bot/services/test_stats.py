"""The dashboard's figures, counted in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


def test_deadline_states() -> None:
    from datetime import date

    def state(value: int, today: date) -> str:
        return stats.deadline_progress("t", value, 5000, date(2025, 12, 31), today).state

    assert state(5000, date(2024, 1, 1)) == stats.DeadlineState.REACHED
    assert state(4999, date(2026, 1, 1)) == stats.DeadlineState.MISSED
    # Half-way through 2020-2025, half of the target is on track.
    assert state(2600, date(2023, 1, 1)) == stats.DeadlineState.ON_TRACK
    assert state(1000, date(2023, 1, 1)) == stats.DeadlineState.BEHIND


def test_imported_people_count_apart_until_they_confirm(db_session: Session) -> None:
    from bot.models import ConsentPurpose
    from bot.services import consents

    make_talent(db_session, city="深圳")
    imported = make_talent(db_session, source="import", openid=None, city="广州市")
    board = stats.dashboard(db_session, TargetsConfig(), datetime.now(UTC))
    assert (board.talents, board.awaiting_confirmation) == (1, 1)
    consents.record_consent(
        db_session, purpose=ConsentPurpose.REGISTRATION, version="t", granted=True, talent=imported
    )
    db_session.flush()
    board = stats.dashboard(db_session, TargetsConfig(), datetime.now(UTC))
    assert (board.talents, board.awaiting_confirmation) == (2, 0)
    assert dict(board.by_province) == {"广东": 2}
    assert ("公众号对话", 1) in board.by_source and ("名单导入", 1) in board.by_source


def test_events_funnel_counts_invited_registered_attended(db_session: Session) -> None:
    from bot.db import utcnow
    from bot.models import InvitationStatus
    from bot.services import events
    from tests.factories import make_event

    event = make_event(db_session, starts_at=utcnow() + timedelta(hours=1))
    now = utcnow()
    for number, path in enumerate(
        [
            [],
            [InvitationStatus.INVITED],
            [InvitationStatus.INVITED, InvitationStatus.REGISTERED],
            [InvitationStatus.INVITED, InvitationStatus.REGISTERED, InvitationStatus.ATTENDED],
        ]
    ):
        invitation = events.propose_invitation(db_session, event, make_talent(db_session))
        for status in path:
            events.transition(invitation, status, now)
        assert number >= 0
    db_session.flush()
    funnel = stats.events_funnel(db_session, event.starts_at.year, years=1)[0]
    assert funnel.stages == [("邀请", 3), ("报名", 2), ("签到", 1)]
