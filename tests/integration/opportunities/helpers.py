"""Small builders for opportunity tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.conftest import rep_today


def future(days: int = 30) -> str:
    return (rep_today() + timedelta(days=days)).isoformat()


def past(days: int = 30) -> str:
    return (rep_today() - timedelta(days=days)).isoformat()


def new_opportunity(account_id: uuid.UUID, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "account_id": str(account_id),
        "name": "扫码枪 200 台",
        "amount": 0,
        "close_date": future(),
    }
    body.update(fields)
    return body


async def create(client, caller, account_id, **fields) -> dict:
    response = await client.post(
        "/api/v1/opportunities", json=new_opportunity(account_id, **fields), headers=caller.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def log_inbound(client, caller, account_id, opportunity_id=None, days_ago: int = 1) -> None:
    body = {
        "account_id": str(account_id),
        "opportunity_id": opportunity_id,
        "kind": "email",
        "direction": "inbound",
        "occurred_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
        "summary": "客户来信询问报价 The customer asked for a quote",
    }
    response = await client.post("/api/v1/activities", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text


async def patch(client, caller, opportunity: dict, **fields):
    return await client.patch(
        f"/api/v1/opportunities/{opportunity['id']}",
        json=fields,
        headers={**caller.headers, "If-Match": f'"{opportunity["version"]}"'},
    )
