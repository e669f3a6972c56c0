"""Sign-in with throttling, rotating refresh tokens with reuse detection, and sign-out."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.passwords import verify_password
from api.auth.schemas import TokenPair
from api.db.models import AuthSession, LoginAttempt, RefreshToken, User
from api.db.types import utcnow
from api.lib.auth import Principal, PrincipalCache, TokenSigner
from api.lib.errors import AppError, unauthorized
from api.lib.i18n import t
from api.notifications.service import delete_session_subscriptions
from api.settings import Settings

BAD_CREDENTIALS = t("Wrong email or password.", "邮箱或密码错误。")
BAD_REFRESH = t("This refresh token is not valid; please sign in again.", "刷新令牌无效，请重新登录。")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthService:
    def __init__(
        self,
        session: AsyncSession,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        signer: TokenSigner,
        principals: PrincipalCache,
    ) -> None:
        self.session = session
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.signer = signer
        self.principals = principals

    async def login(self, email: str, password: str, address: str, user_agent: str | None) -> TokenPair:
        email = email.strip().lower()
        keys = (f"account:{email}", f"address:{address}")
        await self._refuse_if_throttled(keys)
        user = (await self.session.execute(select(User).where(func.lower(User.email) == email))).scalar_one_or_none()
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.is_active:
            await self._record_failure(keys)
            raise unauthorized(BAD_CREDENTIALS)
        await self.session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
        sign_in = AuthSession(org_id=user.org_id, user_id=user.id, user_agent=(user_agent or "")[:300] or None)
        self.session.add(sign_in)
        await self.session.flush()
        return await self._issue(sign_in)

    async def refresh(self, refresh_token: str) -> TokenPair:
        now = utcnow()
        row = (
            await self.session.execute(
                select(RefreshToken, AuthSession)
                .join(AuthSession, AuthSession.id == RefreshToken.session_id)
                .where(RefreshToken.token_hash == _hash(refresh_token))
            )
        ).one_or_none()
        if row is None:
            raise unauthorized(BAD_REFRESH)
        token, sign_in = row
        if sign_in.revoked_at is not None or token.expires_at < now:
            raise unauthorized(BAD_REFRESH)
        if token.used_at is not None:
            await self._revoke_elsewhere(sign_in, "refresh_reuse")
            raise unauthorized(BAD_REFRESH)
        claimed = await self.session.execute(
            update(RefreshToken).where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None)).values(used_at=now)
        )
        if claimed.rowcount != 1:
            # A refresh token used twice has leaked: end the whole sign-in, for the thief and the owner alike.
            # This request fails anyway; rolling back first frees SQLite's write lock for the revocation.
            await self.session.rollback()
            await self._revoke_elsewhere(sign_in, "refresh_reuse")
            raise unauthorized(BAD_REFRESH)
        return await self._issue(sign_in)

    async def logout(self, principal: Principal) -> None:
        await self.session.execute(
            update(AuthSession)
            .where(AuthSession.id == principal.session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason="logout")
        )
        await delete_session_subscriptions(self.session, principal.session_id)
        self.principals.forget(principal.session_id)

    async def _issue(self, sign_in: AuthSession) -> TokenPair:
        refresh = secrets.token_urlsafe(32)
        self.session.add(
            RefreshToken(
                session_id=sign_in.id,
                token_hash=_hash(refresh),
                expires_at=utcnow() + timedelta(seconds=self.settings.refresh_token_ttl_s),
            )
        )
        ttl = self.settings.access_token_ttl_s
        return TokenPair(
            access_token=self.signer.issue(sign_in.id, sign_in.user_id, ttl),
            refresh_token=refresh,
            token_type="bearer",
            expires_in=ttl,
        )

    async def _revoke_elsewhere(self, sign_in: AuthSession, reason: str) -> None:
        """Revoke in a transaction of its own: the request itself fails and rolls back."""
        async with self.sessionmaker() as own:
            await own.execute(
                update(AuthSession)
                .where(AuthSession.id == sign_in.id, AuthSession.revoked_at.is_(None))
                .values(revoked_at=utcnow(), revoked_reason=reason)
            )
            await own.commit()
        self.principals.forget(sign_in.id)

    async def _refuse_if_throttled(self, keys: tuple[str, str]) -> None:
        window_start = utcnow() - timedelta(seconds=self.settings.login_window_s)
        limits = (self.settings.login_max_failures_per_account, self.settings.login_max_failures_per_address)
        for key, limit in zip(keys, limits, strict=True):
            count, oldest = (
                await self.session.execute(
                    select(func.count(), func.min(LoginAttempt.at)).where(
                        LoginAttempt.key == key, LoginAttempt.at >= window_start
                    )
                )
            ).one()
            if count >= limit:
                wait = max(1, math.ceil((oldest - window_start).total_seconds()))
                raise AppError(
                    429,
                    "too-many-sign-in-attempts",
                    t("Too many attempts", "尝试次数过多"),
                    t(
                        "Too many failed sign-ins; try again in {seconds} s.",
                        "登录失败次数过多，请 {seconds} 秒后再试。",
                    ),
                    headers={"Retry-After": str(wait)},
                    seconds=wait,
                )

    async def _record_failure(self, keys: tuple[str, str]) -> None:
        """Failures are counted in a transaction of their own, since the failed request rolls back."""
        async with self.sessionmaker() as own:
            own.add_all([LoginAttempt(key=key) for key in keys])
            await own.commit()
