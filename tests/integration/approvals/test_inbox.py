"""Who sees a request, and what the inbox shows to decide it on one screen."""

from __future__ import annotations

from tests.integration.approvals.conftest import LIST_PRICE
from tests.integration.approvals.helpers import approve, read, submit


async def _ids(client, caller, **params) -> list[str]:
    response = await client.get("/api/v1/approvals", params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_the_submitter_and_the_approvers_see_a_request_and_nobody_else(client, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    for caller in (world.rep_a, world.manager):
        await read(client, caller, approval["id"])
    for caller in (world.rep_b, world.rep_c, world.admin, world.outsider, org.finance):
        response = await client.get(f"/api/v1/approvals/{approval['id']}", headers=caller.headers)
        assert response.status_code == 404, caller.email
        response = await client.post(
            f"/api/v1/approvals/{approval['id']}/decisions", json={"decision": "approve"}, headers=caller.headers
        )
        assert response.status_code == 404, caller.email
    assert await _ids(client, world.rep_b) == []
    response = await client.get(f"/api/v1/approvals/{approval['id']}")
    assert response.status_code == 401


async def test_inbox_and_outbox(client, org):
    world = org.world
    first = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    second = await submit(client, world.rep_a, org.opportunity["id"], subject_type="contract", payment_terms_days=120)
    assert await _ids(client, world.rep_a, box="outbox") == [second["id"], first["id"]]
    assert await _ids(client, world.rep_a, box="inbox") == []
    assert await _ids(client, world.manager, box="inbox") == [first["id"]]
    assert await _ids(client, org.finance, box="inbox", state="pending") == [second["id"]]
    assert await _ids(client, world.manager, box="outbox") == []

    await approve(client, world.manager, first["id"])
    assert await _ids(client, world.manager, box="inbox", state="pending") == []
    assert await _ids(client, world.manager, box="inbox", state="approved") == [first["id"]]
    assert await _ids(client, org.finance, box="inbox", awaiting="true") == [second["id"]]
    await approve(client, org.finance, second["id"])
    assert await _ids(client, org.finance, box="inbox", awaiting="true") == []
    assert await _ids(client, org.finance, box="inbox", awaiting="false") == [second["id"]]

    page = (
        await client.get("/api/v1/approvals", params={"box": "outbox", "limit": 1}, headers=world.rep_a.headers)
    ).json()
    assert [i["id"] for i in page["items"]] == [second["id"]]
    rest = await client.get(
        "/api/v1/approvals",
        params={"box": "outbox", "limit": 1, "cursor": page["next_cursor"]},
        headers=world.rep_a.headers,
    )
    assert [i["id"] for i in rest.json()["items"]] == [first["id"]] and rest.json()["next_cursor"] is None
    bad = await client.get("/api/v1/approvals", params={"state": "lost"}, headers=world.rep_a.headers)
    assert bad.status_code == 400 or bad.status_code == 422


async def test_the_inbox_row_and_the_detail_have_what_it_takes_to_decide(client, org):
    world = org.world
    # Some history on the deal: a field change the approver should see.
    patch = await client.patch(
        f"/api/v1/opportunities/{org.opportunity['id']}",
        json={"next_step": "Send the quote"},
        headers={**world.rep_a.headers, "If-Match": f'"{org.opportunity["version"]}"'},
    )
    assert patch.status_code == 200, patch.text
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=30, amount=35_000_000)

    [row] = (await client.get("/api/v1/approvals", params={"box": "inbox"}, headers=world.manager.headers)).json()[
        "items"
    ]
    assert row["awaiting_me"] is True
    assert row["account_name"] == "上海明珠制造"
    assert row["opportunity_name"] == org.opportunity["name"]
    assert (row["discount_pct"], row["amount"], row["deal_amount"], row["currency"]) == (
        30.0, 35_000_000, org.opportunity["amount"], "CNY",
    )  # fmt: skip
    assert row["submitter_name"] == "a"
    assert row["due_at"] is not None
    assert [r["name"] for r in row["rules"]] == ["Discount over 10 %", "Discount over 25 % or deal over ¥1,000,000"]
    list_value = 10 * LIST_PRICE
    assert row["margin"] == {
        "list_amount": list_value,
        "quoted_amount": org.opportunity["amount"],
        "requested_amount": 35_000_000,
        "below_list_pct": round(100 * (list_value - 35_000_000) / list_value, 2),
        "priced_lines": 1,
        "total_lines": 1,
    }

    detail = await read(client, world.manager, approval["id"])
    assert [s["stage"] for s in detail["history"]["stages"]] == ["lead"]
    assert [c["field"] for c in detail["history"]["changes"]] == ["next_step"]
    [line] = detail["line_items"]
    assert (line["product_name"], line["list_price"], line["quantity"]) == ("扫码枪", LIST_PRICE, 10)
    assert detail["decisions"] == []
    assert detail["close_date"] == org.opportunity["close_date"]

    await approve(client, world.manager, approval["id"])
    detail = await read(client, org.finance, approval["id"])
    [earlier] = detail["decisions"]
    assert (earlier["actor_id"], earlier["decision"], earlier["step_position"]) == (
        str(world.manager.user_id), "approve", 1,
    )  # fmt: skip
    assert earlier["data"]["via"] == "app" and earlier["data"]["elapsed_s"] >= 0


async def test_texts_follow_the_reader(client, org):
    world = org.world
    await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    headers = {**world.manager.headers, "Accept-Language": "zh-CN"}
    [row] = (await client.get("/api/v1/approvals", headers=headers)).json()["items"]
    assert row["rules"][0]["name"] == "折扣超过 10%"
    assert row["rules"][0]["reasons"][0]["text"] == "折扣 15% 超过 10%"
