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
from typing import Any

from tests.e2e.conftest import Phone
from tests.e2e.helpers import controlled, eventually, sign_in, submit_discount


async def test_approve_from_the_notification_without_opening_the_app(phone: Phone) -> None:
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

    registration_id = await eventually(registered, timeout=20)

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

    payload = await eventually(delivered, timeout=20)
    assert payload["lang"] == "zh-CN" and payload["action_token"]
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live.base_url, "registrationId": registration_id, "data": json.dumps(payload, ensure_ascii=False)},
    )

    worker = context.service_workers[0]

    async def shown() -> list[dict[str, Any]]:
        return await worker.evaluate(
            """async (tag) => (await registration.getNotifications({ tag })).map((n) => ({
                title: n.title, body: n.body, lang: n.lang, actions: n.actions.map((a) => ({ action: a.action, title: a.title })),
                url: n.data && n.data.url }))""",
            payload["tag"],
        )

    [notification] = await eventually(shown)
    assert notification["title"] == payload["title"] and notification["title"].startswith("待审批")
    assert notification["lang"] == "zh-CN"
    assert notification["actions"] == [{"action": "approve", "title": "批准"}, {"action": "reject", "title": "拒绝"}]
    assert notification["url"] == f"/approvals/{asked['id']}"

    # The user taps "批准" on the notification: the worker's notificationclick handler runs with that action.
    pages_before = len(context.pages)
    await worker.evaluate(
        """async (tag) => {
            const [notification] = await registration.getNotifications({ tag });
            dispatchEvent(new NotificationEvent('notificationclick', { notification, action: 'approve' }));
        }""",
        payload["tag"],
    )

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


async def test_tapping_the_notification_opens_the_decision_view(phone: Phone) -> None:
    """Where notifications have no buttons (iOS), a tap opens the decision view."""
    live, page, context = phone.live, phone.page, phone.context
    await context.grant_permissions(["notifications"], origin=live.base_url)
    asked = await submit_discount(live, "rep1", 13)
    await sign_in(phone, "manager1")
    worker = context.service_workers[0]
    payload = {
        "type": "approval.requested", "title": "待审批：折扣", "body": "张伟 提交申请", "url": f"/approvals/{asked['id']}",
        "tag": f"approval:{asked['id']}", "lang": "zh-CN", "actions": [], "data": {"approval_id": asked["id"]},
    }  # fmt: skip
    await worker.evaluate(
        """async (payload) => {
            await registration.showNotification(payload.title, { body: payload.body, tag: payload.tag, data: { url: payload.url } });
            const [notification] = await registration.getNotifications({ tag: payload.tag });
            dispatchEvent(new NotificationEvent('notificationclick', { notification }));
        }""",
        payload,
    )
    await page.wait_for_url(f"**/approvals/{asked['id']}")
    await page.get_by_test_id("approval-figures").get_by_text("折扣 13%").wait_for()
