"""Record consents with the version of the text shown, and their withdrawal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import Consent, ConsentPurpose, Talent


def record_consent(
    session: Session,
    *,
    purpose: ConsentPurpose,
    version: str,
    granted: bool,
    talent: Talent | None = None,
    openid: str | None = None,
    scope: str = "",
) -> Consent:
    """Record that a person granted or declined ``purpose`` after seeing text ``version``."""
    if talent is None and openid is None:
        raise ValueError("a consent needs a talent or an openid")
    consent = Consent(
        talent=talent,
        openid=openid if openid is not None else (talent.openid if talent else None),
        purpose=purpose,
        scope=scope,
        version=version,
        granted=granted,
    )
    session.add(consent)
    return consent


# What one 同意 to the registration notice grants (the notice names both purposes).
REGISTRATION_PURPOSES = (ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS)


def grant_registration(
    session: Session, version: str, *, talent: Talent | None = None, openid: str | None = None
) -> None:
    """Record the consents a person gives by agreeing to registration notice ``version``.

    Raises ValueError when neither ``talent`` nor ``openid`` is given.
    """
    for purpose in REGISTRATION_PURPOSES:
        record_consent(
            session, purpose=purpose, version=version, granted=True, talent=talent, openid=openid
        )


def attach_consents(session: Session, openid: str, talent: Talent) -> None:
    """Link the consents a person gave before their talent record existed."""
    query = select(Consent).where(Consent.openid == openid, Consent.talent_id.is_(None))
    for consent in session.scalars(query):
        consent.talent = talent


def active_consent(
    session: Session, talent: Talent, purpose: ConsentPurpose, scope: str = ""
) -> Consent | None:
    """Return the latest granted, unwithdrawn consent of ``talent`` for ``purpose``."""
    query = (
        select(Consent)
        .where(
            Consent.talent_id == talent.id,
            Consent.purpose == purpose,
            Consent.scope == scope,
        )
        .order_by(Consent.decided_at.desc(), Consent.id.desc())
        .limit(1)
    )
    latest = session.scalars(query).first()
    if latest is None or not latest.granted or latest.withdrawn_at is not None:
        return None
    return latest


def has_consent(session: Session, talent: Talent, purpose: ConsentPurpose, scope: str = "") -> bool:
    """Return whether ``talent`` currently consents to ``purpose``."""
    return active_consent(session, talent, purpose, scope) is not None


def withdraw_consent(
    session: Session, talent: Talent, purpose: ConsentPurpose, scope: str = ""
) -> bool:
    """Withdraw the current consent for ``purpose``; return whether there was one."""
    consent = active_consent(session, talent, purpose, scope)
    if consent is None:
        return False
    consent.withdrawn_at = utcnow()
    return True


def consents_of(session: Session, talent: Talent) -> list[Consent]:
    """Return every consent decision of ``talent``, oldest first."""
    query = select(Consent).where(Consent.talent_id == talent.id).order_by(Consent.decided_at)
    return list(session.scalars(query))
