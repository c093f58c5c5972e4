"""Spreadsheet imports of talents (校友会 lists, 人才办 rosters) and the duplicates they raise."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, JSONType, UTCDateTime, utcnow
from bot.models.common import enum_column


class DuplicateStatus(enum.StrEnum):
    PENDING = "pending"
    MERGED = "merged"
    ADDED = "added"
    SKIPPED = "skipped"


class ImportBatch(Base):
    """One imported file: who imported it, what came of each row (without personal values)."""

    __tablename__ = "import_batches"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(64))
    # Where the list came from, e.g. 河南理工大学北京校友会; shown on each imported profile.
    source_label: Mapped[str] = mapped_column(String(100), default="")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": 7, "column": "手机", "problem": "..."}]: positions and reasons, never values.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ImportDuplicate(Base):
    """A row that looks like a talent already in the database, kept until an organiser decides."""

    __tablename__ = "import_duplicates"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    # The row's cleaned fields; deleted with the existing talent (cascade) or once decided.
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[DuplicateStatus] = mapped_column(
        enum_column(DuplicateStatus), default=DuplicateStatus.PENDING
    )
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
