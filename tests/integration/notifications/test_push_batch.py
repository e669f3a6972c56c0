"""push.send: a transaction's deliveries sent by one job and recorded in group commits, with every answer
handled as push.deliver handles it (a delivery that must wait is handed over to its own push.deliver job)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, select

from api.db.models import OutboxMessage, PushAttempt, PushDelivery, PushSubscription
from api.db.types import utcnow
from api.lib.i18n import t
from api.notifications.service import notify
from tests.integration.notifications.helpers import run_jobs, subscribe
from worker import push, push_batch
from worker.relay import EmbeddedRunner, Relay


async def _notify_twice(db, world) -> None:
    """Two notifications to the manager in one transaction (one job for all their deliveries)."""
    async with db.sessionmaker() as session:
        for n in (1, 2):
            await notify(
                session, org_id=world.acme, user_id=world.manager.user_id, type="approval.requested",
                title=t(f"Approval {n}", f"审批 {n}"), body=t("15% off", "折扣 15%"), url=f"/approvals/{n}",
                tag=f"approval:{n}", urgency="high",
            )  # fmt: skip
        await session.commit()


async def _rows(db, model, *order) -> list:
    async with db.sessionmaker() as session:
        return list((await session.execute(select(model).order_by(*order))).scalars())


async def _attempts_by_delivery(db) -> dict[uuid.UUID, list[tuple[int | None, str]]]:
    found: dict[uuid.UUID, list[tuple[int | None, str]]] = {}
    for a in await _rows(db, PushAttempt, PushAttempt.at):
        found.setdefault(a.delivery_id, []).append((a.status_code, a.outcome))
    return found


async def _settled(db) -> bool:
    return all(d.state != "pending" for d in await _rows(db, PushDelivery, PushDelivery.created_at))


@pytest.fixture
async def relay(settings, db):
    relay = Relay(settings, db, run_jobs=True)
    yield relay
    await relay.stop()


async def test_a_fan_out_is_one_job_and_every_delivery_is_recorded(client, world, db, relay, push_service):
    phones = [(await subscribe(client, world.manager, push_service))[0] for _ in range(3)]
    await _notify_twice(db, world)  # 2 notifications x 3 devices = 6 deliveries
    [job] = await _rows(db, OutboxMessage, OutboxMessage.created_at)
    assert (job.job, len(job.payload["delivery_ids"])) == ("push.send", 6)
    await run_jobs(relay, lambda: _settled(db))
    deliveries = await _rows(db, PushDelivery, PushDelivery.created_at)
    assert [d.state for d in deliveries] == ["sent"] * 6
    assert all(d.attempts == 1 and d.last_status == 201 and d.sent_at is not None for d in deliveries)
    assert sorted(map(len, (await _attempts_by_delivery(db)).values())) == [1] * 6
    for phone in phones:  # each device got both notifications, decrypted by the stand-in
        assert sorted(m.payload["tag"] for m in push_service.messages_for(phone)) == ["approval:1", "approval:2"]
    assert push_service.rejections == []
    assert len(await _rows(db, OutboxMessage, OutboxMessage.created_at)) == 1  # no job per delivery was needed


async def test_a_gone_device_and_a_server_error_in_one_batch(client, world, db, relay, push_service, monkeypatch):
    monkeypatch.setattr(push, "BACKOFF_BASE_S", 0.05)
    live = [(await subscribe(client, world.manager, push_service))[0] for _ in range(2)]
    dropped, dropped_body = await subscribe(client, world.manager, push_service)
    push_service.unsubscribe(dropped)  # 410 from now on
    push_service.fail_next(503)  # exactly one request of the batch, whichever comes first, gets a 503
    await _notify_twice(db, world)  # 6 deliveries: 4 to live devices, 2 to the dropped one
    await run_jobs(relay, lambda: _settled(db))

    deliveries = await _rows(db, PushDelivery, PushDelivery.created_at)
    attempts = await _attempts_by_delivery(db)
    states = sorted(d.state for d in deliveries)
    assert states == ["gone"] * 2 + ["sent"] * 4
    # The 503 went to one delivery, which was handed to its own push.deliver job and then answered 201 (or 410).
    [retried] = [d for d in deliveries if (503, "server_error") in attempts[d.id]]
    assert attempts[retried.id][-1] in ((201, "sent"), (410, "gone"))
    assert retried.attempts == 2
    jobs = {m.job_id: m for m in await _rows(db, OutboxMessage, OutboxMessage.created_at)}
    assert jobs[f"push:{retried.id}"].job == "push.deliver"
    assert len(jobs) == 2  # the push.send job and the one handed-over retry
    others = [d for d in deliveries if d.id != retried.id]
    assert all(len(attempts[d.id]) == 1 for d in others)
    # The dropped device's subscription is deleted; the live ones are kept and got both notifications once each.
    async with db.sessionmaker() as session:
        assert await session.get(PushSubscription, uuid.UUID(dropped_body["id"])) is None
    assert [len(push_service.messages_for(p)) for p in live] == [2, 2]


async def test_running_the_job_again_sends_nothing_twice(client, world, db, settings, push_service):
    await subscribe(client, world.manager, push_service)
    await subscribe(client, world.manager, push_service)
    await _notify_twice(db, world)
    [job] = await _rows(db, OutboxMessage, OutboxMessage.created_at)
    ids = job.payload["delivery_ids"]
    runner = EmbeddedRunner(settings, db)
    try:
        # One delivery already went out through its own job (a retry, say): the batch leaves it alone.
        assert await push.deliver(runner.context(), ids[0]) == "sent"
        assert await push_batch.send(runner.context(job.job_id), ids) == {"sent": 3}
        assert await push_batch.send(runner.context(job.job_id, attempt=2), ids) == {}  # arq ran it twice
    finally:
        await runner.close()
    assert len(push_service.messages) == 4
    assert sorted(map(len, (await _attempts_by_delivery(db)).values())) == [1] * 4


@pytest.mark.parametrize(("group", "commits"), [(1000, 1), (2, 3)])
async def test_results_are_recorded_in_group_commits(
    client, world, db, settings, push_service, monkeypatch, group, commits
):
    monkeypatch.setattr(push_batch, "GROUP", group)
    monkeypatch.setattr(push_batch, "LANES", 1)  # one send at a time: the flushes come at known points
    for _ in range(3):
        await subscribe(client, world.manager, push_service)
    await _notify_twice(db, world)  # 6 deliveries
    [job] = await _rows(db, OutboxMessage, OutboxMessage.created_at)
    seen: list[int] = []
    listener = lambda _conn: seen.append(1)  # noqa: E731
    event.listen(db.engine.sync_engine, "commit", listener)
    runner = EmbeddedRunner(settings, db)
    try:
        assert await push_batch.send(runner.context(job.job_id), job.payload["delivery_ids"]) == {"sent": 6}
    finally:
        event.remove(db.engine.sync_engine, "commit", listener)
        await runner.close()
    # 6 results: with GROUP 1000 all in the final commit; with GROUP 2, flushes start at 2 and 4 results (each
    # taking what gathered while the previous one ran) and the rest goes at the end. A lane does not wait for a
    # flush, so the exact split varies, but never into more than 3 commits or fewer than 2.
    assert len(seen) == commits if group == 1000 else 2 <= len(seen) <= commits
    assert [d.state for d in await _rows(db, PushDelivery, PushDelivery.created_at)] == ["sent"] * 6
    assert sum(map(len, (await _attempts_by_delivery(db)).values())) == 6


async def test_a_device_signed_out_before_the_send_is_cancelled_unsent(client, world, db, relay, push_service):
    kept, _ = await subscribe(client, world.manager, push_service)
    _, gone = await subscribe(client, world.manager, push_service)
    await _notify_twice(db, world)
    response = await client.delete(f"/api/v1/push/subscriptions/{gone['id']}", headers=world.manager.headers)
    assert response.status_code == 204
    await run_jobs(relay, lambda: _settled(db))
    deliveries = await _rows(db, PushDelivery, PushDelivery.created_at)
    assert sorted(d.state for d in deliveries) == ["cancelled", "cancelled", "sent", "sent"]
    assert all(d.attempts == 0 for d in deliveries if d.state == "cancelled")
    assert len(push_service.messages) == 2 and len(push_service.messages_for(kept)) == 2


async def test_what_a_run_has_no_time_left_for_is_queued_again(
    client, world, db, settings, relay, push_service, monkeypatch
):
    await subscribe(client, world.manager, push_service)
    await subscribe(client, world.manager, push_service)
    await _notify_twice(db, world)
    [job] = await _rows(db, OutboxMessage, OutboxMessage.created_at)
    monkeypatch.setattr(push_batch, "RUN_FOR_S", -1.0)  # out of time before the first send
    runner = EmbeddedRunner(settings, db)
    try:
        assert await push_batch.send(runner.context(job.job_id), job.payload["delivery_ids"]) == {}
    finally:
        await runner.close()
    assert push_service.messages == []
    jobs = await _rows(db, OutboxMessage, OutboxMessage.created_at)
    [again] = [m for m in jobs if m.id != job.id]
    assert again.job == "push.send" and sorted(again.payload["delivery_ids"]) == sorted(job.payload["delivery_ids"])
    async with db.sessionmaker() as session:  # the first job is done, as its runner would record
        (await session.get(OutboxMessage, job.id)).dispatched_at = utcnow()
        await session.commit()
    monkeypatch.setattr(push_batch, "RUN_FOR_S", 60.0)
    await run_jobs(relay, lambda: _settled(db))
    assert len(push_service.messages) == 4
    assert sorted(map(len, (await _attempts_by_delivery(db)).values())) == [1] * 4
