"""Invitee lists and the event messages: propose, edit, preview, send, remind, thank.

Everything here only queues messages in the outbox (one dedupe key per person and purpose:
``invite:<event>:<talent>``, ``remind24:<event>:<talent>``, ``offer:<event>:<participant>:<n>``,
``thanks:<event>:<talent>``); the sender chooses each person's channel and respects quiet hours.
Running any of these twice queues nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.db import utcnow
from bot.models import ConsentPurpose, Event, EventStatus, Invitation, InvitationStatus, Talent
from bot.services import event_messages, events, outbox, talent_search

logger = logging.getLogger(__name__)

S = InvitationStatus
# Invitations queued per INSERT statement.
SEND_BATCH = 500
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class InviteeFilters:
    """Who may be proposed; empty fields do not filter. Lists match on any overlap."""

    industries: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()  # GB/T 2260 codes of the origin county
    city: str = ""  # current city (substring of the talent's city)
    province: str = ""  # current province (substring of the talent's city, 省/市 dropped)
    attended_before: bool | None = None  # True: only past attendees; False: only newcomers
    wishes: tuple[str, ...] = ()  # cooperation wishes


@dataclass(frozen=True)
class Proposal:
    """A talent proposed for an event with the matching's score and reasons."""

    talent: Talent
    score: float
    reasons: list[str]


@dataclass
class SendSummary:
    """What ``send_invitations`` did."""

    queued: int = 0
    already: int = 0
    no_openid: list[int] = field(default_factory=list)
    no_consent: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.queued} invitations queued, {self.already} already sent, "
            f"{len(self.no_openid)} without WeChat, {len(self.no_consent)} consent withdrawn"
        )


@dataclass(frozen=True)
class ChannelPreview:
    """How an invitation looks on each channel (None: the channel is not configured)."""

    customer_service: str
    template: dict[str, Any] | None
    subscribe: dict[str, Any] | None


def attended_talent_ids(session: Session, exclude_event: int | None = None) -> set[int]:
    """Return the ids of talents who attended any event (other than ``exclude_event``)."""
    query = select(Invitation.talent_id).where(
        Invitation.status == S.ATTENDED, Invitation.talent_id.is_not(None)
    )
    if exclude_event is not None:
        query = query.where(Invitation.event_id != exclude_event)
    return {tid for tid in session.scalars(query) if tid is not None}


def _passes(talent: Talent, filters: InviteeFilters, attended: set[int]) -> bool:
    if filters.industries and not set(filters.industries) & set(talent.industries):
        return False
    if filters.counties and talent.origin_code not in filters.counties:
        return False
    if filters.city and filters.city not in talent.city:
        return False
    province = filters.province.removesuffix("省").removesuffix("市").removesuffix("自治区")
    if province and province not in talent.city:
        return False
    if filters.wishes and not set(filters.wishes) & set(talent.cooperation_wishes):
        return False
    if filters.attended_before is not None and (talent.id in attended) != filters.attended_before:
        return False
    return True


def propose_invitees(
    session: Session,
    index: talent_search.TalentIndexCache,
    event: Event,
    *,
    k: int = 50,
    filters: InviteeFilters | None = None,
    min_score: float | None = None,
) -> list[Proposal]:
    """Return up to ``k`` talents fitting the event's topics, best first, with reasons.

    ``index`` is the process's talent index (``Runtime.talent_index``, or a fresh
    ``TalentIndexCache`` in one-off commands). Only people whose invitation consent stands,
    who follow the account and are not yet on the event's list are proposed; ``filters``
    narrow the list. Nothing is stored (see ``save_proposals``).
    """
    filters = filters or InviteeFilters()
    listed = set(
        session.scalars(select(Invitation.talent_id).where(Invitation.event_id == event.id))
    )
    attended = attended_talent_ids(session, exclude_event=event.id)
    # Filters drop hits after the search: ask for more than k.
    hits = talent_search.match_event(session, index, event, k=k * 4 + 20, min_score=min_score)
    proposals = [
        Proposal(hit.talent, hit.score, hit.reasons)
        for hit in hits
        if hit.talent.id not in listed
        and hit.talent.openid
        and hit.talent.is_following
        and _passes(hit.talent, filters, attended)
    ]
    return proposals[:k]


def save_proposals(session: Session, event: Event, proposals: Iterable[Proposal]) -> int:
    """Put the proposed talents on the event's draft list; return how many were new."""
    added = 0
    for proposal in proposals:
        before = events.participation(session, event.id, talent_id=proposal.talent.id)
        if before is None:
            events.propose_invitation(
                session, event, proposal.talent, score=proposal.score, reasons=proposal.reasons
            )
            added += 1
    return added


def add_invitee(session: Session, event: Event, talent: Talent) -> Invitation:
    """Add a talent to the draft list by hand (the organiser's choice; idempotent)."""
    return events.propose_invitation(session, event, talent, reasons=["组织者添加"], source="added")


def remove_invitee(session: Session, event: Event, talent_id: int) -> bool:
    """Take a talent off the draft list; False when not there or already invited."""
    return events.remove_invitation(session, event, talent_id)


def h5_link(config: Config, event: Event) -> str:
    """Return the address of the event's H5 RSVP page."""
    return f"{config.app.base_url.rstrip('/')}/h5/events/{event.id}"


def _zone(config: Config) -> tzinfo:
    return ZoneInfo(config.app.timezone)


def _payload(
    config: Config, event: Event, talent: Talent | None, reasons: list[str], text: str
) -> dict[str, Any]:
    payload: dict[str, Any] = {"content": text, "event_id": event.id}
    name = talent.name if talent else ""
    data = event_messages.template_data(event, _zone(config), name)
    link = h5_link(config, event)
    if config.events.invitation_subscribe_template_id:
        payload["subscribe"] = {
            "template_id": config.events.invitation_subscribe_template_id,
            "data": data,
            "page": link,
        }
    if config.events.invitation_template_id:
        payload["template"] = {
            "template_id": config.events.invitation_template_id,
            "data": data,
            "url": link,
        }
    return payload


def preview(config: Config, event: Event, talent: Talent | None = None) -> ChannelPreview:
    """Return how the invitation reads on each channel (for ``talent``, or a sample person)."""
    name = talent.name if talent else "张老师"
    reasons = ["研究方向与活动主题相符"]
    text = event_messages.invitation(
        event, _zone(config), name=name, reasons=reasons, link=h5_link(config, event)
    )
    payload = _payload(config, event, talent, reasons, text)
    return ChannelPreview(text, payload.get("template"), payload.get("subscribe"))


def send_invitations(
    session: Session,
    config: Config,
    event: Event,
    *,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> SendSummary:
    """Queue an invitation for everyone on the draft list whose consent still stands.

    The event opens for registration. Each person moves to ``invited``; their invitation is
    queued under ``invite:<event>:<talent>``, so sending again queues nothing twice.
    ``progress`` is called with the number of people handled since its last call.
    """
    now = now or utcnow()
    summary = SendSummary()
    if event.status is EventStatus.DRAFT:
        event.status = EventStatus.OPEN
    rows = [
        (invitation, talent)
        for invitation, talent in events.participants(session, event, [S.PROPOSED])
        if talent is not None
    ]
    allowed = talent_search.consenting(
        session, [talent.id for _, talent in rows], ConsentPurpose.INVITATIONS
    )
    zone, link = _zone(config), h5_link(config, event)
    batch: list[tuple[Invitation, outbox.Queued]] = []
    for invitation, talent in rows:
        if not talent.openid:
            summary.no_openid.append(talent.id)
        elif talent.id not in allowed:
            summary.no_consent.append(talent.id)
        else:
            text = event_messages.invitation(
                event, zone, name=talent.name, reasons=list(invitation.reasons), link=link
            )
            message = outbox.Queued(
                openid=talent.openid,
                payload=_payload(config, event, talent, list(invitation.reasons), text),
                dedupe_key=f"invite:{event.id}:{talent.id}",
                proactive=True,
            )
            batch.append((invitation, message))
        if len(batch) >= SEND_BATCH:
            _queue_batch(session, batch, summary, now)
            batch = []
        if progress is not None:
            progress(1)
    _queue_batch(session, batch, summary, now)
    session.flush()
    logger.info("event %s: %s", event.id, summary)
    return summary


def _queue_batch(
    session: Session,
    batch: list[tuple[Invitation, outbox.Queued]],
    summary: SendSummary,
    now: datetime,
) -> None:
    new = outbox.queue_many(session, [message for _, message in batch])
    for invitation, message in batch:
        if message.dedupe_key in new:
            summary.queued += 1
        else:
            summary.already += 1
        events.transition(invitation, S.INVITED, now)


def queue_offer(
    session: Session, event: Event, invitation: Invitation, zone: tzinfo = SHANGHAI
) -> None:
    """Queue the message offering a freed seat (one per offer made)."""
    openid = invitation.openid or events._talent_openid(session, invitation.talent_id)
    if not openid or invitation.offer_expires_at is None:
        return
    stamp = int(invitation.offer_expires_at.timestamp())
    outbox.queue(
        session,
        kind="text",
        openid=openid,
        payload={
            "content": event_messages.offer(event, zone, invitation.offer_expires_at),
            "event_id": event.id,
        },
        dedupe_key=f"offer:{event.id}:{invitation.id}:{stamp}",
        proactive=True,
    )


def queue_decision(
    session: Session, event: Event, invitation: Invitation, zone: tzinfo = SHANGHAI
) -> bool:
    """Tell the person the organiser's decision on their registration; return whether queued."""
    openid = invitation.openid or events._talent_openid(session, invitation.talent_id)
    if not openid:
        return False
    return outbox.queue(
        session,
        kind="text",
        openid=openid,
        payload={
            "content": event_messages.decision(event, zone, InvitationStatus(invitation.status)),
            "event_id": event.id,
        },
        dedupe_key=f"decision:{event.id}:{invitation.id}",
        proactive=True,
    )


def queue_cancellation(session: Session, event: Event, zone: tzinfo = SHANGHAI) -> int:
    """Tell everyone expected or still answering that the event is cancelled; return how many."""
    told = 0
    waiting = [S.INVITED, S.REGISTERED, S.AWAITING_APPROVAL, S.WAITLISTED, S.OFFERED]
    for invitation, talent in events.participants(session, event, waiting):
        openid = _openid_of(invitation, talent)
        if openid:
            told += outbox.queue(
                session,
                kind="text",
                openid=openid,
                payload={
                    "content": event_messages.cancelled(event, zone),
                    "event_id": event.id,
                },
                dedupe_key=f"cancel:{event.id}:{_person_key(invitation)}",
                proactive=True,
            )
    return told


def _openid_of(invitation: Invitation, talent: Talent | None) -> str | None:
    return (talent.openid if talent else None) or invitation.openid


def _person_key(invitation: Invitation) -> str:
    return str(invitation.talent_id) if invitation.talent_id is not None else f"p{invitation.id}"


def queue_reminders(session: Session, config: Config, now: datetime | None = None) -> int:
    """Queue the reminders due now (``events.first/second_reminder_hours`` before the start).

    A reminder is due from its lead time until the start; only the nearest one is sent to
    someone who registered late (no 24 h reminder two hours before). Returns how many queued.
    """
    now = now or utcnow()
    leads = sorted(
        {h for h in (config.events.first_reminder_hours, config.events.second_reminder_hours) if h}
    )
    if not leads:
        return 0
    soon = session.scalars(
        select(Event).where(
            Event.status.in_([EventStatus.OPEN, EventStatus.CLOSED]),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(hours=leads[-1]),
        )
    )
    queued = 0
    zone = _zone(config)
    for event in soon:
        # The nearest lead whose window we are in: 2 h before, the 2 h reminder, not the 24 h one.
        lead = next(h for h in leads if event.starts_at - timedelta(hours=h) <= now)
        for invitation, talent in events.participants(session, event, events.EXPECTED):
            openid = _openid_of(invitation, talent)
            if not openid:
                continue
            queued += outbox.queue(
                session,
                kind="text",
                openid=openid,
                payload={
                    "content": event_messages.reminder(event, zone, lead),
                    "event_id": event.id,
                },
                dedupe_key=f"remind{lead}:{event.id}:{_person_key(invitation)}",
                proactive=True,
            )
            invitation.reminded_at = invitation.reminded_at or now
    session.flush()
    return queued


def queue_thanks(session: Session, config: Config, now: datetime | None = None) -> int:
    """Queue the thank-you (with its feedback question) to attendees of events that ended.

    Only for events that ended within the last three days. Returns how many queued.
    """
    now = now or utcnow()
    duration = config.events.default_duration_hours
    recent = session.scalars(
        select(Event).where(
            Event.starts_at < now,
            Event.starts_at > now - timedelta(days=3, hours=duration),
            Event.status != EventStatus.CANCELLED,
        )
    )
    queued = 0
    for event in recent:
        if not now - timedelta(days=3) <= events.ends_at(event, duration) <= now:
            continue
        for invitation, talent in events.participants(session, event, [S.ATTENDED]):
            openid = _openid_of(invitation, talent)
            if not openid:
                continue
            queued += outbox.queue(
                session,
                kind="text",
                openid=openid,
                payload={"content": event_messages.thanks(event), "event_id": event.id},
                dedupe_key=f"thanks:{event.id}:{_person_key(invitation)}",
                proactive=True,
            )
    return queued
