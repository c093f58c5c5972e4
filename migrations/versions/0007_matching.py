"""matching: GB/T 13745 discipline codes on talents and demands

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TABLES = ("talents", "demands")


# Both tables keep AUTOINCREMENT through SQLite's batch copy: their ids are never reused (the
# audit log keeps them).
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: a batch copy would rebuild the SQLite tables.
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("discipline_codes", JSON, server_default=sa.text("'[]'"), nullable=False),
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None, table_kwargs=KEEP_IDS) as batch_op:
            batch_op.drop_column("discipline_codes")
