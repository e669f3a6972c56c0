"""Settings: the notifications switch subscribes this phone with the server's VAPID key, and unsubscribes it.

Headless Chromium has no push service of its own, so the page's PushManager is given the push service
stand-in's subscription (as a phone's browser would get one from its vendor's service): `subscribe()` hands it
out only for the server's application server key, `getSubscription()` keeps it across reloads, and
`unsubscribe()` drops it. Everything after that is real: the app's own code posts and deletes the subscription
on the server, and the server encrypts approvals to it and sends them to the stand-in, which decrypts them.
"""

from __future__ import annotations

import asyncio
import json

from tests.e2e.conftest import Phone
from tests.e2e.helpers import approval_requests, eventually, sign_in, submit_discount

# The browser's side of push, backed by the stand-in's subscription (`SUBSCRIPTION` is its toJSON()).
BROWSER_PUSH = """(() => {
  const SUBSCRIPTION = %s;
  const SERVER_KEY = %s;
  const KEPT = 'e2e.push-subscription';
  const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')
    + '='.repeat((4 - text.length %% 4) %% 4)), (c) => c.charCodeAt(0)).buffer;
  const subscription = () => ({
    endpoint: SUBSCRIPTION.endpoint,
    options: { userVisibleOnly: true, applicationServerKey: bytes(SERVER_KEY) },
    toJSON: () => SUBSCRIPTION,
    unsubscribe: async () => { localStorage.removeItem(KEPT); return true; },
  });
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem(KEPT) ? subscription() : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    if (!options || !options.userVisibleOnly || b64url(options.applicationServerKey) !== SERVER_KEY) {
      throw new DOMException('not the key this subscription was made for', 'InvalidAccessError');
    }
    localStorage.setItem(KEPT, '1');
    return subscription();
  };
})();"""


async def test_the_notifications_switch_subscribes_and_unsubscribes_this_phone(phone: Phone) -> None:
    live, page, context = phone.live, phone.page, phone.context
    await context.grant_permissions(["notifications"], origin=live.base_url)
    key = (await live.ok("manager1", "GET", "/push/key"))["public_key"]
    this_phone = live.push.new_subscriber(application_server_key=key)
    await context.add_init_script(BROWSER_PUSH % (json.dumps(this_phone.to_json()), json.dumps(key)))

    await sign_in(phone, "manager1")
    await page.get_by_role("link", name="设置", exact=True).click()
    switch = page.get_by_role("switch", name="通知")
    assert not await switch.is_checked()
    await switch.check()
    await page.get_by_text("通知已开启。").wait_for()
    await phone.shot("17-settings-notifications-on")

    # On: an approval for the manager reaches this phone's subscription, encrypted to its keys.
    first = await submit_discount(live, "rep1", 16)
    await eventually(lambda: approval_requests(live, this_phone, first["id"]), within=20)
    await page.reload()
    await page.get_by_role("switch", name="通知", checked=True).wait_for()
    await live.ok("rep1", "POST", f"/approvals/{first['id']}/recall")

    # Off: the server forgets the subscription. Another device of the manager's still gets the next request,
    # which shows the fan-out ran; this phone gets none.
    await switch.uncheck()
    await page.get_by_text("通知已关闭。").wait_for()
    other_device = live.push.new_subscriber(application_server_key=key)
    await live.ok("manager1", "POST", "/push/subscriptions", json=other_device.to_json())
    second = await submit_discount(live, "rep1", 17)
    await eventually(lambda: approval_requests(live, other_device, second["id"]), within=20)
    await asyncio.sleep(1)  # one fan-out sends to every subscription of the manager together
    assert await approval_requests(live, this_phone, second["id"]) == []
