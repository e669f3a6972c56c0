"""Steps the notification tests share: a browser subscribing, and running jobs until something holds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from litestar.testing import AsyncTestClient

from tests.conftest import Caller
from tests.support_push_service import PushServiceStandIn, Subscriber
from worker.relay import Relay


async def subscribe(
    client: AsyncTestClient, caller: Caller, service: PushServiceStandIn
) -> tuple[Subscriber, dict[str, object]]:
    """A browser subscribing as ``caller``: with the server's key, as the PWA would."""
    key = (await client.get("/api/v1/push/key", headers=caller.headers)).json()["public_key"]
    subscriber = service.new_subscriber(application_server_key=key)
    response = await client.post("/api/v1/push/subscriptions", json=subscriber.to_json(), headers=caller.headers)
    assert response.status_code == 201, response.text
    return subscriber, response.json()


async def run_jobs(relay: Relay, until: Callable[[], Awaitable[bool] | bool], timeout_s: float = 15.0) -> None:
    """Relay and run jobs until ``until()`` holds (jobs that asked to be retried come due on their own)."""
    deadline = time.monotonic() + timeout_s
    while True:
        await relay.relay_once()
        await relay.dispatcher.drain()  # type: ignore[union-attr]
        done = until()
        if not isinstance(done, bool):
            done = await done
        if done:
            return
        if time.monotonic() > deadline:
            raise AssertionError("jobs did not finish in time")
        await asyncio.sleep(0.02)
