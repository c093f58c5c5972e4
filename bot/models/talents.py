"""Talents: the people in the database."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, JSONType, UTCDateTime, utcnow
from bot.models.common import enum_column

if TYPE_CHECKING:
    from bot.models.privacy import Consent


class TalentStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


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
    # Which of the four ties make the person 焦作籍: born (or ancestry), studied, worked, family.
    ties: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    city: Mapped[str] = mapped_column(String(64), default="")
    employer: Mapped[str] = mapped_column(String(128), default="")
    title: Mapped[str] = mapped_column(String(64), default="")
    education: Mapped[str] = mapped_column(String(32), default="")
    expertise: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    industries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # GB/T 13745 codes (3-digit first level, 5-digit second) of the likely disciplines.
    discipline_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    cooperation_wishes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[TalentStatus] = mapped_column(
        enum_column(TalentStatus), default=TalentStatus.ACTIVE
    )
    # chat, h5, import, referral, event (scan at an event), demo.
    source: Mapped[str] = mapped_column(String(16), default="chat")
    # Who brought this person in through their referral code.
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("talents.id", ondelete="SET NULL")
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    is_following: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The last message the person sent us opens WeChat's 48-hour customer-service window.
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consents: Mapped[list[Consent]] = relationship(
        back_populates="talent", cascade="all, delete-orphan", passive_deletes=True
    )
