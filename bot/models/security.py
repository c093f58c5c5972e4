"""Security records: signed callback pairs bound to their body; people audit entries name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class CallbackNonce(Base):
    """A signed (timestamp, nonce) pair seen on the callback, bound to its body's SHA-256.

    WeChat's plaintext signature covers only the token, timestamp and nonce, so without this a
    signed query string could carry any body for as long as the timestamp is fresh. Rows expire
    with the timestamp window and are purged by a scheduled job.
    """

    __tablename__ = "callback_nonces"

    timestamp: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AuditSubject(Base):
    """A person named by an audit entry about many people (a list or an export shown)."""

    __tablename__ = "audit_subjects"

    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audit_log.id", ondelete="CASCADE"), primary_key=True
    )
    talent_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
