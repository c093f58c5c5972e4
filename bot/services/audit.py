"""Write the audit log of access to personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import AuditEntry


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


def entries_for(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    """Return the audit entries about one subject, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(session.scalars(query))
