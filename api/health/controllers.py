from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Response, get
from sqlalchemy import text

from api.lib.schema import Out


class Health(Out, kw_only=True):
    status: Literal["ok", "degraded"]
    db: Literal["ok", "unavailable"]
    queue: Literal["embedded", "redis"]


class Live(Out, kw_only=True):
    status: Literal["ok"]


@get("/health", summary="Readiness: database reachable, which job queue is in use", tags=["health"])
async def health(request: Request[Any, Any, Any]) -> Response[Health]:
    state = request.app.state
    try:
        async with state.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        db_status: Literal["ok", "unavailable"] = "ok"
    except Exception:  # any failure to reach the database is reported, never raised
        db_status = "unavailable"
    queue: Literal["embedded", "redis"] = state.relay.queue
    body = Health(status="ok" if db_status == "ok" else "degraded", db=db_status, queue=queue)
    return Response(body, status_code=200 if db_status == "ok" else 503)


@get("/health/live", summary="Liveness: the process answers (no I/O)", tags=["health"])
async def live() -> Live:
    return Live(status="ok")
