"""The job registry: every background job is an async function of a JobContext and keyword arguments.

The same functions run under arq (with Redis) and under the embedded runner (without); a job asks to be run
again later by raising RetryLater, which each runner turns into its own retry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from api.db.engine import Database
from api.settings import Settings

JobFunction = Callable[..., Awaitable[Any]]
JOBS: dict[str, JobFunction] = {}


@dataclass(frozen=True)
class CronJob:
    """A job run every ``every_s`` seconds (escalations, reminders)."""

    name: str
    every_s: int


CRON: list[CronJob] = []


class RetryLater(Exception):
    """Run this job again after ``defer_s`` seconds."""

    def __init__(self, defer_s: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {defer_s:.1f}s")
        self.defer_s = defer_s


@dataclass
class JobContext:
    settings: Settings
    db: Database
    job_id: str = ""
    attempt: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    # What lives as long as the worker (the push client's connections): objects with aclose(), closed with it.
    shared: dict[str, Any] = field(default_factory=dict)


async def close_shared(shared: dict[str, Any]) -> None:
    """Close what jobs kept in a worker's ``shared`` dict."""
    while shared:
        _, value = shared.popitem()
        close = getattr(value, "aclose", None)
        if close is not None:
            await close()


def job(name: str, *, every_s: int | None = None) -> Callable[[JobFunction], JobFunction]:
    """Register a job under a stable name (the name is what the outbox stores)."""

    def register(fn: JobFunction) -> JobFunction:
        if name in JOBS:
            raise ValueError(f"job {name!r} registered twice")
        JOBS[name] = fn
        if every_s:
            CRON.append(CronJob(name, every_s))
        return fn

    return register


def load_jobs() -> None:
    """Import the modules that register jobs."""
    import worker.tasks  # noqa: F401
