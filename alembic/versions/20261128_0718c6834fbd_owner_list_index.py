"""owner list index

Revision ID: 0718c6834fbd
Revises: c9cc4d994c62
Create Date: 2026-11-28 14:56:01.515002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0718c6834fbd"
down_revision: str | None = "c9cc4d994c62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunities_org_id_owner_id_created_at"))
        batch_op.create_index(
            "ix_opportunities_org_id_owner_id_created_at_id", ["org_id", "owner_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_org_id_owner_id_created_at_id")
        batch_op.create_index(
            batch_op.f("ix_opportunities_org_id_owner_id_created_at"),
            ["org_id", "owner_id", "created_at"],
            unique=False,
        )
