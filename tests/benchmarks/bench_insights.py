"""Insights on the Maven CRM export and at 100,000 opportunities: import time, forecast backtest, funnel latency.

Run on demand (pytest does not collect it: the name does not start with ``test_``)::

    .venv/bin/python tests/benchmarks/bench_insights.py [--backends sqlite,postgresql] [--opportunities 100000]

Per database: a fresh one (SQLite: a temporary file; PostgreSQL: its own ``fieldloop_bench_insights``, dropped
afterwards, never the suite's ``test``), migrated with Alembic; then

1. the four Maven files imported (``api.imports``), timed;
2. for each quarter the export covers, the forecast from the pipeline as it stood at the quarter's start (deals
   engaged before it and not closed yet, priced at their product's list price, since an open deal's amount is not
   known; rates and cycles only from deals closed before it) against what was actually won in the quarter;
3. a fresh database with one org of ``--opportunities`` synthetic deals and their stage stays: the funnel (all
   deals, as an admin) against a plain ``SELECT count(*)`` of the same table, median of ``--repeats``.

Prints the figures and writes them to README_insights.md here (``--no-readme`` to leave it alone).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file, when run as a script

import _maven
from _maven import MAVEN, available
from _server import create_pg_database, drop_pg_database, sqlite_database

from api.db.engine import Database
from api.db.migrations import upgrade_async
from api.db.models import Account, Opportunity, Organisation, Product, Stage, StageHistory, User
from api.insights.forecast import History, Period, compute_forecast, learn_history
from api.insights.funnel import Funnel, StageFigures
from api.insights.records import Deal, Scope, day_number, load_deals, org_stages
from api.insights.service import InsightsService
from api.lib.auth import Principal
from api.orgs.service import ensure_org
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = Path(__file__).resolve().parent / "README_insights.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SECRET = "bench-secret-" + "i" * 40
STAGE_ONLY = 10**9  # a min_history no product or owner reaches: the model by stage alone
PG_DATABASE = "fieldloop_bench_insights"  # this benchmark's own: never the suite's, nor another benchmark's
COUNT = text("SELECT count(*) FROM opportunities")


def admin_of(org_id: uuid.UUID) -> Principal:
    return Principal(
        user_id=uuid.uuid4(), org_id=org_id, session_id=uuid.uuid4(), email="bench@fieldloop.test", name="bench",
        team_id=None, manager_id=None, roles=("admin",), locale="en", timezone="UTC", visible_owner_ids=None,
    )  # fmt: skip


@dataclass(frozen=True)
class QuarterRow:
    label: str
    pipeline: int  # open deals at the quarter's start
    history: int  # closed deals before it
    weighted: int
    model: int
    model_closed_only: int
    model_stage_only: int
    actual: int  # won in the quarter, any deal
    actual_from_pipeline: int  # won in the quarter, of the deals open at its start


def accuracy(forecast: int, actual: int) -> float | None:
    return 1 - abs(forecast - actual) / actual if actual else None


def quarters(first: date, last: date) -> list[Period]:
    """Every calendar quarter from the one holding ``first`` to the one holding ``last``."""
    periods = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    while date(year, 3 * quarter - 2, 1) <= last:
        start = date(year, 3 * quarter - 2, 1)
        following = date(year + quarter // 4, 3 * (quarter % 4) + 1, 1)
        periods.append(Period(f"{year}-Q{quarter}", start, following - timedelta(days=1)))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return periods


def as_it_stood(deal: Deal, moment: float, price: int) -> Deal | None:
    """The deal as it was at ``moment`` if it was open then (engaged before, not closed yet); None otherwise."""
    if deal.created >= moment or (deal.closed is not None and deal.closed < moment):
        return None
    stays = [(s, e, left if left is not None and left < moment else None) for s, e, left in deal.stays if e < moment]
    if not stays:
        return None
    return replace(deal, stage=stays[-1][0], amount=price, closed=None, close_date=None, stays=stays)


async def import_maven(settings: Settings) -> float:
    started = time.perf_counter()
    await _maven.import_maven(settings)
    elapsed = time.perf_counter() - started
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            await analyze(session)
    finally:
        await db.dispose()
    return elapsed


async def analyze(session: AsyncSession) -> None:
    """Planner statistics, as a live database has them: without, PostgreSQL plans freshly loaded tables as empty."""
    await session.execute(text("ANALYZE"))
    await session.commit()


async def backtest(settings: Settings) -> list[QuarterRow]:
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            org_id = (await session.execute(select(Organisation.id).where(Organisation.name == "Maven"))).scalar_one()
            stages = await org_stages(session, org_id)
            deals = await load_deals(session, admin_of(org_id), Scope(), with_products=True)
            prices = dict((await session.execute(select(Product.id, Product.list_price))).all())
            kinds = {s.key: s.kind for s in stages}
            closed = [d for d in deals if kinds.get(d.stage) in ("won", "lost") and d.closed is not None]
            first = date.fromordinal(date(1970, 1, 1).toordinal() + int(min(d.created for d in deals)))
            last = date.fromordinal(date(1970, 1, 1).toordinal() + int(max(d.closed for d in closed if d.closed)))
            rows = []
            for period in quarters(first, last):
                rows.append(await _quarter(session, org_id, stages, kinds, deals, closed, prices, period))
            return rows
    finally:
        await db.dispose()


async def _quarter(
    session: AsyncSession, org_id: uuid.UUID, stages: list[Stage], kinds: dict[str, str], deals: list[Deal],
    closed: list[Deal], prices: dict[uuid.UUID, int], period: Period,
) -> QuarterRow:  # fmt: skip
    """The forecasts of one quarter from the pipeline and the history as they stood at its start."""
    start, end = day_number(period.start), day_number(period.end) + 1
    as_of = datetime.combine(period.start, datetime.min.time(), tzinfo=UTC)
    pipeline = [s for d in deals if d.product_id and (s := as_it_stood(d, start, prices[d.product_id]))]
    won = [d for d in closed if kinds[d.stage] == "won" and d.closed is not None and start <= d.closed < end]
    open_ids = {d.id for d in pipeline}
    window = {"now": start, "start": start, "end": end}

    async def model(**learning: Any) -> int:
        history = await learn_history(session, org_id, stages, as_of, **learning)
        return compute_forecast(pipeline, history, stages, "USD", **window).model_amount

    return QuarterRow(
        period.label, len(pipeline), sum(1 for d in closed if d.closed is not None and d.closed < start),
        compute_forecast(pipeline, History(), stages, "USD", **window).weighted_amount,
        await model(), await model(censored=False), await model(min_history=STAGE_ONLY),
        sum(d.amount for d in won), sum(d.amount for d in won if d.id in open_ids),
    )  # fmt: skip


# --- The funnel as it was computed before the aggregation moved into SQL (the same-run baseline) ---------------


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _reached(deal: Deal, stages: Sequence[Stage]) -> set[str]:
    """The stages a deal reached (see the module's definitions)."""
    kinds = {s.key: s.kind for s in stages}
    open_stages = [s for s in stages if s.kind == "open"]
    position = {s.key: i for i, s in enumerate(open_stages)}
    final = kinds.get(deal.stage)
    furthest = 0
    for stage, _, _ in deal.stays:
        if stage in position:
            furthest = max(furthest, position[stage])
    if deal.stage in position:
        furthest = max(furthest, position[deal.stage])
    if final == "won":
        furthest = len(open_stages) - 1
    result = {s.key for s in open_stages[: furthest + 1]}
    if final in ("won", "lost"):
        result.add(deal.stage)
    return result


def python_funnel(deals: Sequence[Deal], stages: Sequence[Stage], currency: str) -> Funnel:
    """The previous implementation, kept as the baseline: every deal and stay loaded, aggregated in Python."""
    figures = {s.key: StageFigures(s.key, s.kind) for s in stages}
    probability = {s.key: s.probability for s in stages}
    kinds = {s.key: s.kind for s in stages}
    dwell: dict[str, list[float]] = {s.key: [] for s in stages}
    won = lost = other = 0
    cycles: list[float] = []
    for deal in deals:
        counted = deal.currency == currency
        other += not counted
        amount = deal.amount if counted else 0
        for key in _reached(deal, stages):
            f = figures[key]
            f.count += 1
            f.amount += amount
            f.weighted_amount += amount * probability[key] // 100
        kind = kinds.get(deal.stage)
        if kind == "open" and deal.stage in figures:
            f = figures[deal.stage]
            f.open_count += 1
            f.open_amount += amount
            f.open_weighted_amount += amount * deal.probability // 100
        elif kind == "won":
            won += 1
            if deal.closed is not None:
                cycles.append(deal.closed - deal.created)
        elif kind == "lost":
            lost += 1
        for stage, entered, left in deal.stays:
            if left is not None and stage in dwell:
                dwell[stage].append(left - entered)
    ordered = [figures[s.key] for s in stages]
    open_figures = [f for f in ordered if f.kind == "open"]
    won_key = next((s.key for s in stages if s.kind == "won"), None)
    for index, f in enumerate(open_figures):
        following = open_figures[index + 1] if index + 1 < len(open_figures) else figures.get(won_key or "")
        if f.count and following is not None:
            f.conversion_to_next = round(following.count / f.count, 4)
    for f in ordered:
        samples = dwell[f.stage]
        f.dwell_samples = len(samples)
        f.median_dwell_days = _round(_percentile(samples, 0.5))
        f.p75_dwell_days = _round(_percentile(samples, 0.75))
    closed = won + lost
    return Funnel(
        stages=ordered,
        opportunities=len(deals),
        won=won,
        lost=lost,
        open=len(deals) - closed,
        win_rate=round(won / closed, 4) if closed else None,
        avg_cycle_days=_round(sum(cycles) / len(cycles)) if cycles else None,
        currency=currency,
        other_currency=other,
    )


async def previous_funnel(session: AsyncSession, principal: Principal) -> Funnel:
    stages = await org_stages(session, principal.org_id)
    currency = (await session.execute(select(Organisation.currency))).scalars().first() or "CNY"
    return python_funnel(await load_deals(session, principal, Scope()), stages, currency)


async def seed_bulk(settings: Settings, count: int) -> uuid.UUID:
    """One org of ``count`` deals spread over two years, each walked through the pipeline with its stays."""
    rng = random.Random(20261128)
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            org = await ensure_org(session, "Bulk")
            stages = [s for s in await org_stages(session, org.id) if s.kind == "open"]
            owners = [
                User(id=uuid.uuid4(), org_id=org.id, email=f"rep{n}@bulk.test", name=f"rep{n}", password_hash="x",
                     roles=["rep"], locale="en", timezone="UTC")
                for n in range(20)
            ]  # fmt: skip
            session.add_all(owners)
            await session.flush()
            accounts = [
                Account(id=uuid.uuid4(), org_id=org.id, owner_id=owners[n % 20].id, name=f"客户 {n}", lat=31.2,
                        lon=121.4)
                for n in range(200)
            ]  # fmt: skip
            session.add_all(accounts)
            await session.commit()
            origin = datetime.now(UTC) - timedelta(days=730)
            chunk = 5000
            for offset in range(0, count, chunk):
                opportunities, stays = [], []
                for _ in range(min(chunk, count - offset)):
                    opportunities.append(_bulk_deal(rng, org.id, owners, accounts, stages, origin, stays))
                await session.execute(insert(Opportunity), opportunities)
                await session.execute(insert(StageHistory), stays)
                await session.commit()
            await analyze(session)
            return org.id
    finally:
        await db.dispose()


def _bulk_deal(
    rng: random.Random, org_id: uuid.UUID, owners: list[User], accounts: list[Account], stages: list[Stage],
    origin: datetime, stays: list[dict[str, object]],
) -> dict[str, object]:  # fmt: skip
    deal_id, owner = uuid.uuid4(), rng.choice(owners)
    created = origin + timedelta(days=rng.uniform(0, 700))
    furthest = rng.randrange(len(stages))
    outcome = rng.choice(("won", "lost", None))
    at, path = created, [s.key for s in stages[: furthest + 1]] + ([outcome] if outcome else [])
    for index, stage in enumerate(path):
        left = at + timedelta(days=rng.uniform(1, 30)) if index + 1 < len(path) else None
        stays.append({"id": uuid.uuid4(), "org_id": org_id, "opportunity_id": deal_id, "stage": stage,
                      "entered_at": at, "left_at": left})  # fmt: skip
        at = left or at
    final = path[-1]
    probability = next((s.probability for s in stages if s.key == final), 100 if final == "won" else 0)
    return {
        "id": deal_id, "org_id": org_id, "account_id": rng.choice(accounts).id, "owner_id": owner.id,
        "name": f"商机 {deal_id.hex[:8]}", "stage": final, "probability": probability,
        "amount": rng.randrange(1_000, 500_000) * 100, "currency": "CNY",
        "close_date": (at + timedelta(days=rng.randrange(0, 90))).date(), "closed_at": at if outcome else None,
        "competitors": [], "forecast_category": "closed" if outcome else "pipeline", "created_at": created,
        "updated_at": created, "version": 1,
    }  # fmt: skip


async def median_ms(action: Callable[[], Awaitable[object]], repeats: int) -> float:
    await action()  # warm-up: caches, prepared statements
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def latency(settings: Settings, org_id: uuid.UUID, repeats: int) -> dict[str, float]:
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            service = InsightsService(session, admin_of(org_id))
            count = (await session.execute(select(func.count()).select_from(Opportunity))).scalar_one()
            quarter = f"{date.today().year}-Q{(date.today().month - 1) // 3 + 1}"
            new, before = await service.funnel(Scope()), await previous_funnel(session, admin_of(org_id))
            if [(s.stage, s.count, s.amount, s.median_dwell_days, s.p75_dwell_days) for s in new.stages] != [
                (s.stage, s.count, s.amount, s.median_dwell_days, s.p75_dwell_days) for s in before.stages
            ]:
                raise AssertionError("the SQL funnel and the previous Python funnel disagree")
            return {
                "opportunities": count,
                "previous_funnel_ms": await median_ms(lambda: previous_funnel(session, admin_of(org_id)), repeats),
                "count_ms": await median_ms(lambda: session.execute(COUNT), repeats),
                "funnel_ms": await median_ms(lambda: service.funnel(Scope()), repeats),
                "forecast_ms": await median_ms(lambda: service.forecast(quarter), repeats),
                "bottlenecks_ms": await median_ms(lambda: service.bottlenecks(None, None), repeats),
            }  # fmt: skip
    finally:
        await db.dispose()


@dataclass
class Run:
    database: str
    import_s: float
    quarters: list[QuarterRow]
    latency: dict[str, float]


async def bench(database: str, url_of: Callable[[], Awaitable[str]], args: argparse.Namespace) -> Run:
    url = await url_of()
    await upgrade_async(url)
    settings = Settings(database_url=url, secret_key=SECRET)
    import_s = await import_maven(settings)
    rows = await backtest(settings)
    url = await url_of()  # a fresh database again: the bulk org alone
    await upgrade_async(url)
    settings = Settings(database_url=url, secret_key=SECRET)
    org_id = await seed_bulk(settings, args.opportunities)
    return Run(database, import_s, rows, await latency(settings, org_id, args.repeats))


def _money(minor: int) -> str:
    return f"{minor / 100:,.0f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def report(runs: list[Run], args: argparse.Namespace) -> str:
    parts = [f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; amounts in USD."]
    for run in runs:
        parts += [
            "",
            f"### {run.database}",
            "",
            f"Maven import (four files, 8,800 opportunities): **{run.import_s:.2f} s**.",
            "",
            "| quarter | open at start | closed before | weighted | model | model, closed deals only (before) "
            "| model, stage only | won in quarter | of which from the starting pipeline "
            "| accuracy weighted | accuracy model | accuracy closed-only | accuracy stage only "
            "| accuracy weighted, starting pipeline | accuracy model, starting pipeline "
            "| accuracy closed-only, starting pipeline |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for q in run.quarters:
            parts.append(
                f"| {q.label} | {q.pipeline:,} | {q.history:,} | {_money(q.weighted)} | {_money(q.model)} "
                f"| {_money(q.model_closed_only)} | {_money(q.model_stage_only)} | {_money(q.actual)} "
                f"| {_money(q.actual_from_pipeline)} "
                f"| {_pct(accuracy(q.weighted, q.actual))} | {_pct(accuracy(q.model, q.actual))} "
                f"| {_pct(accuracy(q.model_closed_only, q.actual))} | {_pct(accuracy(q.model_stage_only, q.actual))} "
                f"| {_pct(accuracy(q.weighted, q.actual_from_pipeline))} "
                f"| {_pct(accuracy(q.model, q.actual_from_pipeline))} "
                f"| {_pct(accuracy(q.model_closed_only, q.actual_from_pipeline))} |"
            )
        lat = run.latency
        before = lat["previous_funnel_ms"]
        parts += [
            "",
            f"At {lat['opportunities']:,.0f} opportunities (median of {args.repeats}): `SELECT count(*)` "
            f"{lat['count_ms']:.1f} ms; funnel (all deals, admin) {lat['funnel_ms']:.0f} ms = "
            f"**{lat['funnel_ms'] / lat['count_ms']:.0f}× the count**; the previous funnel (every deal and stay "
            f"loaded into Python), same run: {before:.0f} ms = {before / lat['count_ms']:.0f}× the count, "
            f"{before / lat['funnel_ms']:.1f}× the new funnel; forecast of the current quarter "
            f"{lat['forecast_ms']:.0f} ms ({lat['forecast_ms'] / lat['count_ms']:.0f}×); bottlenecks (all deals) "
            f"{lat['bottlenecks_ms']:.0f} ms ({lat['bottlenecks_ms'] / lat['count_ms']:.0f}×).",
        ]
    return "\n".join(parts)


def write_readme(text_block: str) -> None:
    current = README.read_text() if README.exists() else f"# Insights benchmark\n\n## Results\n\n{START}\n{END}\n"
    block = f"{START}\n{text_block}\n{END}"
    if START in current and END in current:
        current = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, current, flags=re.DOTALL)
    else:
        current += f"\n## Results\n\n{block}\n"
    README.write_text(current)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("FIELDLOOP_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help=f"a database on the PostgreSQL server from which {PG_DATABASE} is created and dropped",
    )
    parser.add_argument("--no-readme", dest="readme", action="store_false", help="print only")
    args = parser.parse_args()
    if not available():
        print(f"the Maven export is not at {MAVEN}; set FIELDLOOP_SHARED_DIR", file=sys.stderr)
        return 2
    runs = []
    for database in args.backends.split(","):
        print(f"{database}: importing, backtesting, seeding {args.opportunities:,} opportunities…", flush=True)
        if database == "sqlite":
            with sqlite_database() as first, sqlite_database() as second:
                urls = iter((first, second))

                async def next_sqlite(urls: object = urls) -> str:
                    return next(urls)  # type: ignore[call-overload]

                runs.append(asyncio.run(bench(database, next_sqlite, args)))
        else:

            async def fresh_pg() -> str:
                return await create_pg_database(args.pg_admin_url, PG_DATABASE)

            try:
                runs.append(asyncio.run(bench(database, fresh_pg, args)))
            finally:
                asyncio.run(drop_pg_database(args.pg_admin_url, PG_DATABASE))
    text_block = report(runs, args)
    print(text_block)
    if args.readme:
        write_readme(text_block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
