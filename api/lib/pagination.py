"""Keyset pagination: ``{"items": [...], "next_cursor": ...}`` with an opaque cursor."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from api.lib.errors import field_error
from api.lib.i18n import t

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def check_limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise field_error(
            "limit",
            "out_of_range",
            t("limit must be between 1 and {max}.", "limit 必须在 1 到 {max} 之间。"),
            max=MAX_LIMIT,
        )
    return limit


def encode_cursor(at: datetime | str, record_id: uuid.UUID | str) -> str:
    """The cursor after a row; ``at`` and ``record_id`` may be given in their ISO and canonical text already."""
    raw = msgspec.json.encode([at if isinstance(at, str) else at.isoformat(), str(record_id)])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, record_id = msgspec.json.decode(raw)
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, uuid.UUID(record_id)
    except (ValueError, TypeError, msgspec.DecodeError):
        raise field_error("cursor", "invalid", t("This cursor is not valid.", "游标无效。")) from None


async def keyset_page(
    session: AsyncSession, stmt: Select[Any], at: InstrumentedAttribute[Any], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of ``stmt``'s rows, newest ``at`` first (ties broken by id), and the cursor of the next page."""
    model = at.class_
    if cursor:
        last_at, last_id = decode_cursor(cursor)
        stmt = stmt.where(or_(at < last_at, and_(at == last_at, model.id < last_id)))
    stmt = stmt.order_by(at.desc(), model.id.desc()).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(getattr(last, at.key), last.id)
