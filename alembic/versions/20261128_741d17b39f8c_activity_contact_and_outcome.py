"""activity contact and outcome

Revision ID: 741d17b39f8c
Revises: 211214de5d28
Create Date: 2026-11-28 16:11:21.172650
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op

revision: str = "741d17b39f8c"
down_revision: str | None = "211214de5d28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", api.db.types.GUID(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f("ix_activities_contact_id"), ["contact_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_activities_contact_id_contacts"), "contacts", ["contact_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_activities_contact_id_contacts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_activities_contact_id"))
        batch_op.drop_column("outcome")
        batch_op.drop_column("contact_id")
