"""arq's WorkerSettings, built from the job registry: ``fieldloop worker`` runs it."""

from __future__ import annotations

from typing import Any

from arq import Retry, cron, func
from arq.connections import RedisSettings

from api.db.engine import Database
from api.settings import Settings
from worker.jobs import CRON, JOBS, JobContext, JobFunction, RetryLater, close_shared, load_jobs

MAX_TRIES = 25


def _adapt(fn: JobFunction) -> Any:
    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        context = JobContext(
            settings=ctx["settings"],
            db=ctx["db"],
            job_id=ctx.get("job_id", ""),
            attempt=ctx.get("job_try", 1),
            shared=ctx["shared"],
        )
        try:
            return await fn(context, **kwargs)
        except RetryLater as retry:
            raise Retry(defer=retry.defer_s) from retry

    run.__qualname__ = run.__name__ = fn.__name__
    return run


def _schedule(every_s: int) -> dict[str, Any]:
    """arq cron fields for an interval (seconds that divide a minute, or minutes that divide an hour)."""
    if every_s < 60:
        return {"second": set(range(0, 60, every_s))}
    if every_s < 3600:
        return {"minute": set(range(0, 60, every_s // 60)), "second": 0}
    return {"hour": set(range(0, 24, every_s // 3600)), "minute": 0, "second": 0}


def worker_settings(settings: Settings) -> type:
    """A WorkerSettings class for ``arq.run_worker``."""
    if not settings.redis_url:
        raise ValueError("the worker needs FIELDLOOP_REDIS_URL")
    load_jobs()

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["settings"] = settings
        ctx["db"] = Database(settings)
        ctx["shared"] = {}  # arq hands each job a copy of ctx: the one dict is what the jobs share

    async def shutdown(ctx: dict[str, Any]) -> None:
        await close_shared(ctx.get("shared", {}))
        await ctx["db"].dispose()

    return type(
        "WorkerSettings",
        (),
        {
            "functions": [func(_adapt(fn), name=name, max_tries=MAX_TRIES) for name, fn in JOBS.items()],
            "cron_jobs": [cron(_adapt(JOBS[c.name]), name=f"cron:{c.name}", **_schedule(c.every_s)) for c in CRON],
            "redis_settings": RedisSettings.from_dsn(settings.redis_url),
            "on_startup": startup,
            "on_shutdown": shutdown,
            "health_check_interval": 10,
            # arq's default 0.5 s poll would be most of a notification's latency; Redis takes 20 polls a second.
            "poll_delay": 0.05,
            "keep_result": 24 * 3600,
            "max_jobs": 20,
            "job_timeout": 120,
        },
    )
