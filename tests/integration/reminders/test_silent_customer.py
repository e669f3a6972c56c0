"""A customer goes silent: no inbound interaction for longer than max(2 × its median inbound gap, 3 days)."""

from __future__ import annotations

from datetime import timedelta

from api.reminders.jobs import silent_customer_job
from tests.integration.reminders.helpers import create_deal, days_ago, listed, local, log_activity, notifications

NOTHING = {"created": 0, "sent": 0, "held": 0, "cancelled": 0}


async def test_fires_once_when_the_silence_outlasts_twice_the_usual_gap(client, db, world, ctx):
    small = await create_deal(client, world.rep_a, world.account_a, name="Small", amount=100)
    big = await create_deal(client, world.rep_a, world.account_a, name="Big", amount=900)
    base = local(days_ago(60), 10)  # 10:00 Shanghai, outside quiet hours
    # Inbound at day 0, 2, 4, 7: gaps 2, 2, 3 days, median 2 → threshold max(2 × 2, 3) = 4 days after day 7.
    for day in (0, 2, 4, 7):
        await log_activity(client, world.rep_a, world.account_a, base + timedelta(days=day))
    # Our own calls do not count as the customer getting in touch.
    await log_activity(client, world.rep_a, world.account_a, base + timedelta(days=9), direction="outbound")
    silent_from = base + timedelta(days=11)

    assert await silent_customer_job(ctx, now=silent_from) == NOTHING  # exactly 4 days: not longer yet
    assert await silent_customer_job(ctx, now=silent_from + timedelta(minutes=1)) == {
        **NOTHING,
        "created": 1,
        "sent": 1,
    }
    assert await silent_customer_job(ctx, now=silent_from + timedelta(days=3)) == NOTHING

    [note] = await notifications(db, world.rep_a, "reminder.silent_customer")
    assert note.url == f"/opportunities/{big['id']}"  # the owner's largest open deal there
    assert note.title == "上海明珠制造 has gone quiet"
    last_on = days_ago(53).isoformat()
    assert note.body == (
        f"No word from 上海明珠制造 since {last_on}, over 4 days; they usually get in touch every 2.0 days. Deal: Big."
    )
    assert small["id"] != big["id"]


async def test_a_reply_starts_a_new_rhythm_and_a_new_occurrence(client, db, world, ctx):
    await create_deal(client, world.rep_a, world.account_a)
    base = local(days_ago(60), 10)
    for day in (0, 2, 4, 7):
        await log_activity(client, world.rep_a, world.account_a, base + timedelta(days=day))
    assert (await silent_customer_job(ctx, now=base + timedelta(days=11, minutes=1)))["sent"] == 1
    # They write back on day 12: gaps 2, 2, 3, 5 → median 2.5 → threshold 5 days, silent after day 17.
    await log_activity(client, world.rep_a, world.account_a, base + timedelta(days=12))
    assert (await silent_customer_job(ctx, now=base + timedelta(days=17)))["created"] == 0
    assert (await silent_customer_job(ctx, now=base + timedelta(days=17, minutes=1)))["sent"] == 1
    notes = await notifications(db, world.rep_a, "reminder.silent_customer")
    assert len(notes) == 2
    assert "usually get in touch every 2.5 days" in notes[1].body


async def test_too_little_history_or_no_open_deal_means_no_rhythm(client, db, world, ctx):
    base = local(days_ago(60), 10)
    await create_deal(client, world.rep_a, world.account_a)
    for day in (0, 2, 4):  # three inbound interactions: two gaps, below the minimum of three
        await log_activity(client, world.rep_a, world.account_a, base + timedelta(days=day))
    # rep_b's account has a full history but no open deal.
    for day in (0, 1, 2, 3):
        await log_activity(client, world.rep_b, world.account_b, base + timedelta(days=day))
    assert await silent_customer_job(ctx, now=base + timedelta(days=40)) == NOTHING


async def test_a_short_burst_does_not_make_a_rhythm_of_hours(client, db, world, ctx):
    await create_deal(client, world.rep_a, world.account_a)
    base = local(days_ago(60), 10)
    for hour in (0, 1, 2, 3):  # hourly e-mails: median gap 1 h, but the silence floor is 3 days
        await log_activity(client, world.rep_a, world.account_a, base + timedelta(hours=hour))
    last = base + timedelta(hours=3)
    assert (await silent_customer_job(ctx, now=last + timedelta(days=3)))["created"] == 0
    assert (await silent_customer_job(ctx, now=last + timedelta(days=3, minutes=1)))["created"] == 1


async def test_each_owner_hears_about_their_own_deals_only(client, db, world, ctx):
    # rep_b's silent account reminds rep_b, the owner of its open deal, and nobody else.
    await create_deal(client, world.rep_b, world.account_b, name="B's deal")
    base = local(days_ago(60), 10)
    for day in (0, 2, 4, 6):  # gaps 2, 2, 2 → silent 4 days after day 6
        await log_activity(client, world.rep_b, world.account_b, base + timedelta(days=day))
    assert (await silent_customer_job(ctx, now=base + timedelta(days=11)))["sent"] == 1
    assert [n.title for n in await notifications(db, world.rep_b)] == ["Pudong Logistics has gone quiet"]
    assert await notifications(db, world.rep_a) == []
    assert await listed(client, world.rep_a) == []


async def test_a_reply_during_quiet_hours_cancels_the_held_reminder(client, db, world, ctx):
    await create_deal(client, world.rep_a, world.account_a)
    base = local(days_ago(60), 23)  # 23:00 Shanghai: the reminder comes due in quiet hours
    for day in (0, 2, 4, 7):
        await log_activity(client, world.rep_a, world.account_a, base + timedelta(days=day))
    assert (await silent_customer_job(ctx, now=base + timedelta(days=11, minutes=1)))["held"] == 1
    await log_activity(client, world.rep_a, world.account_a, base + timedelta(days=11, hours=2))  # 01:00, a reply
    morning = local(days_ago(60 - 12), 8)
    assert await silent_customer_job(ctx, now=morning) == {**NOTHING, "cancelled": 1}
    assert await notifications(db, world.rep_a) == []
