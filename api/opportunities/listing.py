"""The opportunity list: the hottest read of the app, on the raw driver.

Phones page through "my pipeline" constantly, so this one query skips the ORM: hand-written SQL on the fast
reader. Each row's item is stored pre-rendered (``opportunities.list_item``, see list_item.py); the query splices
in the account's name and the page is the items joined, with nothing decoded or encoded on the way. A row whose
item is missing sends the page down the slower road: its columns, read as the text the response carries.
The response shape is ``Page[OpportunityFields]``, checked against the ORM path by the tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from api.db.engine import Reader
from api.db.types import ISO_UTC
from api.lib.auth import Principal
from api.lib.pagination import decode_cursor, encode_cursor
from api.opportunities.list_item import Item

# (name, SQLite expression, PostgreSQL expression), in the order of ``_Row``. Both databases hand back text for
# ids, dates, instants and JSON, in the form the response carries: no UUID or datetime objects are made only to be
# turned back into text.
_UTC_TEXT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
COLUMNS = (
    ("id", "o.id", "o.id::text"), ("account_id", "o.account_id", "o.account_id::text"), ("name", "o.name", "o.name"),
    ("owner_id", "o.owner_id", "o.owner_id::text"), ("stage", "o.stage", "o.stage"),
    ("probability", "o.probability", "o.probability"), ("amount", "o.amount", "o.amount"),
    ("currency", "o.currency", "o.currency"), ("discount_pct", "o.discount_pct", "o.discount_pct"),
    ("close_date", "o.close_date", "o.close_date::text"), ("promised_date", "o.promised_date", "o.promised_date::text"),
    ("next_step", "o.next_step", "o.next_step"), ("loss_reason", "o.loss_reason", "o.loss_reason"),
    ("forecast_category", "o.forecast_category", "o.forecast_category"), ("version", "o.version", "o.version"),
    ("created_at", "o.created_at", _UTC_TEXT.format("o.created_at")),
    ("updated_at", "o.updated_at", _UTC_TEXT.format("o.updated_at")),
    ("competitors", "o.competitors", "o.competitors::text"),  # wrapped, not copied
    ("account_name", "a.name", "a.name"),
)  # fmt: skip
FROM = " FROM opportunities o JOIN accounts a ON a.id = o.account_id"
SELECT_COLUMNS = {
    "sqlite": "SELECT " + ", ".join(c[1] for c in COLUMNS) + FROM,
    "postgresql": "SELECT " + ", ".join(c[2] for c in COLUMNS) + FROM,
}
CREATED_AT = [c[0] for c in COLUMNS].index("created_at")
# The stored item closed with the account's name, as UTF-8 bytes; NULL when the item is missing.
_CLOSE = "',\"account_name\":' || {} || '}}'"
SELECT_ITEMS = {
    "sqlite": f"SELECT o.list_item || {_CLOSE.format('json_quote(a.name)')}, o.created_at, o.id" + FROM,
    "postgresql": f"SELECT convert_to(o.list_item || {_CLOSE.format('to_json(a.name)::text')}, 'UTF8'),"
    f" {_UTC_TEXT.format('o.created_at')}, o.id::text" + FROM,
}
_encoder = msgspec.json.Encoder()
_EMPTY = msgspec.Raw(b"[]")


class _Row(Item):
    """One list item read from its columns: the stored item's fields and the account's name."""

    account_name: str


class _Page(msgspec.Struct):
    items: list[_Row]
    next_cursor: str | None


@dataclass(frozen=True)
class Filters:
    stage: str | None = None
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None


class OpportunityListing:
    def __init__(self, reader: Reader, principal: Principal) -> None:
        self.reader = reader
        self.principal = principal
        self.sqlite = reader.dialect == "sqlite"

    def _param(self, value: Any) -> Any:
        if self.sqlite and isinstance(value, uuid.UUID):
            return str(value)
        if self.sqlite and isinstance(value, datetime):
            return value.strftime(ISO_UTC)
        return value

    async def page(self, limit: int, cursor: str | None, filters: Filters) -> bytes:
        """One page as the JSON body of ``{"items": [...], "next_cursor": ...}``."""
        where, params = self._where(cursor, filters)
        tail = f" WHERE {' AND '.join(where)} ORDER BY o.created_at DESC, o.id DESC LIMIT ?"
        params = [self._param(p) for p in (*params, limit + 1)]
        rows = await self.reader.fetch_utf8(SELECT_ITEMS[self.reader.dialect] + tail, params)
        more, rows = len(rows) > limit, rows[:limit]
        if any(row[0] is None for row in rows):
            return await self._page_from_columns(SELECT_COLUMNS[self.reader.dialect] + tail, params, limit)
        next_cursor = _encoder.encode(_cursor_after(rows[-1][1], rows[-1][2])) if more else b"null"
        return b'{"items":[' + b",".join([row[0] for row in rows]) + b'],"next_cursor":' + next_cursor + b"}"

    async def _page_from_columns(self, sql: str, params: list[Any], limit: int) -> bytes:
        """The same page built from the columns: for rows whose stored item is missing."""
        rows = await self.reader.fetch(sql, params)
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = _cursor_after(rows[-1][CREATED_AT], rows[-1][0])
        items = [_Row(*row[:-2], msgspec.Raw(row[-2]) if row[-2] else _EMPTY, row[-1]) for row in rows]
        return _encoder.encode(_Page(items, next_cursor))

    def _where(self, cursor: str | None, filters: Filters) -> tuple[list[str], list[Any]]:
        where = ["o.org_id = ?", "o.deleted_at IS NULL"]
        params: list[Any] = [self.principal.org_id]
        owners = self.principal.visible_owner_ids
        if owners is not None:
            if len(owners) == 1:
                where.append("o.owner_id = ?")
                params.append(next(iter(owners)))
            elif self.sqlite:
                where.append("o.owner_id IN (SELECT value FROM json_each(?))")
                params.append(msgspec.json.encode([str(o) for o in owners]).decode())
            else:
                where.append("o.owner_id = ANY(?)")
                params.append(list(owners))
        for column, value in (
            ("o.stage", filters.stage),
            ("o.owner_id", filters.owner_id),
            ("o.account_id", filters.account_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if cursor:
            at, last_id = decode_cursor(cursor)
            where.append("(o.created_at < ? OR (o.created_at = ? AND o.id < ?))")
            params += [at, at, last_id]
        return where, params


def _cursor_after(created_at: str | bytes, row_id: str | bytes) -> str:
    """The cursor from the row's text as the database gave it (ISO instant, canonical UUID): nothing to parse."""
    if isinstance(created_at, bytes):  # SQLite's undecoded text
        created_at, row_id = created_at.decode(), row_id.decode()  # type: ignore[union-attr]
    return encode_cursor(created_at, row_id)
