"""End to end: a rep asks for a discount over HTTP, the manager's phone gets a notification it can decrypt, its
Approve action decides the request without a sign-in, and the rep's phone is told. Once through the embedded
runner and once through arq on Redis, each time against the strict push service stand-in."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import msgspec
import pytest
from arq.worker import Worker

from api.settings import Settings
from tests.integration.approvals.helpers import submit
from tests.integration.notifications.helpers import run_jobs, subscribe
from tests.support_push_service import PushServiceStandIn, Subscriber
from worker.arq_worker import worker_settings
from worker.relay import Relay

REDIS_URL = os.environ.get("FIELDLOOP_TEST_REDIS_URL")


@pytest.fixture(autouse=True)
def push_service(settings: Settings) -> Iterator[PushServiceStandIn]:
    """Allowed by its loopback origin before the app is built; the test drives the relay itself."""
    with PushServiceStandIn() as service:
        settings.push_allowed_hosts = (*settings.push_allowed_hosts, service.origin)
        settings.embedded_worker = False
        yield service


class Queue:
    """Relays the outbox and runs the jobs: in process, or through arq with a worker in burst mode."""

    def __init__(self, settings: Settings, db, kind: str) -> None:
        self.kind = kind
        self.settings = msgspec.structs.replace(settings, redis_url=REDIS_URL if kind == "arq" else None)
        self.relay = Relay(self.settings, db, run_jobs=True)

    async def run_until(self, condition) -> None:
        if self.kind == "embedded":
            await run_jobs(self.relay, condition)
            return
        for _ in range(50):
            await self.relay.relay_once()
            worker = Worker(**_options(self.settings), burst=True)
            try:
                await worker.main()
            finally:
                await worker.close()
            if condition():
                return
        raise AssertionError("arq did not deliver in time")


def _options(settings: Settings) -> dict[str, object]:
    return {k: v for k, v in vars(worker_settings(settings)).items() if not k.startswith("_")}


@pytest.fixture(params=["embedded", "arq"])
async def queue(request: pytest.FixtureRequest, settings: Settings, db) -> AsyncIterator[Queue]:
    if request.param == "arq" and not REDIS_URL:
        pytest.skip("the arq flow needs FIELDLOOP_TEST_REDIS_URL=redis://127.0.0.1:6379/0 (a running redis-server)")
    queue = Queue(settings, db, request.param)
    yield queue
    await queue.relay.stop()


def _received(service: PushServiceStandIn, phone: Subscriber, type: str) -> list[dict]:
    return [m.payload for m in service.messages_for(phone) if m.payload.get("type") == type]


async def test_a_discount_is_approved_from_the_notification(client, org, push_service, queue):
    world = org.world
    manager_phone, _ = await subscribe(client, world.manager, push_service)
    rep_phone, _ = await subscribe(client, world.rep_a, push_service)

    approval = await submit(
        client, world.rep_a, org.opportunity["id"], discount_pct=15, note="Competitor is 12 % lower"
    )
    await queue.run_until(lambda: bool(_received(push_service, manager_phone, "approval.requested")))
    [asked] = _received(push_service, manager_phone, "approval.requested")
    assert asked["tag"] == f"approval:{approval['id']}" and asked["url"] == f"/approvals/{approval['id']}"
    assert asked["lang"] == "en" and asked["title"].startswith("Approval needed")
    assert asked["actions"] == [{"action": "approve", "title": "Approve"}, {"action": "reject", "title": "Reject"}]
    assert asked["data"]["approval_id"] == approval["id"]
    [message] = [m for m in push_service.messages_for(manager_phone)]
    assert message.headers["urgency"] == "high"

    response = await client.post(
        "/api/v1/approvals/actions", json={"token": asked["action_token"], "decision": "approve"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "approved"
    await queue.run_until(lambda: bool(_received(push_service, rep_phone, "approval.decided")))
    [told] = _received(push_service, rep_phone, "approval.decided")
    assert told["title"].startswith("Approved") and told["data"]["state"] == "approved"
    assert told["tag"] == asked["tag"]

    replay = await client.post(
        "/api/v1/approvals/actions", json={"token": asked["action_token"], "decision": "approve"}
    )
    assert replay.status_code == 409
    assert push_service.rejections == []
    assert len(push_service.messages_for(manager_phone)) == 1 and len(push_service.messages_for(rep_phone)) == 1
