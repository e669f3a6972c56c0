"""Smart reminders at scale: each detector, and whole job runs, against a plain read of the same open deals.

Run on demand (pytest does not collect it: the name does not start with ``test_``)::

    .venv/bin/python tests/benchmarks/bench_reminders.py [--deals 10000] [--repeats 5]

On a fresh, migrated SQLite file: one org, 10 reps, ``--deals`` open deals over deals/5 accounts (a fifth with a
promised date in the next 5 days, three in ten with a competitor), each deal with a finished stay and an open
one, 8 inbound interactions per account over 120 days, a competitor named in the last 3 days by one activity
per ten deals and added by an update on one deal in twenty. Measured in the same run, median of ``--repeats``:

- baseline: reading the open deals' rows (``SELECT`` of every opportunity of the org through the ORM);
- each detector alone (what is due, nothing stored);
- the first run of each job (detect, store, send through notify()), once: it is the one that writes;
- a steady-state run of each job (nothing new to store or send), as every 15-minute run after it would be.

Prints the figures and their ratios to the baseline; write them into README_reminders.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file, when run as a script

from _server import sqlite_database

from api.db.engine import Database
from api.db.migrations import upgrade_async
from api.db.models import Account, Activity, FieldChange, Opportunity, StageHistory, User
from api.db.types import utcnow
from api.orgs.service import ensure_org
from api.reminders import jobs
from api.reminders.detect import DETECTORS
from api.settings import Settings
from worker.relay import EmbeddedRunner

SECRET = "bench-secret-" + "r" * 40
OPEN_STAGES = ("lead", "qualified", "solution", "proposal", "negotiation")
REPS = 10


async def populate(db: Database, deals: int) -> uuid.UUID:
    rng = random.Random(7)
    now = utcnow()
    async with db.sessionmaker() as session:
        org = await ensure_org(session, "Bench")
        reps = [uuid.uuid4() for _ in range(REPS)]
        await session.execute(
            insert(User),
            [
                {
                    "id": r,
                    "org_id": org.id,
                    "email": f"rep{i}@bench.test",
                    "name": f"rep{i}",
                    "password_hash": "x",
                    "roles": ["rep"],
                    "locale": ("en", "zh-CN")[i % 2],
                    "timezone": "Asia/Shanghai",
                }
                for i, r in enumerate(reps)
            ],
        )
        accounts = [uuid.uuid4() for _ in range(max(deals // 5, 1))]
        await session.execute(
            insert(Account),
            [
                {"id": a, "org_id": org.id, "owner_id": reps[i % REPS], "name": f"客户 {i}"}
                for i, a in enumerate(accounts)
            ],
        )
        rows, stays, activities, changes = [], [], [], []
        for i in range(deals):
            deal_id, account_index = uuid.uuid4(), i % len(accounts)
            stage = rng.choice(OPEN_STAGES)
            rows.append(
                {
                    "id": deal_id,
                    "org_id": org.id,
                    "account_id": accounts[account_index],
                    "owner_id": reps[account_index % REPS],
                    "name": f"Deal {i}",
                    "stage": stage,
                    "probability": 40,
                    "amount": rng.randint(1, 500) * 100_000,
                    "currency": "CNY",
                    "promised_date": (now + timedelta(days=rng.randint(0, 5))).date() if i % 5 == 0 else None,
                    "competitors": ["Globex"] if i % 10 < 3 else [],
                    "created_at": now - timedelta(days=90),
                    "updated_at": now,
                }
            )
            entered = now - timedelta(days=rng.uniform(0, 60))
            stays.append(
                {
                    "org_id": org.id,
                    "opportunity_id": deal_id,
                    "stage": "lead",
                    "entered_at": entered - timedelta(days=30),
                    "left_at": entered - timedelta(days=30) + timedelta(days=rng.uniform(1, 20)),
                }
            )
            stays.append({"org_id": org.id, "opportunity_id": deal_id, "stage": stage, "entered_at": entered})
            if i % 10 == 0:
                activities.append(
                    {
                        "org_id": org.id,
                        "account_id": accounts[account_index],
                        "opportunity_id": deal_id,
                        "owner_id": reps[account_index % REPS],
                        "kind": "call",
                        "direction": "outbound",
                        "occurred_at": now - timedelta(days=1),
                        "summary": "Customer compares us with Globex",
                        "created_at": now - timedelta(days=rng.uniform(0, 3)),
                    }
                )
            if i % 20 == 0:
                changes.append(
                    {
                        "org_id": org.id,
                        "entity_type": "opportunity",
                        "entity_id": deal_id,
                        "field": "competitors",
                        "old_value": [],
                        "new_value": ["Initech"],
                        "changed_at": now - timedelta(days=rng.uniform(0, 3)),
                    }
                )
        for account_index, account_id in enumerate(accounts):
            for _ in range(8):
                activities.append(
                    {
                        "org_id": org.id,
                        "account_id": account_id,
                        "opportunity_id": None,
                        "owner_id": reps[account_index % REPS],
                        "kind": "email",
                        "direction": "inbound",
                        "occurred_at": now - timedelta(days=rng.uniform(0, 120)),
                        "summary": "来信",
                        "created_at": now - timedelta(days=120),
                    }
                )
        for model, values in (
            (Opportunity, rows),
            (StageHistory, stays),
            (Activity, activities),
            (FieldChange, changes),
        ):
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


JOBS = {
    "promised_date": jobs.promised_date_job,
    "silent_customer": jobs.silent_customer_job,
    "competitor": jobs.competitor_job,
    "stage_dwell": jobs.stage_dwell_job,
}


async def main(deals: int, repeats: int) -> None:
    with sqlite_database() as url:
        await upgrade_async(url)
        settings = Settings(database_url=url, secret_key=SECRET)
        db = Database(settings)
        org_id = await populate(db, deals)
        runner = EmbeddedRunner(settings, db)
        ctx = runner.context("bench")
        # The next 03:00 UTC (11:00 in Shanghai): outside quiet hours, so the first runs send.
        now = utcnow().replace(hour=3, minute=0, second=0, microsecond=0)
        now = now if now > utcnow() else now + timedelta(days=1)

        async def baseline() -> None:
            async with db.sessionmaker() as session:
                list((await session.execute(select(Opportunity).where(Opportunity.org_id == org_id))).scalars())

        base = await timed(repeats, baseline)
        print(f"sqlite, {deals} open deals, {deals // 5} accounts, median of {repeats}:")
        print(f"  baseline (read the open deals): {base * 1000:8.1f} ms")
        for kind, detector in DETECTORS.items():

            async def detect(detector=detector) -> None:
                async with db.sessionmaker() as session:
                    await detector(session, now)

            async with db.sessionmaker() as session:
                due = len(await detector(session, now))
            took = await timed(repeats, detect)
            print(f"  detect {kind:<16} {took * 1000:8.1f} ms  ({took / base:5.1f}× baseline)  {due} due")
        for kind, job in JOBS.items():
            started = time.perf_counter()
            first = await job(ctx, now=now)
            took = time.perf_counter() - started
            print(f"  first run {kind:<13} {took * 1000:8.1f} ms  ({took / base:5.1f}× baseline)  {first}")
            steady = await timed(repeats, lambda job=job: job(ctx, now=now))
            print(f"  steady run {kind:<12} {steady * 1000:8.1f} ms  ({steady / base:5.1f}× baseline)")
        await runner.close()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.deals, args.repeats))
