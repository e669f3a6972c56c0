"""The demo after the sale: contracts and renewals, usage, cases, invoices, signals, churn, and the insights on them."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.engine import Database
from api.db.models import (
    Account,
    Activity,
    Contact,
    Contract,
    ContractAmendment,
    DealSignal,
    Invoice,
    Opportunity,
    Organisation,
    Product,
    ProductUsage,
    SupportCase,
    User,
)
from api.demo import data
from api.demo.after_sale import extend
from api.demo.generate import Batch, Clock, build
from api.demo.loader import load_demo
from api.service_desk.sla import breached
from api.settings import Settings
from tests.integration.demo.test_demo import _directory

DEMO = data.DEMO_DOMAIN
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_SALE = (Contract, ContractAmendment, ProductUsage, SupportCase, DealSignal, Invoice)
T = TypeVar("T", bound=Any)
EAST_REPS = {f"rep{n}@{DEMO}" for n in range(1, 7)}


async def _after_sale_counts(db: Database, org_id: uuid.UUID) -> dict[str, int]:
    async with db.sessionmaker() as session:
        return {
            model.__tablename__: (
                await session.execute(select(func.count()).select_from(model).where(model.org_id == org_id))
            ).scalar_one()
            for model in AFTER_SALE
        }


async def _all(session: AsyncSession, model: type[T], org_id: uuid.UUID) -> list[T]:
    return list((await session.execute(select(model).where(model.org_id == org_id))).scalars())


async def test_after_sale_records_are_there_consistent_and_loaded_once(settings: Settings, db: Database) -> None:
    first = await load_demo(settings)
    async with db.sessionmaker() as session:
        org_id = (await session.execute(select(Organisation.id).where(Organisation.name == "Demo"))).scalar_one()
    counts = await _after_sale_counts(db, org_id)
    second = await load_demo(settings)
    assert await _after_sale_counts(db, org_id) == counts and "0 rows added" in second
    assert "contracts" in first and "support cases" in first and "invoices" in first

    now = datetime.now(SHANGHAI)
    today = now.date()
    async with db.sessionmaker() as session:
        contracts = {c.id: c for c in await _all(session, Contract, org_id)}
        amendments = await _all(session, ContractAmendment, org_id)
        usage = await _all(session, ProductUsage, org_id)
        cases = await _all(session, SupportCase, org_id)
        signals = await _all(session, DealSignal, org_id)
        invoices = await _all(session, Invoice, org_id)
        accounts = {a.id: a for a in await _all(session, Account, org_id)}
        deals = {d.id: d for d in await _all(session, Opportunity, org_id)}
        products = {p.sku: p for p in await _all(session, Product, org_id)}
        contacts = {c.id: c for c in await _all(session, Contact, org_id)}
        activities = await _all(session, Activity, org_id)
        users = {u.email: u for u in await _all(session, User, org_id)}

    # Contracts: 12-month terms, renewal chains, statuses that agree with today.
    statuses = Counter(c.status for c in contracts.values())
    assert statuses["active"] >= 30 and statuses["renewed"] >= 20 and statuses["expired"] >= 10, statuses
    successors = {c.renews_id: c for c in contracts.values() if c.renews_id}
    for contract in contracts.values():
        assert 364 <= (contract.ends_on - contract.starts_on).days <= 365
        assert contract.account_id in accounts and contract.product_id is not None
        if contract.status == "active":
            assert contract.ends_on >= today
        if contract.status == "expired":
            assert contract.ends_on < today and contract.id not in successors
        if contract.status == "renewed":
            successor = successors[contract.id]
            assert successor.starts_on == contract.ends_on + timedelta(days=1)
            assert (successor.account_id, successor.product_id) == (contract.account_id, contract.product_id)
            assert contract.renewal_started_on is not None and contract.renewal_started_on <= contract.ends_on
        if contract.renewal_started_on is not None:
            assert contract.renewal_started_on <= today
        if contract.opportunity_id is not None:
            deal = deals[contract.opportunity_id]
            assert deal.stage == "won" and deal.close_date == contract.starts_on
            assert deal.account_id == contract.account_id and deal.amount == contract.amount
    assert {c.renews_id for c in contracts.values() if c.renews_id} <= {
        c.id for c in contracts.values() if c.status == "renewed"
    }
    assert sum(1 for c in contracts.values() if c.status == "active" and (c.ends_on - today).days <= 120) >= 3
    won_accounts = {d.account_id for d in deals.values() if d.stage == "won"}
    assert won_accounts <= {c.account_id for c in contracts.values()}

    # Amendments: a few contracts amended two or three times, scope and payment terms only, within the term.
    per_contract = Counter(a.contract_id for a in amendments)
    assert sum(1 for n in per_contract.values() if n >= 2) >= 5
    for amendment in amendments:
        assert amendment.term in ("scope", "payment_terms") and amendment.old_value != amendment.new_value
        assert amendment.changed_at.astimezone(SHANGHAI).date() <= today

    # Churned customers: only past contracts, the last one expired before they left, and trouble before it.
    churned = [a for a in accounts.values() if a.churned_at is not None]
    assert len(churned) >= 5
    for account in churned:
        own = sorted((c for c in contracts.values() if c.account_id == account.id), key=lambda c: c.ends_on)
        assert own and all(c.status in ("expired", "cancelled", "renewed") for c in own), account.name
        assert own[-1].status in ("expired", "cancelled") and own[-1].ends_on <= account.churned_at.date()
        assert account.churned_at < now
        before = [c for c in cases if c.account_id == account.id and c.opened_at <= account.churned_at]
        assert len(before) >= 3
    cs = users[f"cs@{DEMO}"]
    customers = {c.account_id for c in contracts.values()}
    assert all(accounts[a].cs_owner_id == cs.id for a in customers)

    # Usage: monthly readings within a contract of the account, a few near or over the limit.
    periods = defaultdict(list)
    for contract in contracts.values():
        periods[contract.account_id].append((contract.starts_on, contract.ends_on))
    assert len(usage) >= 20
    for reading in usage:
        assert reading.month.day == 1 and reading.month < today.replace(day=1)
        assert any(start <= reading.month <= end for start, end in periods[reading.account_id])
        assert reading.tier_limit and reading.quantity > 0
    assert sum(1 for r in usage if r.quantity >= 0.9 * r.tier_limit) >= 3
    assert products["FL-CLD-STD"].next_tier_id == products["FL-CLD-ENT"].id

    # Cases: mostly answered in time, some breached, a few open, and never an open complaint.
    assert len(cases) >= 30
    owners_by_id = {u.id: u.email for u in users.values()}
    for case in cases:
        assert case.sla_due_at is not None and case.opened_at < case.sla_due_at
        if case.resolved_at is not None:
            assert case.status == "resolved" and case.opened_at < case.resolved_at < now
        if case.first_response_at is not None:
            assert case.opened_at < case.first_response_at
            assert case.resolved_at is None or case.first_response_at <= case.resolved_at
        if case.kind == "complaint":
            assert case.status == "resolved"
        if case.status != "resolved":
            assert case.resolved_at is None
            if owners_by_id[accounts[case.account_id].owner_id] in EAST_REPS:
                assert case.kind != "complaint"
    late = sum(1 for c in cases if breached(c, now))
    assert 3 <= late < len(cases) / 3
    assert 1 <= sum(1 for c in cases if c.status == "open") <= 5

    # Invoices: for customers, numbered uniquely, some paid late, none paid in the future.
    assert len(invoices) >= 50 and len({i.number for i in invoices}) == len(invoices)
    assert {i.account_id for i in invoices} <= customers
    assert all(i.paid_on is None or i.paid_on <= today for i in invoices)
    assert sum(1 for i in invoices if i.paid_on and i.paid_on > i.due_on) >= 5

    # Signals on open deals only; outcomes that fit the activity; contacts of the same account.
    assert len(signals) >= 20
    for signal in signals:
        assert deals[signal.opportunity_id].stage not in ("won", "lost", "lead")
        assert (
            signal.contact_id is None
            or contacts[signal.contact_id].account_id == deals[signal.opportunity_id].account_id
        )
    assert sum(1 for a in activities if a.outcome) >= 100
    for activity in activities:
        if activity.outcome in ("opened", "clicked", "replied"):
            assert activity.kind == "email"
        if activity.outcome in ("attended", "no_show"):
            assert activity.kind in ("meeting", "visit", "poc")
        if activity.contact_id is not None:
            assert contacts[activity.contact_id].account_id == activity.account_id


async def test_growth_and_churn_insights_answer_on_the_demo(
    settings: Settings, db: Database, client: AsyncTestClient
) -> None:
    await load_demo(settings)
    response = await client.post("/api/v1/auth/token", json={"email": f"admin@{DEMO}", "password": data.PASSWORD})
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    renewals = await client.get("/api/v1/insights/renewals", headers=headers)
    assert renewals.status_code == 200, renewals.text
    body = renewals.json()
    assert body["items"] and body["basis"] == "history", body["note"]
    assert body["history"]["best"]["min_weeks"] >= 4  # talks begun at the last minute renew worst

    rules = await client.get("/api/v1/insights/cross-sell/rules", headers=headers)
    assert rules.status_code == 200, rules.text
    assert rules.json()["rules"] and rules.json()["baskets"] >= 30

    churn = await client.get("/api/v1/insights/churn", headers=headers)
    assert churn.status_code == 200, churn.text
    assert churn.json()["items"] and churn.json()["weights"]["basis"] == "learned"
    assert all(item["reasons"] for item in churn.json()["items"])

    # An account near its cloud tier's limit is offered the next tier.
    async with db.sessionmaker() as session:
        org_id = (await session.execute(select(Organisation.id).where(Organisation.name == "Demo"))).scalar_one()
        usage = await _all(session, ProductUsage, org_id)
    latest: dict[uuid.UUID, ProductUsage] = {}
    for reading in sorted(usage, key=lambda r: r.month):
        latest[reading.account_id] = reading
    hot = sorted(a for a, r in latest.items() if r.tier_limit and r.quantity >= 0.9 * r.tier_limit)
    kinds: set[str] = set()
    for account_id in hot or sorted(latest):
        answer = await client.get(f"/api/v1/accounts/{account_id}/recommendations", headers=headers)
        assert answer.status_code == 200, answer.text
        kinds |= {item["kind"] for item in answer.json()["items"]}
    assert kinds, "no recommendation for any account with usage"
    assert "tier" in kinds


def test_after_sale_ids_are_stable() -> None:
    """The same seed gives the same rows; a later day keeps the ids of the contracts and cases already there."""
    directory = _directory()
    now = datetime.now(UTC)

    def generated(at: datetime) -> Batch:
        clock = Clock(at, SHANGHAI)
        batch = build(data.DEMO, directory, clock)
        extend(data.DEMO, directory, clock, batch)
        return batch

    first, again, later = generated(now), generated(now), generated(now + timedelta(days=9))
    for name in ("contracts", "amendments", "usage", "cases", "signals", "invoices"):
        assert [r.id for r in getattr(first, name)] == [r.id for r in getattr(again, name)], name
    assert [(c.id, c.starts_on, c.status) for c in first.contracts] == [
        (c.id, c.starts_on, c.status) for c in again.contracts
    ]
    assert [(a.id, a.contact_id, a.outcome) for a in first.activities] == [
        (a.id, a.contact_id, a.outcome) for a in again.activities
    ]
    assert {c.id for c in first.contracts} == {c.id for c in later.contracts}
    assert [(c.id, c.kind, c.subject) for c in first.cases] == [(c.id, c.kind, c.subject) for c in later.cases]
    assert [a.id for a in first.accounts if a.churned_at] == [a.id for a in later.accounts if a.churned_at]
