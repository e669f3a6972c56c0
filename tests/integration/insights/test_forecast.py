"""The forecast of March 2026 on hand-made deals, as of 10 March, with every figure worked out in the comments.

History (closed deals): 20 of product P by rep_a (lead 1 Oct, qualified 11 Oct, closed 31 Oct: 16 won, 4 lost),
4 without product by rep_b (lead 1 Nov, qualified 11 Nov; 2 won through solution 21 Nov → 11 Dec, 2 lost
11 Dec), and rep_b's deal won on 5 March (lead 1 Feb → won, 500).

- Win rates: qualified 18/24 = 0.75 (product P: 16/20 = 0.8; rep_a: 16/20 = 0.8); solution 2/2 = 1.0;
  lead 19/25 = 0.76 (rep_b has only 5 closed deals there: stage rate).
- Cycles from entering the stage to close: qualified 20 days ×20 and 30 days ×4; solution 20 days ×2; lead 30 ×20,
  40 ×4, 32 ×1.
- Open deals (censored at their age on 10 March, from their first entry): qualified 5 (deal 1), 23 (deal 2) and 9
  (deal 3, now in solution); solution 2 (deal 3); lead 9, 37, 18, 68, 37 and 9 (deals 1–5 and April's).
- Kaplan–Meier, G(x) = chance still unclosed x days after entering:
  qualified: at 20 days 20 close of 25 at risk (24 cycles + the open deal of 23) → G = 0.2 after 20; at 30 the last
  4 of 4 → 0. solution: at 20 both of 2 → 0. lead: at 30, 20 of 28 (25 cycles + open 37, 37, 68) → 8/28; at 32,
  1 of 8 (5 cycles + 3 open) → 7/28; at 40, 4 of 5 (4 cycles + open 68) → 7/140 = 0.05.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from api.insights import forecast
from tests.integration.insights.deals import add_deal

NOW = datetime(2026, 3, 10, tzinfo=UTC)
MARCH = {"period": "2026-03"}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(forecast, "utc_now", lambda: NOW)


@pytest.fixture
async def deals(db, world):
    from api.db.models import Product, User

    async with db.sessionmaker() as session:
        ids = {u.email: u.id for u in (await session.execute(select(User))).scalars()}
        a, b, c = ids["a@acme.test"], ids["b@acme.test"], ids["c@acme.test"]
        acme = world.acme
        product = Product(id=uuid.uuid4(), org_id=acme, sku="P", name="P", list_price=100, currency="CNY")
        session.add(product)
        await session.flush()
        for index in range(20):
            final = "won" if index < 16 else "lost"
            await add_deal(session, acme, a, world.account_a,
                           [("lead", "2025-10-01"), ("qualified", "2025-10-11"), (final, "2025-10-31")], 100,
                           product_id=product.id)  # fmt: skip
        for _ in range(2):
            await add_deal(session, acme, b, world.account_b,
                           [("lead", "2025-11-01"), ("qualified", "2025-11-11"), ("solution", "2025-11-21"),
                            ("won", "2025-12-11")], 100)  # fmt: skip
            lost = [("lead", "2025-11-01"), ("qualified", "2025-11-11"), ("lost", "2025-12-11")]
            await add_deal(session, acme, b, world.account_b, lost, 100)
        await add_deal(session, acme, b, world.account_b, [("lead", "2026-02-01"), ("won", "2026-03-05")], 500)
        march = date(2026, 3, 25)
        # 1. rep_a, P, in qualified since 5 March (age 5, 1 April is day 27): stage+product 0.8; share
        #    (G(5) − G(27)) / G(5) = (1 − 0.2) / 1 = 0.8; model 1000 × 0.8 × 0.8 = 640; weighted 200.
        #    (Closed deals alone would say 20/24: the open deal of 23 days is what lowers it.)
        await add_deal(session, acme, a, world.account_a, [("lead", "2026-03-01"), ("qualified", "2026-03-05")], 1000,
                       close_date=march, product_id=product.id)  # fmt: skip
        # 2. rep_a, no product, qualified since 15 Feb (age 23): stage+owner 0.8; (G(23) − G(45)) / G(23) =
        #    (0.2 − 0) / 0.2 → share 1; model 1600; weighted 400.
        await add_deal(session, acme, a, world.account_a, [("lead", "2026-02-01"), ("qualified", "2026-02-15")], 2000,
                       close_date=march)  # fmt: skip
        # 3. rep_b, solution since 8 March: stage 1.0; both 20-day cycles end by 1 April → model 3000; weighted 1200.
        await add_deal(session, acme, b, world.account_b,
                       [("lead", "2026-02-20"), ("qualified", "2026-03-01"), ("solution", "2026-03-08")], 3000,
                       close_date=march)  # fmt: skip
        # 4. rep_b, lead since 1 Jan: 68 days, older than every lead cycle (≤ 40): stale, model 0; weighted 10.
        await add_deal(session, acme, b, world.account_b, [("lead", "2026-01-01")], 100, close_date=march)
        # 5. rep_c (west), proposal: no history → its probability, 0.6, share 1 → model 240; weighted 240.
        await add_deal(session, acme, c, world.account_c, [("lead", "2026-02-01"), ("proposal", "2026-03-01")], 400,
                       close_date=march)  # fmt: skip
        # Outside March: closes in April.
        await add_deal(session, acme, a, world.account_a, [("lead", "2026-03-01")], 9999, close_date=date(2026, 4, 2))
        await session.commit()
    return product.id


async def _forecast(client, caller, params=MARCH) -> dict:
    response = await client.get("/api/v1/insights/forecast", params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_forecast_of_march_for_an_admin(client, world, deals):
    body = await _forecast(client, world.admin)
    assert (body["period"], body["start"], body["end"]) == ("2026-03", "2026-03-01", "2026-03-31")
    assert (body["count"], body["amount"]) == (5, 6500)
    assert body["weighted"] == 200 + 400 + 1200 + 10 + 240
    assert body["model"] == 640 + 1600 + 3000 + 0 + 240  # 5480
    assert (body["won_so_far"], body["won_so_far_count"]) == (500, 1)
    rows = [(r["stage"], r["basis"], r["count"], r["amount"], r["win_rate"], r["history_deals"], r["close_share"],
             r["stale"], r["model_amount"]) for r in body["rows"]]  # fmt: skip
    assert rows == [
        ("lead", "stage", 1, 100, 0.76, 25, 0, 1, 0),
        ("qualified", "stage+owner", 1, 2000, 0.8, 20, 1.0, 0, 1600),
        ("qualified", "stage+product", 1, 1000, 0.8, 20, 0.8, 0, 640),
        ("solution", "stage", 1, 3000, 1.0, 2, 1.0, 0, 3000),
        ("proposal", "probability", 1, 400, 0.6, 0, 1.0, 0, 240),
    ]
    assert body["rows"][1]["owner_id"] == str(world.rep_a.user_id)
    assert body["rows"][2]["product_id"] == str(deals)


async def test_a_quarter_covers_its_three_months(client, world, deals):
    body = await _forecast(client, world.admin, {"period": "2026-q1"})
    assert (body["period"], body["start"], body["end"]) == ("2026-Q1", "2026-01-01", "2026-03-31")
    assert (body["weighted"], body["model"], body["won_so_far"]) == (2050, 5480, 500)
    april = await _forecast(client, world.admin, {"period": "2026-04"})
    # The April deal: rep_a's, so stage+owner (16/20 = 0.8); lead since 1 March (age 9), April is days [31, 61):
    # (G(31) − G(61)) / G(9) = (8/28 − 0.05) / 1 = 33/140 → 9999 × 0.8 × 33/140 = 1885.53. (Closed deals alone:
    # the 32- and 40-day cycles of 25 → 5/25, 1600; the old open deals keep more of the lead stage unclosed by April.)
    assert (april["count"], april["weighted"], april["model"], april["won_so_far"]) == (1, 999, 1886, 0)


async def test_the_forecast_stays_within_the_callers_reach(client, world, deals):
    manager = await _forecast(client, world.manager)  # rep_a and rep_b, not rep_c of the west team
    assert (manager["count"], manager["weighted"], manager["model"], manager["won_so_far"]) == (4, 1810, 5240, 500)
    rep_a = await _forecast(client, world.rep_a)
    # The org's rates, but only rep_a's deals: 640 + 1600.
    assert (rep_a["count"], rep_a["weighted"], rep_a["model"], rep_a["won_so_far"]) == (2, 600, 2240, 0)
    rep_c = await _forecast(client, world.rep_c)
    assert [(r["stage"], r["basis"]) for r in rep_c["rows"]] == [("proposal", "probability")]
    outsider = await _forecast(client, world.outsider)
    assert (outsider["count"], outsider["model"], outsider["won_so_far"], outsider["rows"]) == (0, 0, 0, [])


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "March", "2026-3", "", "0000-01", "9999-12", "9999-Q4"])
async def test_a_malformed_period_is_a_field_error(client, world, period):
    response = await client.get("/api/v1/insights/forecast", params={"period": period}, headers=world.admin.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "period"
