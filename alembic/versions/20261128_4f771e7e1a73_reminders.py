"""Reminders, deal priorities and quiet hours per user.

Revision ID: 4f771e7e1a73
Revises: 99babba18093
Create Date: 2026-11-28 16:19:55.512584
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op

revision: str = "4f771e7e1a73"
down_revision: str | None = "99babba18093"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_priorities",
        sa.Column("opportunity_id", api.db.types.GUID(), nullable=False),
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("boost", sa.Integer(), nullable=False),
        sa.Column("competitors", sa.JSON(), nullable=False),
        sa.Column("last_signal_at", api.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_deal_priorities_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_deal_priorities_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_priorities")),
        sa.UniqueConstraint("opportunity_id", name=op.f("uq_deal_priorities_opportunity_id")),
    )
    with op.batch_alter_table("deal_priorities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_priorities_org_id"), ["org_id"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("user_id", api.db.types.GUID(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("opportunity_id", api.db.types.GUID(), nullable=False),
        sa.Column("account_id", api.db.types.GUID(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("due_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("send_after", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", api.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("notification_id", api.db.types.GUID(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_reminders_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_reminders_notification_id_notifications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_reminders_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_reminders_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminders_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("dedup_key", "user_id", name=op.f("uq_reminders_dedup_key_user_id")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_opportunity_id"), ["opportunity_id"], unique=False)
        batch_op.create_index("ix_reminders_state_send_after", ["state", "send_after"], unique=False)
        batch_op.create_index("ix_reminders_user_id_due_at", ["user_id", "due_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_hours_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("quiet_hours_end", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("preferences_version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("preferences_version")
        batch_op.drop_column("quiet_hours_end")
        batch_op.drop_column("quiet_hours_start")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_user_id_due_at")
        batch_op.drop_index("ix_reminders_state_send_after")
        batch_op.drop_index(batch_op.f("ix_reminders_opportunity_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("deal_priorities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_priorities_org_id"))

    op.drop_table("deal_priorities")
