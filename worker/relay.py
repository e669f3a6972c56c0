"""The outbox relay: hands committed outbox rows to arq (with Redis) or runs them in process (without).

It runs inside the API process. Rows are claimed with a lease, so two relays never take the same row and a
crashed one's rows come back. When Redis is unreachable rows stay in the outbox and are retried with backoff:
the API keeps accepting work and nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import timedelta
from typing import Protocol

from sqlalchemy import or_, select, update

from api.db.engine import Database
from api.db.models import OutboxMessage
from api.db.types import utcnow
from api.settings import Settings
from worker.jobs import CRON, JOBS, JobContext, RetryLater, close_shared, load_jobs

log = logging.getLogger("fieldloop.relay")
BATCH = 100
MAX_ATTEMPTS = 25


def backoff_s(attempt: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * 2**attempt))


class Dispatcher(Protocol):
    lease: timedelta

    async def dispatch(self, message: OutboxMessage) -> None: ...

    async def close(self) -> None: ...


class Relay:
    def __init__(self, settings: Settings, db: Database, *, run_jobs: bool, poll_s: float = 1.0) -> None:
        load_jobs()
        self.settings = settings
        self.db = db
        self.poll_s = poll_s
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.dispatcher: Dispatcher | None
        if settings.redis_url:
            self.dispatcher = ArqDispatcher(settings.redis_url, db)
        elif run_jobs:
            self.dispatcher = EmbeddedRunner(settings, db)
        else:
            self.dispatcher = None

    @property
    def queue(self) -> str:
        return "redis" if self.settings.redis_url else "embedded"

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        if self.dispatcher is None:
            return
        self._tasks.append(asyncio.create_task(self._loop(), name="outbox-relay"))
        if isinstance(self.dispatcher, EmbeddedRunner):
            self._tasks += [asyncio.create_task(self.dispatcher.cron(c.name, c.every_s)) for c in CRON]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.dispatcher is not None:
            await self.dispatcher.close()

    async def _loop(self) -> None:
        while True:
            # Cleared before the pass, so that a commit landing during the pass still wakes the next one.
            self._wake.clear()
            try:
                moved = await self.relay_once()
            except Exception:
                log.exception("outbox relay pass failed")
                moved = 0
            if moved < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_s)

    async def relay_once(self) -> int:
        """Claim due rows and hand each to the dispatcher; returns how many were claimed."""
        assert self.dispatcher is not None
        now = utcnow()
        lease_free = or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now)
        async with self.db.sessionmaker() as session:
            due = (
                (
                    await session.execute(
                        select(OutboxMessage.id)
                        .where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.available_at <= now, lease_free)
                        .order_by(OutboxMessage.available_at)
                        .limit(BATCH)
                    )
                )
                .scalars()
                .all()
            )
            if not due:
                return 0
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(due), lease_free)
                .values(lease_until=now + self.dispatcher.lease)
            )
            await session.commit()
            claimed = (
                (
                    await session.execute(
                        select(OutboxMessage).where(
                            OutboxMessage.id.in_(due), OutboxMessage.lease_until == now + self.dispatcher.lease
                        )
                    )
                )
                .scalars()
                .all()
            )
        for message in claimed:
            await self.dispatcher.dispatch(message)
        return len(claimed)


async def _settle(db: Database, message_id: object, **values: object) -> None:
    async with db.sessionmaker() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(lease_until=None, **values)
        )
        await session.commit()


class ArqDispatcher:
    """Enqueues rows on arq under their job id: arq refuses a second job with the same id."""

    lease = timedelta(seconds=30)

    def __init__(self, redis_url: str, db: Database) -> None:
        self.redis_url = redis_url
        self.db = db
        self._pool: object | None = None

    async def _redis(self):
        from arq import create_pool
        from arq.connections import RedisSettings

        if self._pool is None:
            settings = RedisSettings.from_dsn(self.redis_url)
            settings.conn_retries = 0
            settings.conn_timeout = 2
            self._pool = await create_pool(settings)
        return self._pool

    async def dispatch(self, message: OutboxMessage) -> None:
        try:
            redis = await self._redis()
            defer = message.available_at if message.available_at > utcnow() else None
            await redis.enqueue_job(message.job, _job_id=message.job_id, _defer_until=defer, **message.payload)  # type: ignore[attr-defined]
        except Exception as exc:  # Redis down or unreachable: keep the row, try again later
            log.warning("outbox: could not enqueue %s (%s); will retry", message.job_id, exc.__class__.__name__)
            await self._drop_pool()
            await _settle(
                self.db,
                message.id,
                attempts=message.attempts + 1,
                available_at=utcnow() + timedelta(seconds=backoff_s(min(message.attempts, 5), base=0.5, cap=15)),
                last_error=f"enqueue failed: {exc.__class__.__name__}",
            )
            return
        await _settle(self.db, message.id, dispatched_at=utcnow(), last_error=None)

    async def _drop_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                await pool.aclose()  # type: ignore[attr-defined]

    async def close(self) -> None:
        await self._drop_pool()


class EmbeddedRunner:
    """Runs jobs in the API process when no Redis is configured, with the same retry semantics as arq."""

    lease = timedelta(minutes=5)

    def __init__(self, settings: Settings, db: Database, concurrency: int = 8) -> None:
        self.settings = settings
        self.db = db
        self._slots = asyncio.Semaphore(concurrency)
        self._running: set[asyncio.Task[None]] = set()
        self.shared: dict[str, object] = {}

    def context(self, job_id: str = "", attempt: int = 1) -> JobContext:
        return JobContext(settings=self.settings, db=self.db, job_id=job_id, attempt=attempt, shared=self.shared)

    async def dispatch(self, message: OutboxMessage) -> None:
        task = asyncio.create_task(self._run(message))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, message: OutboxMessage) -> None:
        attempt = message.attempts + 1
        async with self._slots:
            try:
                await JOBS[message.job](self.context(message.job_id, attempt), **message.payload)
            except RetryLater as retry:
                await _settle(
                    self.db, message.id, attempts=attempt, last_error=str(retry),
                    available_at=utcnow() + timedelta(seconds=retry.defer_s),
                )  # fmt: skip
                return
            except Exception as exc:
                log.exception("job %s failed (attempt %d)", message.job_id, attempt)
                values: dict[str, object] = {"attempts": attempt, "last_error": repr(exc)[:2000]}
                if attempt >= MAX_ATTEMPTS or message.job not in JOBS:
                    values["dispatched_at"] = utcnow()  # given up: kept with its error for inspection
                else:
                    values["available_at"] = utcnow() + timedelta(seconds=backoff_s(attempt))
                await _settle(self.db, message.id, **values)
                return
        await _settle(self.db, message.id, attempts=attempt, dispatched_at=utcnow(), last_error=None)

    async def cron(self, name: str, every_s: int) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await JOBS[name](self.context(f"cron:{name}"))
            except Exception:
                log.exception("scheduled job %s failed", name)

    async def drain(self) -> None:
        """Wait for the jobs started so far (tests use this to observe their effects)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
        await close_shared(self.shared)
