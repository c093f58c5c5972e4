"""Who speaks for an enterprise (issue 10 item 7).

The first person to submit a need for a credit code becomes its confirmed contact. Anyone else
using the same (public) credit code makes a claim: an organiser confirms it, or a confirmed
contact approves it by chat. Until then the claimant sees only the needs they submitted, and no
one is ever shown another contact's name or phone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import ContactStatus, Demand, Enterprise, EnterpriseContact
from bot.services import audit
from bot.services import cooperation_texts as texts
from bot.services.notices import notify
from bot.validators import ValidationError


def contact_of(session: Session, enterprise: Enterprise, openid: str) -> EnterpriseContact | None:
    """Return the person's contact record (confirmed or a claim) for ``enterprise``, or None."""
    return session.scalars(
        select(EnterpriseContact).where(
            EnterpriseContact.enterprise_id == enterprise.id, EnterpriseContact.openid == openid
        )
    ).first()


def contacts_of_person(session: Session, openid: str) -> list[EnterpriseContact]:
    """Return every contact record of ``openid``, newest first."""
    return list(
        session.scalars(
            select(EnterpriseContact)
            .where(EnterpriseContact.openid == openid)
            .order_by(EnterpriseContact.created_at.desc(), EnterpriseContact.id.desc())
        )
    )


def confirmed_contacts(session: Session, enterprise: Enterprise) -> list[EnterpriseContact]:
    """Return the confirmed contacts of ``enterprise``, oldest first."""
    return list(
        session.scalars(
            select(EnterpriseContact)
            .where(
                EnterpriseContact.enterprise_id == enterprise.id,
                EnterpriseContact.status == ContactStatus.CONFIRMED,
            )
            .order_by(EnterpriseContact.id)
        )
    )


def is_confirmed(session: Session, enterprise: Enterprise, openid: str) -> bool:
    """Return whether ``openid`` is a confirmed contact of ``enterprise``."""
    contact = contact_of(session, enterprise, openid)
    return contact is not None and contact.status == ContactStatus.CONFIRMED


def speak_for(
    session: Session,
    enterprise: Enterprise,
    *,
    openid: str | None,
    name: str,
    phone: str,
    on_record: bool = False,
    actor: str = "wechat",
) -> EnterpriseContact:
    """Record that a person contacts us for ``enterprise``: confirmed if first, else a claim.

    The first is the person ``on_record`` (who registered the enterprise just now, or was its
    chat contact before contacts were kept) while nobody is confirmed; anyone else, even for an
    enterprise an organiser registered, makes a claim. Their name and phone stay on their own
    record.
    """
    contact = contact_of(session, enterprise, openid) if openid else None
    if contact is not None:
        contact.name, contact.phone = name, phone
        return contact
    first = on_record and not confirmed_contacts(session, enterprise)
    contact = EnterpriseContact(
        enterprise_id=enterprise.id,
        openid=openid,
        name=name,
        phone=phone,
        status=ContactStatus.CONFIRMED if first else ContactStatus.PENDING,
        decided_by="first contact" if first else "",
        decided_at=utcnow() if first else None,
    )
    session.add(contact)
    session.flush()
    audit.record(session, actor, "create" if first else "claim", "enterprise_contact", contact.id)
    return contact


def tell_confirmed_contacts(session: Session, claim: EnterpriseContact, demand: Demand) -> int:
    """Ask the enterprise's confirmed contacts whether the claimant is a colleague; return count."""
    told = 0
    for contact in confirmed_contacts(session, claim.enterprise):
        content = texts.CLAIM_TO_CONFIRMED.format(
            enterprise=claim.enterprise.name, title=demand.title
        )
        if notify(session, contact.openid, content, key=f"claim:{claim.id}:to:{contact.id}"):
            told += 1
    return told


def decide_claim(
    session: Session, claim: EnterpriseContact, *, confirm: bool, actor: str
) -> EnterpriseContact:
    """Confirm or refuse a pending claim and tell the claimant; raise ValidationError if decided."""
    if claim.status != ContactStatus.PENDING:
        raise ValidationError(
            "status", "这个认领申请已经处理过了。", f"claim {claim.id} is {claim.status}"
        )
    claim.status = ContactStatus.CONFIRMED if confirm else ContactStatus.REFUSED
    claim.decided_by, claim.decided_at = actor, utcnow()
    audit.record(session, actor, "confirm" if confirm else "refuse", "enterprise_contact", claim.id)
    template = texts.CLAIM_CONFIRMED if confirm else texts.CLAIM_REFUSED
    notify(
        session,
        claim.openid,
        template.format(enterprise=claim.enterprise.name),
        key=f"claim:{claim.id}:decided",
    )
    return claim


def approve_claim_by_chat(
    session: Session, openid: str, claim_id: int, *, confirm: bool
) -> EnterpriseContact | None:
    """Let a confirmed contact decide a claim on their enterprise; None if not theirs to decide."""
    claim = session.get(EnterpriseContact, claim_id)
    if claim is None or claim.status != ContactStatus.PENDING:
        return None
    if not is_confirmed(session, claim.enterprise, openid):
        return None
    return decide_claim(session, claim, confirm=confirm, actor="contact")


def claims_awaiting(session: Session, openid: str) -> list[EnterpriseContact]:
    """Return pending claims on the firms ``openid`` is a confirmed contact of, oldest first."""
    mine = select(EnterpriseContact.enterprise_id).where(
        EnterpriseContact.openid == openid, EnterpriseContact.status == ContactStatus.CONFIRMED
    )
    return list(
        session.scalars(
            select(EnterpriseContact)
            .where(
                EnterpriseContact.status == ContactStatus.PENDING,
                EnterpriseContact.enterprise_id.in_(mine),
            )
            .order_by(EnterpriseContact.created_at, EnterpriseContact.id)
        )
    )


def pending_claims(session: Session, *, limit: int = 100) -> list[EnterpriseContact]:
    """Return the claims waiting for an organiser, oldest first (for the console)."""
    return list(
        session.scalars(
            select(EnterpriseContact)
            .where(EnterpriseContact.status == ContactStatus.PENDING)
            .order_by(EnterpriseContact.created_at, EnterpriseContact.id)
            .limit(limit)
        )
    )


def erase_openid(session: Session, openid: str) -> None:
    """Forget a person's contact records (erasure): name, phone and openid go."""
    for contact in contacts_of_person(session, openid):
        session.delete(contact)
    session.flush()
