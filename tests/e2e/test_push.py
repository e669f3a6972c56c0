"""Push: a real encrypted notification reaches the service worker, which shows it with its actions; its
Approve action decides the request from the worker itself, without opening the app.

The path is the production one up to the phone: the rep asks for a discount, the server encrypts the payload
for the manager's subscription and sends it to the push service stand-in, which checks VAPID and decrypts it
as a browser vendor's push service would. Headless Chromium has no push service of its own to subscribe to,
so the subscription registered with the server is the stand-in's (its keys), and the decrypted message is
handed to the page's service worker through the DevTools protocol (ServiceWorker.deliverPushMessage), as the
browser does when its push service delivers.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from tests.e2e.conftest import Phone
from tests.e2e.helpers import approval_requests, controlled, eventually, sign_in, submit_discount


@dataclass
class Pushed:
    """An approval request pushed to the manager's phone: the decrypted payload, shown by the worker."""

    asked: dict[str, Any]
    payload: dict[str, Any]
    worker: Any

    async def shown(self) -> list[dict[str, Any]]:
        return await self.worker.evaluate(
            """async (tag) => (await registration.getNotifications({ tag })).map((n) => ({
                title: n.title, body: n.body, lang: n.lang, url: n.data && n.data.url,
                actions: n.actions.map((a) => ({ action: a.action, title: a.title })) }))""",
            self.payload["tag"],
        )

    async def tap(self, action: str) -> None:
        """The user taps the notification's button: the worker's notificationclick handler runs with it."""
        await self.worker.evaluate(
            """async ([tag, action]) => {
                const [notification] = await registration.getNotifications({ tag });
                dispatchEvent(new NotificationEvent('notificationclick', { notification, action }));
            }""",
            [self.payload["tag"], action],
        )


async def push_an_approval_to_the_manager(phone: Phone) -> Pushed:
    live, page, context = phone.live, phone.page, phone.context
    await context.grant_permissions(["notifications"], origin=live.base_url)

    # The ServiceWorker domain is enabled before the page loads, to learn the worker's registration id.
    cdp = await context.new_cdp_session(page)
    registrations: dict[str, str] = {}

    def on_registration(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if not registration.get("isDeleted"):
                registrations[registration["scopeURL"]] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", on_registration)
    await cdp.send("ServiceWorker.enable")
    await sign_in(phone, "manager1")
    await controlled(phone)

    async def registered() -> str | None:
        return registrations.get(live.base_url + "/")

    registration_id = await eventually(registered, within=20)

    # The manager's device subscription, as the browser's PushSubscription.toJSON() would give it.
    key = (await live.ok("manager1", "GET", "/push/key"))["public_key"]
    subscriber = live.push.new_subscriber(application_server_key=key)
    await live.ok("manager1", "POST", "/push/subscriptions", json=subscriber.to_json())

    asked = await submit_discount(live, "rep1", 16, "需要本周内确认")

    async def delivered() -> dict[str, Any] | None:
        for message in live.push.messages_for(subscriber):
            if message.payload.get("type") == "approval.requested":
                return message.payload
        return None

    payload = await eventually(delivered, within=20)
    assert payload["lang"] == "zh-CN" and payload["action_token"]
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live.base_url, "registrationId": registration_id, "data": json.dumps(payload, ensure_ascii=False)},
    )
    return Pushed(asked, payload, context.service_workers[0])


async def test_approve_from_the_notification_without_opening_the_app(phone: Phone) -> None:
    live, context = phone.live, phone.context
    pushed = await push_an_approval_to_the_manager(phone)
    asked, payload, shown = pushed.asked, pushed.payload, pushed.shown

    [notification] = await eventually(shown)
    assert notification["title"] == payload["title"] and notification["title"].startswith("待审批")
    assert notification["lang"] == "zh-CN"
    assert notification["actions"] == [{"action": "approve", "title": "批准"}, {"action": "reject", "title": "拒绝"}]
    assert notification["url"] == f"/approvals/{asked['id']}"

    # The user taps "批准" on the notification.
    pages_before = len(context.pages)
    await pushed.tap("approve")

    async def approved() -> dict[str, Any] | None:
        approval = await live.ok("manager1", "GET", f"/approvals/{asked['id']}")
        return approval if approval["state"] == "approved" else None

    approval = await eventually(approved)
    assert [d["decision"] for d in approval["decisions"]] == ["approve"]
    # The worker confirms with a notification in the same place, and no window was opened for it.
    [confirmation] = await eventually(shown)
    assert confirmation["title"] == "✓ 已批准"
    await asyncio.sleep(0.5)
    assert len(context.pages) == pages_before


async def test_reject_from_the_notification_asks_for_the_reason(phone: Phone) -> None:
    """Rejecting needs a reason, which a notification button cannot give: the server refuses, nothing changes,
    and the worker says so with a notification that opens the decision view at the reason field."""
    live, page = phone.live, phone.page
    pushed = await push_an_approval_to_the_manager(phone)
    await eventually(pushed.shown)
    await pushed.tap("reject")

    async def asked_for_reason() -> list[dict[str, Any]]:
        return [n for n in await pushed.shown() if n["title"].startswith("拒绝需要填写理由")]

    [notice] = await eventually(asked_for_reason)
    assert notice["url"] == f"/approvals/{pushed.asked['id']}?decision=reject"
    assert (await live.ok("manager1", "GET", f"/approvals/{pushed.asked['id']}"))["state"] == "pending"
    await pushed.worker.evaluate(
        """async (tag) => {
            const [notification] = await registration.getNotifications({ tag });
            dispatchEvent(new NotificationEvent('notificationclick', { notification }));
        }""",
        pushed.payload["tag"],
    )
    await page.wait_for_url("**/approvals/*?decision=reject")
    await page.get_by_role("alert").get_by_text("请填写理由").wait_for()
    await page.get_by_label("审批意见").fill("价格低于底线")
    await page.get_by_role("button", name="拒绝").click()

    async def rejected() -> dict[str, Any] | None:
        approval = await live.ok("manager1", "GET", f"/approvals/{pushed.asked['id']}")
        return approval if approval["state"] == "rejected" else None

    assert (await eventually(rejected))["decisions"][0]["comment"] == "价格低于底线"


async def test_tapping_the_notification_opens_the_decision_view(phone: Phone) -> None:
    """Where notifications have no buttons (iOS), a tap opens the decision view."""
    live, page, context = phone.live, phone.page, phone.context
    await context.grant_permissions(["notifications"], origin=live.base_url)
    asked = await submit_discount(live, "rep1", 13)
    await sign_in(phone, "manager1")
    worker = context.service_workers[0]
    payload = {
        "title": "待审批：折扣",
        "body": "张伟 提交申请",
        "url": f"/approvals/{asked['id']}",
        "tag": f"approval:{asked['id']}",
    }
    await worker.evaluate(
        """async (payload) => {
            const options = { body: payload.body, tag: payload.tag, data: { url: payload.url } };
            await registration.showNotification(payload.title, options);
            const [notification] = await registration.getNotifications({ tag: payload.tag });
            dispatchEvent(new NotificationEvent('notificationclick', { notification }));
        }""",
        payload,
    )
    await page.wait_for_url(f"**/approvals/{asked['id']}")
    await page.get_by_test_id("approval-figures").get_by_text("折扣 13%").wait_for()


# What the app keeps in IndexedDB once notifications are on (src/lib/push-core.js): the switch and the
# subscription the server knows, by id and endpoint.
REMEMBER = """([enabled, saved]) => new Promise((resolve, reject) => {
    const open = indexedDB.open('fieldloop');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const tx = open.result.transaction('kv', 'readwrite');
        tx.objectStore('kv').put(enabled, 'push-enabled');
        tx.objectStore('kv').put(saved, 'push-subscription');
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
    };
})"""


async def test_a_replaced_subscription_is_renewed_with_the_server(phone: Phone) -> None:
    """The browser replaces the subscription (pushsubscriptionchange): the worker tells the server about the
    new one and drops the old one, so the next approval reaches the phone through the new subscription only."""
    live, context = phone.live, phone.context
    await context.grant_permissions(["notifications"], origin=live.base_url)
    await sign_in(phone, "manager1")
    worker = context.service_workers[0]
    key = (await live.ok("manager1", "GET", "/push/key"))["public_key"]
    old = live.push.new_subscriber(application_server_key=key)
    saved = await live.ok("manager1", "POST", "/push/subscriptions", json=old.to_json())
    await worker.evaluate(REMEMBER, [True, {"id": saved["id"], "endpoint": old.to_json()["endpoint"]}])

    new = live.push.new_subscriber(application_server_key=key)
    await worker.evaluate(
        """(json) => {
            const event = new ExtendableEvent('pushsubscriptionchange');
            Object.defineProperty(event, 'oldSubscription', { value: null });
            Object.defineProperty(event, 'newSubscription', { value: { endpoint: json.endpoint, toJSON: () => json } });
            dispatchEvent(event);
        }""",
        new.to_json(),
    )

    async def renewed() -> dict[str, Any] | None:
        kept = await worker.evaluate(
            """() => new Promise((resolve) => {
                const open = indexedDB.open('fieldloop');
                open.onsuccess = () => {
                    const read = open.result.transaction('kv').objectStore('kv').get('push-subscription');
                    read.onsuccess = () => { resolve(read.result || null); open.result.close(); };
                };
            })"""
        )
        return kept if kept and kept["endpoint"] == new.to_json()["endpoint"] else None

    kept = await eventually(renewed)
    assert kept["id"] and kept["id"] != saved["id"]

    asked = await submit_discount(live, "rep1", 15)

    await eventually(lambda: approval_requests(live, new, asked["id"]), within=20)
    await asyncio.sleep(1)  # the fan-out to every subscription of the manager happens together
    assert await approval_requests(live, old, asked["id"]) == [], "the replaced subscription was dropped on the server"
