"""A liaison for every talent (一对一联络): assignment by county, industry or hand, and the log.

Each talent has at most one liaison (an organiser's console account). Rules say which organiser
looks after a county (GB/T 2260 code) or an industry, and a "default" rule names who looks after
everyone else; ``assign_by_rules`` gives every talent without a liaison the organiser of their
county, else of their first matching industry, else the default one. Every
contact (message, call, visit, note) is logged; a talent nobody was in touch with for more than
``cooperation.liaison_overdue_days`` is overdue and shown to their liaison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import (
    ConsoleUser,
    ContactChannel,
    ContactLogEntry,
    LiaisonAssignment,
    LiaisonRule,
    Role,
    Talent,
    TalentStatus,
)
from bot.services import audit
from bot.validators import ValidationError, validate_text

RULE_KINDS = ("county", "industry", "default")
# The value of the one "default" rule: the organiser of everyone no other rule names.
DEFAULT_VALUE = "*"


def _require_organiser(user: ConsoleUser) -> None:
    if user.role not in (Role.ORGANISER, Role.ADMIN) or not user.is_active:
        raise ValidationError(
            "organiser", "联络人必须是在用的组织者账号。", f"{user.username} cannot be a liaison"
        )


def add_rule(
    session: Session, organiser: ConsoleUser, kind: str, value: str, *, actor: str
) -> LiaisonRule:
    """Make ``organiser`` the liaison of a county code or an industry (replacing the previous)."""
    _require_organiser(organiser)
    if kind not in RULE_KINDS:
        raise ValidationError(
            "kind", "规则只能按县区或产业。", f"rule kind must be one of {RULE_KINDS}"
        )
    rule = session.scalars(
        select(LiaisonRule).where(LiaisonRule.kind == kind, LiaisonRule.value == value)
    ).first()
    if rule is None:
        rule = LiaisonRule(kind=kind, value=value, organiser_id=organiser.id)
        session.add(rule)
    rule.organiser_id = organiser.id
    session.flush()
    audit.record(
        session, actor, "liaison-rule", "console_user", organiser.id, kind=kind, value=value
    )
    return rule


def rules(session: Session) -> list[LiaisonRule]:
    """Return every assignment rule, by kind and value."""
    return list(session.scalars(select(LiaisonRule).order_by(LiaisonRule.kind, LiaisonRule.value)))


def assign(
    session: Session, talent: Talent, organiser: ConsoleUser, *, actor: str, basis: str = "manual"
) -> LiaisonAssignment:
    """Make ``organiser`` the liaison of ``talent`` (by hand unless ``basis`` says otherwise)."""
    _require_organiser(organiser)
    assignment = liaison_of(session, talent)
    if assignment is None:
        assignment = LiaisonAssignment(talent_id=talent.id, organiser_id=organiser.id)
        session.add(assignment)
    assignment.organiser_id, assignment.basis = organiser.id, basis
    assignment.assigned_by, assignment.assigned_at = actor, utcnow()
    session.flush()
    audit.record(session, actor, "assign-liaison", "talent", talent.id, organiser=organiser.id)
    return assignment


def liaison_of(session: Session, talent: Talent) -> LiaisonAssignment | None:
    """Return the talent's liaison assignment, or None."""
    return session.scalars(
        select(LiaisonAssignment).where(LiaisonAssignment.talent_id == talent.id)
    ).first()


def assign_by_rules(
    session: Session, *, actor: str, progress: Callable[[int], object] | None = None
) -> int:
    """Give every active talent without a liaison the one their county or industry rule names.

    Returns how many were assigned; running it twice assigns nobody the second time.
    """
    by_county = {r.value: r.organiser_id for r in rules(session) if r.kind == "county"}
    by_industry = {r.value: r.organiser_id for r in rules(session) if r.kind == "industry"}
    default = next((r.organiser_id for r in rules(session) if r.kind == "default"), None)
    if not by_county and not by_industry and default is None:
        return 0
    assigned = select(LiaisonAssignment.talent_id)
    unassigned = session.scalars(
        select(Talent)
        .where(Talent.status == TalentStatus.ACTIVE, Talent.id.not_in(assigned))
        .order_by(Talent.id)
    ).all()
    count = 0
    for talent in unassigned:
        organiser_id, basis = None, ""
        if talent.origin_code and talent.origin_code in by_county:
            organiser_id, basis = by_county[talent.origin_code], f"county:{talent.origin_code}"
        else:
            industry = next((i for i in talent.industries if i in by_industry), None)
            if industry is not None:
                organiser_id, basis = by_industry[industry], f"industry:{industry}"
            elif default is not None:
                organiser_id, basis = default, "default"
        if organiser_id is not None:
            session.add(
                LiaisonAssignment(
                    talent_id=talent.id, organiser_id=organiser_id, basis=basis, assigned_by=actor
                )
            )
            count += 1
        if progress is not None:
            progress(1)
    session.flush()
    if count:
        audit.record(session, actor, "assign-liaisons", "talent", None, count=count)
    return count


def unassigned(session: Session, *, limit: int = 200) -> list[Talent]:
    """Return active talents without a liaison, oldest registration first (to assign by hand)."""
    assigned = select(LiaisonAssignment.talent_id)
    return list(
        session.scalars(
            select(Talent)
            .where(Talent.status == TalentStatus.ACTIVE, Talent.id.not_in(assigned))
            .order_by(Talent.registered_at, Talent.id)
            .limit(limit)
        )
    )


def log_contact(
    session: Session,
    talent: Talent,
    channel: ContactChannel,
    *,
    note: str = "",
    organiser: ConsoleUser | None = None,
    at: datetime | None = None,
    actor: str,
) -> ContactLogEntry:
    """Log one contact with a talent (message, call, visit or note) with a short note."""
    entry = ContactLogEntry(
        talent_id=talent.id,
        organiser_id=organiser.id if organiser is not None else None,
        channel=channel,
        note=validate_text("note", note, label="备注", max_length=500, required=False),
        at=at or utcnow(),
        recorded_by=actor,
    )
    session.add(entry)
    session.flush()
    audit.record(session, actor, "contact", "talent", talent.id, channel=str(channel))
    return entry


def contact_log(session: Session, talent: Talent, *, limit: int = 50) -> list[ContactLogEntry]:
    """Return the talent's contact log, newest first."""
    return list(
        session.scalars(
            select(ContactLogEntry)
            .where(ContactLogEntry.talent_id == talent.id)
            .order_by(ContactLogEntry.at.desc(), ContactLogEntry.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class OverdueContact:
    """A talent nobody was in touch with for too long, and since when."""

    talent: Talent
    organiser_id: int
    last_contact_at: datetime | None
    days_since: int


def overdue(
    session: Session,
    *,
    days: int,
    organiser: ConsoleUser | None = None,
    now: datetime | None = None,
    limit: int = 200,
) -> list[OverdueContact]:
    """Return assigned talents with no contact for more than ``days`` days, longest first.

    A talent never contacted counts from their registration.
    """
    now = now or utcnow()
    last = (
        select(ContactLogEntry.talent_id, func.max(ContactLogEntry.at).label("last_at"))
        .group_by(ContactLogEntry.talent_id)
        .subquery()
    )
    query = (
        select(Talent, LiaisonAssignment.organiser_id, last.c.last_at)
        .join(LiaisonAssignment, LiaisonAssignment.talent_id == Talent.id)
        .outerjoin(last, last.c.talent_id == Talent.id)
        .where(Talent.status == TalentStatus.ACTIVE)
    )
    if organiser is not None:
        query = query.where(LiaisonAssignment.organiser_id == organiser.id)
    cutoff = now - timedelta(days=days)
    found: list[OverdueContact] = []
    for talent, organiser_id, last_at in session.execute(query):
        since = last_at or talent.registered_at
        if since.tzinfo is None:  # SQLite hands an aggregate back without our type
            since = since.replace(tzinfo=now.tzinfo)
        if since < cutoff:
            found.append(OverdueContact(talent, organiser_id, last_at, (now - since).days))
    found.sort(key=lambda row: -row.days_since)
    return found[:limit]


def assignment_counts(session: Session) -> dict[int, int]:
    """Return how many talents each organiser (by id) looks after."""
    rows = session.execute(
        select(LiaisonAssignment.organiser_id, func.count()).group_by(
            LiaisonAssignment.organiser_id
        )
    ).all()
    return {int(organiser_id): int(count) for organiser_id, count in rows}
