"""The win model on the Maven CRM export: a time split, against each product's historical win rate.

Run on demand (pytest does not collect it: the name does not start with ``test_``)::

    .venv/bin/python tests/benchmarks/bench_win_model.py [--split 2017-08-01] [--backends sqlite,postgresql]

Per database: a fresh one (SQLite: a temporary file; PostgreSQL: its own ``fieldloop_bench``, dropped afterwards),
migrated with Alembic, the four Maven files imported (``api.imports``); then

1. the closed deals become training examples exactly as the nightly job makes them (``api.scoring.training``);
2. those closed before ``--split`` train the model, those closed on or after it test it; the baseline, each
   product's win rate over the same training deals, is scored on the same test deals. AUC, Brier score and log
   loss of both, for the full model and for variants without the size band (Maven's lost deals carry no amount,
   so their size is their product's list price while won deals carry their close value: a possible leak) and
   with the product alone (which should match the baseline);
3. timings: loading the examples (the baseline), fitting, and the whole retraining of the org (``train_org``);
   and the pipeline scores list (every open deal scored, a page of 50, as an admin) against a plain
   ``SELECT count(*)`` of the opportunities in the same run.

Prints the figures and writes them to README_scoring.md here (``--no-readme`` to leave it alone).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file, when run as a script

from _maven import MAVEN, available, import_maven
from _server import create_pg_database, drop_pg_database, sqlite_database

from api.db.engine import Database
from api.db.migrations import upgrade_async
from api.db.models import Organisation
from api.lib.auth import Principal
from api.scoring.model import GROUPS, evaluate, fit
from api.scoring.records import days, org_context
from api.scoring.service import ScoringService
from api.scoring.training import closed_examples, train_org
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = Path(__file__).resolve().parent / "README_scoring.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SECRET = "bench-secret-" + "s" * 40
COUNT = text("SELECT count(*) FROM opportunities")
PG_DATABASE = "fieldloop_bench_scoring"  # this benchmark's own: never the suite's, nor another benchmark's
VARIANTS = (
    ("model, all features", GROUPS),
    ("model without the size band", tuple(g for g in GROUPS if g != "amount")),
    ("model, product alone", ("product",)),
)


@dataclass
class Run:
    database: str
    import_s: float
    train_deals: int
    test_deals: int
    train_won_share: float
    test_won_share: float
    figures: list[tuple[str, dict[str, float | None]]]
    load_s: float
    fit_s: float
    retrain_s: float
    open_deals: int
    scores_s: float
    count_s: float


def admin_of(org_id: uuid.UUID) -> Principal:
    return Principal(
        user_id=uuid.uuid4(), org_id=org_id, session_id=uuid.uuid4(), email="bench@fieldloop.test", name="bench",
        team_id=None, manager_id=None, roles=("admin",), locale="en", timezone="UTC", visible_owner_ids=None,
    )  # fmt: skip


async def median_s(action: Callable[[], Awaitable[object]], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def bench(database: str, url: str, split: date, repeats: int) -> Run:
    await upgrade_async(url)
    settings = Settings(database_url=url, secret_key=SECRET)
    started = time.perf_counter()
    await import_maven(settings)
    import_s = time.perf_counter() - started
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            org_id = (await session.execute(select(Organisation.id).where(Organisation.name == "Maven"))).scalar_one()
            now = datetime.now(UTC)
            ctx = await org_context(session, org_id, now)
            examples = await closed_examples(session, ctx)
            load_s = await median_s(lambda: closed_examples(session, ctx), repeats)
            cut = days(datetime.combine(split, datetime.min.time(), tzinfo=UTC))
            train = [e for e in examples if e.closed < cut]
            test = [e for e in examples if e.closed >= cut]
            figures = [(name, evaluate(train, test, groups)) for name, groups in VARIANTS]
            started = time.perf_counter()
            fit(examples)
            fit_s = time.perf_counter() - started

            async def retrain() -> None:
                await train_org(session, org_id, now)
                await session.rollback()

            retrain_s = await median_s(retrain, repeats)
            await train_org(session, org_id, now)
            await session.commit()
            service = ScoringService(session, admin_of(org_id))
            listed = await service.scores(50, None, None, None, None)
            scores_s = await median_s(lambda: service.scores(50, None, None, None, None), repeats)
            count_s = await median_s(lambda: session.execute(COUNT), repeats)
    finally:
        await db.dispose()
    return Run(
        database, import_s, len({e.deal_id for e in train}), len({e.deal_id for e in test}),
        sum(e.won for e in train) / len(train), sum(e.won for e in test) / len(test), figures, load_s, fit_s, retrain_s,
        listed.summary.count + listed.summary.other_currency, scores_s, count_s,
    )  # fmt: skip


def _f(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def report(runs: list[Run], split: date) -> str:
    parts = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores. Split: trained on the deals closed "
        f"before **{split.isoformat()}**, tested on those closed on or after it."
    ]
    for run in runs:
        parts += [
            "",
            f"### {run.database}",
            "",
            f"Maven import {run.import_s:.1f} s. Training deals: **{run.train_deals:,}** (won "
            f"{100 * run.train_won_share:.1f} %); test deals: **{run.test_deals:,}** (won "
            f"{100 * run.test_won_share:.1f} %).",
            "",
            "| predictor | AUC | Brier | log loss | baseline AUC | baseline Brier | baseline log loss "
            "| AUC − baseline | Brier ÷ baseline |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, f in run.figures:
            gain = None if f["auc"] is None or f["baseline_auc"] is None else f["auc"] - f["baseline_auc"]
            ratio = None if not f["baseline_brier"] or f["brier"] is None else f["brier"] / f["baseline_brier"]
            parts.append(
                f"| {name} | {_f(f['auc'])} | {_f(f['brier'])} | {_f(f['log_loss'])} | {_f(f['baseline_auc'])} "
                f"| {_f(f['baseline_brier'])} | {_f(f['baseline_log_loss'])} | {_f(gain, 4)} | {_f(ratio, 3)} |"
            )
        parts += [
            "",
            f"Retraining the org on all {run.train_deals + run.test_deals:,} closed deals (median of runs): loading "
            f"the examples {run.load_s:.2f} s (the baseline); fitting {run.fit_s:.2f} s; the whole job step "
            f"(`train_org`: load, holdout check, fit, store) {run.retrain_s:.2f} s = "
            f"**{run.retrain_s / run.load_s:.1f}× the load alone**.",
            "",
            f"Pipeline scores list (`GET /api/v1/insights/scores` service call: all {run.open_deals:,} open deals "
            f"scored with the trained model, a page of 50, as an admin): {1000 * run.scores_s:.0f} ms against "
            f"{1000 * run.count_s:.1f} ms for `SELECT count(*)` of the opportunities = "
            f"**{run.scores_s / run.count_s:.0f}× the count**.",
        ]
    return "\n".join(parts)


def write_readme(text_block: str) -> None:
    current = README.read_text() if README.exists() else f"# Scoring benchmark\n\n## Results\n\n{START}\n{END}\n"
    block = f"{START}\n{text_block}\n{END}"
    if START in current and END in current:
        current = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, current, flags=re.DOTALL)
    else:
        current += f"\n## Results\n\n{block}\n"
    README.write_text(current)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--split", type=date.fromisoformat, default=date(2017, 8, 1))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("FIELDLOOP_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--no-readme", dest="readme", action="store_false", help="print only")
    args = parser.parse_args()
    if not available():
        print(f"the Maven export is not at {MAVEN}; set FIELDLOOP_SHARED_DIR", file=sys.stderr)
        return 2
    runs = []
    for database in args.backends.split(","):
        print(f"{database}: importing the Maven export, training, testing…", flush=True)
        if database == "sqlite":
            with sqlite_database() as url:
                runs.append(asyncio.run(bench(database, url, args.split, args.repeats)))
        else:
            try:
                url = asyncio.run(create_pg_database(args.pg_admin_url, PG_DATABASE))
                runs.append(asyncio.run(bench(database, url, args.split, args.repeats)))
            finally:
                asyncio.run(drop_pg_database(args.pg_admin_url, PG_DATABASE))
    text_block = report(runs, args.split)
    print(text_block)
    if args.readme:
        write_readme(text_block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
