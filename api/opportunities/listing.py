"""The opportunity list: the hottest read of the app, on the raw driver.

Phones page through "my pipeline" constantly, so this one query skips the ORM: hand-written SQL on the
fast reader, rows encoded straight to JSON. On SQLite the stored text (canonical UUIDs, ISO instants,
JSON arrays) is already what the response carries; on PostgreSQL asyncpg's values are encoded by msgspec.
The response shape is ``Page[OpportunityFields]``, checked against the ORM path by the tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from api.db.engine import Reader
from api.db.types import ISO_UTC
from api.lib.auth import Principal
from api.lib.pagination import decode_cursor, encode_cursor

COLUMNS = (
    ("id", "o.id"), ("account_id", "o.account_id"), ("account_name", "a.name"), ("name", "o.name"),
    ("owner_id", "o.owner_id"), ("stage", "o.stage"), ("probability", "o.probability"), ("amount", "o.amount"),
    ("currency", "o.currency"), ("discount_pct", "o.discount_pct"), ("close_date", "o.close_date"),
    ("promised_date", "o.promised_date"), ("competitors", "o.competitors"), ("next_step", "o.next_step"),
    ("loss_reason", "o.loss_reason"), ("forecast_category", "o.forecast_category"), ("version", "o.version"),
    ("created_at", "o.created_at"), ("updated_at", "o.updated_at"),
)  # fmt: skip
NAMES = tuple(name for name, _ in COLUMNS)
COMPETITORS = NAMES.index("competitors")
SELECT = (
    "SELECT " + ", ".join(sql for _, sql in COLUMNS) + " FROM opportunities o JOIN accounts a ON a.id = o.account_id"
)
_encoder = msgspec.json.Encoder()
_EMPTY = msgspec.Raw(b"[]")


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
        sql = f"{SELECT} WHERE {' AND '.join(where)} ORDER BY o.created_at DESC, o.id DESC LIMIT ?"
        params.append(limit + 1)
        rows = await self.reader.fetch(sql, [self._param(p) for p in params])
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            created = last[NAMES.index("created_at")]
            at = datetime.strptime(created, ISO_UTC).replace(tzinfo=UTC) if isinstance(created, str) else created
            next_cursor = encode_cursor(at, uuid.UUID(str(last[0])))
        items = [self._item(row) for row in rows]
        return _encoder.encode({"items": items, "next_cursor": next_cursor})

    def _item(self, row: Any) -> dict[str, Any]:
        item = dict(zip(NAMES, row, strict=True))
        # SQLite hands JSON columns over as text: embed it without a decode/encode round trip.
        # asyncpg decodes them already (SQLAlchemy registers a JSON codec on its connections).
        competitors = row[COMPETITORS]
        if isinstance(competitors, str):
            item["competitors"] = msgspec.Raw(competitors.encode())
        elif competitors is None:
            item["competitors"] = _EMPTY
        return item
