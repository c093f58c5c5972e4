"""Introductions (PIPL art. 23): nobody is shown to an enterprise before their own yes.

For an approved need, matching proposes a shortlist with reasons; the organiser chooses whom to
ask; each is asked by message (the need in brief, no enterprise contact data, why they were
chosen, 1 yes / 2 no). A yes is an introduction consent for that one need and enterprise
(``consents`` purpose introduction, scope ``demand:<id>``): the enterprise is told who agreed,
with the contact details the person chose to share, and the person gets the enterprise's
contact. No answer within ``cooperation.answer_days`` is a no, and a no is never asked again
for the same need. A yes can be withdrawn; the enterprise is told.

Functions an enterprise's views may call return only people whose match is ``introduced`` and
whose consent for the need is live. Functions for organisers only are marked
``@organiser_only``; ``tests/bot/services/test_introductions.py`` calls every other public
function that takes a need or an enterprise contact and fails if one returns anyone else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import ConsentPurpose, Demand, DemandStatus, Match, MatchStatus, Talent
from bot.services import audit, consents, keep_in_touch, needs, talent_search
from bot.services import cooperation_texts as texts
from bot.services.notices import notify
from bot.validators import ValidationError

logger = logging.getLogger(__name__)

# The text of the introduction consent is the ask message itself; its version is recorded.
CONSENT_VERSION = "intro-2026-11"
SHAREABLE = {"phone": "手机", "email": "邮箱"}
BRIEF_CHARS = 80
REASONS_SHOWN = 2
# An introduction nobody reported on is followed up once, this long after.
PROGRESS_CHECK_AFTER = timedelta(days=30)
# Nobody waits on more asks than this at once: the rest stay proposed for a later round.
MAX_PENDING_ASKS = 3
# Statuses after which a person is never asked again about the same need.
ANSWERED = frozenset(
    {MatchStatus.DECLINED, MatchStatus.INTRODUCED, MatchStatus.WITHDRAWN, MatchStatus.ACCEPTED}
)

F = TypeVar("F", bound=Callable[..., object])


def organiser_only(function: F) -> F:
    """Mark a function whose results only organisers see (it may name people who said no)."""
    function.organiser_only = True  # type: ignore[attr-defined]
    return function


def consent_scope(demand: Demand) -> str:
    """Return the scope of the introduction consent for ``demand`` (one need, one enterprise)."""
    return f"demand:{demand.id}"


# --- organisers: the shortlist and whom to ask --------------------------------------------------


@dataclass(frozen=True)
class ShortlistEntry:
    """One proposed person for a need, with the reasons matching gave (organisers only)."""

    match: Match
    talent: Talent
    reasons: list[str]
    # The person said no to messages about needs (退订需求): they are not asked.
    opted_out: bool = False

    @property
    def can_be_asked(self) -> bool:
        """Return whether the person can be asked now (proposed, reachable, not opted out)."""
        return (
            self.match.status == MatchStatus.PROPOSED
            and bool(self.talent.openid)
            and self.talent.is_following
            and not self.opted_out
        )


@organiser_only
def propose_shortlist(
    session: Session,
    index: talent_search.TalentIndexCache,
    demand: Demand,
    *,
    actor: str,
    k: int | None = None,
    min_score: float | None = None,
) -> list[ShortlistEntry]:
    """Store matching's best people for an approved need as proposed; return the shortlist.

    People already asked, or who said no, keep their status (a no is never proposed again).
    ``k`` and ``min_score`` default to ``[matching]``. Raises ValidationError when the need is
    not approved.
    """
    _require_approved(demand)
    talent_search.propose_matches(session, index, demand, k=k, min_score=min_score)
    audit.record(session, actor, "propose", "demand", demand.id)
    return shortlist(session, demand)


@organiser_only
def shortlist(session: Session, demand: Demand) -> list[ShortlistEntry]:
    """Return every person proposed for ``demand`` with status and reasons, best first."""
    rows = session.execute(
        select(Match, Talent)
        .join(Talent, Talent.id == Match.talent_id)
        .where(Match.demand_id == demand.id)
        .order_by(Match.score.desc(), Match.id)
    ).all()
    return [
        ShortlistEntry(
            match, talent, list(match.reasons), keep_in_touch.opted_out(session, talent, "需求")
        )
        for match, talent in rows
    ]


@organiser_only
def ask(
    session: Session,
    demand: Demand,
    talent_ids: Iterable[int],
    *,
    actor: str,
    answer_days: int,
    now: datetime | None = None,
) -> list[Match]:
    """Ask the chosen proposed people by message; return the matches asked now.

    People already asked or who answered are left alone (never asked twice about one need);
    people who cannot be reached (imported, never followed, unfollowed) or who opted out of
    messages about needs (退订需求) are skipped, and so is anyone already waiting on
    ``MAX_PENDING_ASKS`` asks (they stay proposed).
    Raises ValidationError when the need is not approved.
    """
    _require_approved(demand)
    now = now or utcnow()
    chosen = set(talent_ids)
    asked: list[Match] = []
    for entry in shortlist(session, demand):
        if entry.talent.id not in chosen or not entry.can_be_asked:
            continue
        if len(pending_asks(session, entry.talent)) >= MAX_PENDING_ASKS:
            continue
        match = entry.match
        match.status = MatchStatus.ASKED
        match.asked_by, match.asked_at = actor, now
        match.answer_due_at = now + timedelta(days=answer_days)
        content = ask_message(demand, entry.talent, match, answer_days)
        notify(session, entry.talent.openid, content, key=f"match:{match.id}:ask")
        asked.append(match)
    audit.record(session, actor, "ask", "demand", demand.id, talents=[m.talent_id for m in asked])
    return asked


@organiser_only
def skip(session: Session, demand: Demand, talent_ids: Iterable[int], *, actor: str) -> int:
    """Take proposed people off the shortlist without asking them; return how many."""
    chosen = set(talent_ids)
    skipped = 0
    for entry in shortlist(session, demand):
        if entry.talent.id in chosen and entry.match.status == MatchStatus.PROPOSED:
            entry.match.status = MatchStatus.SKIPPED
            skipped += 1
    audit.record(session, actor, "skip", "demand", demand.id, count=skipped)
    return skipped


def ask_message(demand: Demand, talent: Talent, match: Match, answer_days: int) -> str:
    """Return the few lines that ask ``talent`` about ``demand`` (no enterprise contact data)."""
    brief = demand.description.strip().replace("\n", " ")
    if len(brief) > BRIEF_CHARS:
        brief = brief[:BRIEF_CHARS] + "…"
    why = "；".join(match.reasons[:REASONS_SHOWN]) or "您的专业方向和这个需求相近"
    return texts.ASK.format(
        name=talent.name, title=demand.title, brief=brief, why=why, days=answer_days
    )


def _require_approved(demand: Demand) -> None:
    if demand.status != DemandStatus.APPROVED:
        raise ValidationError(
            "status",
            "只有已发布的需求才能匹配和邀请人才。",
            f"demand {demand.id} is {demand.status}, not approved",
        )


# --- what an enterprise may see ----------------------------------------------------------------


@dataclass(frozen=True)
class IntroducedPerson:
    """Someone who said yes to a need, with only the contact details they chose to share."""

    match_id: int
    demand_id: int
    name: str
    where: str
    contacts: list[tuple[str, str]] = field(default_factory=list)
    introduced_at: datetime | None = None

    def describe(self) -> str:
        """Return the person in a few lines for a chat message."""
        lines = [texts.PERSON_LINE.format(name=self.name, where=self.where)]
        lines += [
            texts.PERSON_CONTACT.format(label=label, value=value) for label, value in self.contacts
        ]
        return "\n".join(lines)


def introduced_people(session: Session, demand: Demand) -> list[IntroducedPerson]:
    """Return the people who said yes to ``demand`` and have not taken it back."""
    rows = session.execute(
        select(Match, Talent)
        .join(Talent, Talent.id == Match.talent_id)
        .where(Match.demand_id == demand.id, Match.status == MatchStatus.INTRODUCED)
        .order_by(Match.introduced_at, Match.id)
    ).all()
    scope = consent_scope(demand)
    return [
        _person(match, talent)
        for match, talent in rows
        # The consent is checked live: a withdrawal elsewhere (撤回引荐) takes effect at once.
        if consents.has_consent(session, talent, ConsentPurpose.INTRODUCTION, scope)
    ]


def introductions_for_contact(
    session: Session, openid: str
) -> list[tuple[Demand, list[IntroducedPerson]]]:
    """Return, for each need the enterprise contact ``openid`` may see, who said yes."""
    return [
        (demand, introduced_people(session, demand))
        for demand in needs.visible_needs(session, openid)
    ]


def _person(match: Match, talent: Talent) -> IntroducedPerson:
    where = " · ".join(part for part in (talent.employer, talent.title) if part) or talent.city
    contacts = [
        (SHAREABLE[name], value)
        for name in match.shared_fields
        if name in SHAREABLE and (value := getattr(talent, name))
    ]
    return IntroducedPerson(
        match.id, match.demand_id, talent.name, where, contacts, match.introduced_at
    )


# --- the talent's side -------------------------------------------------------------------------


def pending_asks(session: Session, talent: Talent) -> list[Match]:
    """Return the asks ``talent`` has not answered yet, most recent first."""
    return list(
        session.scalars(
            select(Match)
            .where(Match.talent_id == talent.id, Match.status == MatchStatus.ASKED)
            .order_by(Match.asked_at.desc(), Match.id.desc())
        )
    )


def asks_of(session: Session, talent: Talent) -> list[Match]:
    """Return every need ``talent`` was asked about, most recent first (我的对接)."""
    return list(
        session.scalars(
            select(Match)
            .where(Match.talent_id == talent.id, Match.asked_at.is_not(None))
            .order_by(Match.asked_at.desc(), Match.id.desc())
        )
    )


@dataclass(frozen=True)
class Answered:
    """What answering an ask did: the match, and the enterprise's contact on a yes."""

    match: Match
    yes: bool
    enterprise_contact: str = ""
    still_pending: int = 0


def answer(
    session: Session,
    talent: Talent,
    *,
    yes: bool,
    share: Iterable[str] = ("phone", "email"),
    match: Match | None = None,
    now: datetime | None = None,
) -> Answered | None:
    """Record the person's answer to an ask (the latest unless ``match`` is given).

    On a yes: the introduction consent for that need is recorded, the enterprise is told who
    agreed with the details in ``share``, and the enterprise's contact is returned for the
    person. Returns None when nothing waits for an answer.
    """
    now = now or utcnow()
    if match is None:
        pending = pending_asks(session, talent)
        if not pending:
            return None
        match = pending[0]
    elif match.talent_id != talent.id or match.status != MatchStatus.ASKED:
        return None
    demand = match.demand
    scope = consent_scope(demand)
    consents.record_consent(
        session,
        purpose=ConsentPurpose.INTRODUCTION,
        version=CONSENT_VERSION,
        granted=yes,
        talent=talent,
        scope=scope,
    )
    match.responded_at = now
    still = len(pending_asks(session, talent)) - 1
    if not yes:
        match.status = MatchStatus.DECLINED
        audit.record(session, "self", "decline", "match", match.id)
        return Answered(match, False, still_pending=still)
    match.status = MatchStatus.INTRODUCED
    match.consented_at = match.introduced_at = now
    match.shared_fields = [name for name in SHAREABLE if name in set(share)]
    audit.record(session, "self", "introduce", "match", match.id, shared=match.shared_fields)
    person = _person(match, talent)
    content = texts.TOLD_ENTERPRISE_YES.format(title=demand.title, person=person.describe())
    for openid in needs.contact_openids(session, demand):
        notify(session, openid, content, key=f"match:{match.id}:introduced:{openid}")
    return Answered(match, True, enterprise_contact(demand), still_pending=still)


def enterprise_contact(demand: Demand) -> str:
    """Return the enterprise's contact for a need, as a person who said yes gets it."""
    enterprise = demand.enterprise
    if demand.contact is not None:
        name, phone = demand.contact.name, demand.contact.phone
    else:
        name, phone = enterprise.contact_name, enterprise.contact_phone
    parts = [enterprise.name, name, phone]
    return "，".join(part for part in parts if part)


def withdraw_yes(
    session: Session, talent: Talent, match: Match, *, now: datetime | None = None
) -> bool:
    """Take back a yes: the consent is withdrawn and the enterprise told; False if not a yes."""
    if match.talent_id != talent.id or match.status != MatchStatus.INTRODUCED:
        return False
    demand = match.demand
    consents.withdraw_consent(session, talent, ConsentPurpose.INTRODUCTION, consent_scope(demand))
    match.status, match.withdrawn_at = MatchStatus.WITHDRAWN, now or utcnow()
    audit.record(session, "self", "withdraw", "match", match.id)
    content = texts.TOLD_ENTERPRISE_WITHDRAWN.format(title=demand.title, name=talent.name)
    for openid in needs.contact_openids(session, demand):
        notify(session, openid, content, key=f"match:{match.id}:withdrawn:{openid}")
    return True


def withdraw_all(session: Session, talent: Talent, *, now: datetime | None = None) -> int:
    """Take back every yes of ``talent`` (撤回引荐 in the privacy menu); return how many.

    Each enterprise concerned is told, as with ``withdraw_yes``; pending asks become a no.
    """
    now = now or utcnow()
    count = 0
    for match in asks_of(session, talent):
        if match.status == MatchStatus.INTRODUCED and withdraw_yes(session, talent, match, now=now):
            count += 1
        elif match.status == MatchStatus.ASKED:
            answer(session, talent, yes=False, match=match, now=now)
    return count


def expire_unanswered(session: Session, *, now: datetime | None = None) -> int:
    """Count asks past their answer date as a no (never asked again); return how many."""
    now = now or utcnow()
    overdue = session.scalars(
        select(Match).where(Match.status == MatchStatus.ASKED, Match.answer_due_at < now)
    ).all()
    for match in overdue:
        match.status, match.responded_at = MatchStatus.DECLINED, now
    if overdue:
        logger.info("introductions: %d unanswered asks counted as no", len(overdue))
    return len(overdue)


def ask_how_it_went(session: Session, *, now: datetime | None = None) -> int:
    """Ask both sides of each introduction with no outcome after ``PROGRESS_CHECK_AFTER``, once.

    Returns how many introductions were followed up (their messages are keyed by the match).
    """
    from bot.models import Outcome

    now = now or utcnow()
    reported = select(Outcome.match_id).where(Outcome.match_id.is_not(None))
    rows = session.execute(
        select(Match, Talent)
        .join(Talent, Talent.id == Match.talent_id)
        .where(
            Match.status == MatchStatus.INTRODUCED,
            Match.introduced_at < now - PROGRESS_CHECK_AFTER,
            Match.id.not_in(reported),
        )
    ).all()
    followed = 0
    for match, talent in rows:
        demand = match.demand
        queued = notify(
            session,
            talent.openid,
            texts.PROGRESS_CHECK_TALENT.format(
                enterprise=demand.enterprise.name, title=demand.title
            ),
            key=f"match:{match.id}:progress-check",
        )
        for openid in needs.contact_openids(session, demand):
            content = texts.PROGRESS_CHECK_ENTERPRISE.format(name=talent.name, title=demand.title)
            notify(session, openid, content, key=f"match:{match.id}:progress-check:{openid}")
        followed += queued is not None
    return followed


def match_for_talent(session: Session, talent: Talent, match_id: int) -> Match | None:
    """Return the talent's own match ``match_id`` (None when it is someone else's)."""
    match = session.get(Match, match_id)
    return match if match is not None and match.talent_id == talent.id else None
