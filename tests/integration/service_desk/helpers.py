"""Steps the service desk tests share: recording cases and reading what was created."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from api.db.engine import Database
from api.db.models import Notification, Task
from tests.conftest import Caller


async def record(client: AsyncTestClient, caller: Caller, expect: int = 201, **body: Any) -> dict[str, Any]:
    body = {"kind": "support", "subject": "打印机卡纸 Printer jams", **body}
    body = {k: str(v) if k == "account_id" else v for k, v in body.items()}
    response = await client.post("/api/v1/support-cases", json=body, headers=caller.headers)
    assert response.status_code == expect, response.text
    return response.json()


async def notifications(db: Database, user_id: object, type: str = "task.assigned") -> list[Notification]:
    async with db.sessionmaker() as session:
        stmt = select(Notification).where(Notification.user_id == user_id, Notification.type == type)
        return list((await session.execute(stmt)).scalars())


async def all_tasks(db: Database) -> list[Task]:
    async with db.sessionmaker() as session:
        return list((await session.execute(select(Task).order_by(Task.created_at))).scalars())
