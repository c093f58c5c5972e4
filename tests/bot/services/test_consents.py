from __future__ import annotations

from sqlalchemy.orm import Session

from bot.models import ConsentPurpose
from bot.services import consents
from tests.factories import make_talent


def test_consent_given_before_registration_is_attached_later(db_session: Session) -> None:
    consents.record_consent(
        db_session,
        openid="o-early",
        purpose=ConsentPurpose.REGISTRATION,
        version="v1",
        granted=True,
    )
    talent = make_talent(db_session, openid="o-early")
    consents.attach_consents(db_session, "o-early", talent)
    db_session.flush()
    assert consents.has_consent(db_session, talent, ConsentPurpose.REGISTRATION)


def test_withdrawal_ends_the_consent_and_keeps_the_history(db_session: Session) -> None:
    talent = make_talent(db_session)
    consents.record_consent(
        db_session, talent=talent, purpose=ConsentPurpose.INVITATIONS, version="v1", granted=True
    )
    db_session.flush()
    assert consents.has_consent(db_session, talent, ConsentPurpose.INVITATIONS)
    assert consents.withdraw_consent(db_session, talent, ConsentPurpose.INVITATIONS)
    db_session.flush()
    assert not consents.has_consent(db_session, talent, ConsentPurpose.INVITATIONS)
    assert not consents.withdraw_consent(db_session, talent, ConsentPurpose.INVITATIONS)
    history = consents.consents_of(db_session, talent)
    assert len(history) == 1 and history[0].withdrawn_at is not None


def test_introduction_consent_is_scoped_to_one_demand(db_session: Session) -> None:
    talent = make_talent(db_session)
    consents.record_consent(
        db_session,
        talent=talent,
        purpose=ConsentPurpose.INTRODUCTION,
        scope="demand:7",
        version="v1",
        granted=True,
    )
    db_session.flush()
    assert consents.has_consent(db_session, talent, ConsentPurpose.INTRODUCTION, "demand:7")
    assert not consents.has_consent(db_session, talent, ConsentPurpose.INTRODUCTION, "demand:8")


def test_declined_consent_is_not_consent(db_session: Session) -> None:
    talent = make_talent(db_session)
    consents.record_consent(
        db_session, talent=talent, purpose=ConsentPurpose.INVITATIONS, version="v1", granted=False
    )
    db_session.flush()
    assert not consents.has_consent(db_session, talent, ConsentPurpose.INVITATIONS)
