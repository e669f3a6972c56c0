"""contracts usage and customer success

Revision ID: 4a621171d898
Revises: 741d17b39f8c
Create Date: 2026-11-28 16:12:41.808336
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.db.types
from alembic import op

revision: str = "4a621171d898"
down_revision: str | None = "741d17b39f8c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_usage",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("account_id", api.db.types.GUID(), nullable=False),
        sa.Column("product_id", api.db.types.GUID(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("tier_limit", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_product_usage_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_product_usage_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_usage_product_id_products"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_usage")),
        sa.UniqueConstraint(
            "account_id", "product_id", "month", name=op.f("uq_product_usage_account_id_product_id_month")
        ),
    )
    with op.batch_alter_table("product_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_usage_org_id"), ["org_id"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("account_id", api.db.types.GUID(), nullable=False),
        sa.Column("product_id", api.db.types.GUID(), nullable=True),
        sa.Column("opportunity_id", api.db.types.GUID(), nullable=True),
        sa.Column("renews_id", api.db.types.GUID(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("payment_terms", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("renewal_started_on", sa.Date(), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("created_by", api.db.types.GUID(), nullable=True),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.Column("created_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contracts_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_contracts_created_by_users")),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_contracts_opportunity_id_opportunities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_contracts_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_contracts_product_id_products")),
        sa.ForeignKeyConstraint(
            ["renews_id"], ["contracts.id"], name=op.f("fk_contracts_renews_id_contracts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index("ix_contracts_account_id_ends_on", ["account_id", "ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_renews_id"), ["renews_id"], unique=False)

    op.create_table(
        "contract_amendments",
        sa.Column("org_id", api.db.types.GUID(), nullable=False),
        sa.Column("contract_id", api.db.types.GUID(), nullable=False),
        sa.Column("term", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_at", api.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", api.db.types.GUID(), nullable=True),
        sa.Column("id", api.db.types.GUID(), nullable=False),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"], name=op.f("fk_contract_amendments_changed_by_users")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_amendments_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_contract_amendments_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_amendments")),
    )
    with op.batch_alter_table("contract_amendments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contract_amendments_contract_id_changed_at", ["contract_id", "changed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contract_amendments_org_id"), ["org_id"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cs_owner_id", api.db.types.GUID(), nullable=True))
        batch_op.add_column(sa.Column("churned_at", api.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_accounts_cs_owner_id_users"), "users", ["cs_owner_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_tier_id", api.db.types.GUID(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_products_next_tier_id_products"), "products", ["next_tier_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_products_next_tier_id_products"), type_="foreignkey")
        batch_op.drop_column("next_tier_id")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_accounts_cs_owner_id_users"), type_="foreignkey")
        batch_op.drop_column("churned_at")
        batch_op.drop_column("cs_owner_id")

    with op.batch_alter_table("contract_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_amendments_org_id"))
        batch_op.drop_index("ix_contract_amendments_contract_id_changed_at")

    op.drop_table("contract_amendments")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_renews_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_product_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_org_id"))
        batch_op.drop_index("ix_contracts_account_id_ends_on")

    op.drop_table("contracts")
    with op.batch_alter_table("product_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_usage_org_id"))

    op.drop_table("product_usage")
