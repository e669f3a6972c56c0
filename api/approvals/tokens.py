"""Single-use action tokens: an approver decides from the notification itself, without signing in.

A token reads ``fla1.<token id>.<secret>``. Only the SHA-256 of the secret is stored; the token is bound to one
approver, one step of one revision of one request, and expires with the notification that carries it. Its
shape differs from an access token's, so it never works as a bearer token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ApprovalActionToken
from api.db.types import utcnow
from api.lib.errors import AppError
from api.lib.i18n import t

PREFIX = "fla1"
# As long as the push service keeps the notification: after that the approver decides in the app.
TOKEN_TTL_S = 24 * 3600


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(token: str) -> tuple[uuid.UUID, str] | None:
    """The token's id and secret, or None when it is not shaped like an action token."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not 20 <= len(parts[2]) <= 100:
        return None
    try:
        return uuid.UUID(hex=parts[1]), parts[2]
    except ValueError:
        return None


async def mint(
    session: AsyncSession,
    *,
    org_id: uuid.UUID,
    request_id: uuid.UUID,
    step_id: uuid.UUID,
    user_id: uuid.UUID,
    revision: int,
    ttl_s: int = TOKEN_TTL_S,
) -> str | None:
    """A new token for this approver and step, or None when they hold one already (one per approver per step)."""
    existing = await session.execute(
        select(ApprovalActionToken.id).where(
            ApprovalActionToken.step_id == step_id, ApprovalActionToken.user_id == user_id
        )
    )
    if existing.first() is not None:
        return None
    token_id = uuid.uuid4()
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ApprovalActionToken(
            id=token_id,
            org_id=org_id,
            request_id=request_id,
            step_id=step_id,
            user_id=user_id,
            revision=revision,
            secret_hash=_digest(secret),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    return f"{PREFIX}.{token_id.hex}.{secret}"


def invalid() -> AppError:
    return AppError(
        401,
        "action-token-invalid",
        t("Invalid action", "操作无效"),
        t("This action link is not valid; open the request in the app.", "该操作链接无效，请在应用中打开该申请。"),
    )


def expired() -> AppError:
    return AppError(
        401,
        "action-token-expired",
        t("Action expired", "操作已过期"),
        t("This notification has expired; open the request in the app.", "该通知已过期，请在应用中打开该申请。"),
    )


def used() -> AppError:
    return AppError(
        409,
        "action-token-used",
        t("Already used", "已使用"),
        t("This action was already taken.", "该操作已执行过。"),
    )


def stale() -> AppError:
    return AppError(
        409,
        "action-token-stale",
        t("Outdated action", "操作已过时"),
        t(
            "The request has moved on since this notification; open it in the app.",
            "发出该通知后申请已有变化，请在应用中打开查看。",
        ),
    )


def wrong_user() -> AppError:
    return AppError(
        403,
        "action-token-wrong-user",
        t("Not your action", "不是您的操作"),
        t("This action belongs to another approver.", "该操作属于另一位审批人。"),
    )


async def redeem(session: AsyncSession, token: str) -> ApprovalActionToken:
    """The token's row, if the token is genuine, unused and unexpired; refused with a distinct problem otherwise.

    Does not use it up: ``spend`` does that, once the decision it authorises is known to be acceptable.
    """
    parsed = parse(token)
    if parsed is None:
        raise invalid()
    token_id, secret = parsed
    row = await session.get(ApprovalActionToken, token_id)
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        raise invalid()
    if row.used_at is not None:
        raise used()
    if row.expires_at <= utcnow():
        raise expired()
    return row


async def spend(session: AsyncSession, row: ApprovalActionToken) -> None:
    """Use the token up; a concurrent use of the same token finds it spent (the update matches no row)."""
    result = await session.execute(
        update(ApprovalActionToken)
        .where(ApprovalActionToken.id == row.id, ApprovalActionToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise used()
