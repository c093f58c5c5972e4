"""security: callback (timestamp, nonce) pairs bound to their body; people audit entries name

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "callback_nonces",
        sa.Column("timestamp", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("timestamp", "nonce", name=op.f("pk_callback_nonces")),
    )
    with op.batch_alter_table("callback_nonces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_nonces_expires_at"), ["expires_at"], unique=False
        )


    op.create_table(
        "audit_subjects",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("talent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audit_log.id"],
            name=op.f("fk_audit_subjects_audit_id_audit_log"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audit_id", "talent_id", name=op.f("pk_audit_subjects")),
    )
    with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_subjects_talent_id"), ["talent_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_subjects_talent_id"))
    op.drop_table("audit_subjects")
    with op.batch_alter_table("callback_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_nonces_expires_at"))
    op.drop_table("callback_nonces")
