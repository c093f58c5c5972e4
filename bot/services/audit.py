"""Write and read the audit log of access to personal data.

Every view that shows personal data is logged here, by the service that reads it: one entry per
profile shown, and one entry per list or export naming every person it showed (``audit_subjects``),
so "谁看过您的资料" under 隐私 covers lists as well as detail pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_, select
from sqlalchemy.orm import Session

from bot.models import AuditEntry, AuditSubject


def record(
    session: Session,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: int | None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit entry; ``detail`` must not contain personal data."""
    entry = AuditEntry(
        actor=actor, action=action, subject_type=subject_type, subject_id=subject_id, detail=detail
    )
    session.add(entry)
    return entry


def record_shown(
    session: Session, actor: str, action: str, talent_ids: Sequence[int], **detail: Any
) -> AuditEntry | None:
    """Log one entry for a list or export that showed ``talent_ids`` (None when it showed none).

    ``action`` is ``list`` or ``export``; ``detail`` says where (``view="console talent list"``)
    and must not contain personal data.
    """
    shown = list(dict.fromkeys(talent_ids))
    if not shown:
        return None
    entry = record(session, actor, action, "talents", None, count=len(shown), **detail)
    session.flush()
    session.execute(
        insert(AuditSubject),
        [{"audit_id": entry.id, "talent_id": talent_id} for talent_id in shown],
    )
    return entry


def entries_for(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    """Return the audit entries about one subject, lists that named it included, oldest first."""
    about: ColumnElement[bool] = (AuditEntry.subject_type == subject_type) & (
        AuditEntry.subject_id == subject_id
    )
    if subject_type == "talent":
        named = select(AuditSubject.audit_id).where(AuditSubject.talent_id == subject_id)
        about = or_(about, AuditEntry.id.in_(named))
    query = select(AuditEntry).where(about).order_by(AuditEntry.at, AuditEntry.id)
    return list(session.scalars(query))


def forget_subject(session: Session, talent_id: int) -> None:
    """Drop the links from list entries to an erased person (the entries keep their count)."""
    session.execute(delete(AuditSubject).where(AuditSubject.talent_id == talent_id))
