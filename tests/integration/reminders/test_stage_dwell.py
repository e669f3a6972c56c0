"""A deal in its stage beyond the stage's 75th-percentile dwell, from the org's finished stays."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from api.db.models import StageHistory
from api.reminders.jobs import stage_dwell_job
from tests.integration.reminders.helpers import create_deal, days_ago, local, notifications, patch_deal, set_user

NOTHING = {"created": 0, "sent": 0, "held": 0, "cancelled": 0}


async def _history(client, db, world, durations_days: list[int]) -> None:
    """Finished stays in "lead" of that many days, on rep_b's deals, long ago."""
    start = local(days_ago(300), 10)
    for days in durations_days:
        deal = await create_deal(client, world.rep_b, world.account_b)
        async with db.sessionmaker() as session:
            session.add(
                StageHistory(
                    org_id=world.acme,
                    opportunity_id=uuid.UUID(deal["id"]),
                    stage="lead",
                    entered_at=start,
                    left_at=start + timedelta(days=days),
                )
            )
            await session.commit()


async def _entered(db, deal: dict, at) -> None:
    async with db.sessionmaker() as session:
        await session.execute(
            update(StageHistory)
            .where(StageHistory.opportunity_id == uuid.UUID(deal["id"]), StageHistory.left_at.is_(None))
            .values(entered_at=at)
        )
        await session.commit()


async def test_fires_once_past_the_stages_75th_percentile(client, db, world, ctx):
    # Lead stays of 1, 2, 3 and 11 days: p75 at rank 0.75 × 3 = 2.25 → 3 + (11 − 3) × 0.25 = 5 days.
    await _history(client, db, world, [1, 2, 3, 11])
    deal = await create_deal(client, world.rep_a, world.account_a)
    due = local(days_ago(20), 10)
    await _entered(db, deal, due - timedelta(days=5))
    # rep_b's deals entered lead just now: at `due` (20 days ago) they have not sat anywhere yet.
    assert await stage_dwell_job(ctx, now=due) == NOTHING  # exactly the p75: not beyond it
    assert await stage_dwell_job(ctx, now=due + timedelta(minutes=1)) == {**NOTHING, "created": 1, "sent": 1}
    assert await stage_dwell_job(ctx, now=due + timedelta(days=2)) == NOTHING
    [note] = await notifications(db, world.rep_a, "reminder.stage_dwell")
    assert note.title == "扫码枪 200 台 is stuck in Lead"
    assert note.body == (
        "扫码枪 200 台 has been in Lead for 5 days; three quarters of deals leave that stage within 5.0 days."
    )
    assert note.url == f"/opportunities/{deal['id']}"
    assert await notifications(db, world.rep_b) == []


async def test_too_few_finished_stays_say_nothing(client, db, world, ctx):
    await _history(client, db, world, [1, 2, 3])  # three samples, below the minimum of four
    deal = await create_deal(client, world.rep_a, world.account_a)
    due = local(days_ago(20), 10)
    await _entered(db, deal, due - timedelta(days=30))
    assert await stage_dwell_job(ctx, now=due) == NOTHING


async def test_a_new_stay_is_a_new_occurrence_and_a_moved_deal_is_not_reminded(client, db, world, ctx):
    await _history(client, db, world, [1, 2, 3, 11])
    deal = await create_deal(client, world.rep_a, world.account_a)
    due = local(days_ago(20), 10)
    await _entered(db, deal, due - timedelta(days=6))
    assert (await stage_dwell_job(ctx, now=due))["sent"] == 1
    await patch_deal(client, world.rep_a, deal, stage="qualified")  # a new stay, in a stage with no history
    assert (await stage_dwell_job(ctx, now=due + timedelta(days=1)))["created"] == 0


async def test_in_chinese_with_the_stages_chinese_name(client, db, world, ctx):
    await set_user(db, world.rep_a, locale="zh-CN")
    await _history(client, db, world, [1, 2, 3, 11])
    deal = await create_deal(client, world.rep_a, world.account_a)
    due = local(days_ago(20), 10)
    await _entered(db, deal, due - timedelta(days=8))
    assert (await stage_dwell_job(ctx, now=due))["sent"] == 1
    [note] = await notifications(db, world.rep_a, "reminder.stage_dwell")
    assert (note.lang, note.title) == ("zh-CN", "扫码枪 200 台 在「线索」阶段停留过久")
    assert note.body == "「扫码枪 200 台」已在「线索」阶段停留 8 天，四分之三的商机在 5.0 天内离开该阶段。"
