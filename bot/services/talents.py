"""Create, change, find, export and erase talents."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, func, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from bot.db import utcnow
from bot.models import (
    Talent,
    TalentStatus,
)
from bot.services import audit
from bot.services.analysis import analyse
from bot.validators import ValidationError, validate_email, validate_mobile, validate_text
from bot.vocabulary import COOPERATION_WISHES, EDUCATION_LEVELS
from matching import classify_discipline_codes

# Fields a person (or an organiser) may change, with their bounds.
TEXT_FIELDS: dict[str, tuple[str, int, bool]] = {
    "name": ("姓名", 32, True),
    "city": ("工作城市", 32, False),
    "employer": ("工作单位", 100, False),
    "title": ("职务/职称", 50, False),
    "expertise": ("专业领域", 2000, False),
    "origin_text": ("籍贯", 100, False),
    "origin_name": ("籍贯", 64, False),
}
OTHER_FIELDS = {
    "origin_code",
    "is_from_jiaozuo",
    "education",
    "keywords",
    "cooperation_wishes",
    "phone",
    "email",
    "industries",
}
PERSONAL_EXPORT_FIELDS = (
    "name",
    "origin_name",
    "origin_text",
    "is_from_jiaozuo",
    "city",
    "employer",
    "title",
    "education",
    "expertise",
    "keywords",
    "industries",
    "cooperation_wishes",
    "phone",
    "email",
    "source",
)


@dataclass(frozen=True)
class TalentFilter:
    county: str | None = None
    industry: str | None = None
    city: str | None = None
    text: str | None = None
    include_demo: bool = True


# A letter of any script (Chinese characters included): what a keyword must contain.
_HAS_WORD = re.compile(r"[^\W\d_]")


def clean_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise talent fields; raise ValidationError naming the first bad one."""
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field in TEXT_FIELDS:
            label, max_length, required = TEXT_FIELDS[field]
            cleaned[field] = validate_text(
                field, str(value), label=label, max_length=max_length, required=required
            )
        elif field == "phone":
            cleaned[field] = validate_mobile(value) if value else ""
        elif field == "email":
            cleaned[field] = validate_email(value) if value else ""
        elif field == "education":
            if value and value not in EDUCATION_LEVELS:
                raise ValidationError(
                    field,
                    f"学历请从这些里选：{'、'.join(EDUCATION_LEVELS)}。",
                    f"education must be one of {', '.join(EDUCATION_LEVELS)}",
                )
            cleaned[field] = value or ""
        elif field == "cooperation_wishes":
            wishes = list(dict.fromkeys(value))
            unknown = [wish for wish in wishes if wish not in COOPERATION_WISHES]
            if unknown:
                raise ValidationError(
                    field,
                    f"合作意向请从这些里选：{'、'.join(COOPERATION_WISHES)}。",
                    f"unknown cooperation wishes: {', '.join(unknown)}",
                )
            cleaned[field] = wishes
        elif field in {"keywords", "industries"}:
            terms = [validate_text(field, str(t), label="关键词", max_length=30) for t in value]
            if any(t and not _HAS_WORD.search(t) for t in terms):
                # "5" or "--" after a prompt is no term: nothing to match on.
                raise ValidationError(
                    field,
                    "关键词要写成词语，例如：锂电池、氩弧焊、税务筹划。",
                    f"a {field} term has no letter or Chinese character",
                )
            cleaned[field] = list(dict.fromkeys(t for t in terms if t))[:20]
        elif field in OTHER_FIELDS:
            cleaned[field] = value
        else:
            raise ValidationError(field, "这一项不能修改。", f"unknown talent field {field!r}")
    return cleaned


def create_talent(
    session: Session,
    *,
    name: str,
    openid: str | None = None,
    source: str = "chat",
    is_demo: bool = False,
    actor: str = "system",
    **fields: Any,
) -> Talent:
    """Add a talent, deriving keywords and industries from the expertise text when not given."""
    cleaned = clean_fields({"name": name, **fields})
    talent = Talent(openid=openid, source=source, is_demo=is_demo, **cleaned)
    _derive_analysis(talent, keywords_given="keywords" in cleaned)
    if openid is not None:
        talent.last_interaction_at = utcnow()
    session.add(talent)
    session.flush()
    audit.record(session, actor, "create", "talent", talent.id, source=source)
    return talent


def update_talent(session: Session, talent: Talent, *, actor: str, **changes: Any) -> list[str]:
    """Apply validated changes; return the names of the fields that really changed."""
    cleaned = clean_fields(changes)
    changed = [field for field, value in cleaned.items() if getattr(talent, field) != value]
    for field in changed:
        setattr(talent, field, cleaned[field])
    if "expertise" in changed:
        _derive_analysis(talent, keywords_given="keywords" in cleaned)
    if changed:
        talent.updated_at = utcnow()
        audit.record(session, actor, "update", "talent", talent.id, fields=sorted(changed))
    return changed


def _derive_analysis(talent: Talent, *, keywords_given: bool) -> None:
    text = talent.expertise or ""
    analysis = analyse(text, exclude=(talent.employer, talent.city, talent.name))
    if not keywords_given:
        talent.keywords = analysis.keywords
    talent.industries = analysis.industries
    talent.discipline_codes = classify_discipline_codes(text) if text.strip() else []


def get_talent(session: Session, talent_id: int) -> Talent | None:
    """Return the talent with ``talent_id`` or None."""
    return session.get(Talent, talent_id)


# session.info key: openid -> talent id (None: not registered) as read when the session's
# delivery was claimed, so the dialogs of one message ask the database once, not once per look.
# Forgotten as soon as the session adds, deletes or bulk-changes a talent, or rolls back.
_KNOWN_IDS = "huaicai.talent_ids"


def remember_talent_id(session: Session, openid: str, talent_id: int | None) -> None:
    """Note the talent id of ``openid`` (None: not registered) as read in this transaction."""
    session.info.setdefault(_KNOWN_IDS, {})[openid] = talent_id


def _known_id(session: Session, openid: str) -> tuple[bool, int | None]:
    known: dict[str, int | None] = session.info.get(_KNOWN_IDS, {})
    return (openid in known, known.get(openid))


def is_registered(session: Session, openid: str) -> bool:
    """Return whether someone is registered with ``openid`` (no query when already known)."""
    known, talent_id = _known_id(session, openid)
    if known:
        return talent_id is not None
    return get_talent_by_openid(session, openid) is not None


def get_talent_by_openid(session: Session, openid: str) -> Talent | None:
    """Return the talent registered with ``openid`` or None."""
    known, talent_id = _known_id(session, openid)
    if known:
        if talent_id is None:
            return None
        talent = session.get(Talent, talent_id)
        if talent is not None and talent.openid == openid and talent not in session.deleted:
            return talent
    talent = session.scalars(select(Talent).where(Talent.openid == openid)).first()
    remember_talent_id(session, openid, talent.id if talent is not None else None)
    return talent


def _forget_known_ids(session: Session, *_args: object) -> None:
    session.info.pop(_KNOWN_IDS, None)


@event.listens_for(Session, "transient_to_pending")
def _forget_on_add(session: Session, instance: object) -> None:
    if isinstance(instance, Talent):
        _forget_known_ids(session)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_bulk_change(state: ORMExecuteState) -> None:
    # Any INSERT, UPDATE or DELETE statement on the talents table (ORM-enabled or not).
    if not state.is_select and getattr(state.statement, "table", None) is _TALENTS:
        _forget_known_ids(state.session)


event.listen(Session, "after_soft_rollback", _forget_known_ids)
event.listen(Session, "after_commit", _forget_known_ids)


# Runs on every inbound message: built once, on the table, so no per-call statement building
# or ORM bookkeeping (the person's talent row is not loaded yet when it runs). A message is
# not a profile change: updated_at (which the match index syncs on) keeps its value.
_TALENTS = cast(Table, Talent.__table__)
TOUCH_INTERACTION = (
    update(_TALENTS)
    .where(_TALENTS.c.openid == bindparam("person"))
    .values(
        last_interaction_at=bindparam("at"), is_following=True, updated_at=_TALENTS.c.updated_at
    )
)


# The person's talent id by openid, and the column an UPDATE of their row returns for it.
TALENT_ID = select(_TALENTS.c.id).where(_TALENTS.c.openid == bindparam("person"))
TALENT_ID_COLUMN = _TALENTS.c.id


def touch_interaction(session: Session, openid: str, at: datetime | None = None) -> None:
    """Note that the person just wrote to us (opens the 48-hour customer-service window)."""
    session.execute(TOUCH_INTERACTION, {"person": openid, "at": at or utcnow()})


def find_talents(
    session: Session, filters: TalentFilter | None = None, *, limit: int = 50, offset: int = 0
) -> list[Talent]:
    """Return active talents matching ``filters``, newest first."""
    query = _filtered(select(Talent), filters or TalentFilter())
    query = (
        query.order_by(Talent.registered_at.desc(), Talent.id.desc()).limit(limit).offset(offset)
    )
    return list(session.scalars(query))


def list_talents(
    session: Session,
    filters: TalentFilter | None = None,
    *,
    actor: str,
    view: str,
    limit: int = 50,
    offset: int = 0,
) -> list[Talent]:
    """Return a page of ``find_talents`` for someone to see, logged as one audit entry naming them.

    ``view`` says where they are shown (``"console talent list"``); use this, not
    ``find_talents``, wherever people's data is displayed or exported.
    """
    rows = find_talents(session, filters, limit=limit, offset=offset)
    audit.record_shown(session, actor, "list", [talent.id for talent in rows], view=view)
    return rows


def show_talent(session: Session, talent_id: int, *, actor: str) -> Talent | None:
    """Return the talent for someone to see (None if absent), logged as a read."""
    talent = get_talent(session, talent_id)
    if talent is not None:
        audit.record(session, actor, "read", "talent", talent.id)
    return talent


def export_talents(
    session: Session, filters: TalentFilter | None = None, *, actor: str, limit: int = 10_000
) -> list[dict[str, Any]]:
    """Return the personal fields of every matching talent, logged as one export naming them."""
    rows = find_talents(session, filters, limit=limit)
    audit.record_shown(session, actor, "export", [talent.id for talent in rows], view="export")
    return [
        {"id": talent.id, **{field: getattr(talent, field) for field in PERSONAL_EXPORT_FIELDS}}
        for talent in rows
    ]


def count_talents(session: Session, filters: TalentFilter | None = None) -> int:
    """Return how many active talents match ``filters``."""
    query = _filtered(select(func.count(Talent.id)), filters or TalentFilter())
    return int(session.scalar(query) or 0)


def _filtered(query: Any, filters: TalentFilter) -> Any:
    query = query.where(Talent.status == TalentStatus.ACTIVE)
    if filters.county:
        query = query.where(Talent.origin_code == filters.county)
    if filters.city:
        query = query.where(Talent.city == filters.city)
    if not filters.include_demo:
        query = query.where(Talent.is_demo.is_(False))
    if filters.text:
        pattern = f"%{filters.text}%"
        query = query.where(
            or_(
                Talent.name.like(pattern),
                Talent.employer.like(pattern),
                Talent.expertise.like(pattern),
            )
        )
    return query


def iter_active_talents(session: Session) -> Iterable[Talent]:
    """Yield every active talent (for building the match index)."""
    query = select(Talent).where(Talent.status == TalentStatus.ACTIVE).order_by(Talent.id)
    yield from session.scalars(query)


def export_talent(session: Session, talent: Talent, *, actor: str) -> dict[str, Any]:
    """Return everything we hold about a talent, and log that it was exported."""
    data: dict[str, Any] = {field: getattr(talent, field) for field in PERSONAL_EXPORT_FIELDS}
    data["registered_at"] = talent.registered_at.isoformat()
    data["consents"] = [
        {
            "purpose": str(consent.purpose),
            "scope": consent.scope,
            "version": consent.version,
            "granted": consent.granted,
            "decided_at": consent.decided_at.isoformat(),
            "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        }
        for consent in talent.consents
    ]
    audit.record(session, actor, "export", "talent", talent.id)
    return data


def erase_talent(session: Session, talent: Talent, *, actor: str) -> None:
    """Delete a person's personal data on request (PIPL art. 47), leaving nothing personal.

    See ``bot.services.erasure``: the talent row and everything under their openid go, their
    values are cleared where they were copied; the audit log keeps the bare fact and the id.
    """
    from bot.services import erasure

    erasure.erase_person(session, talent=talent, openid=talent.openid, actor=actor)


def erase_openid_traces(session: Session, openid: str) -> None:
    """Delete what is stored under an openid outside the talent row."""
    from bot.services import erasure

    erasure.erase_person(session, talent=None, openid=openid, actor="system")
