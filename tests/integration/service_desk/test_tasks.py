"""Tasks: the caller's own, open first; closed by their assignee or an admin only, once."""

from __future__ import annotations

from tests.integration.service_desk.helpers import record


async def _complaint(client, world, subject: str) -> dict:
    await record(client, world.rep_a, account_id=world.account_a, kind="complaint", subject=subject)
    tasks = (await client.get("/api/v1/tasks", headers=world.manager.headers)).json()["items"]
    return next(t for t in tasks if t["title"].endswith(subject))


async def test_the_assignee_or_an_admin_closes_a_task_once(client, world):
    first = await _complaint(client, world, "first")
    second = await _complaint(client, world, "second")
    third = await _complaint(client, world, "third")
    # Newest first while all are open.
    listed = (await client.get("/api/v1/tasks", headers=world.manager.headers)).json()["items"]
    assert [t["id"] for t in listed] == [third["id"], second["id"], first["id"]]

    # Someone else's task is out of reach (404), even for the rep whose customer complained.
    for caller in (world.rep_a, world.rep_b, world.outsider):
        response = await client.post(f"/api/v1/tasks/{third['id']}/complete", headers=caller.headers)
        assert response.status_code == 404
    done = await client.post(f"/api/v1/tasks/{third['id']}/complete", headers=world.manager.headers)
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["done_at"] is not None
    assert (await client.post(f"/api/v1/tasks/{third['id']}/cancel", headers=world.manager.headers)).status_code == 409
    cancelled = await client.post(f"/api/v1/tasks/{first['id']}/cancel", headers=world.admin.headers)
    assert cancelled.json()["status"] == "cancelled"

    # Open ones first, then the closed ones, newest first within each.
    listed = (await client.get("/api/v1/tasks", headers=world.manager.headers)).json()["items"]
    assert [(t["id"], t["status"]) for t in listed] == [
        (second["id"], "open"), (third["id"], "done"), (first["id"], "cancelled"),
    ]  # fmt: skip
    # The same order, one page at a time.
    seen, cursor = [], None
    while True:
        query = "/api/v1/tasks?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(query, headers=world.manager.headers)).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [second["id"], third["id"], first["id"]]
    only_open = (await client.get("/api/v1/tasks?status=open", headers=world.manager.headers)).json()["items"]
    assert [t["id"] for t in only_open] == [second["id"]]
    assert (await client.get("/api/v1/tasks?status=late", headers=world.manager.headers)).status_code in (400, 422)
    assert (await client.get("/api/v1/tasks?cursor=%%%", headers=world.manager.headers)).status_code == 422
