"""Bottlenecks on hand-made deals, as of Tuesday 10 March 2026 00:00 UTC, every figure worked out in the comments.

History (rep_b): five deals stayed in proposal 2, 4, 6, 8 and 10 days in October 2025 (p75 = the 4th of 5 = 8,
median 6); five stayed 100 days in qualified (1 October 2025 → 9 January 2026, p75 100).

Sitting now in proposal: rep_a since 18 Feb (20 days, 1000), rep_b since 23 Feb (15 days, 2000), rep_a since
26 Feb (12 days, 3000), rep_b since 7 March (3 days, 400) and, in the west team, rep_c since 8 Feb (30 days, 5000).
Sitting in qualified: three deals since 30 December 2025 (70 days; rep_a, rep_a, rep_b).
Week-ends looked back at: 3 Mar, 24 Feb, 17 Feb, 10 Feb, 3 Feb, 27 Jan, 20 Jan, 13 Jan.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from api.db.models import BottleneckAlert, Notification
from api.insights import forecast
from api.insights.jobs import alert_bottlenecks
from tests.integration.insights.deals import add_deal
from worker.jobs import CRON, JOBS
from worker.relay import EmbeddedRunner

NOW = datetime(2026, 3, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(forecast, "utc_now", lambda: NOW)


@pytest.fixture
async def deals(db, world):
    async with db.sessionmaker() as session:
        acme, a, b, c = world.acme, world.rep_a.user_id, world.rep_b.user_id, world.rep_c.user_id
        for left in ("2025-10-03", "2025-10-05", "2025-10-07", "2025-10-09", "2025-10-11"):
            await add_deal(session, acme, b, world.account_b, [("proposal", "2025-10-01"), ("won", left)], 100)
            await add_deal(
                session, acme, b, world.account_b, [("qualified", "2025-10-01"), ("lost", "2026-01-09")], 100
            )
        sitting = [(a, "2026-02-18", 1000), (b, "2026-02-23", 2000), (a, "2026-02-26", 3000), (b, "2026-03-07", 400),
                   (c, "2026-02-08", 5000)]  # fmt: skip
        ids = {}
        for owner, entered, amount in sitting:
            account = world.account_c if owner == c else world.account_a
            ids[amount] = await add_deal(session, acme, owner, account, [("proposal", entered)], amount)
        for owner in (a, a, b):
            await add_deal(session, acme, owner, world.account_a, [("qualified", "2025-12-30")], 700)
        await session.commit()
    return ids


async def _bottlenecks(client, caller, **params) -> list[dict]:
    response = await client.get("/api/v1/insights/bottlenecks", params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_the_managers_team_has_a_proposal_bottleneck(client, world, deals):
    [flag] = await _bottlenecks(client, world.manager)  # qualified is not flagged (below)
    assert (flag["stage"], flag["name"], flag["reasons"]) == ("proposal", "Proposal", ["backlog", "dwell"])
    # In proposal on each week-end: 3 Mar the deals of 18, 23, 26 Feb; 24 Feb those of 18 and 23 Feb; none before.
    assert flag["weekly_backlog"] == [3, 2, 0, 0, 0, 0, 0, 0]
    assert (flag["backlog"], flag["backlog_baseline"]) == (4, 0.0)  # 4 > 1.5 × median 0, and at least 3
    # Ages 20, 15, 12, 3: median 13.5 above p75 8.
    assert (flag["median_age_days"], flag["p75_dwell_days"], flag["dwell_samples"]) == (13.5, 8.0, 5)
    # Stuck: older than 8 days, oldest first: 20 (rep_a), 15 (rep_b), 12 (rep_a).
    assert [(d["id"], d["owner_name"], d["days_in_stage"], d["amount"]) for d in flag["stuck"]] == [
        (str(deals[1000]), "a", 20.0, 1000), (str(deals[2000]), "b", 15.0, 2000), (str(deals[3000]), "a", 12.0, 3000),
    ]  # fmt: skip
    assert (flag["stuck_count"], flag["stuck_amount"]) == (3, 6000)
    assert [(h["owner_id"], h["stuck_count"], h["stuck_amount"]) for h in flag["help"]] == [
        (str(world.rep_a.user_id), 2, 4000), (str(world.rep_b.user_id), 1, 2000),
    ]  # fmt: skip
    assert flag["suggestion"] == "4 deals sit in Proposal (usually 0); 3 past the usual 8 days; help a (2), b (1)."


async def test_the_admin_sees_the_whole_org_and_steady_stages_are_not_flagged(client, world, deals):
    [flag] = await _bottlenecks(client, world.admin)
    # rep_c's deal (8 Feb) too: 3 Mar 4 deals, 24 Feb 3, 17 Feb 1, 10 Feb 1, then 0 → median of 0,0,0,0,1,1,3,4 = 0.5.
    assert (flag["weekly_backlog"], flag["backlog"], flag["backlog_baseline"]) == ([4, 3, 1, 1, 0, 0, 0, 0], 5, 0.5)
    assert flag["median_age_days"] == 15.0  # ages 30, 20, 15, 12, 3
    assert (flag["stuck_count"], flag["stuck_amount"]) == (4, 11000)
    # rep_a 2 stuck; rep_c and rep_b 1 each, rep_c first by the larger stuck amount (5000 against 2000).
    assert [(h["name"], h["stuck_count"]) for h in flag["help"]] == [("a", 2), ("c", 1), ("b", 1)]
    # Qualified: 3 deals at every one of the 8 week-ends (baseline 3; 3 is not above 4.5), median age 70 below its
    # p75 of 100: no flag. Asking for rep_c alone: 1 deal sitting, below the minimum of 3.
    assert await _bottlenecks(client, world.admin, owner_id=str(world.rep_c.user_id)) == []
    assert await _bottlenecks(client, world.rep_c) == []
    assert await _bottlenecks(client, world.outsider) == []


async def test_a_rep_asking_for_another_team_gets_nothing_and_garbage_is_refused(client, world, deals):
    me = (await client.get("/api/v1/me", headers=world.manager.headers)).json()
    assert await _bottlenecks(client, world.rep_c, team_id=me["team_id"]) == []
    response = await client.get("/api/v1/insights/bottlenecks", params={"team_id": "x"}, headers=world.admin.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "team_id"


def test_the_bottleneck_job_is_scheduled_daily():
    assert JOBS["insights.bottlenecks"] is alert_bottlenecks
    assert any(c.name == "insights.bottlenecks" and c.every_s == 86400 for c in CRON)


async def _alerts(db, caller) -> list[Notification]:
    async with db.sessionmaker() as session:
        stmt = select(Notification).where(Notification.user_id == caller.user_id).order_by(Notification.created_at)
        return list((await session.execute(stmt)).scalars())


async def test_the_manager_is_notified_once_a_week(settings, db, world, deals):
    runner = EmbeddedRunner(settings, db)
    try:
        ctx = runner.context()
        assert await alert_bottlenecks(ctx, now=NOW) == 1  # the east team's manager, for proposal
        [sent] = await _alerts(db, world.manager)
        assert (sent.type, sent.title, sent.lang) == ("insight.bottleneck", "Bottleneck in Proposal", "en")
        assert sent.body == "4 deals sit in Proposal (usually 0); 3 past the usual 8 days; help a (2), b (1)."
        assert sent.data["deal_ids"] == [str(deals[1000]), str(deals[2000]), str(deals[3000])]
        assert await alert_bottlenecks(ctx, now=NOW + timedelta(days=1)) == 0  # same week (Mon 9 March): not again
        assert len(await _alerts(db, world.manager)) == 1
        assert await alert_bottlenecks(ctx, now=NOW + timedelta(days=7)) == 1  # the next week, still stuck
        assert len(await _alerts(db, world.manager)) == 2
        for caller in (world.admin, world.rep_a, world.rep_b, world.rep_c):
            assert await _alerts(db, caller) == []
        async with db.sessionmaker() as session:
            weeks = await session.execute(select(BottleneckAlert.week_start).order_by(BottleneckAlert.week_start))
            assert [w.isoformat() for w in weeks.scalars()] == ["2026-03-09", "2026-03-16"]
            assert (await session.execute(select(func.count()).select_from(BottleneckAlert))).scalar_one() == 2
    finally:
        await runner.close()
