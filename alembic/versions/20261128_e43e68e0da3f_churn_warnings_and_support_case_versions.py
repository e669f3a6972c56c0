"""churn warnings and support case versions

Revision ID: e43e68e0da3f
Revises: 4f771e7e1a73
Create Date: 2026-11-28 16:17:55.294036
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op

revision: str = "e43e68e0da3f"
down_revision: str | None = "4f771e7e1a73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "churn_warnings",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("account_id", api.db.types.GUID(), nullable=False),
        sa.Column("recipient_id", api.db.types.GUID(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_churn_warnings_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_churn_warnings_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_churn_warnings_recipient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_warnings")),
        sa.UniqueConstraint("account_id", "level", "sent_on", name=op.f("uq_churn_warnings_account_id_level_sent_on")),
    )
    with op.batch_alter_table("churn_warnings", schema=None) as batch_op:
        batch_op.create_index("ix_churn_warnings_account_id_sent_at", ["account_id", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_churn_warnings_org_id"), ["org_id"], unique=False)

    # Cases recorded before cases had versions start at version 1.
    with op.batch_alter_table("support_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("support_cases", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("churn_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_churn_warnings_org_id"))
        batch_op.drop_index("ix_churn_warnings_account_id_sent_at")

    op.drop_table("churn_warnings")
