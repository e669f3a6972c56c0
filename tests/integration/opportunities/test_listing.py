"""The list endpoint reads on the raw driver; what it returns must match the ORM view of the same deals."""

from tests.integration.opportunities.helpers import create


async def test_list_items_match_the_single_resource_view(client, world):
    created = [
        await create(
            client, world.rep_a, world.account_a, name=f"deal {i}", competitors=["SAP", "用友"] if i % 2 else []
        )
        for i in range(5)
    ]
    listed = (await client.get("/api/v1/opportunities", headers=world.rep_a.headers)).json()["items"]
    assert [i["id"] for i in listed] == [c["id"] for c in reversed(created)]
    for item in listed:
        full = (await client.get(f"/api/v1/opportunities/{item['id']}", headers=world.rep_a.headers)).json()
        for field, value in item.items():
            if field in ("created_at", "updated_at"):  # the same instant; fractional digits may be written differently
                assert value[:19] == full[field][:19]
            else:
                assert value == full[field], field


async def test_cursor_pages_through_everything_once(client, world):
    ids = {(await create(client, world.rep_a, world.account_a, name=f"deal {i}"))["id"] for i in range(7)}
    seen: list[str] = []
    cursor = None
    while True:
        url = "/api/v1/opportunities?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=world.rep_a.headers)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == ids
    assert (await client.get("/api/v1/opportunities?cursor=garbage", headers=world.rep_a.headers)).status_code == 422


async def test_filters_narrow_the_list(client, world):
    await create(client, world.manager, world.account_a, owner_id=str(world.rep_a.user_id), stage="qualified")
    await create(client, world.rep_b, world.account_b)
    by_stage = (await client.get("/api/v1/opportunities?stage=qualified", headers=world.manager.headers)).json()[
        "items"
    ]
    assert [i["stage"] for i in by_stage] == ["qualified"]
    by_owner = (
        await client.get(f"/api/v1/opportunities?owner_id={world.rep_b.user_id}", headers=world.manager.headers)
    ).json()["items"]
    assert [i["owner_id"] for i in by_owner] == [str(world.rep_b.user_id)]
