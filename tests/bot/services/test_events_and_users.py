from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import Role
from bot.services import events, users
from bot.validators import ValidationError
from tests.factories import make_event, make_talent


def test_event_has_a_unique_qr_scene_and_is_found_by_it(db_session: Session) -> None:
    first, second = make_event(db_session), make_event(db_session)
    assert first.qr_scene and first.qr_scene != second.qr_scene
    assert events.get_event_by_scene(db_session, first.qr_scene) is first


def test_event_times_must_be_ordered(db_session: Session) -> None:
    start = utcnow() + timedelta(days=3)
    with pytest.raises(ValidationError):
        make_event(db_session, starts_at=start, ends_at=start - timedelta(hours=1))


def test_invitation_is_idempotent_per_event_and_talent(db_session: Session) -> None:
    event, talent = make_event(db_session), make_talent(db_session)
    assert events.propose_invitation(db_session, event, talent) is events.propose_invitation(
        db_session, event, talent
    )
    assert events.count_invitations(db_session, event) == 1


def test_naive_datetimes_are_refused(db_session: Session) -> None:
    with pytest.raises(Exception, match="naive"):
        make_event(db_session, starts_at=utcnow().replace(tzinfo=None))
        db_session.flush()


def test_console_user_authenticates_only_with_the_right_password(db_session: Session) -> None:
    users.create_user(db_session, username="li", password="correct horse", role=Role.ORGANISER)
    assert users.authenticate(db_session, "li", "wrong password") is None
    user = users.authenticate(db_session, "li", "correct horse")
    assert user is not None and user.last_login_at is not None
    with pytest.raises(ValidationError):
        users.create_user(db_session, username="li", password="another one", role=Role.ADMIN)
    with pytest.raises(ValidationError):
        users.create_user(db_session, username="wang", password="short", role=Role.ADMIN)
