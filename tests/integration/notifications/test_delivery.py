"""Web Push delivery end to end: notify(), the outbox relay, the push.deliver job, and a strict push service."""

from __future__ import annotations

import itertools
import uuid

import msgspec
import pytest
from sqlalchemy import select, update

from api.db.models import Notification, PushAttempt, PushDelivery, PushSubscription, User
from api.lib.i18n import t
from api.notifications.payload import MAX_PAYLOAD_BYTES, SHORT_BODY_CHARS
from api.notifications.service import notify
from tests.integration.notifications.helpers import run_jobs, subscribe
from tests.support_redis import free_port
from worker import push
from worker.push import topic_for
from worker.relay import EmbeddedRunner, Relay


async def _notify(db, world, **overrides) -> Notification:
    args = {
        "org_id": world.acme,
        "user_id": world.manager.user_id,
        "type": "approval.requested",
        "title": t("Discount approval: Pudong Logistics", "折扣审批：浦东物流"),
        "body": t("b@acme.test asks for 15% off (¥1,200,000).", "b@acme.test 申请 15% 折扣（¥1,200,000）。"),
        "url": "/approvals/42",
        "tag": "approval:42",
        "actions": [("approve", t("Approve", "批准")), ("reject", t("Reject", "拒绝"))],
        "action_token": "act_" + "k" * 60,
        "data": {"approval_id": "42", "amount": 120_000_000},
        "urgency": "high",
    }
    async with db.sessionmaker() as session:
        notification = await notify(session, **{**args, **overrides})
        await session.commit()
    return notification


async def _deliveries(db) -> list[PushDelivery]:
    async with db.sessionmaker() as session:
        return list((await session.execute(select(PushDelivery).order_by(PushDelivery.created_at))).scalars())


async def _attempts(db, delivery_id: uuid.UUID) -> list[PushAttempt]:
    async with db.sessionmaker() as session:
        stmt = select(PushAttempt).where(PushAttempt.delivery_id == delivery_id).order_by(PushAttempt.at)
        return list((await session.execute(stmt)).scalars())


async def _settled(db) -> bool:
    return all(d.state != "pending" for d in await _deliveries(db))


@pytest.fixture
async def relay(settings, db):
    relay = Relay(settings, db, run_jobs=True)
    assert isinstance(relay.dispatcher, EmbeddedRunner)
    yield relay
    await relay.stop()


async def test_the_approver_receives_a_decryptable_notification_with_its_actions(
    client, world, db, relay, push_service
):
    phone, _ = await subscribe(client, world.manager, push_service)
    tablet, _ = await subscribe(client, world.manager, push_service)
    await _notify(db, world)
    await run_jobs(relay, lambda: len(push_service.messages) == 2)

    [received] = push_service.messages_for(phone)
    assert received.payload == {
        "type": "approval.requested",
        "title": "Discount approval: Pudong Logistics",
        "body": "b@acme.test asks for 15% off (¥1,200,000).",
        "url": "/approvals/42",
        "tag": "approval:42",
        "lang": "en",
        "actions": [{"action": "approve", "title": "Approve"}, {"action": "reject", "title": "Reject"}],
        "action_token": "act_" + "k" * 60,
        "data": {"approval_id": "42", "amount": 120_000_000},
    }
    assert received.headers["urgency"] == "high"
    assert received.headers["topic"] == topic_for("approval:42")
    assert received.headers["content-encoding"] == "aes128gcm"
    assert 86000 < int(received.headers["ttl"]) <= 86400
    assert received.claims["aud"] == push_service.origin  # the port is part of the audience
    assert received.claims["sub"] == "mailto:admin@acme.test"  # the org's admin
    assert len(push_service.messages_for(tablet)) == 1
    assert push_service.rejections == []
    deliveries = await _deliveries(db)
    assert [d.state for d in deliveries] == ["sent", "sent"]
    [attempt] = await _attempts(db, deliveries[0].id)
    assert (attempt.status_code, attempt.outcome) == (201, "sent")


async def test_running_the_job_twice_sends_once(client, world, db, relay, push_service):
    await subscribe(client, world.manager, push_service)
    await _notify(db, world)
    [delivery] = await _deliveries(db)
    runner: EmbeddedRunner = relay.dispatcher  # type: ignore[assignment]
    assert await push.deliver(runner.context(f"push:{delivery.id}"), str(delivery.id)) == "sent"
    assert await push.deliver(runner.context(f"push:{delivery.id}", attempt=2), str(delivery.id)) == "sent"
    await run_jobs(relay, lambda: True)  # and the relayed job itself, a third run
    assert len(push_service.messages) == 1
    assert len(await _attempts(db, delivery.id)) == 1


async def test_a_gone_subscription_is_deleted_and_its_delivery_ends(client, world, db, relay, push_service):
    phone, body = await subscribe(client, world.manager, push_service)
    push_service.unsubscribe(phone)  # the browser dropped it: 410 from now on
    await _notify(db, world)
    await run_jobs(relay, lambda: _settled(db))
    [delivery] = await _deliveries(db)
    assert (delivery.state, delivery.last_status) == ("gone", 410)
    async with db.sessionmaker() as session:
        assert await session.get(PushSubscription, uuid.UUID(body["id"])) is None
    await _notify(db, world)  # nothing left to send to
    assert len(await _deliveries(db)) == 1


@pytest.mark.parametrize("status", [404, 410])
async def test_a_subscription_replaced_during_the_send_survives_a_404_or_410(
    client, world, db, relay, push_service, status
):
    phone, body = await subscribe(client, world.manager, push_service)
    await _notify(db, world)
    [delivery] = await _deliveries(db)
    runner: EmbeddedRunner = relay.dispatcher  # type: ignore[assignment]
    claim = await push._load(runner.context(), delivery.id)
    # Meanwhile the browser subscribes again with the same endpoint (new keys after a reinstall, say).
    again = await client.post("/api/v1/push/subscriptions", json=phone.to_json(), headers=world.manager.headers)
    assert (again.status_code, again.json()["id"], again.json()["version"]) == (200, body["id"], 2)
    push_service.fail_next(status)
    assert await push._send(runner.context(), claim) == "gone"  # type: ignore[arg-type]
    async with db.sessionmaker() as session:
        kept = await session.get(PushSubscription, uuid.UUID(body["id"]))
    assert kept is not None and kept.version == 2


async def test_a_413_is_retried_at_once_with_a_smaller_payload(client, world, db, relay, push_service):
    await subscribe(client, world.manager, push_service)
    push_service.fail_next(413)
    await _notify(db, world, data={"history": ["stage changed"] * 60})
    await run_jobs(relay, lambda: _settled(db))
    [received] = push_service.messages
    assert received.payload["data"] == {}
    assert received.payload["action_token"] == "act_" + "k" * 60
    [delivery] = await _deliveries(db)
    first, second = await _attempts(db, delivery.id)
    assert (first.status_code, first.outcome, second.status_code) == (413, "too_large", 201)
    assert second.payload_bytes < first.payload_bytes
    assert delivery.shrink == 1


async def test_a_stricter_size_limit_gets_a_shorter_body(client, world, db, relay, push_service):
    await subscribe(client, world.manager, push_service)
    push_service.set_max_body(600)
    await _notify(db, world, body=t("Long note. " * 150, "很长的备注。" * 150))
    await run_jobs(relay, lambda: _settled(db))
    [received] = push_service.messages
    assert len(received.payload["body"]) == SHORT_BODY_CHARS
    assert received.payload["body"].endswith("…")
    [delivery] = await _deliveries(db)
    assert [a.status_code for a in await _attempts(db, delivery.id)] == [413, 413, 201]


async def test_a_429_waits_for_retry_after(client, world, db, relay, push_service):
    await subscribe(client, world.manager, push_service)
    push_service.fail_next(429, retry_after="1")
    await _notify(db, world)
    await run_jobs(relay, lambda: _settled(db))
    [delivery] = await _deliveries(db)
    first, second = await _attempts(db, delivery.id)
    assert (first.status_code, first.outcome, second.status_code) == (429, "rate_limited", 201)
    assert (second.at - first.at).total_seconds() >= 1.0
    assert len(push_service.messages) == 1


async def test_server_errors_are_retried_with_backoff(client, world, db, relay, push_service, monkeypatch):
    monkeypatch.setattr(push, "BACKOFF_BASE_S", 0.05)
    await subscribe(client, world.manager, push_service)
    push_service.fail_next(503, times=2)
    await _notify(db, world)
    await run_jobs(relay, lambda: _settled(db))
    [delivery] = await _deliveries(db)
    outcomes = [(a.status_code, a.outcome) for a in await _attempts(db, delivery.id)]
    assert outcomes == [(503, "server_error"), (503, "server_error"), (201, "sent")]
    assert len(push_service.messages) == 1


async def test_server_errors_back_off_until_the_ttl_runs_out(client, world, db, relay, push_service, monkeypatch):
    monkeypatch.setattr(push, "BACKOFF_BASE_S", 0.05)
    await subscribe(client, world.manager, push_service)
    push_service.fail_next(500, times=10_000)
    notification = await _notify(db, world, ttl_s=2)
    await run_jobs(relay, lambda: _settled(db))
    [delivery] = await _deliveries(db)
    attempts = await _attempts(db, delivery.id)
    assert delivery.state == "expired"
    assert len(attempts) >= 3 and {a.status_code for a in attempts} == {500}
    assert attempts[-1].at <= notification.expires_at
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(attempts)]
    assert sum(gaps) < 2.0 and max(gaps) > 0
    assert push_service.messages == []


async def test_network_errors_are_retried_until_the_ttl_runs_out(client, world, db, relay, push_service, monkeypatch):
    monkeypatch.setattr(push, "BACKOFF_BASE_S", 0.05)
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    relay.settings.push_allowed_hosts = (*relay.settings.push_allowed_hosts, closed)
    subscriber = push_service.new_subscriber()
    subscription = {**subscriber.to_json(), "endpoint": f"{closed}/push/{subscriber.id}"}
    response = await client.post("/api/v1/push/subscriptions", json=subscription, headers=world.manager.headers)
    assert response.status_code == 201, response.text
    await _notify(db, world, ttl_s=1)
    await run_jobs(relay, lambda: _settled(db))
    [delivery] = await _deliveries(db)
    attempts = await _attempts(db, delivery.id)
    assert delivery.state == "expired"
    assert len(attempts) >= 2 and {(a.status_code, a.outcome) for a in attempts} == {(None, "network_error")}


async def test_the_payload_stays_within_3_kb_and_speaks_the_users_language(client, world, db, relay, push_service):
    async with db.sessionmaker() as session:
        await session.execute(update(User).where(User.id == world.manager.user_id).values(locale="zh-CN"))
        await session.commit()
    await subscribe(client, world.manager, push_service)
    await _notify(
        db, world, body=t("A long story. " * 400, "客户希望在季度末前签约，" * 400), data={"history": ["x" * 80] * 40}
    )
    await run_jobs(relay, lambda: _settled(db))
    [received] = push_service.messages
    payload = received.payload
    assert len(msgspec.json.encode(payload)) <= MAX_PAYLOAD_BYTES
    assert (payload["lang"], payload["title"]) == ("zh-CN", "折扣审批：浦东物流")
    assert payload["body"].startswith("客户希望在季度末前签约") and payload["body"].endswith("…")
    assert [a["title"] for a in payload["actions"]] == ["批准", "拒绝"]
    assert (payload["type"], payload["url"], payload["action_token"]) == (
        "approval.requested",
        "/approvals/42",
        "act_" + "k" * 60,
    )


async def test_a_name_that_now_points_somewhere_private_is_not_fetched(
    client, world, db, relay, push_service, monkeypatch
):
    from api.notifications import endpoints

    answers = {"push.example.com": ["93.184.215.14"]}

    async def dns(host: str, port: int) -> list[str]:
        return answers[host]

    monkeypatch.setattr(endpoints, "system_resolver", dns)
    monkeypatch.setattr(endpoints, "DNS_CACHE_S", 0.0)
    settings = relay.settings
    settings.push_allowed_hosts = (*settings.push_allowed_hosts, "push.example.com")
    subscriber = push_service.new_subscriber()
    subscription = {**subscriber.to_json(), "endpoint": "https://push.example.com/push/" + subscriber.id}
    response = await client.post("/api/v1/push/subscriptions", json=subscription, headers=world.manager.headers)
    assert response.status_code == 201, response.text
    answers["push.example.com"] = ["10.0.0.7"]  # DNS rebinding between subscribe and send
    await _notify(db, world)
    await run_jobs(relay, lambda: _settled(db))
    [delivery] = await _deliveries(db)
    [attempt] = await _attempts(db, delivery.id)
    assert (delivery.state, attempt.outcome, attempt.detail) == ("failed", "refused", "private_address")
    assert push_service.statuses == []  # no request left the server
