"""Accounts carry their customer-success owner and, once lost, when they churned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


async def test_cs_owner_and_churned_at_are_set_checked_and_returned(client, world):
    url = f"/api/v1/accounts/{world.account_a}"
    current = await client.get(url, headers=world.rep_a.headers)
    assert (current.json()["cs_owner_id"], current.json()["churned_at"]) == (None, None)
    headers = {**world.rep_a.headers, "If-Match": current.headers["etag"]}
    future = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for body, field in (
        ({"cs_owner_id": str(world.outsider.user_id)}, "cs_owner_id"),  # another org's user
        ({"churned_at": future}, "churned_at"),
        ({"churned_at": "2026-01-01T00:00:00"}, "churned_at"),  # no time zone
    ):
        refused = await client.patch(url, json=body, headers=headers)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == field
    changed = await client.patch(
        url, json={"cs_owner_id": str(world.rep_c.user_id), "churned_at": "2026-03-01T00:00:00Z"}, headers=headers
    )
    assert changed.status_code == 200
    assert (changed.json()["cs_owner_id"], changed.json()["churned_at"]) == (
        str(world.rep_c.user_id),
        "2026-03-01T00:00:00Z",
    )
    assert changed.json()["version"] == current.json()["version"] + 1

    created = await client.post(
        "/api/v1/accounts",
        json={"name": "新客户", "cs_owner_id": str(world.manager.user_id)},
        headers=world.rep_a.headers,
    )
    assert created.status_code == 201
    assert created.json()["cs_owner_id"] == str(world.manager.user_id)
    refused = await client.post(
        "/api/v1/accounts", json={"name": "x", "cs_owner_id": str(world.outsider.user_id)}, headers=world.rep_a.headers
    )
    assert refused.status_code == 422
