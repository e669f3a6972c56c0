"""What a person does on the phone, as steps the tests share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.e2e.conftest import PASSWORD, Live, Phone, email


async def sign_in(phone: Phone, who: str) -> None:
    page = phone.page
    await page.goto("/")
    await page.locator("#email").fill(email(who))
    await page.locator("#password").fill(PASSWORD)
    await page.locator("button[type=submit]").click()
    await page.wait_for_url("**/today")
    await controlled(phone)


async def controlled(phone: Phone) -> None:
    """Waits until the service worker is active and controls the page (it claims it on first install)."""
    await phone.page.wait_for_function(
        "navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller.state === 'activated'",
        timeout=20_000,
    )


async def kept(phone: Phone, *paths: str) -> bool:
    """Whether the service worker keeps a last-seen answer for each API path given (a part of its URL)."""
    urls = await phone.page.evaluate(
        "async () => (await (await caches.open('fieldloop-data')).keys()).map((request) => request.url)"
    )
    return all(any("/api/v1" + path in url for url in urls) for path in paths)


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 15.0, every: float = 0.25) -> Any:
    """Polls ``check`` until it answers something truthy; the last answer otherwise fails the test."""
    deadline = time.monotonic() + within
    while True:
        answer = await check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {within} s: {answer!r}")
        await asyncio.sleep(every)


async def go(phone: Phone, path: str) -> None:
    """Follows an in-app link as a tap would (no page load), falling back to history navigation."""
    await phone.page.evaluate(
        "(path) => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }", path
    )


async def submit_discount(live: Live, rep: str, pct: float = 15.0, note: str = "客户要求折扣") -> dict[str, Any]:
    """A rep asks for a discount on one of their open deals under ¥1,000,000: by the default policies, their
    manager alone decides it (larger deals go on to finance)."""
    deals = await live.ok(rep, "GET", "/opportunities", params={"owner_id": await user_id(live, rep), "limit": 100})
    deal = next(d for d in deals["items"] if d["stage"] not in ("won", "lost") and 0 < d["amount"] < 1_000_000 * 100)
    body = {"subject_type": "discount", "opportunity_id": deal["id"], "discount_pct": pct, "note": note}
    return await live.ok(rep, "POST", "/approvals", json=body)


async def approval_requests(live: Live, subscriber: Any, approval_id: str) -> list[dict[str, Any]]:
    """The pushes asking to decide ``approval_id`` that the push service stand-in received for ``subscriber``."""
    return [
        m.payload
        for m in live.push.messages_for(subscriber)
        if m.payload.get("type") == "approval.requested" and approval_id in m.payload.get("url", "")
    ]


async def user_id(live: Live, who: str) -> str:
    return (await live.ok(who, "GET", "/me"))["id"]


async def outbox(phone: Phone) -> list[dict[str, Any]]:
    """The phone's outbox as stored in IndexedDB."""
    return await phone.page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open('fieldloop');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const read = open.result.transaction('outbox').objectStore('outbox').getAll();
                read.onsuccess = () => { resolve(read.result); open.result.close(); };
                read.onerror = () => reject(read.error);
            };
        })"""
    )
