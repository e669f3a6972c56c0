"""forecast snapshots and bottleneck alerts

Revision ID: c23b711b98f5
Revises: 1133f3482046
Create Date: 2026-11-28 16:18:33.026134
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op

revision: str = "c23b711b98f5"
down_revision: str | None = "1133f3482046"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_snapshots",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("pipeline_amount", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("won_so_far", sa.BigInteger(), nullable=False),
        sa.Column("by_stage", sa.JSON(), nullable=False),
        sa.Column("taken_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_forecast_snapshots_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_snapshots")),
        sa.UniqueConstraint(
            "org_id", "week_start", "period", "basis", name=op.f("uq_forecast_snapshots_org_id_week_start_period_basis")
        ),
    )
    with op.batch_alter_table("forecast_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_forecast_snapshots_org_id_period_end", ["org_id", "period_end"], unique=False)

    op.create_table(
        "bottleneck_alerts",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("user_id", api.db.types.GUID(), nullable=False),
        sa.Column("team_id", api.db.types.GUID(), nullable=True),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("notification_id", api.db.types.GUID(), nullable=True),
        sa.Column("created_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_bottleneck_alerts_notification_id_notifications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_bottleneck_alerts_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_bottleneck_alerts_team_id_teams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bottleneck_alerts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bottleneck_alerts")),
        sa.UniqueConstraint(
            "user_id", "stage", "week_start", name=op.f("uq_bottleneck_alerts_user_id_stage_week_start")
        ),
    )
    with op.batch_alter_table("bottleneck_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bottleneck_alerts_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bottleneck_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bottleneck_alerts_org_id"))

    op.drop_table("bottleneck_alerts")
    with op.batch_alter_table("forecast_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_snapshots_org_id_period_end")

    op.drop_table("forecast_snapshots")
