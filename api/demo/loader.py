"""Loading the demo organisations into the database, once: a second run finds every row and adds nothing.

Users are recognised by email, products by SKU, everything else by its uuid5 id (see ``generate``), so a
load also completes a partial one and never overwrites what people changed in the demo since.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.passwords import hash_password
from api.db.engine import Database
from api.db.models import (
    Account,
    Activity,
    ApprovalRequest,
    Contact,
    Contract,
    ContractAmendment,
    DealSignal,
    FieldChange,
    Invoice,
    KnowledgeArticle,
    LineItem,
    Opportunity,
    Product,
    ProductUsage,
    Stage,
    StageHistory,
    SupportCase,
    User,
)
from api.db.types import utcnow
from api.demo import data
from api.demo.after_sale import extend
from api.demo.approvals import load_demo_approvals
from api.demo.data import OrgPlan
from api.demo.generate import Batch, Clock, Directory, build, demo_id
from api.knowledge.demo_articles import load_demo_articles
from api.opportunities.list_item import render_missing
from api.orgs.service import ensure_org, ensure_team
from api.settings import Settings

Row = (
    Account
    | Contact
    | Opportunity
    | LineItem
    | StageHistory
    | FieldChange
    | Activity
    | Contract
    | ContractAmendment
    | ProductUsage
    | SupportCase
    | DealSignal
    | Invoice
)
COUNTED: tuple[tuple[str, type], ...] = (
    ("users", User), ("products", Product), ("accounts", Account), ("contacts", Contact),
    ("opportunities", Opportunity), ("activities", Activity), ("approvals", ApprovalRequest),
    ("articles", KnowledgeArticle), ("contracts", Contract), ("amendments", ContractAmendment),
    ("usage", ProductUsage), ("cases", SupportCase), ("signals", DealSignal), ("invoices", Invoice),
)  # fmt: skip


@dataclass(frozen=True)
class OrgReport:
    name: str
    counts: dict[str, int]
    added: int


async def load_demo(settings: Settings) -> str:
    """Load Demo and Northwind in one transaction and say what they hold."""
    started = time.perf_counter()
    db = Database(settings)
    try:
        async with db.engine.connect() as conn:
            if not await conn.run_sync(_has_schema):
                raise ValueError("the database has no tables yet; run `fieldloop migrate` first")
        async with db.sessionmaker() as session:
            # One hash for every demo user: argon2 is slow on purpose, and they all share the password.
            password_hash = hash_password(data.PASSWORD)
            now = utcnow()
            reports = [await load_org(session, plan, password_hash, now) for plan in data.PLANS]
            await session.commit()
        async with db.sessionmaker() as session:  # the deals went in without the ORM: render their list items
            while await render_missing(session):
                await session.commit()
            await session.commit()
    finally:
        await db.dispose()
    return summary(reports, time.perf_counter() - started)


def _has_schema(conn: Connection) -> bool:
    return inspect(conn).has_table("stage_history")


async def load_org(session: AsyncSession, plan: OrgPlan, password_hash: str, now: datetime) -> OrgReport:
    """Create whatever of one demo org is missing; never commits."""
    clock = Clock(now, ZoneInfo(plan.timezone))
    org = await ensure_org(
        session, plan.name, timezone=plan.timezone, currency=plan.currency, locale=plan.locale,
        created_at=clock.at(plan.org_age_days, 9 * 60),
    )  # fmt: skip
    # "Today" is the org's own, whose time zone an admin may have changed since an earlier load.
    clock = Clock(now, ZoneInfo(org.timezone))
    users, added_users = await _ensure_users(session, plan, org.id, password_hash, clock)
    products, added_products = await _ensure_products(session, plan, org.id)
    directory = Directory(org.id, users, products, await _stages(session, org.id))
    batch = build(plan, directory, clock)
    extend(plan, directory, clock, batch)
    added = await _insert_missing(session, org.id, _tables(batch))
    added += await load_demo_approvals(session, org.id, plan.key)
    if plan.key == data.DEMO.key:
        # The knowledge base is written by the admin and the managers, the org's editors.
        editors = [users[e] for e in sorted(users) if e.startswith(("admin@", "manager"))]
        added += await load_demo_articles(session, org.id, editors)
    return OrgReport(plan.name, await _counts(session, org.id), added_users + added_products + added)


async def _stages(session: AsyncSession, org_id: uuid.UUID) -> dict[str, Stage]:
    stages = {s.key: s for s in (await session.execute(select(Stage).where(Stage.org_id == org_id))).scalars()}
    missing = {"lead", "qualified", "solution", "proposal", "negotiation", "won", "lost"} - set(stages)
    if missing:
        raise ValueError(f"the demo needs the default pipeline; this org lacks the stages {', '.join(sorted(missing))}")
    return stages


async def _ensure_users(
    session: AsyncSession, plan: OrgPlan, org_id: uuid.UUID, password_hash: str, clock: Clock
) -> tuple[dict[str, uuid.UUID], int]:
    """The demo users by email, created when missing (an existing one is kept as it is)."""
    emails = [seed.email for seed in plan.users]
    stmt = select(User).where(func.lower(User.email).in_(emails))
    existing = {user.email.lower(): user for user in (await session.execute(stmt)).scalars()}
    taken = sorted(email for email, user in existing.items() if user.org_id != org_id)
    if taken:
        raise ValueError(f"{', '.join(taken)} belong to another organisation than {plan.name}")
    teams = {seed.team for seed in plan.users if seed.team}
    team_ids = {name: (await ensure_team(session, org_id, name)).id for name in sorted(teams)}
    ids: dict[str, uuid.UUID] = {}
    added = 0
    # Managers before their reps, so that manager_id always points at a user already added.
    for seed in sorted(plan.users, key=lambda s: s.manager is not None):
        user = existing.get(seed.email)
        if user is None:
            user = User(
                id=demo_id(plan.key, "user", seed.email),
                org_id=org_id,
                team_id=team_ids[seed.team] if seed.team else None,
                manager_id=ids[seed.manager] if seed.manager else None,
                email=seed.email,
                name=seed.name,
                password_hash=password_hash,
                roles=list(seed.roles),
                locale=seed.locale,
                timezone=plan.timezone,
                created_at=clock.at(plan.org_age_days - 10, 10 * 60),
            )
            session.add(user)
            added += 1
        ids[seed.email] = user.id
    await session.flush()
    return ids, added


async def _ensure_products(session: AsyncSession, plan: OrgPlan, org_id: uuid.UUID) -> tuple[dict[str, Product], int]:
    """The catalogue by SKU, created when missing (an existing product keeps its current price)."""
    stmt = select(Product).where(Product.org_id == org_id)
    products = {p.sku: p for p in (await session.execute(stmt)).scalars()}
    missing = [
        Product(
            id=demo_id(plan.key, "product", seed.sku),
            org_id=org_id,
            sku=seed.sku,
            name=seed.name,
            series=seed.series,
            list_price=seed.list_price,
            currency=plan.currency,
        )
        for seed in plan.products
        if seed.sku not in products
    ]
    session.add_all(missing)
    await session.flush()
    products.update((p.sku, p) for p in missing)
    # The tier ladder, where the catalogue has both steps and nobody has set another next tier.
    for sku, next_sku in data.TIER_LADDER.items():
        product, upgrade = products.get(sku), products.get(next_sku)
        if product is not None and upgrade is not None and product.next_tier_id is None:
            product.next_tier_id = upgrade.id
    await session.flush()
    return products, len(missing)


def _tables(batch: Batch) -> list[tuple[type[Row], Sequence[Row]]]:
    """The batch table by table, parents first."""
    return [
        (Account, batch.accounts), (Contact, batch.contacts), (Opportunity, batch.opportunities),
        (LineItem, batch.line_items), (StageHistory, batch.stays), (FieldChange, batch.changes),
        (Activity, batch.activities), (Contract, batch.contracts), (ContractAmendment, batch.amendments),
        (ProductUsage, batch.usage), (SupportCase, batch.cases), (DealSignal, batch.signals),
        (Invoice, batch.invoices),
    ]  # fmt: skip


async def _insert_missing(
    session: AsyncSession, org_id: uuid.UUID, tables: list[tuple[type[Row], Sequence[Row]]]
) -> int:
    """Add the rows whose ids the org does not hold yet; returns how many."""
    added = 0
    for model, rows in tables:
        present = set((await session.execute(select(model.id).where(model.org_id == org_id))).scalars())
        missing = [row for row in rows if row.id not in present]
        session.add_all(missing)
        await session.flush()
        added += len(missing)
    return added


async def _counts(session: AsyncSession, org_id: uuid.UUID) -> dict[str, int]:
    counts = {}
    for name, model in COUNTED:
        stmt = select(func.count()).select_from(model).where(model.org_id == org_id)
        counts[name] = (await session.execute(stmt)).scalar_one()
    by_kind = (
        select(Stage.kind, func.count())
        .select_from(Opportunity)
        .join(Stage, (Stage.org_id == Opportunity.org_id) & (Stage.key == Opportunity.stage))
        .where(Opportunity.org_id == org_id, Opportunity.deleted_at.is_(None))
        .group_by(Stage.kind)
    )
    counts.update({"open": 0, "won": 0, "lost": 0})
    counts.update({kind: count for kind, count in (await session.execute(by_kind)).all()})
    return counts


def summary(reports: list[OrgReport], seconds: float) -> str:
    """A few lines for the terminal: what each org holds, what this run added, how to sign in."""
    lines = [
        f"{r.name}: {r.counts['users']} users, {r.counts['products']} products, {r.counts['accounts']} accounts, "
        f"{r.counts['contacts']} contacts, {r.counts['opportunities']} opportunities ({r.counts['open']} open, "
        f"{r.counts['won']} won, {r.counts['lost']} lost), {r.counts['activities']} activities, "
        f"{r.counts['approvals']} approvals, {r.counts['articles']} knowledge articles, "
        f"{r.counts['contracts']} contracts ({r.counts['amendments']} amendments), {r.counts['usage']} usage readings, "
        f"{r.counts['cases']} support cases, {r.counts['signals']} deal signals, {r.counts['invoices']} invoices"
        for r in reports
    ]
    added = sum(r.added for r in reports)
    lines.append(f"{added} rows added in {seconds:.1f} s" + ("" if added else " (already loaded)"))
    lines.append(f"sign in as admin@{data.DEMO_DOMAIN}, manager1@…, rep1@… with the password {data.PASSWORD}")
    return "\n".join(lines)
