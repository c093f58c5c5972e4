"""Enterprises, their technical needs, and the talents matched to them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, JSONType, UTCDateTime, utcnow
from bot.models.common import enum_column


class DemandStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ASKED = "asked"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    INTRODUCED = "introduced"


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
        enum_column(DemandStatus), default=DemandStatus.PENDING_REVIEW, index=True
    )
    submitted_by_openid: Mapped[str | None] = mapped_column(String(64))
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship(back_populates="demands")


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
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
