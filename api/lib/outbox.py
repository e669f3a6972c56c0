"""Writing side effects into the outbox, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import OutboxMessage
from api.db.types import utcnow

PENDING_FLAG = "outbox_pending"


def emit(
    session: AsyncSession,
    job: str,
    payload: dict[str, Any],
    *,
    job_id: str | None = None,
    org_id: uuid.UUID | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Queue ``job`` to run after this transaction commits; nothing is queued if it rolls back."""
    message = OutboxMessage(
        id=uuid.uuid4(),
        org_id=org_id,
        job=job,
        job_id=job_id or f"{job}:{uuid.uuid4()}",
        payload=payload,
        available_at=not_before or utcnow(),
    )
    session.add(message)
    session.info[PENDING_FLAG] = True
    return message


def has_pending(session: AsyncSession) -> bool:
    """Whether this session emitted messages (the request boundary then wakes the relay after commit)."""
    return bool(session.info.pop(PENDING_FLAG, False))
