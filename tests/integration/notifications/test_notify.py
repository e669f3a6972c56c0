"""notify(): the notification, one delivery and one outbox job per device, all in the caller's transaction."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from api.db.models import AuthSession, Notification, OutboxMessage, PushDelivery, PushSubscription, User
from api.db.types import utcnow
from api.lib.i18n import t
from api.notifications.service import notify


async def _subscribe(session, user_id: uuid.UUID, org_id: uuid.UUID, *, revoked: bool = False) -> uuid.UUID:
    sign_in = AuthSession(id=uuid.uuid4(), org_id=org_id, user_id=user_id, revoked_at=utcnow() if revoked else None)
    session.add(sign_in)
    await session.flush()
    subscription = PushSubscription(
        id=uuid.uuid4(), org_id=org_id, user_id=user_id, session_id=sign_in.id,
        endpoint_hash=uuid.uuid4().hex, endpoint=f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4()}",
        p256dh="p", auth="a",
    )  # fmt: skip
    session.add(subscription)
    await session.flush()
    return subscription.id


async def _notify(session, world, **overrides):
    args = {
        "org_id": world.acme,
        "user_id": world.manager.user_id,
        "type": "approval.requested",
        "title": t("Discount approval: {name}", "折扣审批：{name}"),
        "body": t("15% off, ¥1,200,000", "折扣 15%，金额 ¥1,200,000"),
        "url": "/approvals/1",
        "tag": "approval:1",
        "actions": [("approve", t("Approve", "批准")), ("reject", t("Reject", "拒绝"))],
        "action_token": "token-1",
        "data": {"approval_id": uuid.UUID(int=1)},
        "urgency": "high",
    }
    return await notify(session, **{**args, **overrides})


async def _count(session, model) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_each_current_device_gets_a_delivery_sent_by_the_transactions_job(db, world):
    async with db.sessionmaker() as session:
        first = await _subscribe(session, world.manager.user_id, world.acme)
        second = await _subscribe(session, world.manager.user_id, world.acme)
        await _subscribe(session, world.manager.user_id, world.acme, revoked=True)  # signed out elsewhere
        await _subscribe(session, world.rep_a.user_id, world.acme)  # someone else's phone
        notification = await _notify(session, world)
        await session.commit()
    async with db.sessionmaker() as session:
        deliveries = (await session.execute(select(PushDelivery))).scalars().all()
        jobs = (await session.execute(select(OutboxMessage))).scalars().all()
        stored = await session.get(Notification, notification.id)
    assert {d.subscription_id for d in deliveries} == {first, second}
    assert all(d.state == "pending" and d.notification_id == notification.id for d in deliveries)
    [job] = jobs  # one job sends both devices' deliveries
    assert job.job == "push.send" and job.job_id.startswith("push.send:")
    assert sorted(job.payload["delivery_ids"]) == sorted(str(d.id) for d in deliveries)
    assert stored.data == {"approval_id": str(uuid.UUID(int=1))}
    assert stored.urgency == "high"
    assert (stored.expires_at - stored.created_at).total_seconds() == 86400


async def test_one_transaction_queues_one_job_and_the_next_transaction_its_own(db, world, monkeypatch):
    from api.notifications import service

    monkeypatch.setattr(service, "SEND_BATCH", 3)
    async with db.sessionmaker() as session:
        await _subscribe(session, world.manager.user_id, world.acme)
        await _subscribe(session, world.manager.user_id, world.acme)
        await _subscribe(session, world.rep_a.user_id, world.acme)
        # 2 + 1 + 2 = 5 deliveries in one transaction: a job of 3 (the batch limit) and a job of 2.
        await _notify(session, world)
        await _notify(session, world, user_id=world.rep_a.user_id)
        await _notify(session, world, tag="approval:2")
        await session.commit()
        first = (await session.execute(select(PushDelivery.id))).scalars().all()
        await _notify(session, world, tag="approval:3")  # the same session, a new transaction: 2 more, a new job
        await session.commit()
    async with db.sessionmaker() as session:
        deliveries = (await session.execute(select(PushDelivery.id))).scalars().all()
        jobs = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.created_at))).scalars().all()
    batches = sorted((m.payload["delivery_ids"] for m in jobs), key=len, reverse=True)
    assert [len(b) for b in batches] == [3, 2, 2]
    assert sorted(i for b in batches for i in b) == sorted(str(d) for d in deliveries)  # each exactly once
    later = {str(d) for d in deliveries} - {str(d) for d in first}
    assert set(batches[1]) == later or set(batches[2]) == later  # the second transaction's own job
    assert len(set(m.job_id for m in jobs)) == 3


async def test_a_user_without_devices_queues_no_job(db, world):
    async with db.sessionmaker() as session:
        await _notify(session, world)
        await session.commit()
    async with db.sessionmaker() as session:
        assert await _count(session, Notification) == 1
        assert await _count(session, OutboxMessage) == 0


async def test_texts_are_rendered_in_the_recipients_language(db, world):
    async with db.sessionmaker() as session:
        await session.execute(update(User).where(User.id == world.manager.user_id).values(locale="zh-CN"))
        zh = await _notify(session, world)
        en = await _notify(session, world, user_id=world.rep_a.user_id)
        await session.commit()
    assert (zh.lang, zh.title, zh.body) == ("zh-CN", "折扣审批：{name}", "折扣 15%，金额 ¥1,200,000")
    assert zh.actions == [{"action": "approve", "title": "批准"}, {"action": "reject", "title": "拒绝"}]
    assert (en.lang, en.body, en.actions[0]["title"]) == ("en", "15% off, ¥1,200,000", "Approve")


async def test_nothing_is_queued_when_the_callers_transaction_rolls_back(db, world):
    async with db.sessionmaker() as session:
        await _subscribe(session, world.manager.user_id, world.acme)
        await session.commit()
    async with db.sessionmaker() as session:
        await _notify(session, world)
        assert session.in_transaction()  # notify() never commits on its own
        await session.rollback()
    async with db.sessionmaker() as session:
        assert await _count(session, Notification) == 0
        assert await _count(session, PushDelivery) == 0
        assert await _count(session, OutboxMessage) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "Approval Requested"},
        {"urgency": "urgent"},
        {"ttl_s": 0},
        {"url": ""},
        {"actions": [("a", t("A", "A"))] * 4},
        {"org_id": uuid.uuid4()},
    ],
)
async def test_arguments_no_notification_can_carry_are_refused(db, world, overrides):
    async with db.sessionmaker() as session:
        with pytest.raises(ValueError):
            await _notify(session, world, **overrides)


async def test_expired_tokens_and_old_notifications_are_purged(db, world, settings):
    from datetime import timedelta

    from worker.push import purge
    from worker.relay import EmbeddedRunner

    async with db.sessionmaker() as session:
        await _subscribe(session, world.manager.user_id, world.acme)
        expired = await _notify(session, world)
        old = await _notify(session, world, tag="approval:old")
        current = await _notify(session, world, tag="approval:current")
        await session.flush()
        await session.execute(
            update(Notification).where(Notification.id == expired.id).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        long_ago = utcnow() - timedelta(days=91)
        await session.execute(
            update(Notification).where(Notification.id == old.id).values(created_at=long_ago, expires_at=long_ago)
        )
        await session.commit()
    runner = EmbeddedRunner(settings, db)
    try:
        assert await purge(runner.context()) == {"tokens": 2, "notifications": 1}
    finally:
        await runner.close()
    async with db.sessionmaker() as session:
        rows = {n.id: n for n in (await session.execute(select(Notification))).scalars()}
        deliveries = (await session.execute(select(PushDelivery))).scalars().all()
    assert set(rows) == {expired.id, current.id}
    assert rows[expired.id].action_token is None and rows[current.id].action_token == "token-1"
    assert {d.notification_id for d in deliveries} == {expired.id, current.id}
