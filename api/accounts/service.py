"""Accounts and contacts: create, read, update within the caller's reach."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.schemas import AccountCreate, AccountUpdate, ContactCreate, ContactUpdate
from api.db.models import Account, Contact, User
from api.db.types import utcnow
from api.lib.audit import apply_changes
from api.lib.auth import Principal
from api.lib.concurrency import check_version
from api.lib.errors import FieldProblem, field_error, validation_failed
from api.lib.i18n import t
from api.lib.pagination import keyset_page
from api.lib.schema import provided
from api.lib.scope import get_visible, resolve_owner, visible

LOCATION_PAIR = t("Latitude and longitude go together.", "纬度和经度必须同时提供。")


def _check_location(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        field = "lon" if lon is None else "lat"
        raise validation_failed([FieldProblem(field, "location_incomplete", LOCATION_PAIR)])


async def _check_customer_success(session: AsyncSession, org_id: uuid.UUID, changes: dict[str, object]) -> None:
    """cs_owner_id names an active user of the org; churned_at has a time zone and is not in the future."""
    cs_owner = changes.get("cs_owner_id")
    if cs_owner is not None:
        stmt = select(User.id).where(User.id == cs_owner, User.org_id == org_id, User.is_active)
        if (await session.execute(stmt)).scalar_one_or_none() is None:
            no_user = t("No such active user in your org.", "本组织中没有该在职用户。")
            raise field_error("cs_owner_id", "unknown", no_user)
    churned_at = changes.get("churned_at")
    if isinstance(churned_at, datetime):
        if churned_at.tzinfo is None:
            raise field_error("churned_at", "no_timezone", t("Give the time with a time zone.", "时间必须带时区。"))
        if churned_at > utcnow() + timedelta(minutes=10):
            raise field_error("churned_at", "in_future", t("This time lies in the future.", "该时间晚于现在。"))


class AccountService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def create(self, data: AccountCreate) -> Account:
        _check_location(data.lat, data.lon)
        owner_id = await resolve_owner(self.session, self.principal, data.owner_id)
        fields = msgspec.structs.asdict(data)
        await _check_customer_success(self.session, self.principal.org_id, fields)
        fields.pop("owner_id")
        if fields["id"] is msgspec.UNSET:
            fields["id"] = uuid.uuid4()
        account = Account(**fields, org_id=self.principal.org_id, owner_id=owner_id, created_by=self.principal.user_id)
        self.session.add(account)
        await self.session.flush()
        return account

    async def get(self, account_id: uuid.UUID) -> Account:
        return await get_visible(self.session, Account, account_id, self.principal)

    async def list(
        self, limit: int, cursor: str | None, q: str | None, owner_id: uuid.UUID | None
    ) -> tuple[list[Account], str | None]:
        stmt = visible(select(Account), Account, self.principal)
        if q:
            stmt = stmt.where(Account.name.ilike(f"%{q}%"))
        if owner_id:
            stmt = stmt.where(Account.owner_id == owner_id)
        return await keyset_page(self.session, stmt, Account.created_at, cursor, limit)

    async def update(self, account_id: uuid.UUID, expected_version: int, data: AccountUpdate) -> Account:
        account = await self.get(account_id)
        check_version(expected_version, account.version)
        changes = provided(data)
        if "owner_id" in changes:
            changes["owner_id"] = await resolve_owner(self.session, self.principal, changes["owner_id"])
        _check_location(changes.get("lat", account.lat), changes.get("lon", account.lon))  # type: ignore[arg-type]
        await _check_customer_success(self.session, self.principal.org_id, changes)
        if apply_changes(self.session, self.principal, "account", account, changes):
            await self.session.flush()
        return account

    async def contacts(self, account_id: uuid.UUID) -> list[Contact]:
        await self.get(account_id)
        stmt = select(Contact).where(
            Contact.account_id == account_id, Contact.org_id == self.principal.org_id, Contact.deleted_at.is_(None)
        )
        return list((await self.session.execute(stmt.order_by(Contact.name))).scalars())

    async def add_contact(self, account_id: uuid.UUID, data: ContactCreate) -> Contact:
        await self.get(account_id)
        fields = msgspec.structs.asdict(data)
        if fields["id"] is msgspec.UNSET:
            fields["id"] = uuid.uuid4()
        contact = Contact(
            **fields, org_id=self.principal.org_id, account_id=account_id, created_by=self.principal.user_id
        )
        self.session.add(contact)
        await self.session.flush()
        return contact

    async def get_contact(self, contact_id: uuid.UUID) -> Contact:
        contact = await get_visible(self.session, Contact, contact_id, self.principal)
        await self.get(contact.account_id)  # a contact is visible exactly when its account is
        return contact

    async def update_contact(self, contact_id: uuid.UUID, expected_version: int, data: ContactUpdate) -> Contact:
        contact = await self.get_contact(contact_id)
        check_version(expected_version, contact.version)
        if apply_changes(self.session, self.principal, "contact", contact, provided(data)):
            await self.session.flush()
        return contact
