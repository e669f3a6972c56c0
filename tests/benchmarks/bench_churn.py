"""Churn risk at scale: the org-wide list of customers at risk against a plain read of the same accounts.

Run on demand (pytest does not collect it: the name does not start with ``test_``)::

    .venv/bin/python tests/benchmarks/bench_churn.py [--customers 1000] [--repeats 5]

On a fresh, migrated SQLite file: one org with ``--customers`` customers (a contract each, two contacts, 40
engagements over the last 300 days, 2 amendments, 4 support cases) of which one in ten is lost. Measured, median
of ``--repeats`` runs each, all in the same run:

- baseline: reading the org's account rows (``SELECT`` of every account through the ORM);
- load: loading every record churn risk reads (``load_org``);
- list: ``GET /api/v1/insights/churn`` as an admin, minus HTTP (``ChurnService.at_risk``): loading, the
  lost-customer profile (13 weekly checkpoints per customer) and every retained customer's score.

Prints the figures and their ratios to the baseline; write them into README_churn.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file, when run as a script

from _server import sqlite_database

from api.db.engine import Database
from api.db.migrations import upgrade_async
from api.db.models import Account, Activity, Contact, Contract, ContractAmendment, SupportCase, User
from api.db.types import utcnow
from api.lib.auth import Principal
from api.orgs.service import ensure_org
from api.retention.churn_records import load_org
from api.retention.churn_service import ChurnService
from api.settings import Settings

SECRET = "bench-secret-" + "c" * 40


def admin_of(org_id: uuid.UUID) -> Principal:
    return Principal(
        user_id=uuid.uuid4(), org_id=org_id, session_id=uuid.uuid4(), email="bench@fieldloop.test", name="bench",
        team_id=None, manager_id=None, roles=("admin",), locale="en", timezone="UTC", visible_owner_ids=None,
    )  # fmt: skip


async def populate(db: Database, customers: int) -> uuid.UUID:
    rng = random.Random(7)
    now = utcnow()
    async with db.sessionmaker() as session:
        org = await ensure_org(session, "Bench")
        owner = User(id=uuid.uuid4(), org_id=org.id, email="owner@bench.test", name="owner", password_hash="x",
                     roles=["rep"])  # fmt: skip
        session.add(owner)
        await session.flush()
        rows: dict[type, list[dict]] = {Account: [], Contract: [], Contact: [], Activity: [], ContractAmendment: [],
                                        SupportCase: []}  # fmt: skip
        for n in range(customers):
            account_id, contract_id = uuid.uuid4(), uuid.uuid4()
            churned = now - timedelta(days=rng.randint(10, 200)) if n % 10 == 0 else None
            rows[Account].append({"id": account_id, "org_id": org.id, "owner_id": owner.id, "name": f"C {n}",
                                  "churned_at": churned, "version": 1, "created_at": now,
                                  "updated_at": now})  # fmt: skip
            rows[Contract].append({"id": contract_id, "org_id": org.id, "account_id": account_id, "name": f"C{n}",
                                   "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31), "amount": 0,
                                   "currency": "CNY", "status": "active", "version": 1, "created_at": now,
                                   "updated_at": now})  # fmt: skip
            contacts = [uuid.uuid4(), uuid.uuid4()]
            for i, contact_id in enumerate(contacts):
                rows[Contact].append({"id": contact_id, "org_id": org.id, "account_id": account_id, "name": f"P{i}",
                                      "is_decision_maker": i == 0, "version": 1, "created_at": now,
                                      "updated_at": now})  # fmt: skip
            for _ in range(40):
                rows[Activity].append({"id": uuid.uuid4(), "org_id": org.id, "account_id": account_id,
                                       "owner_id": owner.id, "contact_id": rng.choice(contacts), "kind": "call",
                                       "direction": "inbound", "occurred_at": now - timedelta(days=rng.uniform(0, 300)),
                                       "summary": "call", "created_at": now})  # fmt: skip
            for _ in range(2):
                rows[ContractAmendment].append({"id": uuid.uuid4(), "org_id": org.id, "contract_id": contract_id,
                                                "term": rng.choice(["scope", "payment_terms"]),
                                                "changed_at": now - timedelta(days=rng.uniform(0, 300))})  # fmt: skip
            for _ in range(4):
                opened = now - timedelta(days=rng.uniform(0, 300))
                rows[SupportCase].append({"id": uuid.uuid4(), "org_id": org.id, "account_id": account_id,
                                          "kind": "support", "severity": "normal", "status": "open", "subject": "x",
                                          "opened_at": opened, "sla_due_at": opened + timedelta(days=1),
                                          "version": 1})  # fmt: skip
        for model, values in rows.items():
            for start in range(0, len(values), 2000):
                await session.execute(insert(model), values[start : start + 2000])
        await session.commit()
        return org.id


async def timed(repeats: int, run) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def main(customers: int, repeats: int) -> None:
    with sqlite_database() as url:
        await upgrade_async(url)
        db = Database(Settings(database_url=url, secret_key=SECRET))
        org_id = await populate(db, customers)

        async def baseline() -> None:
            async with db.sessionmaker() as session:
                list((await session.execute(select(Account).where(Account.org_id == org_id))).scalars())

        async def load() -> None:
            async with db.sessionmaker() as session:
                await load_org(session, org_id, utcnow())

        async def at_risk() -> None:
            async with db.sessionmaker() as session:
                await ChurnService(session, admin_of(org_id), "en").at_risk(0, 200)

        base = await timed(repeats, baseline)
        loading = await timed(repeats, load)
        listing = await timed(repeats, at_risk)
        await db.dispose()
    print(f"sqlite, {customers} customers ({customers // 10} lost), median of {repeats}:")
    print(f"  baseline (read the accounts): {base * 1000:.1f} ms")
    print(f"  load_org:                     {loading * 1000:.1f} ms  ({loading / base:.1f}× baseline)")
    print(f"  insights/churn (service):     {listing * 1000:.1f} ms  ({listing / base:.1f}× baseline)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.customers, args.repeats))
