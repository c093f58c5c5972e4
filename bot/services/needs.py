"""A need's life after submission: review (told to the enterprise), edits, withdrawal, closing.

Statuses: pending_review → approved | rejected (with a reason) | needs_info (asked to add
something). A rejection can be reopened; an edit of the substance (title, description) of an
approved or returned need sends it back to review. The enterprise withdraws a need or closes it
as solved; the talents still waiting to answer about it are told they need not.

Who sees a need: the person who submitted it, and the enterprise's confirmed contacts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import ContactStatus, Demand, DemandStatus, EnterpriseContact, Match, MatchStatus
from bot.services import audit, enterprise_contacts, enterprises
from bot.services import cooperation_texts as texts
from bot.services.analysis import analyse
from bot.services.notices import notify
from bot.validators import ValidationError, validate_text
from bot.vocabulary import COOPERATION_MODES

# Changing these sends an approved need back to review; budget and deadline do not.
SUBSTANCE_FIELDS = frozenset({"title", "description"})
EDITABLE_FIELDS = ("title", "description", "cooperation_mode", "deadline", "budget")
OPEN_STATUSES = frozenset(
    {DemandStatus.PENDING_REVIEW, DemandStatus.NEEDS_INFO, DemandStatus.APPROVED}
)


class ReviewDecision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ASK_MORE = "ask_more"  # returned to the enterprise to add something


@dataclass(frozen=True)
class Submitted:
    """A need submitted by chat and what the submitter is to the enterprise."""

    demand: Demand
    contact: EnterpriseContact

    @property
    def is_claim(self) -> bool:
        """Return whether the submitter still waits to be confirmed as the enterprise's contact."""
        return self.contact.status != ContactStatus.CONFIRMED


def submit_need(
    session: Session,
    *,
    enterprise_name: str,
    credit_code: str,
    contact_name: str,
    contact_phone: str,
    openid: str,
    title: str,
    description: str,
    cooperation_mode: str = "",
    deadline: date | None = None,
    budget: str = "",
    actor: str = "wechat",
) -> Submitted:
    """Record a need submitted by chat, and the submitter as contact (or claimant) of the firm.

    A claimant's name and phone stay on their own contact record; the enterprise's confirmed
    contacts are asked whether they know them. Raises ValidationError on a bad value.
    """
    known = enterprises.get_enterprise_by_credit_code(session, credit_code)
    # Read before registering: registering fills an empty chat contact with this person.
    on_record = known is None or known.contact_openid == openid
    enterprise = enterprises.register_enterprise(
        session,
        name=enterprise_name,
        credit_code=credit_code,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_openid=openid,
        actor=actor,
    )
    contact = enterprise_contacts.speak_for(
        session,
        enterprise,
        openid=openid,
        name=contact_name,
        phone=contact_phone,
        on_record=on_record,
        actor=actor,
    )
    demand = enterprises.submit_demand(
        session,
        enterprise,
        title=title,
        description=description,
        cooperation_mode=cooperation_mode,
        deadline=deadline,
        budget=budget,
        submitted_by_openid=openid,
        actor=actor,
    )
    demand.contact_id = contact.id
    submitted = Submitted(demand, contact)
    if submitted.is_claim:
        enterprise_contacts.tell_confirmed_contacts(session, contact, demand)
    return submitted


# --- who sees what ------------------------------------------------------------------------------


def visible_needs(session: Session, openid: str, *, limit: int = 50) -> list[Demand]:
    """Return the needs ``openid`` may see, newest first: their own and their firms' (confirmed)."""
    confirmed = select(EnterpriseContact.enterprise_id).where(
        EnterpriseContact.openid == openid, EnterpriseContact.status == ContactStatus.CONFIRMED
    )
    query = (
        select(Demand)
        .where(or_(Demand.submitted_by_openid == openid, Demand.enterprise_id.in_(confirmed)))
        .order_by(Demand.created_at.desc(), Demand.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def can_see(session: Session, demand: Demand, openid: str) -> bool:
    """Return whether ``openid`` may see (and act on) ``demand``."""
    if demand.submitted_by_openid == openid:
        return True
    return enterprise_contacts.is_confirmed(session, demand.enterprise, openid)


def contact_openids(session: Session, demand: Demand) -> list[str]:
    """Return whom to tell about a need: its submitter and the firm's confirmed contacts."""
    openids = [demand.submitted_by_openid] if demand.submitted_by_openid else []
    for contact in enterprise_contacts.confirmed_contacts(session, demand.enterprise):
        if contact.openid and contact.openid not in openids:
            openids.append(contact.openid)
    return openids


def _tell_enterprise(session: Session, demand: Demand, content: str, key: str) -> int:
    told = 0
    for openid in contact_openids(session, demand):
        if notify(session, openid, content, key=f"{key}:{openid}"):
            told += 1
    return told


# --- review ------------------------------------------------------------------------------------


def review_need(
    session: Session,
    demand: Demand,
    *,
    decision: ReviewDecision,
    reviewer: str,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """Decide a need waiting for review and tell the enterprise by message.

    A rejection or a request for more needs a ``note`` (the reason the enterprise reads).
    Raises ValidationError when the need is not waiting for review or the reason is missing.
    """
    now = now or utcnow()
    if demand.status != DemandStatus.PENDING_REVIEW:
        raise ValidationError(
            "status",
            "这条需求已经审核过了。",
            f"demand {demand.id} is {demand.status}, not pending",
        )
    note = note.strip()
    if decision is not ReviewDecision.APPROVE and not note:
        raise ValidationError(
            "note",
            "退回或请企业补充时，请写明原因，企业会看到。",
            "a rejection or a request for more needs a reason",
        )
    demand.status = {
        ReviewDecision.APPROVE: DemandStatus.APPROVED,
        ReviewDecision.REJECT: DemandStatus.REJECTED,
        ReviewDecision.ASK_MORE: DemandStatus.NEEDS_INFO,
    }[decision]
    demand.review_note = validate_text(
        "note", note, label="审核意见", max_length=500, required=False
    )
    demand.reviewed_by, demand.reviewed_at = reviewer, now
    demand.review_round = (demand.review_round or 0) + 1
    if decision is ReviewDecision.APPROVE and demand.approved_at is None:
        demand.approved_at = now
    audit.record(session, reviewer, str(decision), "demand", demand.id)
    if decision is ReviewDecision.APPROVE:
        content = texts.REVIEW_APPROVED.format(title=demand.title)
        if note:
            content += "\n" + texts.REVIEW_APPROVED_NOTE.format(note=note)
    elif decision is ReviewDecision.REJECT:
        content = texts.REVIEW_REJECTED.format(title=demand.title, note=note)
    else:
        content = texts.REVIEW_NEEDS_INFO.format(title=demand.title, note=note)
    _tell_enterprise(session, demand, content, f"need:{demand.id}:review:{demand.review_round}")


def reopen_need(session: Session, demand: Demand, *, actor: str) -> None:
    """Put a rejected need back in review; raise ValidationError when it was not rejected."""
    if demand.status != DemandStatus.REJECTED:
        raise ValidationError(
            "status", "只有未通过的需求可以重新审核。", f"demand {demand.id} is {demand.status}"
        )
    demand.status = DemandStatus.PENDING_REVIEW
    audit.record(session, actor, "reopen", "demand", demand.id)
    _tell_enterprise(
        session,
        demand,
        texts.REOPENED.format(title=demand.title),
        f"need:{demand.id}:reopen:{demand.review_round}",
    )


# --- the enterprise's own changes ---------------------------------------------------------------


def edit_need(session: Session, demand: Demand, *, actor: str, **changes: object) -> list[str]:
    """Change a need; return the fields that changed. Raises ValidationError on a bad value.

    A change of title or description sends an approved need back to review; any change sends a
    need the organiser returned for more back to review.
    """
    if demand.status not in OPEN_STATUSES and demand.status != DemandStatus.REJECTED:
        raise ValidationError(
            "status", "这条需求已经结束，不能再修改了。", f"demand {demand.id} is {demand.status}"
        )
    cleaned = _clean_changes(changes)
    changed = [name for name, value in cleaned.items() if getattr(demand, name) != value]
    for name in changed:
        setattr(demand, name, cleaned[name])
    if not changed:
        return []
    if SUBSTANCE_FIELDS & set(changed):
        analysis = analyse(f"{demand.title}。{demand.description}")
        demand.keywords, demand.industries = analysis.keywords, analysis.industries
    back_to_review = demand.status == DemandStatus.NEEDS_INFO or (
        demand.status in (DemandStatus.APPROVED, DemandStatus.REJECTED)
        and bool(SUBSTANCE_FIELDS & set(changed))
    )
    if back_to_review:
        demand.status = DemandStatus.PENDING_REVIEW
    demand.updated_at = utcnow()
    audit.record(session, actor, "update", "demand", demand.id, fields=sorted(changed))
    return changed


def _clean_changes(changes: dict[str, object]) -> dict[str, object]:
    cleaned: dict[str, object] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(name, "这一项不能修改。", f"unknown need field {name!r}")
        if name == "title":
            cleaned[name] = validate_text(name, str(value), label="需求标题", max_length=100)
        elif name == "description":
            cleaned[name] = validate_text(name, str(value), label="需求描述", max_length=4000)
        elif name == "budget":
            cleaned[name] = validate_text(
                name, str(value or ""), label="预算", max_length=60, required=False
            )
        elif name == "cooperation_mode":
            if value and value not in COOPERATION_MODES:
                raise ValidationError(
                    name,
                    f"合作方式请从这些里选：{'、'.join(COOPERATION_MODES)}。",
                    f"cooperation mode must be one of {', '.join(COOPERATION_MODES)}",
                )
            cleaned[name] = value or ""
        elif name == "deadline":
            if value is not None and not isinstance(value, date):
                raise ValidationError(name, "截止日期格式不对。", "deadline must be a date")
            if isinstance(value, date) and value < utcnow().date():
                raise ValidationError(
                    name, "截止日期已经过去了，请填一个今天以后的日期。", "deadline is in the past"
                )
            cleaned[name] = value
    return cleaned


def withdraw_need(session: Session, demand: Demand, *, actor: str) -> int:
    """Withdraw a need; the talents still asked about it are told. Return how many were told."""
    return _end(session, demand, DemandStatus.WITHDRAWN, actor, texts.HOW_WITHDRAWN)


def close_need(session: Session, demand: Demand, *, actor: str) -> int:
    """Close a need as solved; the talents still asked about it are told. Return how many."""
    return _end(session, demand, DemandStatus.CLOSED, actor, texts.HOW_CLOSED)


def _end(session: Session, demand: Demand, status: DemandStatus, actor: str, how: str) -> int:
    if demand.status in (DemandStatus.CLOSED, DemandStatus.WITHDRAWN):
        raise ValidationError(
            "status", "这条需求已经结束了。", f"demand {demand.id} is {demand.status} already"
        )
    demand.status, demand.closed_at = status, utcnow()
    audit.record(session, actor, str(status), "demand", demand.id)
    waiting = session.scalars(
        select(Match).where(
            Match.demand_id == demand.id,
            Match.status.in_([MatchStatus.PROPOSED, MatchStatus.ASKED]),
        )
    ).all()
    told = 0
    for match in waiting:
        if match.status == MatchStatus.ASKED:
            openid = match_openid(session, match)
            content = texts.NEED_CANCELLED.format(title=demand.title, how=how)
            if notify(session, openid, content, key=f"match:{match.id}:cancelled"):
                told += 1
        match.status = MatchStatus.CANCELLED
    return told


def match_openid(session: Session, match: Match) -> str | None:
    """Return the openid of the talent of ``match`` (None for imported people)."""
    from bot.models import Talent

    return session.scalar(select(Talent.openid).where(Talent.id == match.talent_id))
