"""For you: a complaint on a rep's customer puts a task on their manager's Today, closed there with one tap."""

from __future__ import annotations

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, sign_in, user_id


async def test_a_complaint_becomes_a_task_the_manager_closes_from_today(phone: Phone) -> None:
    live, page = phone.live, phone.page
    rep = await user_id(live, "rep1")
    accounts = await live.ok("rep1", "GET", "/accounts", params={"owner_id": rep, "limit": 1})
    complaint = {
        "account_id": accounts["items"][0]["id"],
        "kind": "complaint",
        "severity": "high",
        "subject": "交付延迟两周 Delivery two weeks late",
    }
    await live.ok("rep1", "POST", "/support-cases", json=complaint)
    tasks = await live.ok("manager1", "GET", "/tasks", params={"status": "open"})
    [task] = [k for k in tasks["items"] if k["account_id"] == complaint["account_id"]]

    await sign_in(phone, "manager1")
    section = page.get_by_test_id("followups")
    row = section.get_by_test_id("task").filter(has_text=task["title"])
    await row.wait_for()
    await phone.shot("20-today-followups")
    await row.get_by_role("button", name="完成").click()
    await row.wait_for(state="detached")

    async def done() -> bool:
        return (await live.ok("manager1", "GET", f"/tasks/{task['id']}"))["status"] == "done"

    await eventually(done)
