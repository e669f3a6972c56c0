"""Reps see their own, managers their team's, admins their org's, and nobody another org's: out of reach is 404."""

import uuid

from tests.integration.opportunities.helpers import create, new_opportunity, patch


async def test_each_role_sees_exactly_its_reach(client, world):
    mine = {
        name: (await create(client, getattr(world, name), getattr(world, f"account_{name[-1]}")))["id"]
        for name in ("rep_a", "rep_b", "rep_c")
    }
    other = await create(client, world.outsider, world.account_outsider)

    async def ids(caller) -> set[str]:
        items = (await client.get("/api/v1/opportunities", headers=caller.headers)).json()["items"]
        return {i["id"] for i in items}

    assert await ids(world.rep_a) == {mine["rep_a"]}
    assert await ids(world.manager) == {mine["rep_a"], mine["rep_b"]}
    assert await ids(world.admin) == set(mine.values())
    assert await ids(world.outsider) == {other["id"]}


async def test_out_of_reach_ids_answer_404_like_missing_ones(client, world):
    theirs = await create(client, world.rep_b, world.account_b)
    missing = await client.get(f"/api/v1/opportunities/{uuid.uuid4()}", headers=world.rep_a.headers)
    hidden = await client.get(f"/api/v1/opportunities/{theirs['id']}", headers=world.rep_a.headers)
    foreign = await client.get(f"/api/v1/opportunities/{theirs['id']}", headers=world.outsider.headers)
    assert missing.status_code == hidden.status_code == foreign.status_code == 404
    assert missing.json() == hidden.json() == foreign.json()


async def test_a_rep_cannot_change_or_delete_another_reps_opportunity(client, world):
    theirs = await create(client, world.rep_b, world.account_b, next_step="call back")
    changed = await patch(client, world.rep_a, theirs, next_step="hijacked")
    deleted = await client.delete(f"/api/v1/opportunities/{theirs['id']}", headers=world.rep_a.headers)
    foreign = await patch(client, world.outsider, theirs, next_step="hijacked")
    assert changed.status_code == deleted.status_code == foreign.status_code == 404
    still = (await client.get(f"/api/v1/opportunities/{theirs['id']}", headers=world.rep_b.headers)).json()
    assert still["next_step"] == "call back"
    assert still["version"] == theirs["version"]


async def test_a_manager_may_change_the_teams_deals_but_not_other_teams(client, world):
    team_deal = await create(client, world.rep_a, world.account_a)
    west_deal = await create(client, world.rep_c, world.account_c)
    assert (await patch(client, world.manager, team_deal, next_step="join the call")).status_code == 200
    assert (await patch(client, world.manager, west_deal, next_step="meddle")).status_code == 404


async def test_a_rep_cannot_open_a_deal_on_an_account_out_of_reach(client, world):
    response = await client.post(
        "/api/v1/opportunities", json=new_opportunity(world.account_b), headers=world.rep_a.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "account_id"


async def test_fields_a_caller_may_not_set_are_refused(client, world):
    for field, value in (("org_id", str(world.other)), ("version", 7), ("created_at", "2020-01-01T00:00:00Z")):
        body = new_opportunity(world.account_a, **{field: value})
        response = await client.post("/api/v1/opportunities", json=body, headers=world.rep_a.headers)
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field
    as_rep = await client.post(
        "/api/v1/opportunities",
        json=new_opportunity(world.account_a, owner_id=str(world.rep_b.user_id)),
        headers=world.rep_a.headers,
    )
    assert as_rep.status_code == 422
    assert as_rep.json()["errors"][0]["field"] == "owner_id"
    listed = (await client.get("/api/v1/opportunities", headers=world.admin.headers)).json()["items"]
    assert listed == []


async def test_a_manager_assigns_within_the_team_only(client, world):
    deal = await create(client, world.manager, world.account_a, owner_id=str(world.rep_a.user_id))
    assert deal["owner_id"] == str(world.rep_a.user_id)
    outside = await client.post(
        "/api/v1/opportunities",
        json=new_opportunity(world.account_a, owner_id=str(world.rep_c.user_id)),
        headers=world.manager.headers,
    )
    assert outside.status_code == 422


async def test_accounts_follow_the_same_reach(client, world):
    assert (await client.get(f"/api/v1/accounts/{world.account_b}", headers=world.rep_a.headers)).status_code == 404
    assert (await client.get(f"/api/v1/accounts/{world.account_a}", headers=world.outsider.headers)).status_code == 404
    names = {a["name"] for a in (await client.get("/api/v1/accounts", headers=world.manager.headers)).json()["items"]}
    assert names == {"上海明珠制造", "Pudong Logistics"}
    account = await client.get(f"/api/v1/accounts/{world.account_b}", headers=world.rep_b.headers)
    stolen = await client.patch(
        f"/api/v1/accounts/{world.account_b}",
        json={"name": "mine"},
        headers={**world.rep_a.headers, "If-Match": account.headers["etag"]},
    )
    assert stolen.status_code == 404
