"""Importing spreadsheet rows: planned in memory against what the org has, then written in batches.

Every row is matched to an existing record by its external id (or, for records without one, by name), so a
second import of the same file finds everything in place and changes nothing. A dry run plans and reports but
writes nothing. Imported opportunities are history: they are written directly, not through the live-edit rules
of the opportunity service, and whatever those rules would refuse is reported as a warning instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import (
    Account,
    Contact,
    LineItem,
    Opportunity,
    Organisation,
    Product,
    Stage,
    StageHistory,
    Team,
    User,
)
from api.db.models.org import ROLES
from api.db.types import utcnow
from api.imports import mapping as columns
from api.imports.normalise import (
    STAGE_SYNONYMS,
    Report,
    RowProblem,
    RowRefused,
    correct_industry,
    name_key,
    parse_date,
    parse_minor,
    slug,
)
from api.imports.readers import Table
from api.opportunities import rules

UNUSABLE_PASSWORD = "!imported-no-password"  # not an argon2 hash: nobody signs in until an admin sets one
PLACEHOLDER_ACCOUNT = "__unassigned__"
PLACEHOLDER_ACCOUNT_NAME = "Unassigned (import) / 未指定客户（导入）"
ENGAGED_STAGE = "qualified"  # where a closed deal with an engage date stayed before it closed


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    currency: str | None = None  # amounts without a currency column; the org's currency when None
    mapping: dict[str, str] = field(default_factory=dict)  # field → header
    stages: dict[str, str] = field(default_factory=dict)  # value in the file → stage key
    as_of: date | None = None  # the export's date; the latest date in the file when None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class _Row:
    """One spreadsheet row read through the column mapping."""

    def __init__(self, number: int, cells: list[str], mapping: dict[str, int]) -> None:
        self.number = number
        self._cells = cells
        self._mapping = mapping

    def get(self, name: str) -> str:
        index = self._mapping.get(name)
        return self._cells[index].strip() if index is not None else ""

    def require(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise RowRefused(RowProblem(self.number, name, "missing", {"field": name}))
        return value


class ImportService:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID, options: ImportOptions | None = None) -> None:
        self.session = session
        self.org_id = org_id
        self.options = options or ImportOptions()
        self.now = utcnow()
        self._inserts: dict[type, list[dict[str, Any]]] = {}
        self._updates: list[tuple[type, uuid.UUID, dict[str, Any]]] = []
        self._moved: list[tuple[uuid.UUID, str, datetime]] = []  # opportunities whose stage changed, and when

    # -- the entry point ---------------------------------------------------------------------------------------
    async def run(self, kind: str, table: Table) -> Report:
        """Import one table of one kind; raises MappingError when the header does not fit."""
        index = columns.detect(kind, table.headers, self.options.mapping)
        report = Report(kind=kind, dry_run=self.options.dry_run, rows=len(table.rows))
        report.mapping = {name: table.headers[i] for name, i in index.items()}
        self.report = report
        await self._load()
        rows = [_Row(n, cells, index) for n, cells in zip(table.row_numbers, table.rows, strict=True)]
        if kind == "opportunities":
            await self._load_opportunities()
            report.as_of = self.options.as_of or _latest_date(rows) or self.now.date()
        handler = getattr(self, f"_{kind}")
        for row in rows:
            try:
                handler(row)
            except RowRefused as refused:
                report.refuse(refused.problem)
        if not self.options.dry_run:
            await self._write()
        return report

    # -- what the org has ----------------------------------------------------------------------------------------
    async def _load(self) -> None:
        s, org = self.session, self.org_id
        self.org = (await s.execute(select(Organisation).where(Organisation.id == org))).scalar_one()
        self.stages = {st.key: st for st in (await s.execute(select(Stage).where(Stage.org_id == org))).scalars()}
        self.teams = {n: i for i, n in (await s.execute(select(Team.id, Team.name).where(Team.org_id == org))).all()}
        self.users: dict[str, dict[str, Any]] = {}
        self.users_by_email: dict[str, dict[str, Any]] = {}
        stmt = select(User.id, User.name, User.email, User.team_id, User.manager_id, User.roles, User.created_at)
        for r in (await s.execute(stmt.where(User.org_id == org).order_by(User.created_at))).mappings():
            self._remember_user(dict(r))
        self.accounts: dict[str, dict[str, Any]] = {}
        self.accounts_by_name: dict[str, dict[str, Any]] = {}
        stmt = select(
            Account.id, Account.external_id, Account.name, Account.industry, Account.address, Account.city,
            Account.phone, Account.website, Account.notes, Account.owner_id,
        )  # fmt: skip
        for r in (await s.execute(stmt.where(Account.org_id == org, Account.deleted_at.is_(None)))).mappings():
            self._remember_account(dict(r))
        self.products: dict[str, dict[str, Any]] = {}
        stmt = select(Product.id, Product.sku, Product.name, Product.series, Product.list_price, Product.currency)
        for r in (await s.execute(stmt.where(Product.org_id == org))).mappings():
            self._remember_product(dict(r))
        self.contacts: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}
        stmt = select(Contact.id, Contact.account_id, Contact.name, Contact.title, Contact.phone, Contact.email,
                      Contact.is_decision_maker)  # fmt: skip
        for r in (await s.execute(stmt.where(Contact.org_id == org, Contact.deleted_at.is_(None)))).mappings():
            self._remember_contact(dict(r))
        self._default_owner: uuid.UUID | None = None

    async def _load_opportunities(self) -> None:
        stmt = select(
            Opportunity.id, Opportunity.external_id, Opportunity.name, Opportunity.stage, Opportunity.amount,
            Opportunity.currency, Opportunity.close_date, Opportunity.owner_id, Opportunity.account_id,
            Opportunity.probability, Opportunity.closed_at, Opportunity.loss_reason,
        ).where(Opportunity.org_id == self.org_id, Opportunity.external_id.is_not(None))  # fmt: skip
        self.opportunities = {r["external_id"]: dict(r) for r in (await self.session.execute(stmt)).mappings()}
        self.seen: dict[str, int] = {}

    def _remember_user(self, user: dict[str, Any]) -> None:
        self.users.setdefault(name_key(user["name"]), user)
        self.users_by_email[user["email"].lower()] = user

    def _remember_account(self, account: dict[str, Any]) -> None:
        if account["external_id"]:
            self.accounts[account["external_id"]] = account
        self.accounts_by_name.setdefault(name_key(account["name"]), account)

    def _remember_product(self, product: dict[str, Any]) -> None:
        self.products[name_key(product["sku"])] = product
        self.products.setdefault(name_key(product["name"]), product)

    def _remember_contact(self, contact: dict[str, Any]) -> None:
        key = (contact["email"] or "").lower() or name_key(contact["name"])
        self.contacts[(contact["account_id"], key)] = contact

    # -- planning helpers ----------------------------------------------------------------------------------------
    def _insert(self, model: type, values: dict[str, Any]) -> None:
        self._inserts.setdefault(model, []).append(values)

    def _upsert(self, entity: str, model: type, existing: dict[str, Any] | None, wanted: dict[str, Any]) -> str:
        """Compare the wanted fields with the stored ones; plan an insert or an update. Returns what happens."""
        counts = self.report.counts(entity)
        if existing is None:
            counts.created += 1
            self._insert(model, wanted)
            return "created"
        changed = {k: v for k, v in wanted.items() if k != "id" and existing.get(k) != v}
        if not changed:
            counts.unchanged += 1
            return "unchanged"
        counts.updated += 1
        existing.update(changed)
        self._updates.append((model, existing["id"], changed))
        return "updated"

    def _currency(self, row: _Row) -> str:
        value = (row.get("currency") or self.options.currency or self.org.currency).upper()
        if len(value) != 3 or not value.isalpha():
            raise RowRefused(RowProblem(row.number, "currency", "bad_currency", {"value": value}))
        return value

    def _date(self, row: _Row, name: str) -> date | None:
        try:
            value, us = parse_date(row.get(name))
        except ValueError:
            raise RowRefused(RowProblem(row.number, name, "bad_date", {"value": row.get(name)})) from None
        if us:
            self.report.normalised(row.number, "us_date", name, "M/D/YYYY", "YYYY-MM-DD")
        return value

    def _minor(self, row: _Row, name: str) -> int | None:
        try:
            value, whole = parse_minor(row.get(name))
        except ValueError:
            raise RowRefused(RowProblem(row.number, name, "bad_amount", {"value": row.get(name)})) from None
        if value is not None and whole:
            self.report.normalised(row.number, "dollars_to_minor", name, "whole units", "minor units ×100")
        return value

    def _team(self, name: str) -> uuid.UUID | None:
        if not name:
            return None
        if name not in self.teams:
            self.teams[name] = uuid.uuid4()
            self._insert(Team, {"id": self.teams[name], "org_id": self.org_id, "name": name, "created_at": self.now})
            self.report.counts("teams").created += 1
        return self.teams[name]

    def _new_user(self, name: str, email: str | None, roles: list[str], team_id: Any, manager_id: Any) -> dict:
        email = (email or f"{slug(name)}@{slug(self.org.name)}.import.invalid").lower()
        user = {
            "id": uuid.uuid4(), "org_id": self.org_id, "name": name, "email": email, "team_id": team_id,
            "manager_id": manager_id, "roles": roles, "password_hash": UNUSABLE_PASSWORD, "locale": self.org.locale,
            "timezone": self.org.timezone, "is_active": True, "created_at": self.now,
        }  # fmt: skip
        self._insert(User, user)
        self.report.counts("users").created += 1
        self._remember_user(user)
        return user

    def _find_user(self, text: str) -> dict[str, Any] | None:
        return self.users_by_email.get(text.lower()) if "@" in text else self.users.get(name_key(text))

    def default_owner(self) -> uuid.UUID:
        """Records without an owner go to the org's first admin, else to an 'Unassigned' user."""
        if self._default_owner is None:
            admins = [u for u in self.users.values() if "admin" in (u["roles"] or [])]
            if admins:
                self._default_owner = admins[0]["id"]
            else:
                user = self._find_user("Unassigned (import)") or self._new_user(
                    "Unassigned (import)", None, ["rep"], None, None
                )
                self._default_owner = user["id"]
        return self._default_owner

    # -- users and teams -----------------------------------------------------------------------------------------
    def _users(self, row: _Row) -> None:
        name = row.require("name")
        team_id = self._team(row.get("team"))
        manager_id = None
        if manager_name := row.get("manager"):
            manager = self._find_user(manager_name)
            if manager is None:
                manager = self._new_user(manager_name, None, ["manager"], team_id, None)
                self.report.normalised(row.number, "manager_created", "manager", manager_name, manager["email"])
            manager_id = manager["id"]
        roles = [r.strip() for r in row.get("role").replace(";", ",").split(",") if r.strip() in ROLES] or ["rep"]
        user = self._find_user(row.get("email") or name)
        if user is None:
            self._new_user(name, row.get("email") or None, roles, team_id, manager_id)
            return
        self._upsert("users", User, user, {"team_id": team_id or user["team_id"], "manager_id": manager_id})

    # -- products ------------------------------------------------------------------------------------------------
    def _products(self, row: _Row) -> None:
        name = row.require("name")
        sku = row.get("sku")
        if not sku:
            sku = name_key(name).upper()[:60]
            self.report.normalised(row.number, "sku_derived", "sku", "", "NAME→SKU")
        existing = self.products.get(name_key(sku)) or self.products.get(name_key(name))
        wanted = {
            "name": name,
            "series": row.get("series") or None,
            "list_price": self._minor(row, "list_price") or 0,
            "currency": self._currency(row),
        }
        if existing is None:
            wanted |= {"id": uuid.uuid4(), "org_id": self.org_id, "sku": sku, "is_active": True}
            self._remember_product(wanted)
        self._upsert("products", Product, existing, wanted)

    def _product_for(self, row: _Row, currency: str) -> dict[str, Any] | None:
        text = row.get("product")
        if not text:
            return None
        product = self.products.get(name_key(text))
        if product is None:
            product = {
                "id": uuid.uuid4(), "org_id": self.org_id, "sku": name_key(text).upper()[:60], "name": text,
                "series": None, "list_price": 0, "currency": currency, "is_active": True,
            }  # fmt: skip
            self._upsert("products", Product, None, product)
            self._remember_product(product)
            self.report.normalised(row.number, "product_created", "product", text, text)
        elif product["name"] != text:
            self.report.normalised(row.number, "product_name", "product", text, product["name"])
        return product

    # -- accounts and contacts -----------------------------------------------------------------------------------
    def _accounts(self, row: _Row) -> None:
        name = row.require("name")
        external_id = row.get("external_id")
        if not external_id:
            external_id = name
            self.report.normalised(row.number, "external_id_from_name", "external_id")
        industry = row.get("industry")
        corrected = correct_industry(industry)
        if industry and corrected != industry.strip().lower():
            self.report.normalised(row.number, "industry_spelling", "industry", industry, corrected)
        facts = [
            ("Parent / 母公司", row.get("parent")),
            ("Revenue / 营收", row.get("revenue")),
            ("Employees / 员工数", row.get("employees")),
            ("Established / 成立", row.get("year_established")),
        ]
        wanted = {
            "name": name,
            "industry": corrected or None,
            "address": row.get("address") or None,
            "city": row.get("city") or None,
            "phone": row.get("phone") or None,
            "website": row.get("website") or None,
            "notes": "\n".join(f"{label}: {value}" for label, value in facts if value) or None,
        }
        existing = self.accounts.get(external_id) or self.accounts_by_name.get(name_key(name))
        if existing is None:
            wanted = self._new_account(external_id, wanted, self.default_owner())
        self._upsert("accounts", Account, existing, wanted)

    def _new_account(self, external_id: str, fields: dict[str, Any], owner_id: uuid.UUID) -> dict[str, Any]:
        account = {
            "id": uuid.uuid4(), "org_id": self.org_id, "external_id": external_id, "owner_id": owner_id,
            "version": 1, "created_at": self.now, "updated_at": self.now, **fields,
        }  # fmt: skip
        self._remember_account(account)
        return account

    def _account_for(self, row: _Row, owner_id: uuid.UUID) -> uuid.UUID:
        text = row.get("account")
        if not text:
            self.report.normalised(row.number, "account_missing", "account", "", PLACEHOLDER_ACCOUNT_NAME)
            account = self.accounts.get(PLACEHOLDER_ACCOUNT)
            if account is None:
                account = self._new_account(PLACEHOLDER_ACCOUNT, {"name": PLACEHOLDER_ACCOUNT_NAME}, owner_id)
                self._upsert("accounts", Account, None, account)
            return account["id"]
        account = self.accounts.get(text) or self.accounts_by_name.get(name_key(text))
        if account is None:
            account = self._new_account(text, {"name": text}, owner_id)
            self._upsert("accounts", Account, None, account)
        return account["id"]

    def _contacts(self, row: _Row) -> None:
        account_text = row.require("account")
        account = self.accounts.get(account_text) or self.accounts_by_name.get(name_key(account_text))
        if account is None:
            raise RowRefused(RowProblem(row.number, "account", "unknown_account", {"value": account_text}))
        name = row.require("name")
        email = row.get("email").lower() or None
        wanted = {
            "name": name,
            "title": row.get("title") or None,
            "phone": row.get("phone") or None,
            "email": email,
            "is_decision_maker": row.get("decision_maker").lower() in {"1", "true", "yes", "y", "是", "x"},
        }
        key = (account["id"], email or name_key(name))
        existing = self.contacts.get(key)
        if existing is None:
            wanted |= {
                "id": uuid.uuid4(), "org_id": self.org_id, "account_id": account["id"], "version": 1,
                "created_at": self.now, "updated_at": self.now,
            }  # fmt: skip
            self.contacts[key] = wanted
        self._upsert("contacts", Contact, existing, wanted)

    # -- opportunities -------------------------------------------------------------------------------------------
    def _stage_for(self, row: _Row) -> Stage:
        text = row.require("stage")
        key = self.options.stages.get(text) or self._stage_key(text)
        if key is None or key not in self.stages:
            raise RowRefused(RowProblem(row.number, "stage", "unknown_stage", {"value": text}))
        if key != text:
            self.report.normalised(row.number, "stage_mapped", "stage", text, key)
        return self.stages[key]

    def _stage_key(self, text: str) -> str | None:
        wanted = name_key(text)
        for stage in self.stages.values():
            if wanted in (name_key(stage.key), name_key(stage.name_en), name_key(stage.name_zh)):
                return stage.key
        return STAGE_SYNONYMS.get(text.strip().lower())

    def _owner_for(self, row: _Row) -> uuid.UUID:
        text = row.get("owner")
        if not text:
            self.report.normalised(row.number, "owner_missing", "owner")
            return self.default_owner()
        user = self._find_user(text)
        if user is None:
            user = self._new_user(text, text if "@" in text else None, ["rep"], None, None)
            self.report.normalised(row.number, "owner_created", "owner", text, user["email"])
        return user["id"]

    def _opportunities(self, row: _Row) -> None:
        report = self.report
        external_id = row.require("external_id")
        if external_id in self.seen:
            raise RowRefused(
                RowProblem(
                    row.number, "external_id", "duplicate", {"value": external_id, "first": self.seen[external_id]}
                )
            )
        self.seen[external_id] = row.number
        stage = self._stage_for(row)
        engaged, close_date = self._date(row, "engage_date"), self._date(row, "close_date")
        amount = self._minor(row, "amount")
        currency = self._currency(row)
        owner_id = self._owner_for(row)
        product = self._product_for(row, currency)
        account_id = self._account_for(row, owner_id)
        if amount is None:
            amount = 0
            if stage.kind == "open" and product and product["list_price"]:
                amount = product["list_price"]
                report.normalised(row.number, "amount_from_list_price", "amount", "", product["name"])
        name = row.get("name")
        if not name:
            name = f"{product['name'] if product else 'Deal'} · {row.get('account') or external_id}"[:200]
            report.normalised(row.number, "name_derived", "name")
        loss_reason = row.get("loss_reason") or None
        self._warn_rules(row.number, stage, amount, close_date, loss_reason)
        entered = _midnight(engaged) if engaged else None
        if entered is None:
            assert report.as_of is not None
            report.normalised(row.number, "entered_at_assumed", "engage_date", "", report.as_of.isoformat())
            entered = _midnight(report.as_of)
        closed_at = None
        if stage.kind != "open":
            closed_at = _midnight(close_date) if close_date else entered
        wanted = {
            "name": name, "stage": stage.key, "amount": amount, "currency": currency, "close_date": close_date,
            "owner_id": owner_id, "account_id": account_id, "probability": stage.probability,
            "closed_at": closed_at, "loss_reason": loss_reason,
        }  # fmt: skip
        existing = self.opportunities.get(external_id)
        if existing is None:
            self._new_opportunity(external_id, wanted, stage, entered, product)
            return
        previous_stage = existing["stage"]
        if self._upsert("opportunities", Opportunity, existing, wanted) == "updated" and previous_stage != stage.key:
            self._moved.append((existing["id"], stage.key, closed_at or self.now))

    def _warn_rules(self, number: int, stage: Stage, amount: int, close_date: date | None, loss: str | None) -> None:
        """The live-edit rules, applied as warnings: history is kept as it was."""
        deal = rules.Deal(stage.key, amount, close_date, loss, "pipeline", 0.0)
        for problem in rules.check(deal, rules.Change(today=self.now.date(), is_new=True), self.stages):
            self.report.normalised(number, problem.code, problem.field)
        if stage.kind == "open" and close_date is None:
            self.report.normalised(number, "open_without_close_date", "close_date")

    def _new_opportunity(
        self, external_id: str, wanted: dict[str, Any], stage: Stage, entered: datetime, product: dict | None
    ) -> None:
        opportunity_id = uuid.uuid4()
        self.report.counts("opportunities").created += 1
        self._insert(
            Opportunity,
            {
                **wanted, "id": opportunity_id, "org_id": self.org_id, "external_id": external_id, "version": 1,
                "discount_pct": 0.0, "competitors": [], "created_at": entered, "updated_at": self.now,
                "forecast_category": "closed" if stage.kind != "open" else "pipeline", "created_by": None,
            },
        )  # fmt: skip
        if product is not None:
            self._insert(
                LineItem,
                {
                    "id": uuid.uuid4(), "org_id": self.org_id, "opportunity_id": opportunity_id,
                    "product_id": product["id"], "description": product["name"], "quantity": 1,
                    "unit_price": wanted["amount"], "discount_pct": 0.0, "amount": wanted["amount"], "position": 0,
                },
            )  # fmt: skip
        stays: list[tuple[str, datetime, datetime | None]] = []
        closed_at = wanted["closed_at"]
        if stage.kind != "open" and closed_at is not None and closed_at > entered and ENGAGED_STAGE in self.stages:
            stays.append((ENGAGED_STAGE, entered, closed_at))
            stays.append((stage.key, closed_at, None))
        else:
            stays.append((stage.key, closed_at or entered, None))
        for key, entered_at, left_at in stays:
            self._insert(
                StageHistory,
                {
                    "id": uuid.uuid4(), "org_id": self.org_id, "opportunity_id": opportunity_id, "stage": key,
                    "entered_at": entered_at, "left_at": left_at, "changed_by": None,
                },
            )  # fmt: skip

    # -- writing -------------------------------------------------------------------------------------------------
    async def _write(self) -> None:
        order = (Team, User, Product, Account, Contact, Opportunity, LineItem, StageHistory)
        for model in order:
            rows = self._inserts.get(model, [])
            for start in range(0, len(rows), 1000):
                # Core executemany: one driver call per batch (the ORM's bulk insert goes row by row here).
                await self.session.execute(model.__table__.insert(), rows[start : start + 1000])  # type: ignore[attr-defined]
        for model, row_id, values in self._updates:
            if hasattr(model, "version"):  # a changed record gets a new ETag, as after any edit
                values = {**values, "version": model.version + 1, "updated_at": self.now}  # type: ignore[attr-defined]
            stmt = update(model).where(model.id == row_id).values(**values)  # type: ignore[attr-defined]
            await self.session.execute(stmt.execution_options(synchronize_session=False))
        for opportunity_id, stage_key, at in self._moved:
            await self.session.execute(
                update(StageHistory)
                .where(StageHistory.opportunity_id == opportunity_id, StageHistory.left_at.is_(None))
                .values(left_at=at)
                .execution_options(synchronize_session=False)
            )
            self.session.add(
                StageHistory(org_id=self.org_id, opportunity_id=opportunity_id, stage=stage_key, entered_at=at)
            )
        await self.session.flush()


def _latest_date(rows: list[_Row]) -> date | None:
    """The export's date, taken as the latest engage or close date in it."""
    latest: date | None = None
    for row in rows:
        for name in ("engage_date", "close_date"):
            try:
                value, _ = parse_date(row.get(name))
            except ValueError:
                continue
            if value and (latest is None or value > latest):
                latest = value
    return latest
