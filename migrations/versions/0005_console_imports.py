"""console imports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEEP_IDS = {"sqlite_autoincrement": True}
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: recreating these tables on SQLite would drop their
    # AUTOINCREMENT (ids must never be reused: the audit log keeps them).
    op.add_column(
        "console_users",
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("talents", sa.Column("ties", JSON, server_default="[]", nullable=False))

    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "organiser", "enterprise", name="role", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_api_clients_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("name", name=op.f("uq_api_clients_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_clients_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("source_label", sa.String(length=100), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("problems", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "import_duplicates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("talent_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "merged",
                "added",
                "skipped",
                name="duplicatestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_duplicates_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["talent_id"],
            ["talents.id"],
            name=op.f("fk_import_duplicates_talent_id_talents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_duplicates")),
    )
    with op.batch_alter_table("import_duplicates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_duplicates_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_import_duplicates_talent_id"), ["talent_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_duplicates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_duplicates_talent_id"))
        batch_op.drop_index(batch_op.f("ix_import_duplicates_batch_id"))
    op.drop_table("import_duplicates")
    op.drop_table("import_batches")
    op.drop_table("api_clients")
    # SQLite rebuilds the table to drop a column: keep its AUTOINCREMENT.
    with op.batch_alter_table("talents", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("ties")
    with op.batch_alter_table("console_users", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("session_version")
