"""Tasks: the caller's follow-up work, open first; completed or cancelled by the assignee or an admin."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

import msgspec
from sqlalchemy import and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Task
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.errors import conflict, field_error, not_found
from api.lib.i18n import t

_BAD_CURSOR = t("This cursor is not valid.", "游标无效。")


def _rank() -> object:
    """0 for open tasks, 1 for the rest: open ones come first."""
    return case((Task.status == "open", 0), else_=1)


def _encode(rank: int, at: datetime, task_id: uuid.UUID) -> str:
    raw = msgspec.json.encode([rank, at.isoformat(), str(task_id)])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(cursor: str) -> tuple[int, datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, at, task_id = msgspec.json.decode(raw)
        parsed = datetime.fromisoformat(at)
        if rank not in (0, 1) or parsed.tzinfo is None:
            raise ValueError("cursor")
        return rank, parsed, uuid.UUID(task_id)
    except (ValueError, TypeError, msgspec.DecodeError):
        raise field_error("cursor", "invalid", _BAD_CURSOR) from None


class TaskService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def mine(self, status: str | None, limit: int, cursor: str | None) -> tuple[list[Task], str | None]:
        """The caller's tasks: open ones first, then newest first within each group."""
        rank = _rank()
        stmt = select(Task).where(Task.org_id == self.principal.org_id, Task.assignee_id == self.principal.user_id)
        if status is not None:
            stmt = stmt.where(Task.status == status)
        if cursor:
            last_rank, last_at, last_id = _decode(cursor)
            stmt = stmt.where(
                or_(
                    rank > last_rank,  # type: ignore[operator]
                    and_(rank == last_rank, Task.created_at < last_at),
                    and_(rank == last_rank, Task.created_at == last_at, Task.id < last_id),
                )
            )
        stmt = stmt.order_by(rank, Task.created_at.desc(), Task.id.desc()).limit(limit + 1)  # type: ignore[arg-type]
        rows = list((await self.session.execute(stmt)).scalars())
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], _encode(0 if last.status == "open" else 1, last.created_at, last.id)

    async def get(self, task_id: uuid.UUID) -> Task:
        """A task its assignee or an org admin may see; 404 for anyone else."""
        stmt = select(Task).where(Task.id == task_id, Task.org_id == self.principal.org_id)
        if not self.principal.is_admin:
            stmt = stmt.where(Task.assignee_id == self.principal.user_id)
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        if row is None:
            raise not_found()
        return row

    async def close(self, task_id: uuid.UUID, status: str) -> Task:
        """Mark an open task done or cancelled."""
        task = await self.get(task_id)
        if task.status != "open":
            raise conflict("task-closed", t("This task is already closed.", "该任务已关闭。"))
        task.status = status
        task.done_at = utcnow()
        await self.session.flush()
        return task
