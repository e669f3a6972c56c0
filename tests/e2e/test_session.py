"""The sign-in: access tokens renewed with the rotating refresh token; sign-out clears the user's outbox."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.conftest import Phone
from tests.e2e.helpers import outbox, sign_in, submit_discount

SESSION = """() => new Promise((resolve) => {
    const open = indexedDB.open('fieldloop');
    open.onsuccess = () => {
        const read = open.result.transaction('kv').objectStore('kv').get('session');
        read.onsuccess = () => { resolve(read.result || null); open.result.close(); };
    };
})"""


@pytest.mark.access_token_ttl(32)
async def test_an_expiring_access_token_is_renewed_with_the_refresh_token(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    before = await page.evaluate(SESSION)
    await asyncio.sleep(3)  # the app renews 30 s before expiry: a 32 s token is now due
    await page.get_by_role("link", name="商机", exact=True).click()
    await page.get_by_test_id("deal-row").first.wait_for()
    after = await page.evaluate(SESSION)
    assert after["refresh_token"] != before["refresh_token"] and after["access_token"] != before["access_token"]
    # The old refresh token was used once and is spent.
    spent = await phone.live.api(None, "POST", "/auth/refresh", json={"refresh_token": before["refresh_token"]})
    assert spent.status_code == 401


async def test_signing_out_clears_what_waits_after_a_warning(phone: Phone) -> None:
    live, page = phone.live, phone.page
    asked = await submit_discount(live, "rep1", 12)
    await sign_in(phone, "manager1")
    await page.goto(f"/approvals/{asked['id']}")
    await page.get_by_test_id("approval-figures").wait_for()
    await phone.context.set_offline(True)
    await page.get_by_role("button", name="批准").click()
    await page.get_by_test_id("outbox-badge").wait_for()
    assert len(await outbox(phone)) == 1

    warnings: list[str] = []

    async def accept(dialog) -> None:
        warnings.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await page.get_by_role("link", name="设置", exact=True).click()
    await page.get_by_role("button", name="退出登录").click()
    await page.get_by_role("heading", name="登录").wait_for()
    assert warnings and "1 项更改尚未发送" in warnings[0]
    assert await outbox(phone) == []
    assert await page.evaluate(SESSION) is None
    assert not await page.evaluate("caches.has('fieldloop-data')"), "the last-seen answers went with the user"
