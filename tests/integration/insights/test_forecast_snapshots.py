"""Weekly forecast snapshots and the forecast-against-actual report, on hand-made deals with answers worked by hand.

Acme's time zone is Asia/Shanghai. History (rep_a): four deals in qualified 1 → 11 December 2025, three won and one
lost: qualified wins 3/4 = 0.75 (too few for an owner rate), every cycle 10 days. Open: deal D (rep_a, 1000, close
date 25 March 2026), in qualified since 25 February.

Snapshot at Monday 2 March 2026 06:30 Shanghai (1 March 22:30 UTC): D is 4.9375 days into qualified; the only open
observation (4.9375) is below the 10-day cycles, so G = 1 until 10 days, 0 after; March's rest is days
[4.9375, 35) → close share 1. Model 1000 × 0.75 × 1 = 750; weighted 1000 × 20 % = 200. The same for Q1; April and
Q2 have no pipeline: 0. D is then won on 20 March for 1000: March and Q1 actually won 1000, April and Q2 nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from api.db.models import ForecastSnapshot, Opportunity, StageHistory
from api.insights import forecast
from api.insights.jobs import snapshot_forecasts
from tests.integration.insights.deals import add_deal, day
from worker.jobs import CRON, JOBS
from worker.relay import EmbeddedRunner

MONDAY_0630 = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)  # Monday 2 March, 06:30 in Shanghai
JULY = datetime(2026, 7, 5, tzinfo=UTC)  # every period above is over
RANGE = {"from": "2026-03-01", "to": "2026-06-30"}


@pytest.fixture
async def deal(db, world):
    async with db.sessionmaker() as session:
        for final in ("won", "won", "won", "lost"):
            await add_deal(session, world.acme, world.rep_a.user_id, world.account_a,
                           [("qualified", "2025-12-01"), (final, "2025-12-11")], 500)  # fmt: skip
        deal_id = await add_deal(session, world.acme, world.rep_a.user_id, world.account_a,
                                 [("qualified", "2026-02-25")], 1000, close_date=date(2026, 3, 25))  # fmt: skip
        await session.commit()
    return deal_id


@pytest.fixture
async def ctx(settings, db):
    runner = EmbeddedRunner(settings, db)
    yield runner.context()
    await runner.close()


async def _win(db, deal_id) -> None:
    """D won on 20 March 2026."""
    async with db.sessionmaker() as session:
        won = day("2026-03-20")
        await session.execute(
            update(Opportunity).where(Opportunity.id == deal_id).values(stage="won", probability=100, closed_at=won)
        )
        await session.execute(update(StageHistory).where(StageHistory.opportunity_id == deal_id).values(left_at=won))
        session.add(StageHistory(org_id=(await session.get(Opportunity, deal_id)).org_id, opportunity_id=deal_id,
                                 stage="won", entered_at=won))  # fmt: skip
        await session.commit()


async def _snapshots(db, org_id) -> list[tuple[str, str, str, int, dict]]:
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(ForecastSnapshot)
            .where(ForecastSnapshot.org_id == org_id)
            .order_by(ForecastSnapshot.week_start, ForecastSnapshot.period, ForecastSnapshot.basis)
        )
        return [(s.week_start.isoformat(), s.period, s.basis, s.amount, s.by_stage) for s in rows.scalars()]


def test_the_snapshot_job_runs_hourly():
    assert JOBS["insights.forecast_snapshots"] is snapshot_forecasts
    assert any(c.name == "insights.forecast_snapshots" and c.every_s == 3600 for c in CRON)


async def test_snapshots_are_taken_once_a_week_from_monday_0600(db, world, deal, ctx):
    assert await snapshot_forecasts(ctx, now=MONDAY_0630 - timedelta(hours=1)) == 0  # 05:30 on Monday: not yet
    # Acme: its months and quarters × both bases = 8; the Other org (no deals): 8 zeros.
    assert await snapshot_forecasts(ctx, now=MONDAY_0630) == 16
    assert await snapshot_forecasts(ctx, now=MONDAY_0630 + timedelta(hours=1)) == 0
    assert await snapshot_forecasts(ctx, now=MONDAY_0630 + timedelta(days=6)) == 0  # Sunday: still that week
    assert await _snapshots(db, world.acme) == [
        ("2026-03-02", "2026-03", "model", 750, {"qualified": 750}),
        ("2026-03-02", "2026-03", "weighted", 200, {"qualified": 200}),
        ("2026-03-02", "2026-04", "model", 0, {}),
        ("2026-03-02", "2026-04", "weighted", 0, {}),
        ("2026-03-02", "2026-Q1", "model", 750, {"qualified": 750}),
        ("2026-03-02", "2026-Q1", "weighted", 200, {"qualified": 200}),
        ("2026-03-02", "2026-Q2", "model", 0, {}),
        ("2026-03-02", "2026-Q2", "weighted", 0, {}),
    ]
    assert await snapshot_forecasts(ctx, now=MONDAY_0630 + timedelta(days=7)) == 16  # the next week's


async def test_the_report_sets_each_snapshot_against_what_was_won(client, world, deal, ctx, monkeypatch, db):
    await snapshot_forecasts(ctx, now=MONDAY_0630)
    await _win(db, deal)
    monkeypatch.setattr(forecast, "utc_now", lambda: JULY)
    response = await client.get("/api/v1/insights/forecast/accuracy", params=RANGE, headers=world.admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    items = [
        (i["period"], i["basis"], i["week_start"], i["forecast"], i["actual"], i["accuracy"]) for i in body["items"]
    ]
    assert items == [
        ("2026-03", "model", "2026-03-02", 750, 1000, 0.75),  # 1 − |750 − 1000| / 1000
        ("2026-03", "weighted", "2026-03-02", 200, 1000, 0.2),  # 1 − 800 / 1000
        ("2026-Q1", "model", "2026-03-02", 750, 1000, 0.75),
        ("2026-Q1", "weighted", "2026-03-02", 200, 1000, 0.2),
        ("2026-04", "model", "2026-03-02", 0, 0, None),  # nothing won: no accuracy
        ("2026-04", "weighted", "2026-03-02", 0, 0, None),
        ("2026-Q2", "model", "2026-03-02", 0, 0, None),
        ("2026-Q2", "weighted", "2026-03-02", 0, 0, None),
    ]
    assert body["items"][0]["pipeline_amount"] == 1000 and body["items"][0]["actual_count"] == 1
    assert [(s["basis"], s["snapshots"], s["mean_accuracy"]) for s in body["summary"]] == [
        ("weighted", 4, 0.2), ("model", 4, 0.75),
    ]  # fmt: skip
    # A period not over yet is not reported: on 31 March, March (ending today) and Q1 are left out.
    monkeypatch.setattr(forecast, "utc_now", lambda: datetime(2026, 3, 30, 20, tzinfo=UTC))  # 31 March in Shanghai
    early = (await client.get("/api/v1/insights/forecast/accuracy", params=RANGE, headers=world.admin.headers)).json()
    assert early["items"] == []


async def test_the_report_is_for_admins_and_refuses_bad_ranges(client, world):
    response = await client.get("/api/v1/insights/forecast/accuracy", headers=world.manager.headers)
    assert response.status_code == 403
    bad = await client.get("/api/v1/insights/forecast/accuracy", params={"from": "2026-06-01", "to": "2026-01-01"},
                           headers=world.admin.headers)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "from"
    long = await client.get("/api/v1/insights/forecast/accuracy", params={"from": "2016-01-01", "to": "2026-01-01"},
                            headers=world.admin.headers)  # fmt: skip
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "to"
