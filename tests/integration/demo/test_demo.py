"""The demo organisations: loaded once, consistent with the pipeline rules, and scoped like any real data."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from api.db.base import Base
from api.db.engine import Database
from api.db.models import (
    Account,
    Activity,
    Contact,
    LineItem,
    Opportunity,
    Organisation,
    Product,
    Stage,
    StageHistory,
    User,
)
from api.demo import data
from api.demo.generate import Clock, Directory, build
from api.demo.loader import load_demo
from api.opportunities import rules
from api.pipeline.defaults import DEFAULT_PIPELINE
from api.settings import Settings

DEMO = "demo.fieldloop.example"
NORTHWIND = "northwind.fieldloop.example"
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _table_counts(db: Database) -> dict[str, int]:
    async with db.sessionmaker() as session:
        return {
            table.name: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in Base.metadata.sorted_tables
        }


async def _org_id(db: Database, name: str) -> uuid.UUID:
    async with db.sessionmaker() as session:
        return (await session.execute(select(Organisation.id).where(Organisation.name == name))).scalar_one()


async def _deal_ids(db: Database, *owner_emails: str) -> set[uuid.UUID]:
    stmt = select(Opportunity.id).join(User, User.id == Opportunity.owner_id).where(User.email.in_(owner_emails))
    async with db.sessionmaker() as session:
        return set((await session.execute(stmt)).scalars())


async def _visible_deals(client: AsyncTestClient, email: str) -> dict[uuid.UUID, uuid.UUID]:
    """Sign in with the demo password and page through the opportunity list: deal id → owner id."""
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": data.PASSWORD})
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    deals: dict[uuid.UUID, uuid.UUID] = {}
    cursor = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/api/v1/opportunities", params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        deals.update({uuid.UUID(item["id"]): uuid.UUID(item["owner_id"]) for item in body["items"]})
        cursor = body["next_cursor"]
        if cursor is None:
            return deals


async def test_loading_twice_adds_nothing_the_second_time(settings: Settings, db: Database) -> None:
    first = await load_demo(settings)
    after_first = await _table_counts(db)
    second = await load_demo(settings)

    assert await _table_counts(db) == after_first
    assert "0 rows added" in second and "0 rows added" not in first
    assert "Demo: 12 users, 9 products, 60 accounts" in first and "250 opportunities" in first
    assert "Northwind 北风贸易: 3 users" in first
    assert after_first["stage_history"] > after_first["opportunities"] > 0
    assert after_first["activities"] > 1000 and after_first["line_items"] >= after_first["opportunities"]


async def test_a_rep_sees_only_their_own_deals(settings: Settings, db: Database, client: AsyncTestClient) -> None:
    await load_demo(settings)
    own = await _deal_ids(db, f"rep1@{DEMO}")

    visible = await _visible_deals(client, f"rep1@{DEMO}")

    assert len(own) > 10
    assert set(visible) == own
    assert len(set(visible.values())) == 1


async def test_a_manager_sees_their_team_and_not_the_other(
    settings: Settings, db: Database, client: AsyncTestClient
) -> None:
    await load_demo(settings)
    team = await _deal_ids(db, f"rep1@{DEMO}", f"rep2@{DEMO}", f"rep3@{DEMO}")
    rep4 = await _deal_ids(db, f"rep4@{DEMO}")

    visible = await _visible_deals(client, f"manager1@{DEMO}")

    assert set(visible) == team
    assert rep4 and not rep4 & set(visible)
    assert len(set(visible.values())) == 3


async def test_northwind_sees_none_of_demo(settings: Settings, db: Database, client: AsyncTestClient) -> None:
    await load_demo(settings)
    northwind = await _deal_ids(db, f"rep1@{NORTHWIND}", f"rep2@{NORTHWIND}")
    async with db.sessionmaker() as session:
        demo_org = await _org_id(db, "Demo")
        demo = set((await session.execute(select(Opportunity.id).where(Opportunity.org_id == demo_org))).scalars())

    assert set(await _visible_deals(client, f"admin@{NORTHWIND}")) == northwind
    assert set(await _visible_deals(client, f"admin@{DEMO}")) == demo
    assert northwind and len(demo) == 250 and not northwind & demo


async def test_every_deal_keeps_the_pipeline_rules(settings: Settings, db: Database) -> None:
    await load_demo(settings)
    today = datetime.now(SHANGHAI).date()
    async with db.sessionmaker() as session:
        stages_by_org: dict[uuid.UUID, dict[str, Stage]] = defaultdict(dict)
        for stage in (await session.execute(select(Stage))).scalars():
            stages_by_org[stage.org_id][stage.key] = stage
        lines: dict[uuid.UUID, list[LineItem]] = defaultdict(list)
        for line in (await session.execute(select(LineItem).order_by(LineItem.position))).scalars():
            lines[line.opportunity_id].append(line)
        deals = list((await session.execute(select(Opportunity))).scalars())

    outcomes = {"open": 0, "won": 0, "lost": 0}
    for deal in deals:
        stages = stages_by_org[deal.org_id]
        stage = stages[deal.stage]
        drafts = [rules.LineDraft(li.quantity, li.unit_price, li.discount_pct) for li in lines[deal.id]]
        draft = rules.Deal(
            deal.stage,
            deal.amount,
            deal.close_date,
            deal.loss_reason,
            deal.forecast_category,
            deal.discount_pct,
            drafts,
        )
        assert rules.check(draft, rules.Change(today=today, is_new=False, fields=frozenset()), stages) == []
        # As a new record too, so that the close-date rule is checked as well.
        assert rules.check(draft, rules.Change(today=today, is_new=True), stages) == [], deal.name
        assert drafts and [li.amount for li in lines[deal.id]] == [d.amount for d in drafts]
        assert sum(li.amount for li in lines[deal.id]) == deal.amount
        assert 5_000_000 <= deal.amount <= 300_000_000
        outcomes[stage.kind] += 1
        if stage.kind == "open":
            assert deal.probability == stage.probability and deal.closed_at is None
            assert deal.close_date is not None and deal.close_date >= today
            assert deal.forecast_category != "closed" and deal.loss_reason is None
        else:
            assert deal.closed_at is not None and deal.forecast_category == "closed"
            assert deal.close_date == deal.closed_at.astimezone(SHANGHAI).date()
        if stage.kind == "won":
            assert deal.probability == 100
        if stage.kind == "lost":
            assert deal.probability == 0 and deal.loss_reason
    assert min(outcomes.values()) >= 40, outcomes
    assert sum(1 for d in deals if d.promised_date and today <= d.promised_date <= today + timedelta(days=7)) >= 10


async def test_stage_history_runs_forward_and_closed_deals_end_closed(settings: Settings, db: Database) -> None:
    await load_demo(settings)
    now = datetime.now(UTC)
    order = {spec.key: position for position, spec in enumerate(DEFAULT_PIPELINE)}
    async with db.sessionmaker() as session:
        deals = {d.id: d for d in (await session.execute(select(Opportunity))).scalars()}
        stays: dict[uuid.UUID, list[StageHistory]] = defaultdict(list)
        for stay in (await session.execute(select(StageHistory).order_by(StageHistory.entered_at))).scalars():
            stays[stay.opportunity_id].append(stay)

    assert set(stays) == set(deals)
    for deal_id, history in stays.items():
        deal = deals[deal_id]
        assert history[0].stage == "lead" and history[-1].stage == deal.stage
        assert history[0].entered_at == deal.created_at <= deal.updated_at <= now
        assert history[-1].left_at is None
        for before, after in itertools.pairwise(history):
            assert before.left_at == after.entered_at > before.entered_at
            assert order[after.stage] > order[before.stage]
        if deal.stage in ("won", "lost"):
            assert deal.closed_at == history[-1].entered_at
            assert all(s.stage not in ("won", "lost") for s in history[:-1])
        assert now - timedelta(days=370) < deal.created_at


async def test_moves_past_qualification_rest_on_customer_actions(settings: Settings, db: Database) -> None:
    await load_demo(settings)
    now = datetime.now(UTC)
    window = timedelta(days=rules.EVIDENCE_WINDOW_DAYS)
    async with db.sessionmaker() as session:
        needs_evidence = {
            (s.org_id, s.key) for s in (await session.execute(select(Stage))).scalars() if s.needs_evidence
        }
        deals = {d.id: d for d in (await session.execute(select(Opportunity))).scalars()}
        inbound: dict[uuid.UUID, list[datetime]] = defaultdict(list)
        for activity in (await session.execute(select(Activity))).scalars():
            assert activity.occurred_at <= now
            if activity.opportunity_id is not None:
                assert activity.account_id == deals[activity.opportunity_id].account_id
                if activity.direction == "inbound":
                    inbound[activity.opportunity_id].append(activity.occurred_at)
        stays = list((await session.execute(select(StageHistory))).scalars())

    checked = 0
    for stay in stays:
        if (stay.org_id, stay.stage) in needs_evidence:
            checked += 1
            assert any(stay.entered_at - window <= at <= stay.entered_at for at in inbound[stay.opportunity_id]), (
                stay.stage
            )
    assert checked > 200
    for deal in deals.values():
        if (deal.org_id, deal.stage) in needs_evidence and deal.closed_at is None:
            assert any(at >= now - window for at in inbound[deal.id]), deal.name


async def test_accounts_lie_around_shanghai_with_their_contacts(settings: Settings, db: Database) -> None:
    await load_demo(settings)
    async with db.sessionmaker() as session:
        accounts = list((await session.execute(select(Account))).scalars())
        owners = {u.id: u for u in (await session.execute(select(User))).scalars()}
        contacts: dict[uuid.UUID, list[Contact]] = defaultdict(list)
        for contact in (await session.execute(select(Contact))).scalars():
            contacts[contact.account_id].append(contact)
        products = (await session.execute(select(func.count()).select_from(Product))).scalar_one()

    assert len(accounts) == 66 and products == 12
    for account in accounts:
        assert account.lat is not None and account.lon is not None
        assert 30.85 <= account.lat <= 31.5 and 121.05 <= account.lon <= 121.95, account.name
        assert account.address and account.address.startswith("上海市") and account.phone and account.industry
        assert owners[account.owner_id].roles == ["rep"] and owners[account.owner_id].org_id == account.org_id
        assert 2 <= len(contacts[account.id]) <= 3
        assert sum(c.is_decision_maker for c in contacts[account.id]) == 1
    assert len({a.name for a in accounts}) == len(accounts)
    assert all(u.password_hash == next(iter(owners.values())).password_hash for u in owners.values())


def _directory() -> Directory:
    """A stand-in for the database: the demo's own users, products and default stages."""
    plan = data.DEMO
    stages = {
        spec.key: Stage(key=spec.key, probability=spec.probability, kind=spec.kind, needs_evidence=spec.needs_evidence)
        for spec in DEFAULT_PIPELINE
    }
    products = {p.sku: Product(id=uuid.uuid4(), sku=p.sku, list_price=p.list_price) for p in plan.products}
    return Directory(uuid.uuid4(), {u.email: uuid.uuid4() for u in plan.users}, products, stages)


def test_the_content_does_not_depend_on_the_day_of_loading() -> None:
    directory = _directory()
    now = datetime.now(UTC)
    today = build(data.DEMO, directory, Clock(now, SHANGHAI))
    later = build(data.DEMO, directory, Clock(now + timedelta(days=38, hours=7), SHANGHAI))

    def content(batch_opportunities: list[Opportunity]) -> list[tuple[object, ...]]:
        return [(o.id, o.name, o.stage, o.amount, o.account_id, tuple(o.competitors)) for o in batch_opportunities]

    assert content(today.opportunities) == content(later.opportunities)
    assert [(a.id, a.name, a.lat, a.lon) for a in today.accounts] == [
        (a.id, a.name, a.lat, a.lon) for a in later.accounts
    ]
    assert [(a.id, a.summary) for a in today.activities] == [(a.id, a.summary) for a in later.activities]
    assert [s.id for s in today.stays] == [s.id for s in later.stays]
    assert {o.created_at for o in today.opportunities} != {o.created_at for o in later.opportunities}
