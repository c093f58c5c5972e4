"""What organisers do with talent records: search, read a whole profile, edit with a reason,
find duplicates and merge two records into one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Select, delete, exists, func, or_, select, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, aliased

from bot.db import utcnow
from bot.models import (
    AuditEntry,
    Consent,
    ConsentPurpose,
    ContactLogEntry,
    Demand,
    Event,
    ImportDuplicate,
    Invitation,
    LiaisonAssignment,
    Match,
    Referral,
    Talent,
    TalentStatus,
)
from bot.services import audit, talent_search, talents
from bot.validators import ValidationError

# The four ties that make a person 焦作籍 (DESIGN.md), as stored in ``Talent.ties``.
TIES = ("born", "studied", "worked", "family")
CONSENT_STATES = {"yes": "已同意入库", "pending": "导入待确认", "no": "未同意/已撤回"}
# Fields an organiser may change from the console (the person's own words otherwise).
EDITABLE_FIELDS = (
    "name",
    "city",
    "employer",
    "title",
    "education",
    "expertise",
    "phone",
    "email",
)
MATCH_CANDIDATES = 300


@dataclass(frozen=True)
class TalentSelection:
    """Filters of the talent list and of exports; empty values filter nothing."""

    text: str = ""
    keyword: str = ""
    industry: str = ""
    county: str = ""
    city: str = ""
    consent: str = ""
    source: str = ""
    tie: str = ""

    def is_empty(self) -> bool:
        return not any(vars(self).values())


@dataclass
class TalentPage:
    talents: list[Talent]
    total: int
    # Why matching found each talent (only for a free-text search).
    reasons: dict[int, list[str]] = field(default_factory=dict)


def escape_like(text: str) -> str:
    """Return ``text`` with LIKE's wildcards escaped, so % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: Any, text: str) -> Any:
    return column.like(f"%{escape_like(text)}%", escape="\\")


def registration_consented() -> Any:
    """Return the condition 'has a live registration consent'."""
    return exists().where(
        Consent.talent_id == Talent.id,
        Consent.purpose == ConsentPurpose.REGISTRATION,
        Consent.granted.is_(True),
        Consent.withdrawn_at.is_(None),
    )


def _json_contains(session: Session, column: Any, value: str) -> Any:
    """Return the condition 'JSON list ``column`` holds ``value``' on either database."""
    if session.get_bind().dialect.name == "postgresql":
        # The column is JSONB there (JSONType's variant): its @> containment.
        return type_coerce(column, JSONB).contains([value])
    element = func.json_each(column).table_valued("value").alias("element")
    return exists(select(element.c.value).where(element.c.value == value))


def filtered(session: Session, query: Select[Any], selection: TalentSelection) -> Select[Any]:
    """Return ``query`` (over Talent) narrowed by every filter of ``selection`` except text."""
    query = query.where(Talent.status == TalentStatus.ACTIVE)
    if selection.county:
        query = query.where(Talent.origin_code == selection.county)
    if selection.city:
        query = query.where(_contains(Talent.city, selection.city))
    if selection.source:
        query = query.where(Talent.source == selection.source)
    if selection.keyword:
        query = query.where(_json_contains(session, Talent.keywords, selection.keyword))
    if selection.industry:
        query = query.where(_json_contains(session, Talent.industries, selection.industry))
    if selection.tie:
        query = query.where(_json_contains(session, Talent.ties, selection.tie))
    if selection.consent == "yes":
        query = query.where(registration_consented())
    elif selection.consent == "pending":
        query = query.where(Talent.source == "import", ~registration_consented())
    elif selection.consent == "no":
        query = query.where(Talent.source != "import", ~registration_consented())
    return query


def search(
    session: Session,
    selection: TalentSelection,
    *,
    index: talent_search.TalentIndexCache | None = None,
    limit: int = 30,
    offset: int = 0,
) -> TalentPage:
    """Return one page of talents: by free text, names and employers first, then what
    matching (``index``, when given) finds in expertise, with its reasons; otherwise newest
    first."""
    base = filtered(session, select(Talent.id), selection)
    if not selection.text:
        total = int(
            session.scalar(filtered(session, select(func.count(Talent.id)), selection)) or 0
        )
        ids = list(
            session.scalars(
                base.order_by(Talent.registered_at.desc(), Talent.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        return TalentPage(_load(session, ids), total)
    text = selection.text
    literal = list(
        session.scalars(
            base.where(
                or_(
                    _contains(Talent.name, text),
                    _contains(Talent.employer, text),
                    _contains(Talent.title, text),
                    _contains(Talent.expertise, text),
                )
            ).order_by(Talent.id)
        )
    )
    reasons: dict[int, list[str]] = {}
    if index is not None:
        allowed = set(session.scalars(base))
        hits = index.search(session, text, MATCH_CANDIDATES)
        reasons = {cast(int, h.id): h.reasons for h in hits if h.score > 0 and h.id in allowed}
    ranked = literal + [tid for tid in reasons if tid not in set(literal)]
    page_ids = ranked[offset : offset + limit]
    return TalentPage(_load(session, page_ids), len(ranked), reasons)


def _load(session: Session, ids: list[int]) -> list[Talent]:
    if not ids:
        return []
    found = {t.id: t for t in session.scalars(select(Talent).where(Talent.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def select_all(
    session: Session,
    selection: TalentSelection,
    index: talent_search.TalentIndexCache | None = None,
) -> list[Talent]:
    """Return every talent the selection picks (free text as in ``search``), in id order."""
    page = search(session, selection, index=index, limit=10**9)
    return sorted(page.talents, key=lambda t: t.id)


def consent_state(session: Session, talent: Talent) -> str:
    """Return 'yes', 'pending' (imported, not yet confirmed) or 'no'."""
    if session.scalar(select(registration_consented()).where(Talent.id == talent.id)):
        return "yes"
    return "pending" if talent.source == "import" else "no"


@dataclass
class Profile:
    talent: Talent
    consent_state: str
    consents: list[Consent]
    history: list[AuditEntry]
    invitations: Sequence[tuple[Invitation, Event]]
    introductions: Sequence[tuple[Match, Demand]]
    contacts: list[ContactLogEntry]
    liaisons: list[LiaisonAssignment]


def profile(session: Session, talent: Talent) -> Profile:
    """Return everything the console shows about one talent."""
    invitations = list(
        session.execute(
            select(Invitation, Event)
            .join(Event, Event.id == Invitation.event_id)
            .where(Invitation.talent_id == talent.id)
            .order_by(Event.starts_at.desc())
        )
    )
    introductions = list(
        session.execute(
            select(Match, Demand)
            .join(Demand, Demand.id == Match.demand_id)
            .where(Match.talent_id == talent.id)
            .order_by(Match.created_at.desc())
        )
    )
    contacts = list(
        session.scalars(
            select(ContactLogEntry)
            .where(ContactLogEntry.talent_id == talent.id)
            .order_by(ContactLogEntry.at.desc())
        )
    )
    liaisons = list(
        session.scalars(select(LiaisonAssignment).where(LiaisonAssignment.talent_id == talent.id))
    )
    history = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_type == "talent", AuditEntry.subject_id == talent.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(100)
        )
    )
    consents = list(
        session.scalars(
            select(Consent)
            .where(Consent.talent_id == talent.id)
            .order_by(Consent.decided_at.desc(), Consent.id.desc())
        )
    )
    return Profile(
        talent,
        consent_state(session, talent),
        consents,
        history,
        invitations,
        introductions,
        contacts,
        liaisons,
    )


def edit(
    session: Session, talent: Talent, *, actor: str, reason: str, changes: dict[str, Any]
) -> list[str]:
    """Change a talent's fields on an organiser's word; the reason goes to the audit log.

    Raises ValidationError for a missing reason (2-200 characters) or a bad value.
    """
    reason = reason.strip()
    if not 2 <= len(reason) <= 200:
        raise ValidationError(
            "reason", "请写明修改原因（2～200字）。", "a reason of 2-200 characters"
        )
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"ties", "keywords"}
    if unknown:
        raise ValidationError(
            "field", "这一项不能在工作台修改。", f"not editable: {sorted(unknown)}"
        )
    ties = changes.pop("ties", None)
    changed = talents.update_talent(session, talent, actor=actor, **changes)
    if ties is not None:
        ties = [t for t in TIES if t in set(ties)]
        if ties != list(talent.ties):
            talent.ties = ties
            talent.updated_at = utcnow()
            changed.append("ties")
    if changed:
        audit.record(
            session, actor, "edit", "talent", talent.id, fields=sorted(changed), reason=reason
        )
    return changed


@dataclass(frozen=True)
class DuplicatePair:
    keep: Talent
    other: Talent
    reasons: list[str]


def likely_duplicates(session: Session, limit: int = 50) -> list[DuplicatePair]:
    """Return pairs of active talents with the same name and the same phone, e-mail or employer."""
    other = aliased(Talent)
    same_contact = or_(
        (Talent.phone != "") & (Talent.phone == other.phone),
        (Talent.email != "") & (Talent.email == other.email),
        (Talent.employer != "") & (Talent.employer == other.employer),
    )
    rows = session.execute(
        select(Talent, other)
        .join(other, (other.name == Talent.name) & (other.id > Talent.id))
        .where(
            Talent.status == TalentStatus.ACTIVE,
            other.status == TalentStatus.ACTIVE,
            same_contact,
        )
        .order_by(Talent.id)
        .limit(limit)
    )
    pairs = []
    for first, second in rows:
        reasons = ["同名"]
        if first.phone and first.phone == second.phone:
            reasons.append("手机相同")
        if first.email and first.email == second.email:
            reasons.append("邮箱相同")
        if first.employer and first.employer == second.employer:
            reasons.append("单位相同")
        pairs.append(DuplicatePair(first, second, reasons))
    return pairs


MERGE_TEXT_FIELDS = (
    "openid",
    "origin_code",
    "origin_name",
    "origin_text",
    "city",
    "employer",
    "title",
    "education",
    "expertise",
    "phone",
    "email",
)


def merge(session: Session, keep: Talent, other: Talent, *, actor: str) -> Talent:
    """Merge ``other`` into ``keep``: empty fields of ``keep`` are filled, lists joined, and
    consents, invitations, introductions, contacts and liaisons move over; ``other`` goes.

    Raises ValidationError when both are the same record or both have a WeChat openid.
    """
    if keep.id == other.id:
        raise ValidationError("talent", "不能和自己合并。", "same talent")
    if keep.openid and other.openid:
        raise ValidationError(
            "openid",
            "两条记录都绑定了微信，说明是两个人在用，不能合并。",
            "both records have an openid",
        )
    moved_openid = other.openid if not keep.openid else None
    if moved_openid:
        # The unique openid must leave the other record before it joins this one.
        other.openid = None
        session.flush()
    for name in MERGE_TEXT_FIELDS:
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    if moved_openid:
        keep.openid = moved_openid
    for name in ("keywords", "industries", "cooperation_wishes", "ties"):
        joined = list(dict.fromkeys([*getattr(keep, name), *getattr(other, name)]))
        setattr(keep, name, joined)
    keep.is_from_jiaozuo = keep.is_from_jiaozuo or other.is_from_jiaozuo
    keep.registered_at = min(keep.registered_at, other.registered_at)
    session.execute(update(Consent).where(Consent.talent_id == other.id).values(talent_id=keep.id))
    moved: tuple[Any, ...] = (
        ContactLogEntry.talent_id,
        ImportDuplicate.talent_id,
        Referral.referrer_id,
        Referral.credited_talent_id,
        Talent.referred_by_id,
    )
    for column in moved:
        session.execute(update(column.class_).where(column == other.id).values({column: keep.id}))
    if session.scalar(select(LiaisonAssignment.id).where(LiaisonAssignment.talent_id == keep.id)):
        session.execute(delete(LiaisonAssignment).where(LiaisonAssignment.talent_id == other.id))
    else:
        session.execute(
            update(LiaisonAssignment)
            .where(LiaisonAssignment.talent_id == other.id)
            .values(talent_id=keep.id)
        )
    # One invitation per event and one match per need: the kept record's own row wins.
    for column, key in (
        (Invitation.talent_id, Invitation.event_id),
        (Match.talent_id, Match.demand_id),
    ):
        taken = select(key).where(column == keep.id).scalar_subquery()
        session.execute(
            update(column.class_)
            .where(column == other.id, key.not_in(taken))
            .values(talent_id=keep.id)
        )
        session.execute(delete(column.class_).where(column == other.id))
    other_id = other.id
    session.delete(other)
    keep.updated_at = utcnow()
    session.flush()
    session.expire(keep, ["consents"])
    audit.record(session, actor, "merge", "talent", keep.id, merged_from=other_id)
    audit.record(session, actor, "merged_into", "talent", other_id, into=keep.id)
    return keep


def looked_after_by(session: Session, organiser_id: int, *, limit: int = 500) -> list[Talent]:
    """Return the active talents whose liaison is the console user ``organiser_id``, by name."""
    query = (
        select(Talent)
        .join(LiaisonAssignment, LiaisonAssignment.talent_id == Talent.id)
        .where(LiaisonAssignment.organiser_id == organiser_id, Talent.status == TalentStatus.ACTIVE)
        .order_by(Talent.name, Talent.id)
        .limit(limit)
    )
    return list(session.scalars(query))
