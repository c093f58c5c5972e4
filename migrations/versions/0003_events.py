"""events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's batch mode copies the table: keep ids never reused (the audit log keeps them).
EVENTS_TABLE = {"sqlite_autoincrement": True}
# Participant statuses renamed to the CiviCRM/Odoo vocabulary.
RENAMED = {"sent": "invited", "accepted": "registered", "checked_in": "attended"}


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None, table_kwargs=EVENTS_TABLE) as batch_op:
        batch_op.add_column(
            sa.Column("online_url", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("rsvp_deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("needs_approval", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("qr_ticket", sa.String(length=128), nullable=False, server_default="")
        )
    with op.batch_alter_table("events", schema=None, table_kwargs=EVENTS_TABLE) as batch_op:
        batch_op.alter_column("online_url", server_default=None)
        batch_op.alter_column("needs_approval", server_default=None)
        batch_op.alter_column("qr_ticket", server_default=None)

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.alter_column("talent_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("openid", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), nullable=False, server_default="proposed")
        )
        batch_op.add_column(sa.Column("waitlisted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("feedback", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "updated_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_invitations_event_id_openid"), ["event_id", "openid"]
        )
        batch_op.create_index("ix_invitations_event_status", ["event_id", "status"], unique=False)
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.alter_column("source", server_default=None)
        batch_op.alter_column("feedback", server_default=None)
        batch_op.alter_column("updated_at", server_default=None)
    invitations = sa.table("invitations", sa.column("status", sa.String))
    for old, new in RENAMED.items():
        op.execute(invitations.update().where(invitations.c.status == old).values(status=new))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proactive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("proactive", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("proactive")

    invitations = sa.table("invitations", sa.column("status", sa.String))
    for old, new in RENAMED.items():
        op.execute(invitations.update().where(invitations.c.status == new).values(status=old))
    # Statuses the old schema had no word for, and walk-ins without a talent, cannot go back.
    op.execute(
        invitations.update()
        .where(invitations.c.status.notin_(["proposed", *RENAMED]))
        .values(status="declined")
    )
    op.execute(sa.text("DELETE FROM invitations WHERE talent_id IS NULL"))
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_event_status")
        batch_op.drop_constraint(batch_op.f("uq_invitations_event_id_openid"), type_="unique")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("feedback")
        batch_op.drop_column("offer_expires_at")
        batch_op.drop_column("waitlisted_at")
        batch_op.drop_column("source")
        batch_op.drop_column("openid")
        batch_op.alter_column("talent_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("events", schema=None, table_kwargs=EVENTS_TABLE) as batch_op:
        batch_op.drop_column("qr_ticket")
        batch_op.drop_column("needs_approval")
        batch_op.drop_column("rsvp_deadline")
        batch_op.drop_column("online_url")
