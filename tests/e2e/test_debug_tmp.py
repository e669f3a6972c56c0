from tests.e2e.conftest import Phone
from tests.e2e.helpers import sign_in, outbox, submit_discount
import asyncio

async def test_debug(phone: Phone) -> None:
    live, page = phone.live, phone.page
    asked = await submit_discount(live, "rep1", 15, "竞品报价低 12%")
    await sign_in(phone, "manager1")
    await page.goto(f"/approvals/{asked['id']}")
    await page.get_by_role("button", name="批准").click()
    await asyncio.sleep(3)
    print("OUTBOX", await outbox(phone))
    print("STATE", (await live.ok("manager1", "GET", f"/approvals/{asked['id']}"))["state"])
    print("CONSOLE", phone.console)
    assert False
