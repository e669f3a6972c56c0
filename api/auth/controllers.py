from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.schemas import Me, RefreshRequest, TokenPair, TokenRequest
from api.auth.service import AuthService
from api.lib.auth import Principal
from api.lib.errors import READ, problems


def provide_auth_service(request: Request[Any, Any, Any], db: AsyncSession) -> AuthService:
    state = request.app.state
    return AuthService(db, state.db.sessionmaker, state.settings, state.signer, state.principals)


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]  # noqa: RUF012
    dependencies = {"auth": Provide(provide_auth_service, sync_to_thread=False)}  # noqa: RUF012

    @post(
        "/auth/token",
        status_code=200,
        summary="Sign in with email and password",
        responses=problems(401, 413, 422, 429),
    )
    async def token(self, request: Request[Any, Any, Any], data: TokenRequest, auth: AuthService) -> TokenPair:
        address = request.client.host if request.client else "unknown"
        return await auth.login(data.email, data.password, address, request.headers.get("user-agent"))

    @post(
        "/auth/refresh",
        status_code=200,
        summary="Exchange a refresh token for a new pair",
        responses=problems(401, 413, 422),
    )
    async def refresh(self, data: RefreshRequest, auth: AuthService) -> TokenPair:
        return await auth.refresh(data.refresh_token)

    @post("/auth/logout", status_code=204, summary="End this sign-in and all of its tokens", responses=problems(401))
    async def logout(self, principal: Principal, auth: AuthService) -> None:
        await auth.logout(principal)

    @get("/me", summary="The signed-in user", responses=READ)
    async def me(self, principal: Principal) -> Me:
        return Me(
            id=principal.user_id,
            email=principal.email,
            name=principal.name,
            org_id=principal.org_id,
            team_id=principal.team_id,
            manager_id=principal.manager_id,
            roles=list(principal.roles),
            locale=principal.locale,
            timezone=principal.timezone,
        )
