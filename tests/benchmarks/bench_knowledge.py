"""Knowledge search: quality over the judged query set, and latency at 20,000 articles, on SQLite and PostgreSQL.

Run on demand (pytest does not collect it: the name does not start with ``test_``)::

    .venv/bin/python tests/benchmarks/bench_knowledge.py [--backends sqlite,postgresql] [--articles 20000]
                                                          [--rounds 3] [--no-readme] [--show-misses]

For each database:

1. A fresh database migrated with Alembic (SQLite: a file in a temporary directory; PostgreSQL: its own
   database ``fieldloop_bench_knowledge`` on the server of ``--pg-admin-url``, dropped at the end).
2. Quality: the demo organisation's articles (api/knowledge/demo_articles.py); every query of
   ``knowledge_queries.json`` asked as a rep whose language is the query's; MRR@10, hit@1 and hit@3 against the
   judged topics (a topic is an article and its translation; results show one per topic).
3. Latency: a second org with ``--articles`` synthetic articles made from the demo topics (each one a demo
   article re-cut for a customer, mixed with passages of another topic and customer notes), indexed in bulk.
   The judged queries run ``--rounds`` times each as a rep of that org, after a warm-up round: once through the
   search engine (what ``took_ms`` reports) next to a plain lookup of one article by primary key on the same
   driver, and once through the HTTP endpoint in process next to ``GET /api/v1/knowledge/articles/{id}``.

Goals (issue 5): hit@3 ≥ 0.9; p95 < 30 ms at 20,000 articles. Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file

from _server import create_pg_database, drop_pg_database  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from api.app import create_app  # noqa: E402
from api.db.engine import Database  # noqa: E402
from api.db.migrations import upgrade  # noqa: E402
from api.db.models import KnowledgeArticle  # noqa: E402
from api.knowledge.demo_articles import article_id, load_demo_articles  # noqa: E402
from api.knowledge.demo_content import TOPICS  # noqa: E402
from api.knowledge.index import SearchIndex  # noqa: E402
from api.knowledge.search import Filters, KnowledgeSearch  # noqa: E402
from api.lib.auth import Principal  # noqa: E402
from api.orgs.service import UserSpec, create_user, ensure_org  # noqa: E402
from api.settings import Settings  # noqa: E402

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "knowledge_queries.json"
README = HERE / "README_knowledge.md"
PG_DATABASE = "fieldloop_bench_knowledge"
PASSWORD = "bench-knowledge-1"
SECRET = "bench-knowledge-secret-" + "k" * 32
GOAL_HIT3 = 0.9
GOAL_P95_MS = 30.0
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass
class Quality:
    queries: int
    mrr10: float
    hit1: float
    hit3: float
    by_note: dict[str, tuple[int, float]]
    # Per batch of the judged set (the first set, written before tuning; the held-out one): (queries, MRR, hit@3).
    by_batch: dict[str, tuple[int, float, float]]
    misses: list[str] = field(default_factory=list)


@dataclass
class Latency:
    articles: int
    samples: int
    search_p50: float
    search_p95: float
    lookup_p50: float
    lookup_p95: float
    http_search_p50: float
    http_search_p95: float
    http_lookup_p50: float
    http_lookup_p95: float
    # CPU time of this process per search: on SQLite all of the work, on PostgreSQL only the client's share.
    search_cpu_p95: float
    load: str


def principal_for(user: Any, roles: tuple[str, ...] = ("rep",)) -> Principal:
    return Principal(
        user_id=user.id, org_id=user.org_id, session_id=uuid.uuid4(), email=user.email, name=user.name,
        team_id=None, manager_id=None, roles=roles, locale=user.locale, timezone=user.timezone,
        visible_owner_ids=frozenset({user.id}),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------- databases


async def make_user(db: Database, org: str, email: str, roles: tuple[str, ...], locale: str = "zh-CN") -> Any:
    async with db.sessionmaker() as session:
        user = await create_user(session, UserSpec(org=org, email=email, password=PASSWORD, roles=roles, locale=locale))
        await session.commit()
        return user


# ---------------------------------------------------------------------------------------------- quality


async def measure_quality(db: Database, queries: list[dict[str, Any]]) -> Quality:
    async with db.sessionmaker() as session:
        org = await ensure_org(session, "Knowledge Demo")
        await session.commit()
    editor = await make_user(db, "Knowledge Demo", "editor@kdemo.bench", ("manager",))
    reps = {
        lang: principal_for(await make_user(db, "Knowledge Demo", f"rep-{lang}@kdemo.bench", ("rep",), lang))
        for lang in ("zh-CN", "en")
    }
    async with db.sessionmaker() as session:
        await load_demo_articles(session, org.id, [editor.id])
        await session.commit()
    topic_of = {article_id(org.id, t.key, lang): t.key for t in TOPICS for lang in ("zh-CN", "en")}
    reciprocal, hit1, hit3 = [], 0, 0
    notes: dict[str, list[float]] = {}
    batches: dict[str, list[tuple[float, float]]] = {}
    misses = []
    for query in queries:
        search = KnowledgeSearch(db.reader, reps[query["lang"]])
        hits = await search.search(query["q"], query["lang"], 10, Filters())
        ranked = [topic_of.get(h.id) for h in hits]
        relevant = set(query["relevant"])
        rank = next((i for i, key in enumerate(ranked, start=1) if key in relevant), None)
        reciprocal.append(1.0 / rank if rank else 0.0)
        hit1 += rank == 1
        hit3 += rank is not None and rank <= 3
        notes.setdefault(query.get("note", "plain"), []).append(1.0 if rank and rank <= 3 else 0.0)
        batches.setdefault(query.get("batch", "first"), []).append((reciprocal[-1], 1.0 if rank and rank <= 3 else 0.0))
        if not rank or rank > 3:
            misses.append(f"{query['q']!r} ({query['lang']}): rank {rank}, got {ranked[:3]}")
    n = len(queries)
    return Quality(
        queries=n,
        mrr10=sum(reciprocal) / n,
        hit1=hit1 / n,
        hit3=hit3 / n,
        by_note={note: (len(v), sum(v) / len(v)) for note, v in sorted(notes.items())},
        by_batch={
            batch: (len(v), sum(r for r, _ in v) / len(v), sum(h for _, h in v) / len(v))
            for batch, v in sorted(batches.items())
        },
        misses=misses,
    )


# ---------------------------------------------------------------------------------------------- scale


DISTRICTS = (
    ("浦东", "Pudong"), ("闵行", "Minhang"), ("嘉定", "Jiading"), ("松江", "Songjiang"), ("宝山", "Baoshan"),
    ("青浦", "Qingpu"), ("奉贤", "Fengxian"), ("苏州", "Suzhou"), ("昆山", "Kunshan"), ("杭州", "Hangzhou"),
    ("宁波", "Ningbo"), ("无锡", "Wuxi"), ("南通", "Nantong"), ("常州", "Changzhou"),
)  # fmt: skip
NOTES_ZH = (
    "{brand}位于{district}，设备部经理关注{topic}，计划{month}月立项，预算约 {amount} 万元。",
    "{district}{brand}的采购要求{days}天内提交报价，竞争对手已经上门两次。",
    "拜访记录：{brand}现有 {count} 台设备，希望先做一条产线试点，{month}月复盘。",
)
NOTES_EN = (
    "{brand} in {district}: the maintenance manager cares about {topic}; project approval planned for month "
    "{month}, budget about CNY {amount}0k.",
    "Procurement at {brand} ({district}) wants the quote within {days} days; a competitor has visited twice.",
    "Visit notes: {brand} runs {count} machines and wants a one-line pilot first, reviewed in month {month}.",
)


def synthetic_articles(org_id: uuid.UUID, owner_id: uuid.UUID, n: int, seed: int = 5) -> list[KnowledgeArticle]:
    """Demo articles re-cut per customer: realistic vocabulary, with common terms in thousands of articles."""
    from api.demo.data import DEMO_BRANDS

    rng = random.Random(seed)
    topics = [t for t in TOPICS if t.status == "published"]
    now = datetime.now(UTC)
    out = []
    for _ in range(n):
        topic = rng.choice(topics)
        other = rng.choice(topics)
        zh = rng.random() < 0.5
        text, other_text = (topic.zh, other.zh) if zh else (topic.en, other.en)
        brand_zh, brand_en = rng.choice(DEMO_BRANDS)
        district = rng.choice(DISTRICTS)
        year = rng.randint(2021, 2026)
        paragraphs = [p for p in text.body.split("\n\n") if p.strip()]
        extra = [p for p in other_text.body.split("\n\n") if p.strip() and not p.startswith("#")]
        paragraphs += rng.sample(extra, k=min(2, len(extra)))
        values = {
            "brand": brand_zh if zh else brand_en, "district": district[0] if zh else district[1],
            "topic": other_text.title, "month": rng.randint(1, 12), "amount": rng.randint(5, 300),
            "days": rng.choice((3, 5, 7, 10, 14)), "count": rng.randint(20, 600),
        }  # fmt: skip
        notes = rng.choice(NOTES_ZH if zh else NOTES_EN).format(**values)
        changed = now - timedelta(days=rng.randint(0, 900))
        out.append(
            KnowledgeArticle(
                id=uuid.uuid4(),
                org_id=org_id,
                owner_id=owner_id,
                created_by=owner_id,
                title=f"{text.title} · {values['brand']} {year}",
                summary=f"{text.summary} {notes}",
                body="\n\n".join(paragraphs) + "\n\n" + notes,
                lang="zh-CN" if zh else "en",
                kind=topic.kind,
                status="published" if rng.random() < 0.95 else "draft",
                tags=list(text.tags),
                product=topic.product,
                industry=topic.industry,
                competitor=topic.competitor,
                stage=topic.stage,
                translation_group_id=uuid.uuid4(),
                change_seq=1,
                published_at=changed,
                created_at=changed,
                updated_at=changed,
            )
        )
    return out


async def seed_scale(db: Database, n: int) -> tuple[Principal, list[uuid.UUID]]:
    async with db.sessionmaker() as session:
        org = await ensure_org(session, "Knowledge Scale")
        await session.commit()
    editor = await make_user(db, "Knowledge Scale", "editor@kscale.bench", ("manager",))
    rep = await make_user(db, "Knowledge Scale", "rep@kscale.bench", ("rep",))
    articles = synthetic_articles(org.id, editor.id, n)
    started = time.perf_counter()
    async with db.sessionmaker() as session:
        for start in range(0, n, 1000):
            session.add_all(articles[start : start + 1000])
            await session.flush()
            session.expunge_all()
        index = SearchIndex(session)
        await index.rebuild(org.id)
        await index.optimise()
        await session.commit()
    if db.dialect == "postgresql":
        async with db.engine.connect() as conn:
            await conn.execute(text("COMMIT"))
            await conn.execute(text("VACUUM ANALYZE"))
    print(f"  {n} articles inserted and indexed in {time.perf_counter() - started:.1f} s", flush=True)
    return principal_for(rep), [a.id for a in articles if a.status == "published"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(calls: list[Callable[[], Awaitable[Any]]], cpu: list[float] | None = None) -> list[float]:
    out = []
    for call in calls:
        started, cpu_started = time.perf_counter(), time.process_time()
        await call()
        out.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - cpu_started) * 1000)
    return out


def load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


async def measure_latency(
    db: Database, settings: Settings, principal: Principal, ids: list[uuid.UUID], queries: list[dict[str, Any]],
    rounds: int, articles: int,
) -> Latency:  # fmt: skip
    search = KnowledgeSearch(db.reader, principal)
    rng = random.Random(7)
    lookup_sql = "SELECT id, title, summary, lang, version FROM knowledge_articles WHERE id = ?"

    def as_param(value: uuid.UUID) -> Any:
        return str(value) if db.dialect == "sqlite" else value

    def engine_calls() -> tuple[list[Callable[[], Awaitable[Any]]], list[Callable[[], Awaitable[Any]]]]:
        searches, lookups = [], []
        for query in queries:
            searches.append(lambda q=query: search.search(q["q"], q["lang"], 10, Filters()))
            lookups.append(lambda i=rng.choice(ids): db.reader.fetch(lookup_sql, [as_param(i)]))
        return searches, lookups

    warm_s, warm_l = engine_calls()
    await timed(warm_s)
    await timed(warm_l)
    search_ms: list[float] = []
    search_cpu: list[float] = []
    lookup_ms: list[float] = []
    for _ in range(rounds):
        searches, lookups = engine_calls()
        search_ms += await timed(searches, search_cpu)
        lookup_ms += await timed(lookups)

    http_search: list[float] = []
    http_lookup: list[float] = []
    async with AsyncTestClient(app=create_app(settings)) as client:
        signed = await client.post("/api/v1/auth/token", json={"email": "rep@kscale.bench", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}

        def http_calls() -> tuple[list[Callable[[], Awaitable[Any]]], list[Callable[[], Awaitable[Any]]]]:
            searches, lookups = [], []
            for query in queries:
                params = {"q": query["q"], "lang": query["lang"], "limit": 10}
                searches.append(lambda p=params: _ok(client.get("/api/v1/knowledge/search", params=p, headers=headers)))
                lookups.append(
                    lambda i=rng.choice(ids): _ok(client.get(f"/api/v1/knowledge/articles/{i}", headers=headers))
                )
            return searches, lookups

        warm_s, warm_l = http_calls()
        await timed(warm_s)
        await timed(warm_l)
        for _ in range(rounds):
            searches, lookups = http_calls()
            http_search += await timed(searches)
            http_lookup += await timed(lookups)
    return Latency(
        articles=articles, samples=len(search_ms),
        search_p50=percentile(search_ms, 0.5), search_p95=percentile(search_ms, 0.95),
        lookup_p50=percentile(lookup_ms, 0.5), lookup_p95=percentile(lookup_ms, 0.95),
        http_search_p50=percentile(http_search, 0.5), http_search_p95=percentile(http_search, 0.95),
        http_lookup_p50=percentile(http_lookup, 0.5), http_lookup_p95=percentile(http_lookup, 0.95),
        search_cpu_p95=percentile(search_cpu, 0.95), load=load_average(),
    )  # fmt: skip


async def _ok(request: Awaitable[Any]) -> None:
    response = await request
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.text[:200]}")


# ---------------------------------------------------------------------------------------------- running


async def run_backend(
    backend: str, args: argparse.Namespace, queries: list[dict[str, Any]], tmp: Path
) -> tuple[Quality, Latency | None]:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'knowledge.db'}"
    else:
        url = await create_pg_database(args.pg_admin_url, PG_DATABASE)
    try:
        await asyncio.to_thread(upgrade, url, "heads")
        settings = Settings(database_url=url, secret_key=SECRET, var_dir=tmp / "var", principal_cache_ttl_s=60.0)
        db = Database(settings)
        try:
            quality = await measure_quality(db, queries)
            print(f"  quality: MRR@10 {quality.mrr10:.3f}, hit@1 {quality.hit1:.3f}, hit@3 {quality.hit3:.3f}")
            if args.show_misses:
                for miss in quality.misses:
                    print("   miss:", miss)
            latency = None
            if args.articles:
                principal, ids = await seed_scale(db, args.articles)
                latency = await measure_latency(db, settings, principal, ids, queries, args.rounds, args.articles)
                print(
                    f"  latency at {args.articles}: search p50 {latency.search_p50:.2f} ms p95 "
                    f"{latency.search_p95:.2f} ms; lookup by id p50 {latency.lookup_p50:.3f} ms; HTTP search p95 "
                    f"{latency.http_search_p95:.2f} ms vs by id {latency.http_lookup_p95:.2f} ms"
                )
        finally:
            await db.dispose()
    finally:
        if backend == "postgresql":
            await drop_pg_database(args.pg_admin_url, PG_DATABASE)
    return quality, latency


def report(results: dict[str, tuple[Quality, Latency | None]]) -> str:
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average (1/5/15 min) {load_average()} when the run ended.",
        "",
        "| database | queries | MRR@10 | hit@1 | hit@3 |",
        "|---|---|---|---|---|",
    ]
    for backend, (q, _) in results.items():
        lines.append(f"| {backend} | {q.queries} | {q.mrr10:.3f} | {q.hit1:.3f} | {q.hit3:.3f} |")
    notes = sorted({note for q, _ in results.values() for note in q.by_note})
    lines += ["", "hit@3 by kind of query:", "", "| database | " + " | ".join(notes) + " |"]
    lines.append("|---|" + "---|" * len(notes))
    for backend, (q, _) in results.items():
        cells = [f"{q.by_note[n][1]:.2f} ({q.by_note[n][0]})" if n in q.by_note else "—" for n in notes]
        lines.append(f"| {backend} | " + " | ".join(cells) + " |")
    batches = sorted({b for q, _ in results.values() for b in q.by_batch})
    lines += ["", "MRR@10 / hit@3 by batch of the judged set:", "", "| database | " + " | ".join(batches) + " |"]
    lines.append("|---|" + "---|" * len(batches))
    for backend, (q, _) in results.items():
        cells = [
            f"{q.by_batch[b][1]:.3f} / {q.by_batch[b][2]:.3f} ({q.by_batch[b][0]})" if b in q.by_batch else "—"
            for b in batches
        ]
        lines.append(f"| {backend} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Latency in milliseconds, searches of the judged queries against a plain lookup by id in the same run:",
        "",
        "| database | articles | samples | search p50 | search p95 | search CPU p95 | by id p50 | by id p95 | "
        "HTTP search p50 | HTTP search p95 | HTTP by id p50 | HTTP by id p95 | p95 ratio (HTTP) | load 1/5/15 min |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, (_, lat) in results.items():
        if lat is None:
            continue
        lines.append(
            f"| {backend} | {lat.articles} | {lat.samples} | {lat.search_p50:.2f} | {lat.search_p95:.2f} | "
            f"{lat.search_cpu_p95:.2f} | {lat.lookup_p50:.3f} | {lat.lookup_p95:.3f} | {lat.http_search_p50:.2f} | "
            f"{lat.http_search_p95:.2f} | {lat.http_lookup_p50:.2f} | {lat.http_lookup_p95:.2f} | "
            f"{lat.http_search_p95 / lat.http_lookup_p95:.1f}× | {lat.load} |"
        )
    return "\n".join(lines)


def write_readme(block: str) -> None:
    content = README.read_text()
    start, end = content.index(START) + len(START), content.index(END)
    README.write_text(content[:start] + "\n" + block + "\n" + content[end:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--articles", type=int, default=20_000, help="articles in the latency org (0: skip)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("FIELDLOOP_BENCH_PG_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    queries = json.loads(QUERIES.read_text())["queries"]
    results: dict[str, tuple[Quality, Latency | None]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            print(f"{backend}:", flush=True)
            results[backend] = asyncio.run(run_backend(backend, args, queries, Path(tmp)))
    block = report(results)
    print(block)
    if not args.no_readme:
        write_readme(block)
    failed = [b for b, (q, lat) in results.items() if q.hit3 < GOAL_HIT3 or (lat and lat.search_p95 >= GOAL_P95_MS)]
    if failed:
        print(f"goal missed on {', '.join(failed)}: hit@3 >= {GOAL_HIT3}, search p95 < {GOAL_P95_MS} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
