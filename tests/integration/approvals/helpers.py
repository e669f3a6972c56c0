"""Steps the approval tests share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.db.engine import Database
from api.db.models import Notification
from tests.conftest import Caller


async def submit(client, caller: Caller, opportunity_id: str, expect: int = 201, **fields: Any) -> dict:
    body = {"subject_type": "discount", "opportunity_id": opportunity_id, **fields}
    response = await client.post("/api/v1/approvals", json=body, headers=caller.headers)
    assert response.status_code == expect, response.text
    return response.json()


async def decide(client, caller: Caller, approval_id: str, decision: str, comment: str | None = None):
    body: dict[str, Any] = {"decision": decision}
    if comment is not None:
        body["comment"] = comment
    return await client.post(f"/api/v1/approvals/{approval_id}/decisions", json=body, headers=caller.headers)


async def approve(client, caller: Caller, approval_id: str) -> dict:
    response = await decide(client, caller, approval_id, "approve")
    assert response.status_code == 200, response.text
    return response.json()


async def read(client, caller: Caller, approval_id: str) -> dict:
    response = await client.get(f"/api/v1/approvals/{approval_id}", headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def notifications(db: Database, caller: Caller, type: str | None = None) -> list[Notification]:
    async with db.sessionmaker() as session:
        stmt = select(Notification).where(Notification.user_id == caller.user_id).order_by(Notification.created_at)
        rows = list((await session.execute(stmt)).scalars())
    return [n for n in rows if type is None or n.type == type]


def kinds(approval: dict) -> list[str]:
    return [e["kind"] for e in approval["timeline"]]
