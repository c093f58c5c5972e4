"""Enterprises, their contacts, technical needs, the talents asked about them and the outcomes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, JSONType, UTCDateTime, utcnow
from bot.models.common import enum_column


class DemandStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    # The organiser asked the enterprise to add something; an edit sends it back to review.
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    # Closed by the enterprise as solved (or by an organiser).
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class MatchStatus(enum.StrEnum):
    """Where one talent stands for one need (PIPL art. 23: only a yes is ever shown)."""

    PROPOSED = "proposed"  # on the shortlist matching proposed; nobody asked yet
    SKIPPED = "skipped"  # the organiser chose not to ask this person
    ASKED = "asked"  # asked by message; waiting for 1 or 2
    ACCEPTED = "accepted"  # said yes (kept only for rows made before introductions existed)
    DECLINED = "declined"  # said no, or did not answer in time: never asked again for this need
    INTRODUCED = "introduced"  # said yes; both sides have each other's contact
    WITHDRAWN = "withdrawn"  # said yes, then took it back (the enterprise was told)
    CANCELLED = "cancelled"  # the need was withdrawn or closed before an answer


class ContactStatus(enum.StrEnum):
    """Whether a person speaks for an enterprise (issue 10 item 7: claims are confirmed)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"


class OutcomeKind(enum.StrEnum):
    CONTACTED = "contacted"
    AGREEMENT = "agreement"  # 产学研 cooperation agreement signed
    LANDED = "landed"  # project landed in Jiaozuo


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
    # GB/T 13745 codes (3-digit first level, 5-digit second) of the likely disciplines.
    discipline_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[DemandStatus] = mapped_column(
        enum_column(DemandStatus), default=DemandStatus.PENDING_REVIEW, index=True
    )
    submitted_by_openid: Mapped[str | None] = mapped_column(String(64))
    # Who submitted it (a confirmed contact or a claim waiting for confirmation).
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise_contacts.id", ondelete="SET NULL"), index=True
    )
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Each review round is told to the enterprise once (the outbox key includes it).
    review_round: Mapped[int] = mapped_column(Integer, default=0)
    # The first approval, for the funnel (a later edit and re-approval keeps it).
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship(back_populates="demands")
    contact: Mapped[EnterpriseContact | None] = relationship()


class EnterpriseContact(Base):
    """A person who speaks for an enterprise by chat; later ones are claims until confirmed."""

    __tablename__ = "enterprise_contacts"
    __table_args__ = (UniqueConstraint("enterprise_id", "openid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    openid: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[ContactStatus] = mapped_column(
        enum_column(ContactStatus), default=ContactStatus.PENDING
    )
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()


class Match(Base):
    """A talent proposed for a demand, with the reasons and the talent's answer."""

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("demand_id", "talent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"))
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[MatchStatus] = mapped_column(
        enum_column(MatchStatus), default=MatchStatus.PROPOSED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    asked_by: Mapped[str] = mapped_column(String(64), default="")
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # No answer by then counts as a no (config: cooperation.answer_days).
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person said yes (kept after a withdrawal: the funnel counts it).
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The contact details the person chose to share with this enterprise ("phone", "email").
    shared_fields: Mapped[list[str]] = mapped_column(JSONType, default=list)

    demand: Mapped[Demand] = relationship()


class Outcome(Base):
    """What came of a need or an introduction: contacted, agreement signed, project landed."""

    __tablename__ = "cooperation_outcomes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    kind: Mapped[OutcomeKind] = mapped_column(enum_column(OutcomeKind))
    # Agreement amount in 万元, when given.
    amount_wan: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    # organiser:<name>, talent or enterprise.
    recorded_by: Mapped[str] = mapped_column(String(64))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
