"""opportunity list items

Revision ID: 1133f3482046
Revises: 4a621171d898
Create Date: 2026-11-28 16:40:00

Each opportunity keeps its list item pre-rendered (api/opportunities/list_item.py). The trigger is what makes that
safe: an UPDATE that changes a listed column without also writing ``list_item`` clears it, so a write that
bypasses the ORM leaves a missing item (rendered from the columns at read time), never a stale one.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "1133f3482046"
down_revision: str | None = "4a621171d898"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns an item is made of (api/opportunities/list_item.py LISTED_COLUMNS), frozen as of this revision.
LISTED = (
    "id, account_id, name, owner_id, stage, probability, amount, currency, discount_pct, close_date, promised_date,"
    " next_step, loss_reason, forecast_category, version, created_at, updated_at, competitors"
)


def upgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("list_item", sa.Text(), nullable=True))
        batch_op.create_index(
            "ix_opportunities_list_item_missing",
            ["id"],
            unique=False,
            sqlite_where=sa.text("list_item IS NULL"),
            postgresql_where=sa.text("list_item IS NULL"),
        )
    if _sqlite():
        op.execute(
            f"CREATE TRIGGER opportunities_list_item_stale AFTER UPDATE OF {LISTED} ON opportunities"
            " WHEN NEW.list_item IS NOT NULL AND NEW.list_item IS OLD.list_item"
            " BEGIN UPDATE opportunities SET list_item = NULL WHERE id = NEW.id; END"
        )
    else:
        op.execute(
            "CREATE FUNCTION opportunities_list_item_stale() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN NEW.list_item := NULL; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER opportunities_list_item_stale BEFORE UPDATE OF {LISTED} ON opportunities FOR EACH ROW"
            " WHEN (NEW.list_item IS NOT NULL AND NEW.list_item IS NOT DISTINCT FROM OLD.list_item)"
            " EXECUTE FUNCTION opportunities_list_item_stale()"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS opportunities_list_item_stale" + ("" if _sqlite() else " ON opportunities"))
    if not _sqlite():
        op.execute("DROP FUNCTION IF EXISTS opportunities_list_item_stale()")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_list_item_missing")
        batch_op.drop_column("list_item")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
