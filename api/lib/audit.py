"""The audit trail of field changes: who changed what, when, from what to what."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import FieldChange
from api.db.types import utcnow
from api.lib.auth import Principal


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def record_changes(
    session: AsyncSession,
    principal: Principal,
    entity_type: str,
    entity_id: uuid.UUID,
    before: dict[str, Any],
    after: dict[str, Any],
) -> list[str]:
    """Add one FieldChange per field whose value differs; returns the names of the changed fields."""
    now = utcnow()
    changed = []
    for field, new in after.items():
        old = before.get(field)
        if _jsonable(old) == _jsonable(new):
            continue
        changed.append(field)
        session.add(
            FieldChange(
                org_id=principal.org_id,
                entity_type=entity_type,
                entity_id=entity_id,
                field=field,
                old_value=_jsonable(old),
                new_value=_jsonable(new),
                changed_by=principal.user_id,
                changed_at=now,
            )
        )
    return changed


def apply_changes(
    session: AsyncSession, principal: Principal, entity_type: str, row: Any, changes: dict[str, Any]
) -> list[str]:
    """Set the given attributes on a row and audit those that really changed."""
    before = {field: getattr(row, field) for field in changes}
    for field, value in changes.items():
        setattr(row, field, value)
    return record_changes(session, principal, entity_type, row.id, before, changes)
