"""48 hours before a customer-promised feedback date: once, only when due, to the owner, in their language."""

from __future__ import annotations

import asyncio
import json
from datetime import time, timedelta

from sqlalchemy import select

from api.db.models import OutboxMessage, PushDelivery, PushSubscription
from api.reminders.jobs import DETECT_EVERY_S, promised_date_job
from tests.conftest import rep_today
from tests.integration.reminders.helpers import (
    create_deal,
    listed,
    local,
    notifications,
    patch_deal,
    reminders,
    set_user,
)
from worker.jobs import CRON, JOBS


def test_the_reminder_jobs_are_scheduled_every_15_minutes():
    assert JOBS["reminders.promised_date"] is promised_date_job
    names = {c.name: c.every_s for c in CRON}
    assert DETECT_EVERY_S == 900
    for kind in ("promised_date", "silent_customer", "competitor", "stage_dwell"):
        assert names[f"reminders.{kind}"] == 900
    assert names["reminders.deliver"] == 300


async def test_fires_once_48_hours_before_9_am_on_the_promised_day(client, db, world, ctx):
    promised = rep_today() + timedelta(days=10)
    deal = await create_deal(client, world.rep_a, world.account_a, promised_date=promised.isoformat())
    # Promised for day D (09:00 Shanghai): due at D-2 09:00 Shanghai = D-2 01:00 UTC.
    due = local(promised - timedelta(days=2), 9)
    assert due.hour == 1

    before = await promised_date_job(ctx, now=due - timedelta(minutes=1))
    assert before == {"created": 0, "sent": 0, "held": 0, "cancelled": 0}
    assert await notifications(db, world.rep_a) == []

    at_due = await promised_date_job(ctx, now=due)
    assert at_due == {"created": 1, "sent": 1, "held": 0, "cancelled": 0}
    again = await promised_date_job(ctx, now=due + timedelta(hours=20))
    assert again == {"created": 0, "sent": 0, "held": 0, "cancelled": 0}

    [note] = await notifications(db, world.rep_a)
    assert note.type == "reminder.promised_date"
    assert note.url == f"/opportunities/{deal['id']}"
    assert note.lang == "en"
    assert note.title == "Feedback due in 48 h: 扫码枪 200 台"
    assert (
        note.body
        == f"上海明珠制造 promised feedback on 扫码枪 200 台 by {promised.isoformat()}. Prepare and follow up."
    )
    assert note.data["opportunity_id"] == deal["id"]

    [item] = await listed(client, world.rep_a)
    assert (item["kind"], item["type"], item["state"], item["url"]) == (
        "promised_date",
        "reminder.promised_date",
        "sent",
        f"/opportunities/{deal['id']}",
    )
    assert item["reason"] == note.body and item["sent_count"] == 1 and item["send_after"] is None
    assert item["due_at"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_the_promise_passed_or_a_closed_deal_never_reminds(client, db, world, ctx):
    promised = rep_today() + timedelta(days=10)
    await create_deal(client, world.rep_a, world.account_a, promised_date=promised.isoformat())
    # At 09:00 on the promised day it is too late to prepare: nothing.
    assert (await promised_date_job(ctx, now=local(promised, 9)))["created"] == 0
    lost = await create_deal(client, world.rep_b, world.account_b, promised_date=promised.isoformat())
    await patch_deal(client, world.rep_b, lost, stage="lost", loss_reason="预算取消 budget cut")
    assert (await promised_date_job(ctx, now=local(promised - timedelta(days=1), 9)))["created"] == 1  # rep_a's only
    assert await notifications(db, world.rep_b) == []


async def test_a_new_promised_date_is_a_new_occurrence(client, db, world, ctx):
    first = rep_today() + timedelta(days=10)
    deal = await create_deal(client, world.rep_a, world.account_a, promised_date=first.isoformat())
    assert (await promised_date_job(ctx, now=local(first - timedelta(days=2), 9)))["sent"] == 1
    second = first + timedelta(days=5)
    await patch_deal(client, world.rep_a, deal, promised_date=second.isoformat())
    assert (await promised_date_job(ctx, now=local(second - timedelta(days=2), 12)))["sent"] == 1
    assert (await promised_date_job(ctx, now=local(second - timedelta(days=1), 12)))["sent"] == 0
    assert len(await notifications(db, world.rep_a, "reminder.promised_date")) == 2


async def test_a_date_moved_while_held_is_cancelled_not_sent(client, db, world, ctx):
    promised = rep_today() + timedelta(days=10)
    deal = await create_deal(client, world.rep_a, world.account_a, promised_date=promised.isoformat())
    # Due D-2 09:00; quiet hours 08:00-12:00 hold it until 12:00.
    await set_user(db, world.rep_a, quiet_hours_start=time(8, 0), quiet_hours_end=time(12, 0))
    assert (await promised_date_job(ctx, now=local(promised - timedelta(days=2), 9)))["held"] == 1
    await patch_deal(client, world.rep_a, deal, promised_date=(promised + timedelta(days=30)).isoformat())
    result = await JOBS["reminders.deliver"](ctx, now=local(promised - timedelta(days=2), 12))
    assert result == {"sent": 0, "held": 0, "cancelled": 1}
    assert await notifications(db, world.rep_a) == []
    [row] = await reminders(db, world.rep_a)
    assert row.state == "cancelled"


async def test_in_the_recipients_language_and_only_to_the_owner(client, db, world, ctx):
    await set_user(db, world.rep_b, locale="zh-CN")
    promised = rep_today() + timedelta(days=10)
    deal = await create_deal(client, world.rep_b, world.account_b, name="Forklifts", promised_date=promised.isoformat())
    await promised_date_job(ctx, now=local(promised - timedelta(days=2), 10))
    [note] = await notifications(db, world.rep_b)
    assert note.lang == "zh-CN"
    assert note.title == "客户反馈 48 小时内到期：Forklifts"
    assert note.body == f"Pudong Logistics 承诺在 {promised.isoformat()} 前就「Forklifts」给出反馈，请提前准备并跟进。"
    # Nobody else hears about rep_b's deal: not rep_a, not even the manager who can see it.
    for other in (world.rep_a, world.manager, world.admin):
        assert await notifications(db, other) == []
        assert await listed(client, other) == []
    [item] = await listed(client, world.rep_b, state="sent")
    assert item["opportunity_id"] == deal["id"] and item["title"] == note.title
    # Read in English when the client asks for it.
    response = await client.get("/api/v1/reminders", headers={**world.rep_b.headers, "Accept-Language": "en"})
    assert response.json()["items"][0]["title"] == "Feedback due in 48 h: Forklifts"


async def test_sent_through_the_outbox_to_each_device(client, db, world, ctx):
    async with db.sessionmaker() as session:
        session.add(
            PushSubscription(
                org_id=world.acme,
                user_id=world.rep_a.user_id,
                endpoint_hash="e" * 64,
                endpoint="https://push.example/1",
                p256dh="p" * 87,
                auth="a" * 22,
            )
        )
        await session.commit()
    promised = rep_today() + timedelta(days=10)
    await create_deal(client, world.rep_a, world.account_a, promised_date=promised.isoformat())
    await promised_date_job(ctx, now=local(promised - timedelta(days=2), 10))
    await promised_date_job(ctx, now=local(promised - timedelta(days=2), 11))
    async with db.sessionmaker() as session:
        [delivery] = (await session.execute(select(PushDelivery))).scalars()
        payloads = (await session.execute(select(OutboxMessage.payload))).scalars()
    # The outbox carries the delivery to the push worker (one job per delivery or per transaction).
    assert [p for p in payloads if str(delivery.id) in json.dumps(p)] != []


async def test_concurrent_runs_send_once(client, db, world, ctx):
    promised = rep_today() + timedelta(days=10)
    await create_deal(client, world.rep_a, world.account_a, promised_date=promised.isoformat())
    due = local(promised - timedelta(days=2), 10)
    results = await asyncio.gather(*(promised_date_job(ctx, now=due) for _ in range(3)))
    assert sum(r["created"] for r in results) == 1
    assert sum(r["sent"] for r in results) == 1
    assert len(await notifications(db, world.rep_a)) == 1
