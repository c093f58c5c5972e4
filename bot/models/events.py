"""Cooperation events and their participants (invitees, registrants, walk-ins)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, JSONType, UTCDateTime, utcnow
from bot.models.common import enum_column


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class EventKind(enum.StrEnum):
    """The kinds of event the policy names (洽谈会 every two years, 4 成果发布会 a year...)."""

    NEGOTIATION = "洽谈会"
    LAUNCH = "成果发布会"
    MATCHMAKING = "对接会"
    SALON = "沙龙"
    ONLINE = "线上"


class InvitationStatus(enum.StrEnum):
    """A participant's status, as CiviCRM and Odoo keep them (transitions in bot.services.events).

    ``proposed`` is the organiser's draft list before anything was sent.
    """

    PROPOSED = "proposed"
    INVITED = "invited"
    REGISTERED = "registered"
    DECLINED = "declined"
    AWAITING_APPROVAL = "awaiting_approval"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Event(Base):
    __tablename__ = "events"
    # Ids are never reused (SQLite would reuse a deleted max id): the audit log keeps them.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), default="")
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    location: Mapped[str] = mapped_column(String(128), default="")
    # Online events (or hybrid ones) give the meeting link here.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Registrations close at this instant (None: when the event starts).
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Registrations wait for an organiser's approval before they hold a seat.
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # Scene id of the event's parametric QR code, used for check-in.
    qr_scene: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The ticket WeChat issued for the scene (shows the code: showqrcode?ticket=...).
    qr_ticket: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[EventStatus] = mapped_column(enum_column(EventStatus), default=EventStatus.DRAFT)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invitation(Base):
    """One person's participation in one event (invited or not: walk-ins have a row too)."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "talent_id"),
        UniqueConstraint("event_id", "openid"),
        Index("ix_invitations_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # A walk-in who is not (yet) in the talent database has only an openid.
    talent_id: Mapped[int | None] = mapped_column(
        ForeignKey("talents.id", ondelete="CASCADE"), index=True
    )
    openid: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column(InvitationStatus), default=InvitationStatus.PROPOSED
    )
    # How the person came: proposed (matching), added (by the organiser), self (chat/H5
    # registration without invitation), walk_in (checked in without registering).
    source: Mapped[str] = mapped_column(String(16), default="proposed")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person joined the waitlist (its order) and until when an offered seat is held.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The one-line answer to the thank-you message's feedback question.
    feedback: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
