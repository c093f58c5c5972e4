"""Erase a person (PIPL art. 47): nothing of their personal values stays in any table.

What goes:
- the talent row, and by cascade their consents, matches, invitations, liaison records,
  referral codes and import duplicates;
- everything kept under their openid: dialog state (drafts included), deliveries and the replies
  cached for them, outbox messages, consents given before registering, walk-in invitations,
  the referral that brought them;
- their name and phone where they were an enterprise's contact (``enterprises`` and
  ``enterprise_contacts``); needs they posted stay (they are the enterprise's) without them;
- their values where they were copied into someone else's rows: outbox payloads, cached replies,
  other dialog states and audit details holding them are cleared.

The audit log keeps the bare fact (who erased, when, the former id). Unfinished registrations are
purged after ``scheduler.abandoned_draft_days`` by ``purge_abandoned_drafts``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import (
    AuditEntry,
    Consent,
    Demand,
    DialogState,
    Enterprise,
    EnterpriseContact,
    InboundMessage,
    Invitation,
    OutboxMessage,
    Referral,
    Talent,
)
from bot.services import audit

# Values shorter than this are not searched for in other rows (a one-character name would
# match everywhere); the rows keyed by the person are deleted whatever their values.
MIN_SEARCHED_LENGTH = 2
# Audit entries about an erased person are filed under this subject type.
ERASED_SUBJECT = "erased_talent"


@dataclass(frozen=True)
class ErasureReport:
    """How many rows of each kind were deleted or cleared."""

    counts: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in self.counts.items() if count)


def personal_values(talent: Talent | None, openid: str | None) -> list[str]:
    """Return the values that identify the person, to look for in other people's rows."""
    values = [openid or ""]
    if talent is not None:
        values += [talent.name, talent.phone or "", talent.email or ""]
    return sorted({v for v in values if v and len(v) >= MIN_SEARCHED_LENGTH}, key=len, reverse=True)


def _holds(value: Any, needles: Iterable[str]) -> bool:
    if value is None:
        return False
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return any(needle in text for needle in needles)


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def erase_person(
    session: Session, *, talent: Talent | None, openid: str | None, actor: str
) -> ErasureReport:
    """Erase the person with ``talent`` and/or ``openid``; flush, audit the bare fact."""
    if talent is not None and openid is None:
        openid = talent.openid
    needles = personal_values(talent, openid)
    since = talent.registered_at if talent is not None else None
    counts: dict[str, int] = {}
    if openid is not None:
        counts.update(_erase_openid_rows(session, openid))
    if talent is not None:
        talent_id = talent.id
        counts["consents"] = counts.get("consents", 0) + _count(
            session.execute(delete(Consent).where(Consent.talent_id == talent_id))
        )
        _clear_audit_details(session, talent_id)
        audit.forget_subject(session, talent_id)
        session.delete(talent)
        session.flush()
        counts["talents"] = 1
    counts.update(_scrub_copies(session, needles, since))
    subject_id = talent.id if talent is not None else None
    audit.record(session, actor, "erase", "talent", subject_id)
    return ErasureReport(counts)


def _erase_openid_rows(session: Session, openid: str) -> dict[str, int]:
    counts = {
        "dialog_states": _count(
            session.execute(delete(DialogState).where(DialogState.openid == openid))
        ),
        "inbound_messages": _count(
            session.execute(delete(InboundMessage).where(InboundMessage.openid == openid))
        ),
        "outbox": _count(
            session.execute(delete(OutboxMessage).where(OutboxMessage.openid == openid))
        ),
        "consents": _count(session.execute(delete(Consent).where(Consent.openid == openid))),
        "invitations": _count(
            session.execute(delete(Invitation).where(Invitation.openid == openid))
        ),
        "referrals": _count(session.execute(delete(Referral).where(Referral.openid == openid))),
    }
    # Needs they posted for an enterprise stay (they are the enterprise's), but not who they were.
    session.execute(
        update(Demand).where(Demand.submitted_by_openid == openid).values(submitted_by_openid=None)
    )
    counts["enterprises"] = _count(
        session.execute(
            update(Enterprise)
            .where(Enterprise.contact_openid == openid)
            .values(contact_openid=None, contact_name="", contact_phone="")
        )
    )
    counts["enterprise_contacts"] = _count(
        session.execute(
            update(EnterpriseContact)
            .where(EnterpriseContact.openid == openid)
            .values(openid=None, name="", phone="")
        )
    )
    return counts


def _clear_audit_details(session: Session, talent_id: int) -> None:
    # The entries keep the bare fact and the former id, filed under "erased_talent": should the
    # id ever be given out again (SQLite reuses the highest rowid without AUTOINCREMENT), the
    # new person must not inherit the old one's access log.
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.subject_type == "talent", AuditEntry.subject_id == talent_id)
        .values(detail={}, subject_type=ERASED_SUBJECT)
    )


def _scrub_copies(session: Session, needles: list[str], since: datetime | None) -> dict[str, int]:
    """Clear the person's values where they were copied into other people's rows."""
    if not needles:
        return {}
    counts = {"outbox_copies": 0, "reply_copies": 0, "draft_copies": 0, "audit_copies": 0}

    def recent(column: Any) -> Any:
        return column >= since if since is not None else True

    for message in session.scalars(select(OutboxMessage).where(recent(OutboxMessage.created_at))):
        if _holds(message.payload, needles) or _holds(message.last_error, needles):
            session.delete(message)
            counts["outbox_copies"] += 1
    for row in session.scalars(
        select(InboundMessage).where(
            InboundMessage.reply.is_not(None), recent(InboundMessage.received_at)
        )
    ):
        if _holds(row.reply, needles):
            row.reply = None
            counts["reply_copies"] += 1
    for state in session.scalars(select(DialogState)):
        if _holds(state.data, needles):
            session.delete(state)
            counts["draft_copies"] += 1
    for entry in session.scalars(select(AuditEntry).where(recent(AuditEntry.at))):
        if _holds(entry.detail, needles):
            entry.detail = {"redacted": "erased person"}
            counts["audit_copies"] += 1
    session.flush()
    return counts


def discard_draft(session: Session, openid: str, *, actor: str = "self") -> bool:
    """Erase an unregistered person's unfinished registration; return whether there was one."""
    had = session.scalar(select(DialogState.id).where(DialogState.openid == openid)) is not None
    consents = session.scalar(
        select(Consent.id).where(Consent.openid == openid, Consent.talent_id.is_(None))
    )
    if not had and consents is None:
        return False
    erase_person(session, talent=None, openid=openid, actor=actor)
    return True


def purge_abandoned_drafts(session: Session, older_than_days: int) -> int:
    """Delete conversations untouched for ``older_than_days`` and what only they held.

    A draft's consents (given before the talent row existed) go with it; return how many drafts.
    """
    cutoff = utcnow() - timedelta(days=older_than_days)
    openids = list(
        session.scalars(select(DialogState.openid).where(DialogState.updated_at < cutoff))
    )
    if not openids:
        return 0
    registered = set(session.scalars(select(Talent.openid).where(Talent.openid.in_(openids))))
    session.execute(delete(DialogState).where(DialogState.openid.in_(openids)))
    unregistered = [openid for openid in openids if openid not in registered]
    if unregistered:
        session.execute(
            delete(Consent).where(Consent.openid.in_(unregistered), Consent.talent_id.is_(None))
        )
    return len(openids)
