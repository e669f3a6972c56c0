"""Competitor activity on a deal: the owner is reminded once per signal and the deal's priority rises."""

from __future__ import annotations

from datetime import datetime, timedelta

from api.db.types import utcnow
from api.reminders.jobs import competitor_job
from tests.integration.reminders.helpers import (
    SHANGHAI,
    create_deal,
    listed,
    local,
    log_activity,
    notifications,
    patch_deal,
)


def next_working_hour(after: datetime) -> datetime:
    """The first 10:00 in Shanghai after an instant: within a day, and outside the default quiet hours."""
    candidate = local(after.astimezone(SHANGHAI).date(), 10)
    return candidate if candidate > after else candidate + timedelta(days=1)


async def _priority(client, caller, deal_id: str, expect: int = 200) -> dict:
    response = await client.get(f"/api/v1/deal-priorities/{deal_id}", headers=caller.headers)
    assert response.status_code == expect, response.text
    return response.json()


async def test_a_competitor_added_by_an_update_reminds_once_and_raises_priority(client, db, world, ctx):
    deal = await create_deal(client, world.rep_a, world.account_a, competitors=["华为"])
    before_change = utcnow()
    # Listed at creation: the starting picture, not news.
    assert (await competitor_job(ctx, now=next_working_hour(before_change)))["created"] == 0
    await patch_deal(client, world.rep_a, deal, competitors=["华为", "SAP"])
    assert (await competitor_job(ctx, now=before_change - timedelta(seconds=1)))["created"] == 0  # not yet logged
    run = next_working_hour(utcnow())
    assert await competitor_job(ctx, now=run) == {"created": 1, "sent": 1, "held": 0, "cancelled": 0}
    assert (await competitor_job(ctx, now=run + timedelta(minutes=15)))["created"] == 0

    [note] = await notifications(db, world.rep_a, "reminder.competitor")
    assert note.title == "Competitor activity: 扫码枪 200 台"
    assert note.body == "Competitor added to 扫码枪 200 台: SAP. Its priority has been raised."
    assert note.url == f"/opportunities/{deal['id']}"
    priority = await _priority(client, world.rep_a, deal["id"])
    assert (priority["boost"], priority["competitors"]) == (1, ["SAP"])


async def test_activities_naming_a_competitor_each_count(client, db, world, ctx):
    deal = await create_deal(client, world.rep_a, world.account_a, competitors=["SAP", "华为"])
    at = utcnow() - timedelta(hours=1)
    await log_activity(client, world.rep_a, world.account_a, at, deal=deal, summary="Met the SAP team at the site")
    await log_activity(client, world.rep_a, world.account_a, at, deal=deal, summary="Sapling planting day, no news")
    await log_activity(client, world.rep_a, world.account_a, at, deal=deal, summary="客户说华为报价更低")
    # Not on the deal: an account-level note is not activity on this deal.
    await log_activity(client, world.rep_a, world.account_a, at, summary="SAP called the buyer")
    run = next_working_hour(utcnow())
    assert (await competitor_job(ctx, now=run))["sent"] == 2  # SAP by name; 华为; "Sapling" is not SAP
    assert (await competitor_job(ctx, now=run + timedelta(hours=1)))["created"] == 0
    bodies = sorted(n.body for n in await notifications(db, world.rep_a, "reminder.competitor"))
    assert bodies == [
        "An activity on 扫码枪 200 台 mentions SAP. Its priority has been raised.",
        "An activity on 扫码枪 200 台 mentions 华为. Its priority has been raised.",
    ]
    priority = await _priority(client, world.rep_a, deal["id"])
    assert priority["boost"] == 2 and sorted(priority["competitors"]) == ["SAP", "华为"]


async def test_priority_falls_back_after_30_days_and_stale_signals_do_not_remind(client, db, world, ctx):
    deal = await create_deal(client, world.rep_a, world.account_a)
    await patch_deal(client, world.rep_a, deal, competitors=["Oracle"])
    # First seen 8 days after it was logged: older than the 7-day look-back, so nobody is reminded late.
    assert (await competitor_job(ctx, now=utcnow() + timedelta(days=8)))["created"] == 0
    run = next_working_hour(utcnow())
    assert (await competitor_job(ctx, now=run))["sent"] == 1
    assert (await _priority(client, world.rep_a, deal["id"]))["boost"] == 1
    [listed_priority] = (await client.get("/api/v1/deal-priorities", headers=world.rep_a.headers)).json()["items"]
    assert listed_priority["opportunity_id"] == deal["id"]
    await competitor_job(ctx, now=run + timedelta(days=31))
    assert (await _priority(client, world.rep_a, deal["id"]))["boost"] == 0
    assert (await client.get("/api/v1/deal-priorities", headers=world.rep_a.headers)).json()["items"] == []


async def test_priority_is_visible_within_reach_only_and_closed_deals_stay_quiet(client, db, world, ctx):
    deal = await create_deal(client, world.rep_a, world.account_a)
    await patch_deal(client, world.rep_a, deal, competitors=["Oracle"])
    closed = await create_deal(client, world.rep_b, world.account_b)
    closed = await patch_deal(client, world.rep_b, closed, competitors=["Oracle"])
    await patch_deal(client, world.rep_b, closed, stage="lost", loss_reason="lost to Oracle")
    assert (await competitor_job(ctx, now=next_working_hour(utcnow())))["sent"] == 1
    assert await notifications(db, world.rep_b) == []
    assert (await _priority(client, world.manager, deal["id"]))["boost"] == 1  # the team's manager sees it
    for outsider in (world.rep_b, world.rep_c, world.outsider):
        await _priority(client, outsider, deal["id"], expect=404)
        assert (await client.get("/api/v1/deal-priorities", headers=outsider.headers)).json()["items"] == []
        assert await listed(client, outsider) == []
    assert (await _priority(client, world.rep_b, closed["id"]))["boost"] == 0
    await _priority(client, world.rep_a, "00000000-0000-0000-0000-000000000000", expect=404)
