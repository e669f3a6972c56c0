"""contract renewal reminders

Revision ID: aeb682065804
Revises: e43e68e0da3f
Create Date: 2026-11-28 16:33:42.150183
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op

revision: str = "aeb682065804"
down_revision: str | None = "e43e68e0da3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renewal_reminded_at", api.db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("renewal_reminded_at")
