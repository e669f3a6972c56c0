"""The list endpoint reads stored items on the raw driver; what it returns must match the ORM view of the deals."""

import json
import uuid
from datetime import datetime

from sqlalchemy import select, update

from api.db.models import Opportunity
from api.db.types import ISO_UTC
from api.opportunities.jobs import render_list_items
from tests.integration.opportunities.helpers import create
from worker.relay import EmbeddedRunner


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


async def _stored_items(db) -> dict[str, dict | None]:
    """Each deal's stored item, parsed (it is stored open: the list query closes it after the account's name)."""
    async with db.sessionmaker() as session:
        rows = await session.execute(select(Opportunity.id, Opportunity.list_item))
        return {str(row_id): json.loads(item + "}") if item else None for row_id, item in rows}


async def _forget_items(db) -> None:
    async with db.sessionmaker() as session:
        await session.execute(  # updated_at kept: left out, its onupdate would move it
            update(Opportunity)
            .values(list_item=None, updated_at=Opportunity.updated_at)
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def test_stored_items_serve_the_same_page_as_the_columns(client, db, world):
    for i in range(4):
        await create(client, world.rep_a, world.account_a, name=f"交易 {i}", competitors=["SAP"] if i % 2 else [])
    deal = (await client.get("/api/v1/opportunities", headers=world.rep_a.headers)).json()["items"][1]
    edited = await client.patch(
        f"/api/v1/opportunities/{deal['id']}",
        json={"name": "改名 renamed", "competitors": ["用友", "SAP"]},
        headers={**world.rep_a.headers, "If-Match": f'"{deal["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    stored = await _stored_items(db)
    assert all(stored.values()) and stored[deal["id"]]["version"] == deal["version"] + 1
    from_items = (await client.get("/api/v1/opportunities?limit=3", headers=world.rep_a.headers)).json()
    await _forget_items(db)
    from_columns = (await client.get("/api/v1/opportunities?limit=3", headers=world.rep_a.headers)).json()
    assert from_items == from_columns
    assert from_items["items"][1]["name"] == "改名 renamed" and from_items["next_cursor"]


async def test_a_write_outside_the_orm_never_serves_a_stale_item(client, db, settings, world):
    deal = await create(client, world.rep_a, world.account_a, name="before")
    async with db.sessionmaker() as session:  # as the importer or a manual fix in SQL would
        await session.execute(
            update(Opportunity).where(Opportunity.id == uuid.UUID(deal["id"])).values(name="after")
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        await session.commit()
    assert (await _stored_items(db))[deal["id"]] is None  # the trigger cleared it
    assert (await client.get("/api/v1/opportunities", headers=world.rep_a.headers)).json()["items"][0][
        "name"
    ] == "after"
    runner = EmbeddedRunner(settings, db)
    try:
        assert await render_list_items(runner.context()) == 1
        assert await render_list_items(runner.context()) == 0
    finally:
        await runner.close()
    assert (await _stored_items(db))[deal["id"]]["name"] == "after"


async def test_any_orm_write_renders_the_item_with_the_rows_final_values(client, db, world):
    deal = await create(client, world.rep_a, world.account_a, name="orm")
    async with db.sessionmaker() as session:  # a job or a service changing a deal without touching updated_at
        row = await session.get(Opportunity, uuid.UUID(deal["id"]))
        row.next_step = "再次拜访 Visit again"
        await session.commit()
    async with db.sessionmaker() as session:
        row = await session.get(Opportunity, uuid.UUID(deal["id"]))
        stored = (await _stored_items(db))[deal["id"]]
        assert row.updated_at > datetime.fromisoformat(deal["updated_at"])
        assert (stored["next_step"], stored["version"]) == ("再次拜访 Visit again", row.version)
        assert stored["updated_at"] == row.updated_at.strftime(ISO_UTC)


async def test_renaming_an_account_shows_in_its_deals_at_once(client, world):
    await create(client, world.rep_a, world.account_a)
    account = (await client.get(f"/api/v1/accounts/{world.account_a}", headers=world.rep_a.headers)).json()
    renamed = await client.patch(
        f"/api/v1/accounts/{world.account_a}",
        json={"name": "新名字 New Name"},
        headers={**world.rep_a.headers, "If-Match": f'"{account["version"]}"'},
    )
    assert renamed.status_code == 200, renamed.text
    items = (await client.get("/api/v1/opportunities", headers=world.rep_a.headers)).json()["items"]
    assert {i["account_name"] for i in items} == {"新名字 New Name"}
