"""Renewal timing on hand-made history, every figure worked out by hand.

Past contracts of the org, all ending on 30 June 2025, with the day renewal talks began (days before the end → whole
weeks = days // 7) and the outcome:
  0–3 weeks:  0, 10, 20 days expired; 27 days (3 weeks) renewed        → 1 of 4 = 25 %
  4–7 weeks:  28 (4 weeks), 35 renewed; 55 expired                     → 2 of 3 = 66.7 %
  8–11 weeks: 56 (8 weeks), 60, 70 renewed; 83 (11 weeks) expired      → 3 of 4 = 75 %   ← best with ≥ 3 outcomes
  12–15 weeks: 84, 100 renewed                                         → 2 of 2 = 100 %, too few to trust
  after the end: 1 day after, expired                                  → 0 of 1, never recommended
  no recorded start: 2 renewed, 1 expired; a cancelled contract and one still active past its end: no outcome.
14 outcomes with a start (≥ 5): the history decides, and the best bucket begins 11 weeks before the end.
"""

from __future__ import annotations

from datetime import date, timedelta

from api.retention import renewal_timing
from tests.conftest import rep_today
from tests.integration.contracts.records import add_account, add_contract

END = date(2025, 6, 30)
START = date(2024, 7, 1)
HISTORY = [  # (days before the end talks began, renewed)
    (0, False), (10, False), (20, False), (27, True),
    (28, True), (35, True), (55, False),
    (56, True), (60, True), (70, True), (83, False),
    (84, True), (100, True),
    (-1, False),
]  # fmt: skip
URL = "/api/v1/insights/renewals"


async def add_history(db, world, history=HISTORY) -> None:
    async with db.sessionmaker() as session:
        account = await add_account(session, world.acme, world.admin.user_id, "history")
        for days, renewed in history:
            await add_contract(session, world.acme, account, START, END, status="renewed" if renewed else "expired",
                               renewal_started_on=END - timedelta(days=days))  # fmt: skip
        if history is HISTORY:
            for status in ("renewed", "renewed", "expired"):
                await add_contract(session, world.acme, account, START, END, status=status)
            await add_contract(session, world.acme, account, START, END, status="cancelled",
                               renewal_started_on=END - timedelta(days=60))  # fmt: skip
            await add_contract(session, world.acme, account, START, END, status="active",
                               renewal_started_on=END - timedelta(days=60))  # fmt: skip
        await session.commit()


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def upcoming(db, world) -> dict[str, object]:
    """Contracts ending soon, relative to the rep's today (the endpoint uses the caller's time zone)."""
    today = rep_today()
    async with db.sessionmaker() as session:
        ids = {
            # rep_a's account: ends in 100 days, nobody has begun talks.
            "far": await add_contract(session, world.acme, world.account_a, START, today + timedelta(days=100)),
            # rep_a's account: ends in 30 days: the best week (11 weeks before) is long past.
            "late": await add_contract(session, world.acme, world.account_a, START, today + timedelta(days=30)),
            # rep_b's account: ends in 60 days, talks began three days ago.
            "begun": await add_contract(session, world.acme, world.account_b, START, today + timedelta(days=60),
                                        renewal_started_on=today - timedelta(days=3)),
            # rep_a's account: ends in 200 days, beyond 120 days.
            "beyond": await add_contract(session, world.acme, world.account_a, START, today + timedelta(days=200)),
            # rep_c's account (another team): ends in 50 days.
            "west": await add_contract(session, world.acme, world.account_c, START, today + timedelta(days=50)),
            # Already renewed: not upcoming.
            "done": await add_contract(session, world.acme, world.account_a, START, today + timedelta(days=40),
                                       status="renewed"),
        }  # fmt: skip
        await session.commit()
    return {"today": today, **ids}


async def test_the_best_lead_time_comes_from_past_renewals(client, world, db):
    await add_history(db, world)
    response = await client.get(URL, headers=world.rep_a.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    history = body["history"]
    buckets = {b["label"]: (b["renewed"], b["not_renewed"], b["rate"]) for b in history["buckets"]}
    assert buckets == {
        "0-3": (1, 3, 0.25), "4-7": (2, 1, 0.6667), "8-11": (3, 1, 0.75), "12-15": (2, 0, 1.0),
        "16-23": (0, 0, None), "24+": (0, 0, None), "after end": (0, 1, 0.0),
    }  # fmt: skip
    assert (history["outcomes"], history["with_start"]) == (17, 14)
    assert (history["renewed_without_start"], history["not_renewed_without_start"]) == (2, 1)
    assert history["best"]["label"] == "8-11"
    assert (body["basis"], body["weeks_before"]) == ("history", 11)
    assert body["note"] == "Renewal talks begun 8-11 weeks before the end renewed best: 3 of 4 (75%)."


async def test_each_upcoming_contract_gets_its_week_to_begin(client, world, db):
    await add_history(db, world)
    ids = await upcoming(db, world)
    today = ids["today"]
    body = (await client.get(URL, headers=world.rep_a.headers)).json()
    # rep_a sees their two active contracts ending within 120 days; "late" first (its week is this week).
    assert [i["contract_id"] for i in body["items"]] == [str(ids["late"]), str(ids["far"])]
    late, far = body["items"]
    # far ends in 100 days; 11 weeks (77 days) before that is today + 23 days: the Monday of that week.
    assert far["recommended_week_start"] == week_of(today + timedelta(days=23)).isoformat()
    assert (far["overdue"], far["started"], far["days_left"], far["recommended_weeks_before"]) == (
        False,
        False,
        100,
        11,
    )
    assert far["reason_en"] == (
        f"Begin renewal talks in the week of {far['recommended_week_start']}, 11 weeks before the end on "
        f"{(today + timedelta(days=100)).isoformat()}."
    )
    # late ends in 30 days; 77 days before is 47 days ago: begin this week.
    assert late["recommended_week_start"] == week_of(today).isoformat()
    assert late["overdue"] is True
    assert late["reason_en"].startswith("Begin renewal talks now")
    # The manager of the east team also sees rep_b's contract, whose talks have begun; not rep_c's (west).
    managed = (await client.get(URL, headers=world.manager.headers)).json()["items"]
    assert {i["contract_id"] for i in managed} == {str(ids["late"]), str(ids["far"]), str(ids["begun"])}
    begun = next(i for i in managed if i["contract_id"] == str(ids["begun"]))
    assert (begun["started"], begun["overdue"]) == (True, False)
    # The admin sees all four active ones within 120 days; 365 days adds the one ending in 200.
    admin = (await client.get(URL, headers=world.admin.headers)).json()["items"]
    assert len(admin) == 4
    wider = (await client.get(f"{URL}?within_days=365", headers=world.admin.headers)).json()["items"]
    assert {i["contract_id"] for i in wider} - {i["contract_id"] for i in admin} == {str(ids["beyond"])}
    assert (await client.get(URL, headers=world.outsider.headers)).json()["items"] == []


async def test_thin_history_falls_back_to_twelve_weeks_and_says_so(client, world, db):
    # Four outcomes with a start (fewer than 5): 8-11 weeks would have 3 of 3, but the history is too thin.
    await add_history(db, world, history=[(56, True), (60, True), (70, True), (10, False)])
    ids = await upcoming(db, world)
    body = (await client.get(URL, headers=world.rep_a.headers)).json()
    assert (body["basis"], body["weeks_before"], body["history"]["best"]) == ("default", 12, None)
    assert body["note"].startswith("Fewer than 5 past renewals with a recorded start")
    far = next(i for i in body["items"] if i["contract_id"] == str(ids["far"]))
    # 12 weeks (84 days) before an end 100 days away: today + 16 days.
    assert far["recommended_week_start"] == week_of(ids["today"] + timedelta(days=16)).isoformat()
    zh = (await client.get(URL, headers={**world.rep_a.headers, "Accept-Language": "zh-CN"})).json()
    assert zh["note"].startswith("有记录开始日期的历史续约少于 5 个")


async def test_a_renewal_recorded_through_the_api_joins_the_history(client, world):
    created = await client.post(
        f"/api/v1/accounts/{world.account_a}/contracts",
        json={"name": "c", "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
        headers=world.rep_a.headers,
    )
    # Talks began 40 days before the end: 5 weeks, the 4-7 bucket.
    renewed = await client.post(
        f"/api/v1/contracts/{created.json()['id']}/renewal",
        json={"ends_on": "2026-12-31", "renewal_started_on": "2025-11-21"},
        headers=world.rep_a.headers,
    )
    assert renewed.status_code == 201
    buckets = (await client.get(URL, headers=world.rep_b.headers)).json()["history"]["buckets"]
    assert [(b["label"], b["renewed"]) for b in buckets if b["total"]] == [("4-7", 1)]


async def test_bad_windows_are_refused(client, world):
    for query in ("within_days=0", "within_days=731", "within_days=soon"):
        response = await client.get(f"{URL}?{query}", headers=world.rep_a.headers)
        assert response.status_code in (400, 422), (query, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(URL)).status_code == 401


def test_ties_prefer_more_evidence_then_an_earlier_start():
    # 4-7 and 8-11 both renew 2 of 3; 0-3 renews 3 of 4 (75 %) and wins outright.
    outcomes = [
        renewal_timing.Outcome(END, END - timedelta(days=d), r)
        for d, r in [(30, True), (31, True), (32, False), (60, True), (61, True), (62, False),
                     (1, True), (2, True), (3, True), (4, False)]
    ]  # fmt: skip
    timing = renewal_timing.learn(outcomes)
    assert (timing.best.min_weeks, timing.weeks_before) == (0, 3)
    # Without 0-3, the tie between 4-7 and 8-11 (2 of 3 each, 3 outcomes each) goes to the earlier start.
    timing = renewal_timing.learn(outcomes[:6])
    assert (timing.best.min_weeks, timing.weeks_before) == (8, 11)
