"""scoring signals invoices win model

Revision ID: 99babba18093
Revises: c23b711b98f5
Create Date: 2026-11-28 16:17:41.424143
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op

revision: str = "99babba18093"
down_revision: str | None = "c23b711b98f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "win_models",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("intercept", sa.Double(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("training_size", sa.Integer(), nullable=False),
        sa.Column("won", sa.Integer(), nullable=False),
        sa.Column("lost", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("trained_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_win_models_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_win_models")),
        sa.UniqueConstraint("org_id", name=op.f("uq_win_models_org_id")),
    )
    op.create_table(
        "invoices",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("account_id", api.db.types.GUID(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("created_by", api.db.types.GUID(), nullable=True),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.Column("created_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_invoices_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_invoices_created_by_users")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_invoices_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("org_id", "number", name=op.f("uq_invoices_org_id_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_account_id_due_on", ["account_id", "due_on"], unique=False)

    op.create_table(
        "deal_signals",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("opportunity_id", api.db.types.GUID(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Boolean(), nullable=False),
        sa.Column("contact_id", api.db.types.GUID(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", api.db.types.GUID(), nullable=True),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_deal_signals_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_deal_signals_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_deal_signals_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_deal_signals_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_signals")),
    )
    with op.batch_alter_table("deal_signals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deal_signals_opportunity_id_recorded_at", ["opportunity_id", "recorded_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deal_signals_org_id"), ["org_id"], unique=False)

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_per_activity", sa.BigInteger(), server_default="10000", nullable=False))
        batch_op.add_column(sa.Column("cost_per_visit", sa.BigInteger(), server_default="50000", nullable=False))
        batch_op.add_column(sa.Column("cost_per_pipeline_day", sa.BigInteger(), server_default="5000", nullable=False))
        batch_op.add_column(sa.Column("gross_margin_pct", sa.Float(), server_default="60", nullable=False))
        batch_op.add_column(sa.Column("expected_renewals", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("ltv_cac_threshold", sa.Float(), server_default="3", nullable=False))
        batch_op.add_column(sa.Column("settings_version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("settings_version")
        batch_op.drop_column("ltv_cac_threshold")
        batch_op.drop_column("expected_renewals")
        batch_op.drop_column("gross_margin_pct")
        batch_op.drop_column("cost_per_pipeline_day")
        batch_op.drop_column("cost_per_visit")
        batch_op.drop_column("cost_per_activity")

    with op.batch_alter_table("deal_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_signals_org_id"))
        batch_op.drop_index("ix_deal_signals_opportunity_id_recorded_at")

    op.drop_table("deal_signals")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_account_id_due_on")

    op.drop_table("invoices")
    op.drop_table("win_models")
