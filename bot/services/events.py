"""Events and their participants: statuses, seats, the waitlist, check-in and attendance.

A participant's status moves only along ``TRANSITIONS`` (the CiviCRM/Odoo vocabulary). Seats are
held by ``registered``, ``offered`` and ``attended`` participants. Every change that may take or
free a seat first locks the event's row (``lock_event``: a no-op UPDATE, which is a row lock on
PostgreSQL and the write lock on SQLite), so two people taking the last seat at the same moment
are served one after the other: one gets it, the other is waitlisted.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import Event, EventStatus, Invitation, InvitationStatus, Talent
from bot.models.events import EventKind
from bot.services import audit
from bot.validators import ValidationError, validate_text

logger = logging.getLogger(__name__)

S = InvitationStatus
# Who may become what. Removing a proposed invitee deletes the row instead.
TRANSITIONS: dict[InvitationStatus, frozenset[InvitationStatus]] = {
    S.PROPOSED: frozenset(
        {S.INVITED, S.REGISTERED, S.AWAITING_APPROVAL, S.WAITLISTED, S.DECLINED, S.ATTENDED}
    ),
    S.INVITED: frozenset({S.REGISTERED, S.AWAITING_APPROVAL, S.WAITLISTED, S.DECLINED, S.ATTENDED}),
    S.DECLINED: frozenset({S.REGISTERED, S.AWAITING_APPROVAL, S.WAITLISTED, S.ATTENDED}),
    S.AWAITING_APPROVAL: frozenset(
        {S.REGISTERED, S.WAITLISTED, S.DECLINED, S.CANCELLED, S.ATTENDED}
    ),
    S.WAITLISTED: frozenset({S.OFFERED, S.REGISTERED, S.CANCELLED, S.ATTENDED}),
    S.OFFERED: frozenset({S.REGISTERED, S.CANCELLED, S.ATTENDED}),
    S.REGISTERED: frozenset({S.CANCELLED, S.ATTENDED, S.NO_SHOW}),
    S.CANCELLED: frozenset({S.REGISTERED, S.AWAITING_APPROVAL, S.WAITLISTED, S.ATTENDED}),
    # A no-show who turns out to have come (checked in late, corrected by an organiser).
    S.NO_SHOW: frozenset({S.ATTENDED}),
    S.ATTENDED: frozenset(),
}
SEAT_HOLDERS = frozenset({S.REGISTERED, S.OFFERED, S.ATTENDED})
# Statuses in which a person is still expected (reminders go to them).
EXPECTED = frozenset({S.REGISTERED})
# Statuses whose invitation is still open for an answer.
ANSWERABLE = frozenset({S.INVITED, S.OFFERED, S.PROPOSED})
KINDS = tuple(kind.value for kind in EventKind)

_EVENTS = cast(Table, Event.__table__)


class InvalidTransition(ValueError):
    """A participant cannot move from their status to the one asked for."""

    def __init__(self, current: InvitationStatus, wanted: InvitationStatus) -> None:
        super().__init__(f"cannot go from {current.value} to {wanted.value}")
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True)
class RsvpResult:
    """What an answer did: ``outcome`` is one of registered, awaiting_approval, waitlisted,
    declined, cancelled, unchanged, closed (deadline passed or event not open), not_invited."""

    outcome: str
    invitation: Invitation | None
    event: Event | None


@dataclass(frozen=True)
class CheckIn:
    """What a scan did: ``outcome`` is checked_in, walk_in, already, too_early, ended,
    cancelled (the event) or unknown (no such event)."""

    outcome: str
    event: Event | None
    # The walk-in row created by the scan (other outcomes read rows as little as possible).
    invitation: Invitation | None = None
    invitation_id: int | None = None
    checked_in_at: datetime | None = None


# --- events --------------------------------------------------------------------------------


def normalise_kind(text: str) -> str:
    """Return the event kind ``text`` names ('院地科技合作洽谈会' is a 洽谈会); '' stays ''.

    Raises ValidationError when it names none of ``KINDS``.
    """
    text = text.strip()
    if not text or text in KINDS:
        return text
    named = [kind for kind in KINDS if kind in text]
    if len(named) != 1:
        raise ValidationError(
            "kind", f"活动类型只能是：{'、'.join(KINDS)}。", f"unknown event kind {text!r}"
        )
    return named[0]


def _validated(
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    description: str,
    kind: str,
    capacity: int | None,
    rsvp_deadline: datetime | None,
    location: str,
    online_url: str,
) -> dict[str, Any]:
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(
            "ends_at", "结束时间要晚于开始时间。", "ends_at must be after starts_at"
        )
    if capacity is not None and capacity <= 0:
        raise ValidationError("capacity", "人数上限要大于0。", "capacity must be positive")
    if rsvp_deadline is not None and rsvp_deadline > starts_at:
        raise ValidationError(
            "rsvp_deadline", "报名截止时间不能晚于活动开始。", "rsvp_deadline after starts_at"
        )
    kind = normalise_kind(kind)
    if online_url and not online_url.startswith(("http://", "https://")):
        raise ValidationError("online_url", "线上链接要以 http 开头。", "online_url not a URL")
    return {
        "title": validate_text("title", title, label="活动名称", max_length=100),
        "description": validate_text(
            "description", description, label="活动介绍", max_length=4000, required=False
        ),
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "rsvp_deadline": rsvp_deadline,
        "location": validate_text(
            "location", location, label="地点", max_length=128, required=False
        ),
        "online_url": online_url,
    }


def create_event(
    session: Session,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    description: str = "",
    kind: str = "",
    topics: list[str] | None = None,
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
    rsvp_deadline: datetime | None = None,
    needs_approval: bool = False,
    status: EventStatus = EventStatus.DRAFT,
    is_demo: bool = False,
    actor: str = "system",
) -> Event:
    """Create an event with its own QR check-in scene; raise ValidationError on bad fields."""
    fields = _validated(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        kind=kind,
        capacity=capacity,
        rsvp_deadline=rsvp_deadline,
        location=location,
        online_url=online_url,
    )
    event = Event(
        **fields,
        topics=[t.strip() for t in (topics or []) if t.strip()],
        needs_approval=needs_approval,
        status=status,
        is_demo=is_demo,
        # WeChat string scenes allow 64 characters; a random part keeps them unguessable.
        qr_scene=f"event-{secrets.token_hex(6)}",
    )
    session.add(event)
    session.flush()
    audit.record(session, actor, "create", "event", event.id)
    return event


def edit_event(session: Session, event: Event, *, actor: str = "system", **changes: Any) -> Event:
    """Change an event's fields (same names as ``create_event``); raise ValidationError."""
    allowed = {
        "title", "starts_at", "ends_at", "description", "kind", "topics", "location",
        "online_url", "capacity", "rsvp_deadline", "needs_approval", "status",
    }  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown event fields: {', '.join(sorted(unknown))}")
    current = {
        name: changes.get(name, getattr(event, name))
        for name in (
            "title", "starts_at", "ends_at", "description", "kind", "capacity",
            "rsvp_deadline", "location", "online_url",
        )
    }  # fmt: skip
    fields = _validated(**current)
    for name, value in fields.items():
        setattr(event, name, value)
    if "topics" in changes:
        event.topics = [t.strip() for t in changes["topics"] if t.strip()]
    if "needs_approval" in changes:
        event.needs_approval = bool(changes["needs_approval"])
    cancelled_now = False
    if "status" in changes:
        wanted = EventStatus(changes["status"])
        cancelled_now = wanted is EventStatus.CANCELLED and event.status is not wanted
        event.status = wanted
    session.flush()
    audit.record(session, actor, "update", "event", event.id, fields=sorted(changes))
    if cancelled_now:
        from bot.services import invitations  # the message side of a cancellation

        invitations.queue_cancellation(session, event)
    if "capacity" in changes:
        locked = lock_event(session, event.id)
        assert locked is not None  # noqa: S101 - the event exists
        offer_freed_seats(session, locked)
    return event


def get_event(session: Session, event_id: int) -> Event | None:
    """Return the event with ``event_id`` or None."""
    return session.get(Event, event_id)


def get_event_by_scene(session: Session, scene: str) -> Event | None:
    """Return the event whose QR scene is ``scene`` or None."""
    return session.scalars(select(Event).where(Event.qr_scene == scene)).first()


def list_events(
    session: Session, limit: int = 50, *, upcoming_from: datetime | None = None
) -> list[Event]:
    """Return events, soonest first (only those not yet ended after ``upcoming_from``)."""
    query = select(Event).order_by(Event.starts_at, Event.id).limit(limit)
    if upcoming_from is not None:
        query = query.where(func.coalesce(Event.ends_at, Event.starts_at) >= upcoming_from)
    return list(session.scalars(query))


def ends_at(event: Event, default_duration_hours: int = 3) -> datetime:
    """Return when the event ends (its end, or its start plus the default duration)."""
    return event.ends_at or event.starts_at + timedelta(hours=default_duration_hours)


def deadline(event: Event) -> datetime:
    """Return when registration closes."""
    return event.rsvp_deadline or event.starts_at


def lock_event(session: Session, event_id: int) -> Event | None:
    """Lock the event's row for this transaction and return it (None when it does not exist).

    Call it before reading anything that decides about seats: on SQLite the UPDATE takes the
    database's write lock, on PostgreSQL the row lock, and both last until commit.
    """
    locked = session.execute(
        update(_EVENTS).where(_EVENTS.c.id == event_id).values(capacity=_EVENTS.c.capacity)
    )
    if not locked.rowcount:  # type: ignore[attr-defined]
        return None
    event = session.get(Event, event_id, populate_existing=True)
    return event


def request_qr_ticket(client: Any, scene: str) -> str:
    """Create the permanent string-scene QR code of ``scene`` through WeChat; return its ticket.

    ``client`` is a ``bot.wechat.client.HuaiCaiWeChatClient``. Call it outside a database
    transaction (the token store may need the database), then ``set_qr_ticket``. Raises
    RuntimeError when WeChat refuses.
    """
    outcome = client.call(
        "post",
        "qrcode/create",
        {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}},
    )
    if not outcome.ok or not outcome.result or not outcome.result.get("ticket"):
        raise RuntimeError(f"qrcode/create for scene {scene} failed: {outcome.describe()}")
    return str(outcome.result["ticket"])


def set_qr_ticket(session: Session, event: Event, ticket: str) -> None:
    """Keep the ticket of the event's QR code (the first one wins; permanent codes last)."""
    if not event.qr_ticket:
        event.qr_ticket = ticket
        session.flush()


def qr_image_url(event: Event, api_base_url: str) -> str:
    """Return where the QR image of the event's ticket is shown ('' before it was created)."""
    if not event.qr_ticket:
        return ""
    base = api_base_url.rstrip("/")
    return f"{base}/showqrcode?ticket={event.qr_ticket}"


# --- participants --------------------------------------------------------------------------


def participation(
    session: Session, event_id: int, *, talent_id: int | None = None, openid: str | None = None
) -> Invitation | None:
    """Return the person's participation row in the event (by talent, else by openid)."""
    conditions = []
    if talent_id is not None:
        conditions.append(Invitation.talent_id == talent_id)
    if openid:
        conditions.append(Invitation.openid == openid)
    if not conditions:
        return None
    return session.scalars(
        select(Invitation)
        .where(Invitation.event_id == event_id, or_(*conditions))
        .order_by(Invitation.id)
        .limit(1)
    ).first()


def transition(invitation: Invitation, wanted: InvitationStatus, now: datetime) -> None:
    """Move ``invitation`` to ``wanted``; raise InvalidTransition when the table forbids it."""
    current = InvitationStatus(invitation.status)
    if wanted not in TRANSITIONS[current]:
        raise InvalidTransition(current, wanted)
    invitation.status = wanted
    invitation.updated_at = now
    if wanted is S.INVITED:
        invitation.sent_at = invitation.sent_at or now
    elif wanted in {S.REGISTERED, S.DECLINED, S.CANCELLED, S.AWAITING_APPROVAL}:
        invitation.responded_at = now
    if wanted is S.WAITLISTED:
        invitation.waitlisted_at = now
        invitation.responded_at = invitation.responded_at or now
    if wanted is not S.OFFERED:
        invitation.offer_expires_at = None
    if wanted is S.ATTENDED:
        invitation.checked_in_at = now


def seats_taken(session: Session, event_id: int) -> int:
    """Return how many seats are held (registered, offered, attended)."""
    return int(
        session.scalar(
            select(func.count(Invitation.id)).where(
                Invitation.event_id == event_id, Invitation.status.in_(SEAT_HOLDERS)
            )
        )
        or 0
    )


def _has_seat(session: Session, event: Event) -> bool:
    return event.capacity is None or seats_taken(session, event.id) < event.capacity


def _talent_openid(session: Session, talent_id: int | None) -> str | None:
    if talent_id is None:
        return None
    return session.scalar(select(Talent.openid).where(Talent.id == talent_id))


def _talent_id_of(session: Session, openid: str) -> int | None:
    return session.scalar(select(Talent.id).where(Talent.openid == openid))


def participation_of(session: Session, event_id: int, openid: str) -> Invitation | None:
    """Return the participation row of the person with ``openid`` (as a talent, else by openid)."""
    return participation(session, event_id, talent_id=_talent_id_of(session, openid), openid=openid)


def register(
    session: Session,
    event_id: int,
    *,
    talent_id: int | None = None,
    openid: str | None = None,
    now: datetime | None = None,
    source: str = "self",
) -> RsvpResult:
    """Register the person for the event: a seat, the approval queue or the waitlist.

    Locks the event first (see ``lock_event``); people not invited may register themselves
    (``source``). Returns the outcome; never raises for a person's answer.
    """
    now = now or utcnow()
    event = lock_event(session, event_id)
    if event is None:
        return RsvpResult("closed", None, None)
    if talent_id is None and openid:
        talent_id = _talent_id_of(session, openid)
    invitation = participation(session, event_id, talent_id=talent_id, openid=openid)
    if invitation is not None and invitation.status in (SEAT_HOLDERS - {S.OFFERED}) | {
        S.AWAITING_APPROVAL,
        S.WAITLISTED,
    }:
        return RsvpResult("unchanged", invitation, event)
    if event.status is not EventStatus.OPEN or now >= deadline(event):
        return RsvpResult("closed", invitation, event)
    if invitation is None:
        invitation = Invitation(
            event_id=event_id,
            talent_id=talent_id,
            openid=openid or _talent_openid(session, talent_id),
            status=S.PROPOSED,
            source=source,
            created_at=now,
        )
        session.add(invitation)
    if invitation.status is S.OFFERED:
        if invitation.offer_expires_at is not None and invitation.offer_expires_at <= now:
            return RsvpResult("closed", invitation, event)
        transition(invitation, S.REGISTERED, now)
    elif invitation.status is S.NO_SHOW:
        return RsvpResult("closed", invitation, event)
    elif event.needs_approval:
        transition(invitation, S.AWAITING_APPROVAL, now)
    elif _has_seat(session, event):
        transition(invitation, S.REGISTERED, now)
    else:
        transition(invitation, S.WAITLISTED, now)
    session.flush()
    logger.info("event %s: participant %s %s", event_id, invitation.id, invitation.status)
    return RsvpResult(str(invitation.status), invitation, event)


def decline(
    session: Session,
    event_id: int,
    *,
    talent_id: int | None = None,
    openid: str | None = None,
    now: datetime | None = None,
    offer_hours: int = 24,
) -> RsvpResult:
    """Decline an invitation, or cancel a registration (the seat goes to the waitlist)."""
    now = now or utcnow()
    event = lock_event(session, event_id)
    if event is None:
        return RsvpResult("closed", None, None)
    if talent_id is None and openid:
        talent_id = _talent_id_of(session, openid)
    invitation = participation(session, event_id, talent_id=talent_id, openid=openid)
    if invitation is None:
        return RsvpResult("not_invited", None, event)
    status = InvitationStatus(invitation.status)
    if status in {S.PROPOSED, S.INVITED}:
        transition(invitation, S.DECLINED, now)
        outcome = "declined"
    elif status in {S.REGISTERED, S.OFFERED, S.WAITLISTED, S.AWAITING_APPROVAL}:
        if now >= ends_at(event):
            return RsvpResult("closed", invitation, event)
        transition(invitation, S.CANCELLED, now)
        outcome = "cancelled"
    else:
        return RsvpResult("unchanged", invitation, event)
    session.flush()
    if status in SEAT_HOLDERS:
        offer_freed_seats(session, event, now=now, offer_hours=offer_hours)
    return RsvpResult(outcome, invitation, event)


def approve(
    session: Session, invitation_id: int, *, approved: bool, now: datetime | None = None,
    actor: str = "system",
) -> Invitation:  # fmt: skip
    """Decide on a registration awaiting approval (a seat, or the waitlist when full).

    The person is told the decision. Raises LookupError for an unknown participant and
    InvalidTransition when they are not awaiting approval.
    """
    now = now or utcnow()
    # Lock the event before reading anything (SQLite: take the write lock first).
    of_event = select(Invitation.event_id).where(Invitation.id == invitation_id).scalar_subquery()
    session.execute(
        update(_EVENTS).where(_EVENTS.c.id == of_event).values(capacity=_EVENTS.c.capacity)
    )
    invitation = session.get(Invitation, invitation_id, populate_existing=True)
    if invitation is None:
        raise LookupError(f"no participant {invitation_id}")
    event = session.get(Event, invitation.event_id, populate_existing=True)
    assert event is not None  # noqa: S101 - the foreign key holds
    if invitation.status is not S.AWAITING_APPROVAL:
        raise InvalidTransition(InvitationStatus(invitation.status), S.REGISTERED)
    if not approved:
        transition(invitation, S.DECLINED, now)
    elif _has_seat(session, event):
        transition(invitation, S.REGISTERED, now)
    else:
        transition(invitation, S.WAITLISTED, now)
    session.flush()
    audit.record(session, actor, "approve" if approved else "reject", "invitation", invitation.id)
    from bot.services import invitations  # the message side of a decision

    invitations.queue_decision(session, event, invitation)
    return invitation


def offer_freed_seats(
    session: Session, event: Event, *, now: datetime | None = None, offer_hours: int = 24
) -> list[Invitation]:
    """Offer free seats to the waitlist, longest waiting first; return the offers made.

    The caller holds the event's lock. Each offer holds its seat until it expires.
    """
    now = now or utcnow()
    if event.status is not EventStatus.OPEN or now >= event.starts_at:
        return []
    offers: list[Invitation] = []
    while _has_seat(session, event):
        waiting = session.scalars(
            select(Invitation)
            .where(Invitation.event_id == event.id, Invitation.status == S.WAITLISTED)
            .order_by(Invitation.waitlisted_at, Invitation.id)
            .limit(1)
        ).first()
        if waiting is None:
            break
        transition(waiting, S.OFFERED, now)
        # The offer never outlives registration.
        waiting.offer_expires_at = min(now + timedelta(hours=offer_hours), deadline(event))
        session.flush()
        offers.append(waiting)
    if offers:
        from bot.services import invitations  # the message side of an offer

        for offer in offers:
            invitations.queue_offer(session, event, offer)
    return offers


def expire_offers(session: Session, now: datetime | None = None, *, offer_hours: int = 24) -> int:
    """Cancel seat offers past their time limit and offer the seats on; return how many."""
    now = now or utcnow()
    event_ids = list(
        session.scalars(
            select(Invitation.event_id)
            .where(Invitation.status == S.OFFERED, Invitation.offer_expires_at <= now)
            .distinct()
        )
    )
    expired = 0
    for event_id in event_ids:
        event = lock_event(session, event_id)
        if event is None:  # pragma: no cover - deleted meanwhile
            continue
        rows = session.scalars(
            select(Invitation).where(
                Invitation.event_id == event_id,
                Invitation.status == S.OFFERED,
                Invitation.offer_expires_at <= now,
            )
        )
        for invitation in rows:
            transition(invitation, S.CANCELLED, now)
            expired += 1
        session.flush()
        offer_freed_seats(session, event, now=now, offer_hours=offer_hours)
    return expired


def check_in(
    session: Session,
    scene: str,
    *,
    openid: str,
    now: datetime | None = None,
    default_duration_hours: int = 3,
    early_hours: int = 12,
) -> CheckIn:
    """Check the person in at the event whose QR scene is ``scene`` (walk-ins recorded too).

    Check-in opens ``early_hours`` before the start and closes at the event's end. Only the
    person's own row is locked (a queue at the door is not served one by one); someone
    present counts even beyond the capacity.
    """
    now = now or utcnow()
    talent_id = select(Talent.id).where(Talent.openid == openid).scalar_subquery()
    # One round trip: the event, the person's talent id and their participation, if any.
    found = session.execute(
        select(Event, Invitation.id, Invitation.status, Invitation.checked_in_at, talent_id)
        .outerjoin(
            Invitation,
            and_(
                Invitation.event_id == Event.id,
                or_(Invitation.openid == openid, Invitation.talent_id == talent_id),
            ),
        )
        .where(Event.qr_scene == scene)
        .order_by(Invitation.id)
        .limit(1)
    ).first()
    if found is None:
        return CheckIn("unknown", None)
    event, row_id, status, checked_in_at, person = found
    if event.status is EventStatus.CANCELLED:
        return CheckIn("cancelled", event)
    if status == S.ATTENDED:
        return CheckIn("already", event, invitation_id=row_id, checked_in_at=checked_in_at)
    if now < event.starts_at - timedelta(hours=early_hours):
        return CheckIn("too_early", event, invitation_id=row_id)
    if now > ends_at(event, default_duration_hours):
        return CheckIn("ended", event, invitation_id=row_id)
    if row_id is None:
        walk_in = Invitation(
            event_id=event.id,
            talent_id=person,
            openid=openid,
            status=S.PROPOSED,
            source="walk_in",
            created_at=now,
        )
        transition(walk_in, S.ATTENDED, now)
        try:
            with session.begin_nested():
                session.add(walk_in)
        except IntegrityError:
            # Another scan of the same person got in first.
            return CheckIn("already", event, checked_in_at=now)
        logger.info("event %s: %s checked in (walk_in)", event.id, openid)
        return CheckIn("walk_in", event, walk_in, walk_in.id, now)
    # Every status may become attended (TRANSITIONS); the WHERE makes a second scan racing
    # this one find nothing to change (the row lock makes it wait for this one's commit).
    changed = session.execute(
        update(Invitation)
        .where(Invitation.id == row_id, Invitation.status != S.ATTENDED)
        .values(
            status=S.ATTENDED,
            checked_in_at=now,
            updated_at=now,
            offer_expires_at=None,
            talent_id=func.coalesce(Invitation.talent_id, person),
        )
        .execution_options(synchronize_session="fetch")
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        return CheckIn("already", event, invitation_id=row_id, checked_in_at=now)
    outcome = "checked_in" if status == S.REGISTERED else "walk_in"
    logger.info("event %s: %s checked in (%s)", event.id, openid, outcome)
    return CheckIn(outcome, event, invitation_id=row_id, checked_in_at=now)


def link_walk_ins(session: Session, openid: str, talent: Talent) -> None:
    """Attach participation rows recorded under ``openid`` to the person's new talent record."""
    for row in session.scalars(
        select(Invitation).where(Invitation.openid == openid, Invitation.talent_id.is_(None))
    ):
        if participation(session, row.event_id, talent_id=talent.id) is None:
            row.talent_id = talent.id


def mark_no_shows(
    session: Session, now: datetime | None = None, *, default_duration_hours: int = 3
) -> int:
    """Mark registered people who never checked in as no-shows once the event ended."""
    now = now or utcnow()
    ended = [
        event
        for event in session.scalars(
            select(Event)
            .join(Invitation, Invitation.event_id == Event.id)
            .where(Invitation.status == S.REGISTERED, Event.starts_at < now)
            .distinct()
        )
        if ends_at(event, default_duration_hours) <= now
    ]
    marked = 0
    for event in ended:
        for invitation in session.scalars(
            select(Invitation).where(
                Invitation.event_id == event.id, Invitation.status == S.REGISTERED
            )
        ):
            transition(invitation, S.NO_SHOW, now)
            marked += 1
    session.flush()
    return marked


def propose_invitation(
    session: Session,
    event: Event,
    talent: Talent,
    *,
    score: float = 0.0,
    reasons: list[str] | None = None,
    source: str = "proposed",
) -> Invitation:
    """Put a talent on an event's invitee list (idempotent)."""
    invitation = participation(session, event.id, talent_id=talent.id)
    if invitation is None:
        invitation = Invitation(
            event_id=event.id,
            talent_id=talent.id,
            openid=talent.openid,
            score=score,
            reasons=reasons or [],
            source=source,
            status=S.PROPOSED,
        )
        session.add(invitation)
        session.flush()
    return invitation


def remove_invitation(session: Session, event: Event, talent_id: int) -> bool:
    """Take a talent off the draft list; return False when not on it (or already invited)."""
    invitation = participation(session, event.id, talent_id=talent_id)
    if invitation is None or invitation.status is not S.PROPOSED:
        return False
    session.delete(invitation)
    session.flush()
    return True


def count_invitations(
    session: Session, event: Event, status: InvitationStatus | None = None
) -> int:
    """Return how many participants an event has (in ``status`` when given)."""
    query = select(func.count(Invitation.id)).where(Invitation.event_id == event.id)
    if status is not None:
        query = query.where(Invitation.status == status)
    return int(session.scalar(query) or 0)


def status_counts(session: Session, event: Event) -> dict[InvitationStatus, int]:
    """Return the number of participants in each status."""
    rows = session.execute(
        select(Invitation.status, func.count())
        .where(Invitation.event_id == event.id)
        .group_by(Invitation.status)
    ).all()
    counts = dict.fromkeys(InvitationStatus, 0)
    counts.update({InvitationStatus(status): int(n) for status, n in rows})
    return counts


def participants(
    session: Session, event: Event, statuses: Iterable[InvitationStatus] | None = None
) -> list[tuple[Invitation, Talent | None]]:
    """Return the event's participants (optionally in ``statuses``) with their talent rows.

    Waitlisted people come in waitlist order; everyone else by name.
    """
    query = (
        select(Invitation, Talent)
        .outerjoin(Talent, Talent.id == Invitation.talent_id)
        .where(Invitation.event_id == event.id)
        .order_by(Invitation.waitlisted_at, Talent.name, Invitation.id)
    )
    if statuses is not None:
        query = query.where(Invitation.status.in_(list(statuses)))
    return [(row[0], row[1]) for row in session.execute(query).all()]


ATTENDANCE_COLUMNS = (
    "姓名", "工作单位", "职称", "所在城市", "状态", "来源", "报名时间", "签到时间", "反馈",
)  # fmt: skip
STATUS_NAMES = {
    S.PROPOSED: "拟邀请",
    S.INVITED: "已邀请",
    S.REGISTERED: "已报名",
    S.DECLINED: "不参加",
    S.AWAITING_APPROVAL: "待审核",
    S.WAITLISTED: "候补",
    S.OFFERED: "候补转正待确认",
    S.CANCELLED: "已取消",
    S.ATTENDED: "已签到",
    S.NO_SHOW: "未到场",
}
SOURCE_NAMES = {
    "proposed": "匹配推荐",
    "added": "组织者添加",
    "self": "自行报名",
    "walk_in": "现场签到",
}


def attendance_rows(
    session: Session, event: Event, *, zone: Any, actor: str = "system"
) -> list[dict[str, str]]:
    """Return one row per participant for export (columns ``ATTENDANCE_COLUMNS``; local times).

    Recorded in the audit log: the rows carry personal data.
    """

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = []
    shown: list[int] = []
    for invitation, talent in participants(session, event):
        if invitation.status is S.PROPOSED:
            continue
        if talent is not None:
            shown.append(talent.id)
        rows.append(
            dict(
                zip(
                    ATTENDANCE_COLUMNS,
                    (
                        talent.name if talent else "（未登记）",
                        talent.employer if talent else "",
                        talent.title if talent else "",
                        talent.city if talent else "",
                        STATUS_NAMES[InvitationStatus(invitation.status)],
                        SOURCE_NAMES.get(invitation.source, invitation.source),
                        local(invitation.responded_at),
                        local(invitation.checked_in_at),
                        invitation.feedback,
                    ),
                    strict=True,
                )
            )
        )
    audit.record_shown(session, actor, "export", shown, view=f"event {event.id} attendance")
    return rows


def events_of(
    session: Session, openid: str, now: datetime, *, default_duration_hours: int = 3
) -> list[tuple[Event, Invitation]]:
    """Return the person's events not yet over, soonest first, with their participation."""
    talent_id = session.scalar(select(Talent.id).where(Talent.openid == openid))
    who = Invitation.openid == openid
    if talent_id is not None:
        who = or_(who, Invitation.talent_id == talent_id)
    rows = session.execute(
        select(Event, Invitation)
        .join(Invitation, Invitation.event_id == Event.id)
        .where(
            who,
            Invitation.status != S.PROPOSED,
            Event.status.in_([EventStatus.OPEN, EventStatus.CLOSED]),
        )
        .order_by(Event.starts_at, Event.id)
    ).all()
    return [
        (event, invitation)
        for event, invitation in rows
        if ends_at(event, default_duration_hours) > now
    ]


def open_invitations(
    session: Session, openid: str, now: datetime
) -> list[tuple[Event, Invitation]]:
    """Return the person's invitations (and seat offers) still open for an answer."""
    return [
        (event, invitation)
        for event, invitation in events_of(session, openid, now)
        if invitation.status in {S.INVITED, S.OFFERED} and now < deadline(event)
    ]


def upcoming_open_events(session: Session, now: datetime, limit: int = 20) -> list[Event]:
    """Return open events whose registration is still open, soonest first."""
    candidates = session.scalars(
        select(Event)
        .where(Event.status == EventStatus.OPEN, Event.starts_at > now)
        .order_by(Event.starts_at, Event.id)
        .limit(limit * 3)
    )
    return [event for event in candidates if deadline(event) > now][:limit]


def events_that_fit(
    session: Session, talent: Talent | None, now: datetime, limit: int = 5
) -> list[Event]:
    """Return open upcoming events, those whose topics meet the person's profile first."""
    events = upcoming_open_events(session, now)
    if talent is None:
        return events[:limit]
    profile = " ".join([talent.expertise, *talent.keywords, *talent.industries])

    def overlap(event: Event) -> int:
        return sum(1 for topic in event.topics if topic and topic in profile)

    return sorted(events, key=lambda event: (-overlap(event), event.starts_at))[:limit]


def record_feedback(session: Session, openid: str, text: str, now: datetime) -> Event | None:
    """Keep a one-line feedback on the person's latest attended event (last 14 days)."""
    talent_id = session.scalar(select(Talent.id).where(Talent.openid == openid))
    who = Invitation.openid == openid
    if talent_id is not None:
        who = or_(who, Invitation.talent_id == talent_id)
    row = session.execute(
        select(Event, Invitation)
        .join(Invitation, Invitation.event_id == Event.id)
        .where(who, Invitation.status == S.ATTENDED, Event.starts_at > now - timedelta(days=14))
        .order_by(Event.starts_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    event, invitation = row
    invitation.feedback = text[:500]
    session.flush()
    return event
