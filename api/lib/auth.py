"""Access tokens, the caller (principal) they stand for, and the dependency that resolves it.

An access token is ``v1.<payload>.<hmac>``: the payload names the sign-in session and the user and carries
an expiry, so checking it needs no database. The principal behind a session (roles, team, what records it
may see, whether the session was revoked) is read from the database and kept for a few seconds per process;
logging out in this process takes effect at once, in another worker process within that cache lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from typing import Any

import msgspec
from litestar import Request
from sqlalchemy import or_, select

from api.db.models import AuthSession, User
from api.lib.errors import unauthorized
from api.lib.i18n import t


class Principal(msgspec.Struct, frozen=True):
    """Who is calling, and what they may see."""

    user_id: uuid.UUID
    org_id: uuid.UUID
    session_id: uuid.UUID
    email: str
    name: str
    team_id: uuid.UUID | None
    manager_id: uuid.UUID | None
    roles: tuple[str, ...]
    locale: str
    timezone: str
    # Owners whose records this caller sees; None means the whole org.
    visible_owner_ids: frozenset[uuid.UUID] | None

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def sees_owner(self, owner_id: uuid.UUID) -> bool:
        return self.visible_owner_ids is None or owner_id in self.visible_owner_ids


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"fieldloop-access:" + secret.encode()).digest()

    def issue(self, session_id: uuid.UUID, user_id: uuid.UUID, ttl_s: int) -> str:
        payload = _b64(msgspec.json.encode([session_id.hex, user_id.hex, int(time.time()) + ttl_s]))
        return f"v1.{payload}.{self._sign(payload)}"

    def verify(self, token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
        """The (session, user) a token stands for, or None if it is forged, malformed or expired."""
        try:
            version, payload, signature = token.split(".")
            if version != "v1" or not hmac.compare_digest(signature, self._sign(payload)):
                return None
            session_hex, user_hex, expires = msgspec.json.decode(_unb64(payload))
            if int(expires) < time.time():
                return None
            return uuid.UUID(session_hex), uuid.UUID(user_hex)
        except (ValueError, TypeError, msgspec.DecodeError):
            return None

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest()[:24])


def bearer_token(value: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value."""
    if not value or value[:7].lower() != "bearer ":
        return None
    return value[7:].strip()


class PrincipalCache:
    """Principals by session id, each kept for ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[uuid.UUID, tuple[float, Principal | None]] = {}

    def get(self, session_id: uuid.UUID) -> tuple[bool, Principal | None]:
        entry = self._entries.get(session_id)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, session_id: uuid.UUID, principal: Principal | None) -> None:
        if len(self._entries) > 50_000:
            self._entries.clear()
        self._entries[session_id] = (time.monotonic() + self.ttl_s, principal)

    def forget(self, session_id: uuid.UUID) -> None:
        self._entries.pop(session_id, None)

    def clear(self) -> None:
        self._entries.clear()


async def load_principal(session: Any, session_id: uuid.UUID, user_id: uuid.UUID) -> Principal | None:
    """Read the caller from the database; None when the sign-in was revoked or the user deactivated."""
    row = (
        await session.execute(
            select(User)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(AuthSession.id == session_id, User.id == user_id, AuthSession.revoked_at.is_(None))
        )
    ).scalar_one_or_none()
    if row is None or not row.is_active:
        return None
    roles = tuple(row.roles or ())
    visible: frozenset[uuid.UUID] | None
    if "admin" in roles:
        visible = None
    elif "manager" in roles:
        clauses = [User.manager_id == row.id, User.id == row.id]
        if row.team_id is not None:
            clauses.append(User.team_id == row.team_id)
        team = await session.execute(select(User.id).where(User.org_id == row.org_id, or_(*clauses)))
        visible = frozenset(team.scalars())
    else:
        visible = frozenset({row.id})
    return Principal(
        user_id=row.id,
        org_id=row.org_id,
        session_id=session_id,
        email=row.email,
        name=row.name,
        team_id=row.team_id,
        manager_id=row.manager_id,
        roles=roles,
        locale=row.locale,
        timezone=row.timezone,
        visible_owner_ids=visible,
    )


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The dependency every protected handler takes: a verified, unrevoked caller, or 401."""
    app_state = request.app.state
    token = bearer_token(request.headers.get("authorization"))
    ids = app_state.signer.verify(token) if token else None
    if ids is None:
        raise unauthorized()
    session_id, user_id = ids
    cache: PrincipalCache = app_state.principals
    hit, principal = cache.get(session_id)
    if not hit:
        async with app_state.db.sessionmaker() as session:
            principal = await load_principal(session, session_id, user_id)
        cache.put(session_id, principal)
    if principal is None:
        raise unauthorized(t("This sign-in has ended; please sign in again.", "登录已失效，请重新登录。"))
    request.scope["state"]["principal"] = principal
    return principal
