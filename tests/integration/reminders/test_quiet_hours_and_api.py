"""Quiet hours (hold and release), the caller's preferences, the reminder list, dismiss and snooze, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from api.db.types import utcnow
from api.reminders.jobs import deliver_job, promised_date_job
from api.reminders.quiet import quiet_until
from tests.conftest import rep_today
from tests.integration.reminders.helpers import SHANGHAI, create_deal, listed, local, notifications, reminders

NOTHING = {"sent": 0, "held": 0, "cancelled": 0}
PREFS = "/api/v1/me/preferences"


def test_quiet_until_by_hand():
    # 22:00-08:00 runs past midnight: 23:30 is held until 08:00 the next day, 07:59 until 08:00 that day.
    day = date(2026, 3, 10)
    assert quiet_until(local(day, 23, 30), SHANGHAI, time(22), time(8)) == local(day + timedelta(days=1), 8)
    assert quiet_until(local(day, 7, 59), SHANGHAI, time(22), time(8)) == local(day, 8)
    assert quiet_until(local(day, 8, 0), SHANGHAI, time(22), time(8)) is None  # the end itself is not quiet
    assert quiet_until(local(day, 22, 0), SHANGHAI, time(22), time(8)) == local(day + timedelta(days=1), 8)
    assert quiet_until(local(day, 21, 59), SHANGHAI, time(22), time(8)) is None
    # A window within one day, and the same instant in another zone (UTC: 01:30 UTC is 09:30 in Shanghai).
    assert quiet_until(local(day, 9, 30), SHANGHAI, time(8, 30), time(10)) == local(day, 10)
    assert quiet_until(datetime(2026, 3, 10, 1, 30, tzinfo=UTC), SHANGHAI, time(8, 30), time(10)) == local(day, 10)
    assert quiet_until(local(day, 10, 0), SHANGHAI, time(8, 30), time(10)) is None


async def _deal_promised_in_10_days(client, world) -> tuple[dict, date]:
    promised = rep_today() + timedelta(days=10)
    deal = await create_deal(client, world.rep_a, world.account_a, promised_date=promised.isoformat())
    return deal, promised


async def test_default_quiet_hours_hold_a_reminder_until_8_am(client, db, world, ctx):
    deal, promised = await _deal_promised_in_10_days(client, world)
    late = local(promised - timedelta(days=2), 23)  # due since 09:00, first seen at 23:00: quiet
    assert await promised_date_job(ctx, now=late) == {"created": 1, **NOTHING, "held": 1}
    assert await notifications(db, world.rep_a) == []
    [item] = await listed(client, world.rep_a)
    morning = local(promised - timedelta(days=1), 8)
    assert item["state"] == "held"
    assert item["send_after"] == morning.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await deliver_job(ctx, now=morning - timedelta(seconds=1)) == NOTHING
    assert await promised_date_job(ctx, now=morning - timedelta(seconds=1)) == {"created": 0, **NOTHING}
    assert await deliver_job(ctx, now=morning) == {**NOTHING, "sent": 1}
    assert await deliver_job(ctx, now=morning + timedelta(minutes=5)) == NOTHING
    [note] = await notifications(db, world.rep_a)
    assert note.url == f"/opportunities/{deal['id']}"
    [row] = await reminders(db, world.rep_a)
    assert (row.state, row.sent_at, row.sent_count) == ("sent", morning, 1)


async def test_preferences_read_and_set_quiet_hours(client, db, world, ctx):
    response = await client.get(PREFS, headers=world.rep_a.headers)
    assert response.status_code == 200 and response.headers["etag"] == '"1"'
    prefs = response.json()
    me = (await client.get("/api/v1/me", headers=world.rep_a.headers)).json()
    assert {k: prefs[k] for k in me} == me  # the /me shape, plus quiet hours and a version
    assert (prefs["quiet_hours_start"], prefs["quiet_hours_end"], prefs["version"]) == ("22:00", "08:00", 1)

    headers = {**world.rep_a.headers, "If-Match": '"1"'}
    body = {"quiet_hours_start": "08:30", "quiet_hours_end": "10:00"}
    response = await client.patch(PREFS, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert (response.json()["quiet_hours_start"], response.json()["quiet_hours_end"]) == ("08:30", "10:00")

    # 09:00 is now quiet: the reminder waits until 10:00.
    _, promised = await _deal_promised_in_10_days(client, world)
    due = local(promised - timedelta(days=2), 9)
    assert (await promised_date_job(ctx, now=due))["held"] == 1
    assert await deliver_job(ctx, now=local(promised - timedelta(days=2), 9, 59)) == NOTHING
    assert (await deliver_job(ctx, now=local(promised - timedelta(days=2), 10)))["sent"] == 1

    # null puts one side back to its default: 08:30 to 08:00 the next morning.
    response = await client.patch(
        PREFS, json={"quiet_hours_end": None}, headers={**world.rep_a.headers, "If-Match": '"2"'}
    )
    assert (response.json()["quiet_hours_start"], response.json()["quiet_hours_end"]) == ("08:30", "08:00")
    # rep_b's preferences are their own.
    assert (await client.get(PREFS, headers=world.rep_b.headers)).json()["quiet_hours_start"] == "22:00"


async def test_bad_preferences_are_refused_and_change_nothing(client, world):
    url, mine = PREFS, world.rep_a.headers
    body = {"quiet_hours_start": "21:00"}
    assert (await client.patch(url, json=body, headers=mine)).status_code == 428
    assert (await client.patch(url, json=body, headers={**mine, "If-Match": '"7"'})).status_code == 412
    assert (await client.patch(url, json=body, headers={**mine, "If-Match": "nonsense"})).status_code == 412
    for bad in (
        {"quiet_hours_start": "24:00"},
        {"quiet_hours_start": "9:00"},
        {"quiet_hours_start": 2200},
        {"quiet_hours_end": "22:00"},  # the same as the (default) start
        {"quiet_hours_start": "08:00"},  # the same as the (default) end
        {"timezone": "UTC"},  # not settable here
    ):
        response = await client.patch(url, json=bad, headers={**mine, "If-Match": '"1"'})
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    response = await client.patch(url, content=b"{not json", headers={**mine, "If-Match": '"1"'})
    assert response.status_code == 400
    prefs = (await client.get(url, headers=mine)).json()
    assert (prefs["quiet_hours_start"], prefs["quiet_hours_end"], prefs["version"]) == ("22:00", "08:00", 1)
    assert (await client.get(url)).status_code == 401


async def test_dismiss_stops_a_held_reminder_and_hides_it(client, db, world, ctx):
    _, promised = await _deal_promised_in_10_days(client, world)
    await promised_date_job(ctx, now=local(promised - timedelta(days=2), 23))
    [item] = await listed(client, world.rep_a)
    url = f"/api/v1/reminders/{item['id']}/dismiss"
    assert (await client.post(url, headers=world.rep_b.headers)).status_code == 404  # not theirs
    assert (await client.post(url, headers=world.manager.headers)).status_code == 404
    response = await client.post(url, headers=world.rep_a.headers)
    assert response.status_code == 200 and response.json()["state"] == "dismissed"
    assert (await client.post(url, headers=world.rep_a.headers)).json()["state"] == "dismissed"  # twice: same
    assert await deliver_job(ctx, now=local(promised - timedelta(days=1), 8)) == NOTHING
    assert await notifications(db, world.rep_a) == []
    assert await listed(client, world.rep_a) == []
    assert [i["id"] for i in await listed(client, world.rep_a, state="dismissed")] == [item["id"]]
    snooze = await client.post(
        f"/api/v1/reminders/{item['id']}/snooze", json={"minutes": 30}, headers=world.rep_a.headers
    )
    assert snooze.status_code == 409


async def test_snooze_sends_it_again_later(client, db, world, ctx):
    _, promised = await _deal_promised_in_10_days(client, world)
    await promised_date_job(ctx, now=local(promised - timedelta(days=2), 10))
    [item] = await listed(client, world.rep_a)
    url = f"/api/v1/reminders/{item['id']}/snooze"
    for bad in ({"minutes": 4}, {"minutes": 7 * 24 * 60 + 1}, {"minutes": "soon"}, {}, {"minutes": 30, "x": 1}):
        assert (await client.post(url, json=bad, headers=world.rep_a.headers)).status_code == 422, bad
    assert (await client.post(url, json={"minutes": 60}, headers=world.rep_b.headers)).status_code == 404
    before = utcnow()
    response = await client.post(url, json={"minutes": 60}, headers=world.rep_a.headers)
    assert response.status_code == 200 and response.json()["state"] == "snoozed"
    wake = datetime.fromisoformat(response.json()["send_after"])
    assert before + timedelta(minutes=60) <= wake <= utcnow() + timedelta(minutes=60)
    # Quiet hours well away from the wake-up time, whenever this test runs.
    start = (wake.astimezone(SHANGHAI) + timedelta(hours=3)).strftime("%H:%M")
    end = (wake.astimezone(SHANGHAI) + timedelta(hours=4)).strftime("%H:%M")
    body = {"quiet_hours_start": start, "quiet_hours_end": end}
    assert (await client.patch(PREFS, json=body, headers={**world.rep_a.headers, "If-Match": '"1"'})).status_code == 200
    assert await deliver_job(ctx, now=wake - timedelta(seconds=1)) == NOTHING
    assert await deliver_job(ctx, now=wake) == {**NOTHING, "sent": 1}
    assert await deliver_job(ctx, now=wake + timedelta(minutes=5)) == NOTHING
    assert len(await notifications(db, world.rep_a, "reminder.promised_date")) == 2
    [again] = await listed(client, world.rep_a)
    assert (again["state"], again["sent_count"]) == ("sent", 2)


async def test_bad_list_and_action_input_gets_a_problem(client, world):
    for params in ({"state": "bogus"}, {"limit": 0}, {"limit": 201}, {"cursor": "garbage"}):
        response = await client.get("/api/v1/reminders", params=params, headers=world.rep_a.headers)
        assert response.status_code in (400, 422), (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = "/api/v1/reminders/00000000-0000-0000-0000-000000000000/dismiss"
    assert (await client.post(missing, headers=world.rep_a.headers)).status_code == 404
    assert (await client.post("/api/v1/reminders/not-a-uuid/dismiss", headers=world.rep_a.headers)).status_code in (
        400,
        404,
    )
    assert (await client.get("/api/v1/reminders")).status_code == 401
