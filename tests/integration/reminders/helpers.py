"""Steps the reminder tests share: deals, activities, local instants, and what reached a person."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from api.db.engine import Database
from api.db.models import Notification, Reminder, User
from tests.conftest import REP_TIMEZONE, Caller, rep_today

SHANGHAI = ZoneInfo(REP_TIMEZONE)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in the reps' zone (Asia/Shanghai, UTC+8, no DST) as a UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def days_ago(n: int) -> date:
    return rep_today() - timedelta(days=n)


async def create_deal(client, caller: Caller, account_id: uuid.UUID, **fields: object) -> dict:
    body: dict[str, object] = {
        "account_id": str(account_id),
        "name": "扫码枪 200 台",
        "amount": 1_000_000,
        "close_date": (rep_today() + timedelta(days=60)).isoformat(),
        **fields,
    }
    response = await client.post("/api/v1/opportunities", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def patch_deal(client, caller: Caller, deal: dict, **fields: object) -> dict:
    response = await client.patch(
        f"/api/v1/opportunities/{deal['id']}",
        json=fields,
        headers={**caller.headers, "If-Match": f'"{deal["version"]}"'},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def log_activity(
    client,
    caller: Caller,
    account_id: uuid.UUID,
    at: datetime,
    *,
    direction: str = "inbound",
    deal: dict | None = None,
    summary: str = "客户来电 The customer called",
) -> dict:
    body = {
        "account_id": str(account_id),
        "opportunity_id": deal["id"] if deal else None,
        "kind": "call",
        "direction": direction,
        "occurred_at": at.isoformat(),
        "summary": summary,
    }
    response = await client.post("/api/v1/activities", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def notifications(db: Database, caller: Caller, type: str | None = None) -> list[Notification]:
    async with db.sessionmaker() as session:
        stmt = select(Notification).where(Notification.user_id == caller.user_id).order_by(Notification.created_at)
        rows = list((await session.execute(stmt)).scalars())
    return [n for n in rows if type is None or n.type == type]


async def reminders(db: Database, caller: Caller | None = None) -> list[Reminder]:
    async with db.sessionmaker() as session:
        stmt = select(Reminder).order_by(Reminder.created_at, Reminder.dedup_key)
        if caller is not None:
            stmt = stmt.where(Reminder.user_id == caller.user_id)
        return list((await session.execute(stmt)).scalars())


async def set_user(db: Database, caller: Caller, **values: object) -> None:
    async with db.sessionmaker() as session:
        await session.execute(update(User).where(User.id == caller.user_id).values(**values))
        await session.commit()


async def listed(client, caller: Caller, **params: object) -> list[dict]:
    response = await client.get("/api/v1/reminders", params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]
