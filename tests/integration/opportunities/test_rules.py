"""Every validation rule refuses contradictory data with a field-level, localized problem, and writes nothing."""

from tests.integration.opportunities.helpers import create, future, log_inbound, new_opportunity, past, patch


async def _refused(client, caller, body, field, code, accept="en"):
    response = await client.post(
        "/api/v1/opportunities", json=body, headers={**caller.headers, "Accept-Language": accept}
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in problem["errors"]]
    return problem


async def _count(client, caller) -> int:
    return len((await client.get("/api/v1/opportunities", headers=caller.headers)).json()["items"])


async def test_open_deal_cannot_close_in_the_past(client, world):
    await _refused(
        client, world.rep_a, new_opportunity(world.account_a, close_date=past(1)), "close_date", "close_date_past"
    )
    deal = await create(client, world.rep_a, world.account_a)
    moved = await patch(client, world.rep_a, deal, close_date=past(3))
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["code"] == "close_date_past"


async def test_won_needs_amount_and_close_date(client, world):
    await log_inbound(client, world.rep_a, world.account_a)
    problem = await _refused(
        client,
        world.rep_a,
        new_opportunity(world.account_a, stage="won", amount=0, close_date=None),
        "amount",
        "won_needs_amount",
    )
    assert "close_date" in {e["field"] for e in problem["errors"]}
    assert await _count(client, world.rep_a) == 0


async def test_lost_needs_a_loss_reason(client, world):
    deal = await create(client, world.rep_a, world.account_a)
    response = await patch(client, world.rep_a, deal, stage="lost")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "loss_reason", "code": "lost_needs_reason", "message": "A lost deal needs a loss reason.",
    }  # fmt: skip
    lost = await patch(client, world.rep_a, deal, stage="lost", loss_reason="预算取消 Budget cut")
    assert lost.status_code == 200
    assert lost.json()["probability"] == 0
    assert lost.json()["forecast_category"] == "closed"


async def test_moving_past_qualification_needs_recent_inbound_evidence(client, world):
    deal = await create(client, world.rep_a, world.account_a, stage="qualified")
    refused = await patch(client, world.rep_a, deal, stage="solution")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "needs_evidence"
    # An outbound touch or an old inbound one is not evidence of the customer's interest.
    await log_inbound(client, world.rep_a, world.account_a, deal["id"], days_ago=120)
    assert (await patch(client, world.rep_a, deal, stage="solution")).status_code == 422
    await log_inbound(client, world.rep_a, world.account_a, deal["id"], days_ago=2)
    moved = await patch(client, world.rep_a, deal, stage="solution")
    assert moved.status_code == 200
    assert moved.json()["probability"] == 40


async def test_commit_forecast_needs_evidence_too(client, world):
    await _refused(
        client,
        world.rep_a,
        new_opportunity(world.account_a, forecast_category="commit"),
        "forecast_category",
        "commit_needs_evidence",
    )
    await log_inbound(client, world.rep_a, world.account_a)
    assert (await create(client, world.rep_a, world.account_a, forecast_category="commit"))[
        "forecast_category"
    ] == "commit"


async def test_line_items_must_add_up_to_the_amount(client, world):
    lines = [{"quantity": 3, "unit_price": 100_00, "discount_pct": 10}, {"quantity": 1, "unit_price": 50_00}]
    problem = await _refused(
        client,
        world.rep_a,
        new_opportunity(world.account_a, amount=1000, line_items=lines),
        "amount",
        "line_items_mismatch",
    )
    assert "320.00" not in problem["errors"][0]["message"]  # amounts are minor units, reported as such
    deal = await create(client, world.rep_a, world.account_a, amount=3 * 9000 + 5000, line_items=lines)
    assert [li["amount"] for li in deal["line_items"]] == [27000, 5000]
    assert (await patch(client, world.rep_a, deal, amount=1)).status_code == 422


async def test_discount_lies_between_0_and_100(client, world):
    await _refused(
        client, world.rep_a, new_opportunity(world.account_a, discount_pct=120), "discount_pct", "discount_range"
    )
    lines = [{"quantity": 1, "unit_price": 100, "discount_pct": -5}]
    await _refused(
        client,
        world.rep_a,
        new_opportunity(world.account_a, amount=105, line_items=lines),
        "line_items[0].discount_pct",
        "discount_range",
    )


async def test_a_stage_outside_the_pipeline_is_refused(client, world):
    problem = await _refused(
        client, world.rep_a, new_opportunity(world.account_a, stage="closed_won"), "stage", "unknown_stage"
    )
    assert "closed_won" in problem["errors"][0]["message"]


async def test_messages_follow_accept_language_then_the_users_locale(client, world):
    body = new_opportunity(world.account_a, stage="lost")
    zh = await _refused(client, world.rep_a, body, "loss_reason", "lost_needs_reason", accept="zh-CN,zh;q=0.9")
    assert zh["errors"][0]["message"] == "输单必须填写输单原因。"
    assert zh["title"] == "请求无效"
    en = await _refused(client, world.rep_a, body, "loss_reason", "lost_needs_reason", accept="en-GB")
    assert en["errors"][0]["message"] == "A lost deal needs a loss reason."


async def test_a_valid_won_deal_is_accepted_with_history(client, world):
    await log_inbound(client, world.rep_a, world.account_a)
    deal = await create(
        client, world.rep_a, world.account_a, stage="proposal", amount=120_000_00, close_date=future(10)
    )
    won = await patch(client, world.rep_a, deal, stage="won", close_date=future(0))
    assert won.status_code == 200, won.text
    assert won.json()["probability"] == 100
    history = (await client.get(f"/api/v1/opportunities/{deal['id']}/history", headers=world.rep_a.headers)).json()
    assert [s["stage"] for s in history["stages"]] == ["proposal", "won"]
    assert history["stages"][0]["left_at"] == history["stages"][1]["entered_at"]
    assert history["stages"][1]["left_at"] is None
    stage_change = next(c for c in history["changes"] if c["field"] == "stage")
    assert (stage_change["old_value"], stage_change["new_value"]) == ("proposal", "won")
    assert stage_change["changed_by"] == str(world.rep_a.user_id)
