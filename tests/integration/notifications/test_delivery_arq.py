"""Delivery through arq on Redis: the same job, at least once from arq, once at the push service."""

from __future__ import annotations

import os

import pytest
from arq.worker import Worker
from sqlalchemy import select

from api.db.models import OutboxMessage, PushDelivery
from api.lib.i18n import t
from api.notifications.service import notify
from tests.integration.notifications.helpers import subscribe
from tests.support_redis import PrivateRedis
from worker import push
from worker.arq_worker import worker_settings
from worker.relay import ArqDispatcher, EmbeddedRunner, Relay


def _redis_url() -> str:
    url = os.environ.get("FIELDLOOP_TEST_REDIS_URL")
    if not url:
        pytest.skip("arq tests need FIELDLOOP_TEST_REDIS_URL=redis://127.0.0.1:6379/0 (and redis-server on PATH)")
    return url


async def _burst(settings) -> None:
    """One arq worker process's worth of work, until the queue is empty."""
    options = {k: v for k, v in vars(worker_settings(settings)).items() if not k.startswith("_")}
    worker = Worker(**options, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


async def _approval_requested(db, world) -> None:
    async with db.sessionmaker() as session:
        await notify(
            session, org_id=world.acme, user_id=world.manager.user_id, type="approval.requested",
            title=t("Discount approval", "折扣审批"), body=t("15% off", "折扣 15%"), url="/approvals/7",
            tag="approval:7", actions=[("approve", t("Approve", "批准")), ("reject", t("Reject", "拒绝"))],
            action_token="act-7", urgency="high",
        )  # fmt: skip
        await session.commit()


async def _deliveries(db) -> list[PushDelivery]:
    async with db.sessionmaker() as session:
        return list((await session.execute(select(PushDelivery))).scalars())


async def test_arq_delivers_to_every_device(client, world, db, settings, push_service):
    settings.redis_url = _redis_url()
    phone, _ = await subscribe(client, world.manager, push_service)
    laptop, _ = await subscribe(client, world.manager, push_service)
    await _approval_requested(db, world)
    relay = Relay(settings, db, run_jobs=True)
    assert isinstance(relay.dispatcher, ArqDispatcher)
    try:
        assert await relay.relay_once() == 1  # one push.send job for both devices
        await _burst(settings)
    finally:
        await relay.stop()
    assert [len(push_service.messages_for(s)) for s in (phone, laptop)] == [1, 1]
    assert push_service.messages[0].payload["action_token"] == "act-7"
    assert push_service.messages[0].headers["urgency"] == "high"
    assert {d.state for d in await _deliveries(db)} == {"sent"}


async def test_with_redis_down_during_submission_the_notification_arrives_once_when_it_is_back(
    client, world, db, settings, push_service
):
    _redis_url()
    redis = PrivateRedis()
    settings.redis_url = redis.url
    await subscribe(client, world.manager, push_service)
    await _approval_requested(db, world)  # accepted while Redis is down
    relay = Relay(settings, db, run_jobs=True)
    assert await relay.relay_once() == 1  # claimed, but Redis is not there
    async with db.sessionmaker() as session:
        [waiting] = (await session.execute(select(OutboxMessage))).scalars().all()
    assert waiting.dispatched_at is None and waiting.last_error.startswith("enqueue failed")

    redis.start()
    try:
        async with db.sessionmaker() as session:  # skip the relay's backoff wait
            row = await session.get(OutboxMessage, waiting.id)
            row.available_at = row.created_at
            await session.commit()
        assert await relay.relay_once() == 1
        async with db.sessionmaker() as session:  # a relay that crashed before settling hands it over again
            again = await session.get(OutboxMessage, waiting.id)
        await relay.dispatcher.dispatch(again)  # type: ignore[union-attr]
        await _burst(settings)
        await _burst(settings)
    finally:
        await relay.stop()
        redis.stop()
    # And a worker that died after sending but before arq recorded the result runs the job again:
    [delivery] = await _deliveries(db)
    runner = EmbeddedRunner(settings, db)
    try:
        assert await push.deliver(runner.context(f"push:{delivery.id}", attempt=2), str(delivery.id)) == "sent"
    finally:
        await runner.close()
    assert len(push_service.messages) == 1
    assert push_service.messages[0].payload["type"] == "approval.requested"
