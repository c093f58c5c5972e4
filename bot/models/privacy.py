"""Consents and the audit log of who saw or changed personal data (PIPL)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, JSONType, UTCDateTime, utcnow
from bot.models.common import enum_column

if TYPE_CHECKING:
    from bot.models.talents import Talent


class ConsentPurpose(enum.StrEnum):
    REGISTRATION = "registration"
    INVITATIONS = "invitations"
    INTRODUCTION = "introduction"


class Consent(Base):
    """A consent given (and perhaps withdrawn), with the version of the text shown."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int | None] = mapped_column(
        ForeignKey("talents.id", ondelete="CASCADE"), index=True
    )
    openid: Mapped[str | None] = mapped_column(String(64), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(enum_column(ConsentPurpose))
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
