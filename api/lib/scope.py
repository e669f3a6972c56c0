"""The one place that decides which rows a caller may see: same org, and owners within their reach."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import User
from api.lib.auth import Principal
from api.lib.errors import field_error, not_found
from api.lib.i18n import t

S = TypeVar("S", bound=Select[Any])


def visible(stmt: S, model: Any, principal: Principal, *, owner_column: Any = None) -> S:
    """Restrict a query to the caller's org, to live rows, and to the owners the caller may see."""
    stmt = stmt.where(model.org_id == principal.org_id)
    if hasattr(model, "deleted_at"):
        stmt = stmt.where(model.deleted_at.is_(None))
    owner = owner_column if owner_column is not None else getattr(model, "owner_id", None)
    if owner is not None and principal.visible_owner_ids is not None:
        owners = principal.visible_owner_ids
        stmt = stmt.where(owner == next(iter(owners))) if len(owners) == 1 else stmt.where(owner.in_(owners))
    return stmt


async def get_visible(session: AsyncSession, model: Any, record_id: uuid.UUID, principal: Principal) -> Any:
    """The record if the caller may see it; otherwise 404, whether it is missing or out of reach."""
    stmt = visible(select(model).where(model.id == record_id), model, principal)
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise not_found()
    return row


async def resolve_owner(session: AsyncSession, principal: Principal, requested: object) -> uuid.UUID:
    """Who will own a new or reassigned record: the caller, unless a manager or admin names someone they reach."""
    if requested is msgspec.UNSET or requested is None or requested == principal.user_id:
        return principal.user_id
    if not principal.has("manager", "admin"):
        raise field_error(
            "owner_id", "not_allowed", t("Only managers and admins assign owners.", "只有经理和管理员可以指定负责人。")
        )
    assert isinstance(requested, uuid.UUID)
    stmt = select(User.id).where(User.id == requested, User.org_id == principal.org_id, User.is_active)
    if (await session.execute(stmt)).scalar_one_or_none() is None or not principal.sees_owner(requested):
        raise field_error("owner_id", "unknown", t("No such user in your reach.", "您的权限范围内没有该用户。"))
    return requested
