"""Search the audit log (administrators only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.models import AuditEntry, AuditSubject


@dataclass(frozen=True)
class AuditQuery:
    actor: str = ""
    action: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _where(query: Select[Any], wanted: AuditQuery) -> Select[Any]:
    if wanted.actor:
        query = query.where(AuditEntry.actor == wanted.actor)
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.subject_type:
        query = query.where(AuditEntry.subject_type == wanted.subject_type)
    if wanted.subject_id is not None:
        about = AuditEntry.subject_id == wanted.subject_id
        if wanted.subject_type in ("", "talent", "talents"):
            # Lists and exports that named this person count as well.
            named = select(AuditSubject.audit_id).where(AuditSubject.talent_id == wanted.subject_id)
            about = about | AuditEntry.id.in_(named)
        query = query.where(about)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.at < wanted.until)
    return query


def search(
    session: Session, wanted: AuditQuery, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """Return one page of matching entries, newest first, and how many match in all."""
    total = int(session.scalar(_where(select(func.count(AuditEntry.id)), wanted)) or 0)
    rows = session.scalars(
        _where(select(AuditEntry), wanted)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def known_actions(session: Session) -> list[str]:
    """Return every action name in the log, for the search form."""
    return sorted(session.scalars(select(AuditEntry.action).distinct()))
