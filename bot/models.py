"""The domain model: every table HuaiCai keeps, typed SQLAlchemy 2."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, JSONType, UTCDateTime, utcnow


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native PostgreSQL enum) so adding a value needs no migration.
    return Enum(
        cls,
        native_enum=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    ENTERPRISE = "enterprise"


class TalentStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class DemandStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class InvitationStatus(enum.StrEnum):
    PROPOSED = "proposed"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CHECKED_IN = "checked_in"


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ASKED = "asked"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    INTRODUCED = "introduced"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"


class ConsentPurpose(enum.StrEnum):
    REGISTRATION = "registration"
    INVITATIONS = "invitations"
    INTRODUCTION = "introduction"


class ConsoleUser(Base):
    __tablename__ = "console_users"
    # Ids are never reused (SQLite would reuse a deleted max id): the audit log keeps them.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[Role] = mapped_column(_enum(Role))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Talent(Base):
    """A person in the talent database (焦作籍在外人才, or a friend of Jiaozuo)."""

    __tablename__ = "talents"
    # Ids are never reused (SQLite would reuse a deleted max id): the audit log keeps them.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Imported alumni have no openid until they follow the account.
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    origin_code: Mapped[str | None] = mapped_column(String(6), index=True)
    origin_name: Mapped[str] = mapped_column(String(64), default="")
    origin_text: Mapped[str] = mapped_column(String(200), default="")
    is_from_jiaozuo: Mapped[bool] = mapped_column(Boolean, default=True)
    city: Mapped[str] = mapped_column(String(64), default="")
    employer: Mapped[str] = mapped_column(String(128), default="")
    title: Mapped[str] = mapped_column(String(64), default="")
    education: Mapped[str] = mapped_column(String(32), default="")
    expertise: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    industries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    cooperation_wishes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[TalentStatus] = mapped_column(_enum(TalentStatus), default=TalentStatus.ACTIVE)
    source: Mapped[str] = mapped_column(String(16), default="chat")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    is_following: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The last message the person sent us opens WeChat's 48-hour customer-service window.
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consents: Mapped[list[Consent]] = relationship(
        back_populates="talent", cascade="all, delete-orphan", passive_deletes=True
    )


class Enterprise(Base):
    __tablename__ = "enterprises"
    # Ids are never reused (SQLite would reuse a deleted max id): the audit log keeps them.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    # 统一社会信用代码 (GB 32100-2015), checksum validated by the service.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    county_code: Mapped[str | None] = mapped_column(String(6))
    industry: Mapped[str] = mapped_column(String(32), default="")
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    contact_openid: Mapped[str | None] = mapped_column(String(64), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    demands: Mapped[list[Demand]] = relationship(back_populates="enterprise")


class Demand(Base):
    """An enterprise's technical need (技术需求)."""

    __tablename__ = "demands"
    # Ids are never reused (SQLite would reuse a deleted max id): the audit log keeps them.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    cooperation_mode: Mapped[str] = mapped_column(String(32), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[str] = mapped_column(String(64), default="")
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    industries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[DemandStatus] = mapped_column(
        _enum(DemandStatus), default=DemandStatus.PENDING_REVIEW, index=True
    )
    submitted_by_openid: Mapped[str | None] = mapped_column(String(64))
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship(back_populates="demands")


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
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Scene id of the event's parametric QR code, used for check-in.
    qr_scene: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus), default=EventStatus.DRAFT)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "talent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    status: Mapped[InvitationStatus] = mapped_column(
        _enum(InvitationStatus), default=InvitationStatus.PROPOSED
    )
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Match(Base):
    """A talent proposed for a demand, with the reasons and the talent's answer."""

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("demand_id", "talent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"))
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[MatchStatus] = mapped_column(_enum(MatchStatus), default=MatchStatus.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DialogState(Base):
    """Where a person is in a conversation, so it can resume after days."""

    __tablename__ = "dialog_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InboundMessage(Base):
    """One delivery of a WeChat callback: the de-duplication key and the reply we gave."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(160), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="processing")
    reply: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A message waiting to be sent (or sent) through the WeChat API; one sender drains it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    openid: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    channel: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Consent(Base):
    """A consent given (and perhaps withdrawn), with the version of the text shown."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int | None] = mapped_column(
        ForeignKey("talents.id", ondelete="CASCADE"), index=True
    )
    openid: Mapped[str | None] = mapped_column(String(64), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(_enum(ConsentPurpose))
    # For an introduction, the demand whose enterprise may see the contact details.
    scope: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    talent: Mapped[Talent | None] = relationship(back_populates="consents")


class AuditEntry(Base):
    """Who read, exported, changed or deleted personal data, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class WechatAccessToken(Base):
    """The shared access_token cache (one row per appid) when no Redis is configured."""

    __tablename__ = "wechat_tokens"

    appid: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(String(512), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
