"""knowledge editors: the users an admin allows to write articles

Revision ID: 5e1d70a3c2b4
Revises: aeb682065804
Create Date: 2026-11-28 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op
from api.db.types import utcnow

revision: str = "5e1d70a3c2b4"
down_revision: str | None = "aeb682065804"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knowledge_editors",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("user_id", api.db.types.GUID(), nullable=False),
        sa.Column("granted_by", api.db.types.GUID(), nullable=True),
        sa.Column("granted_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["users.id"], name=op.f("fk_knowledge_editors_granted_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_knowledge_editors_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_knowledge_editors_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_knowledge_editors")),
    )
    # Whoever wrote articles before writing became a grant keeps writing them.
    editors = sa.table(
        "knowledge_editors",
        sa.column("org_id", api.db.types.GUID()),
        sa.column("user_id", api.db.types.GUID()),
        sa.column("granted_at", api.db.types.UTCDateTime(timezone=True)),
    )
    articles = sa.table(
        "knowledge_articles", sa.column("org_id", api.db.types.GUID()), sa.column("created_by", api.db.types.GUID())
    )
    authors = op.get_bind().execute(
        sa.select(articles.c.org_id, articles.c.created_by).where(articles.c.created_by.is_not(None)).distinct()
    )
    rows = [{"org_id": org_id, "user_id": user_id, "granted_at": utcnow()} for org_id, user_id in authors]
    if rows:
        op.bulk_insert(editors, rows)


def downgrade() -> None:
    op.drop_table("knowledge_editors")
