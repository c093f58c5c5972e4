"""Create events and keep their invitation lists."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Event, EventStatus, Invitation, InvitationStatus, Talent
from bot.services import audit
from bot.validators import ValidationError, validate_text


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
    capacity: int | None = None,
    status: EventStatus = EventStatus.DRAFT,
    is_demo: bool = False,
    actor: str = "system",
) -> Event:
    """Create an event with its own QR check-in scene."""
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(
            "ends_at", "结束时间要晚于开始时间。", "ends_at must be after starts_at"
        )
    if capacity is not None and capacity <= 0:
        raise ValidationError("capacity", "人数上限要大于0。", "capacity must be positive")
    event = Event(
        title=validate_text("title", title, label="活动名称", max_length=100),
        description=validate_text(
            "description", description, label="活动介绍", max_length=4000, required=False
        ),
        kind=kind,
        topics=[t for t in (topics or []) if t.strip()],
        location=location,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        status=status,
        is_demo=is_demo,
        # WeChat string scenes allow 64 characters; a random part keeps them unguessable.
        qr_scene=f"event-{secrets.token_hex(6)}",
    )
    session.add(event)
    session.flush()
    audit.record(session, actor, "create", "event", event.id)
    return event


def get_event(session: Session, event_id: int) -> Event | None:
    """Return the event with ``event_id`` or None."""
    return session.get(Event, event_id)


def get_event_by_scene(session: Session, scene: str) -> Event | None:
    """Return the event whose QR scene is ``scene`` or None."""
    return session.scalars(select(Event).where(Event.qr_scene == scene)).first()


def list_events(session: Session, limit: int = 50) -> list[Event]:
    """Return events, soonest first."""
    return list(session.scalars(select(Event).order_by(Event.starts_at).limit(limit)))


def propose_invitation(
    session: Session,
    event: Event,
    talent: Talent,
    *,
    score: float = 0.0,
    reasons: list[str] | None = None,
) -> Invitation:
    """Put a talent on an event's invitee list (idempotent)."""
    invitation = session.scalars(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.talent_id == talent.id)
    ).first()
    if invitation is None:
        invitation = Invitation(
            event_id=event.id, talent_id=talent.id, score=score, reasons=reasons or []
        )
        session.add(invitation)
        session.flush()
    return invitation


def count_invitations(
    session: Session, event: Event, status: InvitationStatus | None = None
) -> int:
    """Return how many invitations an event has (in ``status`` when given)."""
    query = select(func.count(Invitation.id)).where(Invitation.event_id == event.id)
    if status is not None:
        query = query.where(Invitation.status == status)
    return int(session.scalar(query) or 0)
