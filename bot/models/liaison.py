"""Keeping in touch (常态化对接): liaisons, the contact log, and growth by referral."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime, utcnow
from bot.models.common import enum_column


class ContactChannel(enum.StrEnum):
    MESSAGE = "message"
    CALL = "call"
    VISIT = "visit"
    NOTE = "note"


class LiaisonRule(Base):
    """An organiser looks after the talents of a county or an industry."""

    __tablename__ = "liaison_rules"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"))
    # "county" (a GB/T 2260 code) or "industry" (a policy industry name).
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiaisonAssignment(Base):
    """The one organiser responsible for keeping in touch with a talent (一对一联络)."""

    __tablename__ = "liaison_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int] = mapped_column(
        ForeignKey("talents.id", ondelete="CASCADE"), unique=True
    )
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    # How it came about: "county:410825", "industry:新材料" or "manual".
    basis: Mapped[str] = mapped_column(String(80), default="manual")
    assigned_by: Mapped[str] = mapped_column(String(64), default="")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContactLogEntry(Base):
    """One contact with a talent: a message, a call, a visit or a note."""

    __tablename__ = "contact_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    channel: Mapped[ContactChannel] = mapped_column(enum_column(ContactChannel))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")


class ReferralCode(Base):
    """A talent's own parametric QR code (scene ``ref-…``) for bringing friends in."""

    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int] = mapped_column(
        ForeignKey("talents.id", ondelete="CASCADE"), unique=True
    )
    scene: Mapped[str] = mapped_column(String(64), unique=True)
    # Filled by the job that asks WeChat for the code (qrcode/create), then sent to the talent.
    ticket: Mapped[str] = mapped_column(String(255), default="")
    url: Mapped[str] = mapped_column(String(512), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Referral(Base):
    """A follower who came through someone's referral code; credited once they register."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    referrer_id: Mapped[int] = mapped_column(
        ForeignKey("talents.id", ondelete="CASCADE"), index=True
    )
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    credited_talent_id: Mapped[int | None] = mapped_column(
        ForeignKey("talents.id", ondelete="SET NULL")
    )
    credited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
