"""Dependencies shared by every controller."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import provide_principal


def provide_db(request: Request[Any, Any, Any]) -> AsyncSession:
    """The request's session: a mutation's is opened and committed by the unit-of-work middleware; a read's is
    opened here, on first use, and closed by the middleware."""
    state = request.scope["state"]
    session = state.get("db")
    if session is None:
        session = state["db"] = state["db_factory"]()
    return session


DEPENDENCIES = {
    "db": Provide(provide_db, sync_to_thread=False),
    "principal": Provide(provide_principal),
}
