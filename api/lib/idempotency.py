"""Idempotency-Key: a repeated mutation gets the stored answer instead of running twice.

A key is reserved in its own committed transaction before the request runs, so that a second request with
the same key sees it at once (409 while the first runs). The answer is written into the reservation in the
request's own transaction, so it is stored exactly when the request's writes are. A failed request releases
its key: nothing was written, and the client may try again.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.db.models import IdempotencyRecord
from api.db.types import utcnow
from api.lib.errors import AppError, conflict
from api.lib.i18n import t

KEEP_FOR = timedelta(days=30)
# A reservation older than this whose request never finished (a crashed process) may be taken over.
ABANDONED_AFTER = timedelta(minutes=2)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: list[list[str]]
    body: bytes


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise AppError(
            422,
            "invalid-idempotency-key",
            t("Invalid Idempotency-Key", "Idempotency-Key 无效"),
            t("The key must be 1 to 255 printable characters.", "键必须是 1 到 255 个可打印字符。"),
        )


async def reserve(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: uuid.UUID, key: str, fp: str
) -> uuid.UUID | StoredResponse:
    """Reserve the key for this request, or return the stored answer of an earlier identical request."""
    for _ in range(3):
        record_id = uuid.uuid4()
        now = utcnow()
        async with sessionmaker() as session:
            session.add(
                IdempotencyRecord(
                    id=record_id,
                    user_id=user_id,
                    key=key,
                    fingerprint=fp,
                    state="running",
                    created_at=now,
                    expires_at=now + KEEP_FOR,
                )
            )
            try:
                await session.commit()
                return record_id
            except IntegrityError:
                await session.rollback()
            existing = (
                await session.execute(
                    select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
                )
            ).scalar_one_or_none()
            if existing is None:
                continue
            stale = existing.expires_at < now or (
                existing.state == "running" and existing.created_at < now - ABANDONED_AFTER
            )
            if stale:
                await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
                await session.commit()
                continue
            if existing.fingerprint != fp:
                raise AppError(
                    422,
                    "idempotency-key-reused",
                    t("Idempotency-Key reused", "Idempotency-Key 被重复使用"),
                    t(
                        "This key was used for a different request; use a new key.",
                        "该键已用于另一个不同的请求，请使用新的键。",
                    ),
                )
            if existing.state == "running":
                raise conflict(
                    "idempotency-key-in-use",
                    t(
                        "A request with this key is still running; retry shortly.",
                        "使用该键的请求仍在处理中，请稍后重试。",
                    ),
                )
            return StoredResponse(existing.status_code or 200, existing.headers or [], existing.body or b"")
    raise conflict("idempotency-key-in-use", t("Please retry.", "请重试。"))


async def complete(session: AsyncSession, record_id: uuid.UUID, response: StoredResponse) -> None:
    """Store the answer in the request's own transaction."""
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id)
        .values(state="done", status_code=response.status, headers=response.headers, body=response.body)
    )


async def release(sessionmaker: async_sessionmaker[AsyncSession], record_id: uuid.UUID) -> None:
    async with sessionmaker() as session:
        await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        await session.commit()
