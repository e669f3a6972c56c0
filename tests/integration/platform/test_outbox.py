"""The outbox: jobs written with the change run after commit, once, through the embedded runner or arq."""

from __future__ import annotations

import asyncio
import os

import pytest
from arq.worker import Worker
from sqlalchemy import select

from api.db.models import OutboxMessage
from api.lib.outbox import emit
from tests.support_redis import PrivateRedis
from worker.arq_worker import worker_settings
from worker.jobs import JobContext, RetryLater, job
from worker.relay import EmbeddedRunner, Relay

RUNS: list[tuple[str, str]] = []


@job("test.record")
async def record(ctx: JobContext, token: str, fail_times: int = 0) -> None:
    """Records each run; fails (asks to be retried) on its first ``fail_times`` attempts."""
    if ctx.attempt <= fail_times:
        raise RetryLater(0.01)
    RUNS.append((ctx.job_id, token))


@pytest.fixture(autouse=True)
def clear_runs():
    RUNS.clear()


async def _emit(db, token: str, **payload) -> None:
    async with db.sessionmaker() as session:
        emit(session, "test.record", {"token": token, **payload}, job_id=f"test:{token}")
        await session.commit()


async def _pending(db) -> list[OutboxMessage]:
    async with db.sessionmaker() as session:
        return list(
            (await session.execute(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None)))).scalars()
        )


async def test_a_rolled_back_transaction_queues_nothing(db):
    async with db.sessionmaker() as session:
        emit(session, "test.record", {"token": "never"})
        await session.rollback()
    assert await _pending(db) == []


async def test_the_embedded_runner_runs_each_job_once_and_retries(db, settings):
    relay = Relay(settings, db, run_jobs=True)
    assert isinstance(relay.dispatcher, EmbeddedRunner)
    await _emit(db, "a")
    await _emit(db, "b", fail_times=2)
    for _ in range(50):
        await relay.relay_once()
        await relay.dispatcher.drain()
        if len(RUNS) == 2:
            break
        await asyncio.sleep(0.02)
    await relay.relay_once()
    await relay.dispatcher.drain()
    await relay.stop()
    assert sorted(RUNS) == [("test:a", "a"), ("test:b", "b")]
    assert await _pending(db) == []


def _redis_url() -> str:
    url = os.environ.get("FIELDLOOP_TEST_REDIS_URL")
    if not url:
        pytest.skip("arq tests need FIELDLOOP_TEST_REDIS_URL=redis://127.0.0.1:6379/0 (and redis-server on PATH)")
    return url


async def _run_worker_burst(settings) -> None:
    ws = worker_settings(settings)
    options = {k: v for k, v in vars(ws).items() if not k.startswith("_")}
    worker = Worker(**options, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


async def test_with_redis_down_rows_wait_and_are_delivered_once_when_it_is_back(db, settings):
    _redis_url()
    redis = PrivateRedis()
    settings.redis_url = redis.url
    relay = Relay(settings, db, run_jobs=True)
    await _emit(db, "while-down")
    assert await relay.relay_once() == 1  # claimed, but Redis is not there
    [waiting] = await _pending(db)
    assert waiting.attempts == 1
    assert waiting.last_error.startswith("enqueue failed")

    redis.start()
    try:
        async with db.sessionmaker() as session:  # skip the backoff wait
            row = await session.get(OutboxMessage, waiting.id)
            row.available_at = row.created_at
            await session.commit()
        assert await relay.relay_once() == 1
        # A relay that crashed after enqueueing but before settling hands the same row over again:
        # arq refuses a second job with the same id.
        async with db.sessionmaker() as session:
            again = await session.get(OutboxMessage, waiting.id)
        await relay.dispatcher.dispatch(again)
        await _run_worker_burst(settings)
    finally:
        await relay.stop()
        redis.stop()
    assert RUNS == [("test:while-down", "while-down")]
