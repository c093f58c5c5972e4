"""cooperation: enterprise contacts, the introduction steps of a match, outcomes, liaisons,
the contact log and referrals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite rebuilds a table to add a foreign key: keep AUTOINCREMENT (ids never reused, since the
# audit log keeps them) on the tables that have it.
KEEP_IDS = {"sqlite_autoincrement": True}
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, bot.db.UTCDateTime(timezone=True), nullable=nullable)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "enterprise_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column(
            "status", _enum("contactstatus", "pending", "confirmed", "refused"), nullable=False
        ),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        _when("decided_at"),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_contacts_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_contacts")),
        sa.UniqueConstraint(
            "enterprise_id", "openid", name=op.f("uq_enterprise_contacts_enterprise_id_openid")
        ),
    )
    with op.batch_alter_table("enterprise_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_contacts_openid"), ["openid"], unique=False)

    op.create_table(
        "referral_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("talent_id", sa.Integer(), nullable=False),
        sa.Column("scene", sa.String(length=64), nullable=False),
        sa.Column("ticket", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        _when("requested_at", nullable=False),
        _when("issued_at"),
        sa.ForeignKeyConstraint(
            ["talent_id"],
            ["talents.id"],
            name=op.f("fk_referral_codes_talent_id_talents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_codes")),
        sa.UniqueConstraint("scene", name=op.f("uq_referral_codes_scene")),
        sa.UniqueConstraint("talent_id", name=op.f("uq_referral_codes_talent_id")),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("referrer_id", sa.Integer(), nullable=False),
        _when("scanned_at", nullable=False),
        sa.Column("credited_talent_id", sa.Integer(), nullable=True),
        _when("credited_at"),
        sa.ForeignKeyConstraint(
            ["credited_talent_id"],
            ["talents.id"],
            name=op.f("fk_referrals_credited_talent_id_talents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["referrer_id"],
            ["talents.id"],
            name=op.f("fk_referrals_referrer_id_talents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("openid", name=op.f("uq_referrals_openid")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_referrer_id"), ["referrer_id"], unique=False)

    op.create_table(
        "contact_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("talent_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel", _enum("contactchannel", "message", "call", "visit", "note"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=False),
        _when("at", nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["console_users.id"],
            name=op.f("fk_contact_log_organiser_id_console_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["talent_id"],
            ["talents.id"],
            name=op.f("fk_contact_log_talent_id_talents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_log")),
    )
    with op.batch_alter_table("contact_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_log_talent_id"), ["talent_id"], unique=False)

    op.create_table(
        "liaison_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("talent_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=80), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        _when("assigned_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["console_users.id"],
            name=op.f("fk_liaison_assignments_organiser_id_console_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["talent_id"],
            ["talents.id"],
            name=op.f("fk_liaison_assignments_talent_id_talents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaison_assignments")),
        sa.UniqueConstraint("talent_id", name=op.f("uq_liaison_assignments_talent_id")),
    )
    with op.batch_alter_table("liaison_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_liaison_assignments_organiser_id"), ["organiser_id"], unique=False
        )

    op.create_table(
        "liaison_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["console_users.id"],
            name=op.f("fk_liaison_rules_organiser_id_console_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaison_rules")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_liaison_rules_kind_value")),
    )
    op.create_table(
        "cooperation_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("kind", _enum("outcomekind", "contacted", "agreement", "landed"), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["demands.id"],
            name=op.f("fk_cooperation_outcomes_demand_id_demands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_cooperation_outcomes_match_id_matches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_outcomes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("cooperation_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cooperation_outcomes_demand_id"), ["demand_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cooperation_outcomes_occurred_on"), ["occurred_on"], unique=False
        )

    with op.batch_alter_table("demands", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("review_round", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(_when("approved_at"))
        batch_op.add_column(_when("closed_at"))
        batch_op.create_index(batch_op.f("ix_demands_contact_id"), ["contact_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_demands_contact_id_enterprise_contacts"),
            "enterprise_contacts",
            ["contact_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("asked_by", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(_when("asked_at"))
        batch_op.add_column(_when("answer_due_at"))
        batch_op.add_column(_when("consented_at"))
        batch_op.add_column(_when("introduced_at"))
        batch_op.add_column(_when("withdrawn_at"))
        batch_op.add_column(
            sa.Column("shared_fields", JSON, server_default=sa.text("'[]'"), nullable=False)
        )

    with op.batch_alter_table("talents", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("referred_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_talents_referred_by_id_talents"),
            "talents",
            ["referred_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("talents", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_talents_referred_by_id_talents"), type_="foreignkey"
        )
        batch_op.drop_column("referred_by_id")

    with op.batch_alter_table("matches", schema=None) as batch_op:
        for name in (
            "shared_fields",
            "withdrawn_at",
            "introduced_at",
            "consented_at",
            "answer_due_at",
            "asked_at",
            "asked_by",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("demands", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_demands_contact_id_enterprise_contacts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_demands_contact_id"))
        for name in ("closed_at", "approved_at", "review_round", "contact_id"):
            batch_op.drop_column(name)

    op.drop_table("cooperation_outcomes")
    op.drop_table("liaison_rules")
    op.drop_table("liaison_assignments")
    op.drop_table("contact_log")
    op.drop_table("referrals")
    op.drop_table("referral_codes")
    op.drop_table("enterprise_contacts")
