"""A new version of the app announces itself and takes over only when the user says so."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, sign_in


@pytest.mark.own_dist
async def test_a_new_version_waits_for_the_users_word(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    [shell] = [c for c in await page.evaluate("caches.keys()") if c.startswith("fieldloop-shell-")]
    version = shell.removeprefix("fieldloop-shell-")
    worker = phone.live.dist / "sw.js"
    # The server gets a new build: the same worker under another version.
    assert version in worker.read_text()
    worker.write_text(worker.read_text().replace(version, "2-" + version))
    await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    banner = page.locator(".banner", has_text="Fieldloop 有新版本")
    await banner.wait_for(timeout=20_000)
    # Until the user taps Update, the old version keeps the page.
    assert await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => Boolean(r.waiting))")
    shells = [c for c in await page.evaluate("caches.keys()") if c.startswith("fieldloop-shell")]
    assert len(shells) == 2, "the new version is precached beside the old one, which still serves"
    await phone.shot("11-update-ready")

    async with page.expect_event("load"):
        await banner.get_by_role("button", name="立即更新").click()
    await page.wait_for_function("navigator.serviceWorker.controller?.state === 'activated'")

    async def shells() -> list[str]:
        return [c for c in await page.evaluate("caches.keys()") if c.startswith("fieldloop-shell")]

    # The new version's shell replaced the old one: old caches are removed on activate.
    assert await eventually(lambda: _only_new(shells)), await shells()
    assert await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !r.waiting)")


async def _only_new(shells) -> bool:
    names = await shells()
    return len(names) == 1 and names[0].startswith("fieldloop-shell-2-")
