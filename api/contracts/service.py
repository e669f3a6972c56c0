"""Contracts within the caller's reach (a contract is visible exactly when its account is), their amendments,
renewals, product usage readings and the product tier ladder."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import msgspec
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.contracts.schemas import ContractCreate, ContractUpdate, RenewalCreate, UsageRecord
from api.db.models import Account, Contract, ContractAmendment, Opportunity, Organisation, Product, ProductUsage
from api.db.models.contracts import AMENDABLE_TERMS
from api.db.types import utcnow
from api.lib.audit import apply_changes
from api.lib.auth import Principal
from api.lib.concurrency import check_version
from api.lib.errors import conflict, field_error, forbidden, not_found
from api.lib.i18n import t
from api.lib.schema import provided
from api.lib.scope import get_visible, visible

RENEWABLE = ("active", "expired")


def visible_contracts(principal: Principal) -> Select[Any]:
    """Contracts of the accounts the caller may see."""
    stmt = select(Contract).join(Account, Account.id == Contract.account_id)
    return visible(stmt, Account, principal).where(Contract.org_id == principal.org_id)


def _term_text(value: Any) -> str | None:
    """An amended term's value as stored in the amendment (dates ISO, money in minor units)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _check_dates(starts_on: date, ends_on: date, renewal_started_on: date | None) -> None:
    """A contract ends on or after its start, and its renewal talks cannot begin before it starts."""
    if ends_on < starts_on:
        raise field_error(
            "ends_on", "before_start", t("The contract ends before it starts.", "合同结束日期早于开始日期。")
        )
    if renewal_started_on is not None and renewal_started_on < starts_on:
        raise field_error(
            "renewal_started_on",
            "before_start",
            t("Renewal talks cannot begin before the contract starts.", "续约沟通不能早于合同开始日期。"),
        )


def _day_after(day: date) -> date:
    """The default start of a renewal: the day after the old contract ends."""
    if day == date.max:
        raise field_error("starts_on", "required", t("Give the renewal's start date.", "请提供续约合同的开始日期。"))
    return day + timedelta(days=1)


class ContractService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def create(self, account_id: uuid.UUID, data: ContractCreate) -> Contract:
        await get_visible(self.session, Account, account_id, self.principal)
        _check_dates(data.starts_on, data.ends_on, data.renewal_started_on)
        await self._check_product("product_id", data.product_id)
        await self._check_opportunity(account_id, data.opportunity_id)
        fields = msgspec.structs.asdict(data)
        if fields["id"] is msgspec.UNSET:
            fields["id"] = uuid.uuid4()
        if fields["currency"] is msgspec.UNSET:
            fields["currency"] = await self._org_currency()
        contract = Contract(
            **fields, org_id=self.principal.org_id, account_id=account_id, created_by=self.principal.user_id
        )
        self.session.add(contract)
        await self.session.flush()
        return contract

    async def list_for_account(self, account_id: uuid.UUID) -> list[Contract]:
        """The account's contracts, oldest start first."""
        await get_visible(self.session, Account, account_id, self.principal)
        stmt = visible_contracts(self.principal).where(Contract.account_id == account_id)
        return list((await self.session.execute(stmt.order_by(Contract.starts_on, Contract.id))).scalars())

    async def get(self, contract_id: uuid.UUID) -> Contract:
        stmt = visible_contracts(self.principal).where(Contract.id == contract_id)
        contract = (await self.session.execute(stmt)).scalar_one_or_none()
        if contract is None:
            raise not_found()
        return contract

    async def update(self, contract_id: uuid.UUID, expected_version: int, data: ContractUpdate) -> Contract:
        """Change a contract's fields; each changed term (scope, payment terms, amount, end) is one amendment."""
        contract = await self.get(contract_id)
        check_version(expected_version, contract.version)
        changes = provided(data)
        if "status" in changes and contract.status == "renewed":
            raise conflict(
                "contract-renewed",
                t("A renewed contract keeps its status; change its renewal instead.", "已续约的合同状态不可更改。"),
            )
        if changes.get("product_id") is not None:
            await self._check_product("product_id", changes["product_id"])  # type: ignore[arg-type]
        _check_dates(
            changes.get("starts_on", contract.starts_on),  # type: ignore[arg-type]
            changes.get("ends_on", contract.ends_on),  # type: ignore[arg-type]
            changes.get("renewal_started_on", contract.renewal_started_on),  # type: ignore[arg-type]
        )
        before = {term: getattr(contract, term) for term in AMENDABLE_TERMS}
        changed = apply_changes(self.session, self.principal, "contract", contract, changes)
        now = utcnow()
        for term in AMENDABLE_TERMS:
            if term in changed:
                self.session.add(
                    ContractAmendment(
                        org_id=self.principal.org_id, contract_id=contract.id, term=term,
                        old_value=_term_text(before[term]), new_value=_term_text(getattr(contract, term)),
                        changed_at=now, changed_by=self.principal.user_id,
                    )
                )  # fmt: skip
        if changed:
            await self.session.flush()
        return contract

    async def amendments(self, contract_id: uuid.UUID) -> list[ContractAmendment]:
        """Each change of the contract's terms, oldest first."""
        await self.get(contract_id)
        stmt = (
            select(ContractAmendment)
            .where(ContractAmendment.contract_id == contract_id, ContractAmendment.org_id == self.principal.org_id)
            .order_by(ContractAmendment.changed_at, ContractAmendment.term)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def renew(self, contract_id: uuid.UUID, data: RenewalCreate) -> tuple[Contract, Contract]:
        """A new contract renewing this one, which becomes "renewed"; returns (old, new)."""
        old = await self.get(contract_id)
        if old.status not in RENEWABLE:
            raise conflict(
                "not-renewable",
                t("Only an active or expired contract can be renewed.", "只有生效中或已到期的合同可以续约。"),
            )
        given = provided(data)
        started = given.pop("renewal_started_on", old.renewal_started_on)
        _check_dates(old.starts_on, old.ends_on, started)  # type: ignore[arg-type]
        starts_on = given.pop("starts_on", None) or _day_after(old.ends_on)
        _check_dates(starts_on, data.ends_on, None)  # type: ignore[arg-type]
        if given.get("product_id") is not None:
            await self._check_product("product_id", given["product_id"])  # type: ignore[arg-type]
        await self._check_opportunity(old.account_id, data.opportunity_id)
        carried = {f: getattr(old, f) for f in ("name", "product_id", "scope", "payment_terms", "amount", "currency")}
        renewal = Contract(
            **{"id": uuid.uuid4(), **carried, **given},
            org_id=old.org_id,
            account_id=old.account_id,
            renews_id=old.id,
            starts_on=starts_on,
            status="active",
            created_by=self.principal.user_id,
        )
        apply_changes(
            self.session, self.principal, "contract", old, {"status": "renewed", "renewal_started_on": started}
        )
        self.session.add(renewal)
        await self.session.flush()
        return old, renewal

    async def record_usage(self, account_id: uuid.UUID, data: UsageRecord) -> tuple[ProductUsage, bool]:
        """Upsert one month's reading of a product at an account; returns it and whether it is new."""
        await get_visible(self.session, Account, account_id, self.principal)
        await self._check_product("product_id", data.product_id)
        month = data.month.replace(day=1)
        stmt = select(ProductUsage).where(
            ProductUsage.org_id == self.principal.org_id,
            ProductUsage.account_id == account_id,
            ProductUsage.product_id == data.product_id,
            ProductUsage.month == month,
        )
        reading = (await self.session.execute(stmt)).scalar_one_or_none()
        created = reading is None
        if reading is None:
            reading = ProductUsage(
                id=uuid.uuid4(), org_id=self.principal.org_id, account_id=account_id, product_id=data.product_id,
                month=month, quantity=data.quantity,
            )  # fmt: skip
            self.session.add(reading)
        reading.quantity = data.quantity
        reading.tier_limit = data.tier_limit
        reading.recorded_at = utcnow()
        await self.session.flush()
        return reading, created

    async def usage(self, account_id: uuid.UUID, product_id: uuid.UUID | None) -> list[ProductUsage]:
        """The account's monthly readings, per product, oldest month first."""
        await get_visible(self.session, Account, account_id, self.principal)
        stmt = select(ProductUsage).where(
            ProductUsage.org_id == self.principal.org_id, ProductUsage.account_id == account_id
        )
        if product_id is not None:
            stmt = stmt.where(ProductUsage.product_id == product_id)
        stmt = stmt.order_by(ProductUsage.product_id, ProductUsage.month)
        return list((await self.session.execute(stmt)).scalars())

    async def set_next_tier(self, product_id: uuid.UUID, next_tier_id: uuid.UUID | None) -> Product:
        """Admins name the product a customer moves up to; the ladder may not loop back on itself."""
        if not self.principal.is_admin:
            raise forbidden()
        product = await self._product(product_id)
        if product is None:
            raise not_found()
        if next_tier_id is not None:
            await self._check_product("next_tier_id", next_tier_id)
            step: uuid.UUID | None = next_tier_id
            for _ in range(1000):
                if step is None:
                    break
                if step == product.id:
                    raise field_error(
                        "next_tier_id",
                        "cycle",
                        t("The tier ladder would loop back to this product.", "产品升级路径不能形成循环。"),
                    )
                following = await self._product(step)
                step = following.next_tier_id if following else None
        product.next_tier_id = next_tier_id
        await self.session.flush()
        return product

    async def _product(self, product_id: uuid.UUID) -> Product | None:
        stmt = select(Product).where(Product.id == product_id, Product.org_id == self.principal.org_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def _check_product(self, field: str, product_id: uuid.UUID | None) -> None:
        if product_id is not None and await self._product(product_id) is None:
            raise field_error(field, "unknown", t("No such product in your catalogue.", "产品目录中没有该产品。"))

    async def _check_opportunity(self, account_id: uuid.UUID, opportunity_id: uuid.UUID | None) -> None:
        """The deal behind a contract must be one of this account's, within the caller's reach."""
        if opportunity_id is None:
            return
        stmt = visible(
            select(Opportunity.account_id).where(Opportunity.id == opportunity_id), Opportunity, self.principal
        )
        if (await self.session.execute(stmt)).scalar_one_or_none() != account_id:
            raise field_error(
                "opportunity_id",
                "unknown",
                t("No such opportunity of this account in your reach.", "您的权限范围内该客户没有此商机。"),
            )

    async def _org_currency(self) -> str:
        stmt = select(Organisation.currency).where(Organisation.id == self.principal.org_id)
        return (await self.session.execute(stmt)).scalar_one()
