"""Cross-sell and renewal timing at scale: what a recommendation costs when every request mines the whole org.

Run on demand (pytest does not collect it: the name does not start with ``test_``)::

    .venv/bin/python tests/benchmarks/bench_growth.py [--backends sqlite,postgresql] [--accounts 5000]

Per database: a fresh one (SQLite: a temporary file; PostgreSQL: its own ``fieldloop_bench_growth``, dropped
afterwards), migrated with Alembic, with one org of ``--accounts`` customers. Each customer owns two to six of 40
products, bought under contracts (a third of them renewed or expired, with the week renewal talks began) or on won
deals with line items, and has a usage reading of this month. Then, median of ``--repeats`` each, in the same run:

- baseline: ``SELECT count(*)`` of the org's contracts (one indexed query, no Python work);
- the baskets and holdings of every customer (``load_customers``);
- the rules answer (load, then Apriori over pairs and triples, at min_support 0.01 and min_confidence 0.2);
- one account's recommendations (the same, plus its usage readings and the three rule kinds);
- the renewal answer (past outcomes learned, upcoming contracts within 120 days), as an admin.

Prints the figures and writes them to README_growth.md here (``--no-readme`` to leave it alone).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file, when run as a script

from _server import create_pg_database, drop_pg_database, sqlite_database

from api.db.engine import Database
from api.db.migrations import upgrade_async
from api.db.models import Account, Contract, LineItem, Opportunity, Product, ProductUsage, User
from api.lib.auth import Principal
from api.orgs.service import ensure_org
from api.retention.cross_sell import CrossSellService, Thresholds, load_customers
from api.retention.renewal import RenewalService
from api.settings import Settings

PG_DATABASE = "fieldloop_bench_growth"
PRODUCTS = 40
THRESHOLDS = Thresholds(min_support=0.01, min_confidence=0.2, min_lift=1.0)
README = Path(__file__).resolve().parent / "README_growth.md"


def admin_of(org_id: uuid.UUID, user_id: uuid.UUID) -> Principal:
    return Principal(
        user_id=user_id, org_id=org_id, session_id=uuid.uuid4(), email="bench@fieldloop.test", name="bench",
        team_id=None, manager_id=None, roles=("admin",), locale="en", timezone="Asia/Shanghai",
        visible_owner_ids=None,
    )  # fmt: skip


async def seed(url: str, accounts: int) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, dict[str, int]]:
    """One org of synthetic customers; returns (org, admin, one account, row counts)."""
    rng = random.Random(20261128)
    today = datetime.now(UTC).date()
    db = Database(Settings(database_url=url, secret_key="b" * 48))
    try:
        async with db.sessionmaker() as session:
            org = await ensure_org(session, "Bench")
            admin = User(id=uuid.uuid4(), org_id=org.id, email="admin@bench.test", name="admin", password_hash="x",
                         roles=["admin"], locale="en", timezone="Asia/Shanghai")  # fmt: skip
            session.add(admin)
            await session.flush()
            products = [uuid.uuid4() for _ in range(PRODUCTS)]
            # Products come in tiers of two (basic → pro), and popularity falls with the index (a long tail).
            await session.execute(insert(Product), [
                {"id": p, "org_id": org.id, "sku": f"P{i:02d}", "name": f"Product {i:02d}", "list_price": 100_00,
                 "currency": "CNY", "is_active": True, "next_tier_id": products[i + 1] if i % 2 == 0 else None}
                for i, p in reversed(list(enumerate(products)))  # each next tier before the product naming it
            ])  # fmt: skip
            weights = [1 / (i + 1) for i in range(PRODUCTS)]
            account_rows, contracts, deals, lines, usage = [], [], [], [], []
            for n in range(accounts):
                account_id = uuid.uuid4()
                account_rows.append({"id": account_id, "org_id": org.id, "owner_id": admin.id, "name": f"C{n}",
                                     "version": 1})  # fmt: skip
                owned = set(rng.choices(products, weights, k=rng.randint(2, 6)))
                for product_id in owned:
                    start = today - timedelta(days=rng.randint(30, 1500))
                    if rng.random() < 0.5:
                        status = rng.choice(("active", "active", "renewed", "expired"))
                        end = start + timedelta(days=365)
                        talks = end - timedelta(days=rng.randint(0, 120)) if status != "active" else None
                        contracts.append({"id": uuid.uuid4(), "org_id": org.id, "account_id": account_id,
                                          "product_id": product_id, "name": "c", "amount": 100_00, "currency": "CNY",
                                          "starts_on": start, "ends_on": end, "status": status,
                                          "renewal_started_on": talks, "version": 1})  # fmt: skip
                    else:
                        deal_id = uuid.uuid4()
                        closed = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
                        deals.append({"id": deal_id, "org_id": org.id, "account_id": account_id, "owner_id": admin.id,
                                      "name": "d", "stage": "won", "probability": 100, "amount": 100_00,
                                      "currency": "CNY", "closed_at": closed, "competitors": [], "version": 1,
                                      "discount_pct": 0.0, "forecast_category": "closed"})  # fmt: skip
                        lines.append({"id": uuid.uuid4(), "org_id": org.id, "opportunity_id": deal_id,
                                      "product_id": product_id, "quantity": 1, "unit_price": 100_00,
                                      "amount": 100_00, "discount_pct": 0.0, "position": 0})  # fmt: skip
                first = next(iter(owned))
                usage.append({"id": uuid.uuid4(), "org_id": org.id, "account_id": account_id, "product_id": first,
                              "month": today.replace(day=1), "quantity": rng.randint(50, 100),
                              "tier_limit": 100})  # fmt: skip
            for table, rows in ((Account, account_rows), (Contract, contracts), (Opportunity, deals),
                                (LineItem, lines), (ProductUsage, usage)):  # fmt: skip
                for chunk in range(0, len(rows), 2000):
                    await session.execute(insert(table), rows[chunk : chunk + 2000])
            await session.commit()
            counts = {"accounts": len(account_rows), "contracts": len(contracts), "won deals": len(deals)}
            return org.id, admin.id, account_rows[0]["id"], counts
    finally:
        await db.dispose()


async def median_ms(run: Callable[[], Awaitable[Any]], repeats: int) -> float:
    await run()  # warm-up: statement caches, first connection
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        await run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def bench(backend: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    await upgrade_async(url)
    org_id, admin_id, account_id, counts = await seed(url, args.accounts)
    principal = admin_of(org_id, admin_id)
    db = Database(Settings(database_url=url, secret_key="b" * 48))
    today = datetime.now(UTC).date()
    try:

        async def in_session(work: Callable[[Any], Awaitable[Any]]) -> Any:
            async with db.sessionmaker() as session:
                return await work(session)

        async def baseline() -> Any:
            stmt = select(func.count()).select_from(Contract).where(Contract.org_id == org_id)
            return await in_session(lambda s: s.scalar(stmt))

        rules_answer = await in_session(lambda s: CrossSellService(s, principal).rules(THRESHOLDS, 50))
        figures = {
            "baseline": await median_ms(baseline, args.repeats),
            "load_customers": await median_ms(lambda: in_session(lambda s: load_customers(s, org_id, today)),
                                              args.repeats),
            "rules": await median_ms(lambda: in_session(lambda s: CrossSellService(s, principal).rules(THRESHOLDS, 50)),
                                     args.repeats),
            "recommendations": await median_ms(lambda: in_session(
                lambda s: CrossSellService(s, principal).recommendations(account_id, THRESHOLDS, 0.9, "en")),
                args.repeats),
            "renewals": await median_ms(lambda: in_session(lambda s: RenewalService(s, principal).upcoming(120, "en")),
                                        args.repeats),
        }  # fmt: skip
    finally:
        await db.dispose()
    return {"backend": backend, "counts": counts, "rules": len(rules_answer.rules), "ms": figures}


def report(runs: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "# Cross-sell and renewal timing at scale",
        "",
        "Measured by `tests/benchmarks/bench_growth.py` "
        f"(`--accounts {args.accounts} --repeats {args.repeats}`), on {date.today().isoformat()}; "
        "median milliseconds per call, in-process (service layer, no HTTP), and the ratio to a plain "
        "`SELECT count(*)` of the org's contracts measured in the same run.",
        "",
    ]
    for run in runs:
        counts = ", ".join(f"{v} {k}" for k, v in run["counts"].items())
        settings = f"{run['rules']} rules at min_support 0.01, min_confidence 0.2, lift > 1."
        lines += [f"## {run['backend']}", "", f"Data: {counts}; {settings}", ""]
        lines += ["| call | median ms | × baseline |", "|---|---:|---:|"]
        base = run["ms"]["baseline"]
        for name, ms in run["ms"].items():
            lines.append(f"| {name} | {ms:.1f} | {ms / base:.0f} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("FIELDLOOP_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    runs = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with sqlite_database() as url:
                runs.append(asyncio.run(bench("sqlite", url, args)))
        elif backend == "postgresql":
            try:
                url = asyncio.run(create_pg_database(args.pg_admin_url, PG_DATABASE))
                runs.append(asyncio.run(bench("postgresql", url, args)))
            finally:
                asyncio.run(drop_pg_database(args.pg_admin_url, PG_DATABASE))
        else:
            parser.error(f"unknown backend {backend!r}")
    text = report(runs, args)
    print(text)
    if not args.no_readme:
        README.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
