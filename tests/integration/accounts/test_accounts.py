"""Accounts and contacts: created with client ids, located in WGS-84, updated with If-Match, audited."""

import uuid


async def test_a_rep_creates_an_account_with_its_own_id_and_location(client, world):
    account_id = str(uuid.uuid4())
    body = {
        "id": account_id,
        "name": "张江高科 Zhangjiang Hi-Tech",
        "industry": "电子",
        "address": "上海市浦东新区张江路 88 号",
        "lat": 31.2036,
        "lon": 121.5907,
    }
    response = await client.post("/api/v1/accounts", json=body, headers=world.rep_a.headers)
    assert response.status_code == 201
    created = response.json()
    assert created["id"] == account_id
    assert created["owner_id"] == str(world.rep_a.user_id)
    assert response.headers["etag"] == '"1"'
    fetched = await client.get(f"/api/v1/accounts/{account_id}", headers=world.rep_a.headers)
    assert (fetched.json()["lat"], fetched.json()["lon"]) == (31.2036, 121.5907)


async def test_coordinates_must_be_valid_wgs84_and_come_in_pairs(client, world):
    for body, field in (
        ({"name": "x", "lat": 91, "lon": 121}, "lat"),
        ({"name": "x", "lat": 31, "lon": 181}, "lon"),
        ({"name": "x", "lat": 31.2}, "lon"),
    ):
        response = await client.post("/api/v1/accounts", json=body, headers=world.rep_a.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
    assert len((await client.get("/api/v1/accounts", headers=world.rep_a.headers)).json()["items"]) == 1


async def test_account_updates_need_if_match_and_are_audited(client, world):
    url = f"/api/v1/accounts/{world.account_a}"
    current = await client.get(url, headers=world.rep_a.headers)
    assert (await client.patch(url, json={"phone": "021-5080 0000"}, headers=world.rep_a.headers)).status_code == 428
    changed = await client.patch(
        url, json={"phone": "021-5080 0000"}, headers={**world.rep_a.headers, "If-Match": current.headers["etag"]}
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == current.json()["version"] + 1
    stale = await client.patch(
        url, json={"phone": "0"}, headers={**world.rep_a.headers, "If-Match": current.headers["etag"]}
    )
    assert stale.status_code == 412


async def test_contacts_live_within_their_accounts_reach(client, world):
    url = f"/api/v1/accounts/{world.account_a}/contacts"
    body = {"name": "李静 Li Jing", "title": "采购总监", "email": "li.jing@example.com", "is_decision_maker": True}
    created = await client.post(url, json=body, headers=world.rep_a.headers)
    assert created.status_code == 201
    contact_id = created.json()["id"]
    assert [c["name"] for c in (await client.get(url, headers=world.rep_a.headers)).json()["items"]] == ["李静 Li Jing"]
    assert (await client.get(f"/api/v1/contacts/{contact_id}", headers=world.rep_b.headers)).status_code == 404
    assert (await client.post(url, json=body, headers=world.rep_b.headers)).status_code == 404
    bad = await client.post(url, json={**body, "email": "not-an-email"}, headers=world.rep_a.headers)
    assert bad.status_code == 422


async def test_activities_are_evidence_on_visible_accounts_only(client, world):
    body = {"account_id": str(world.account_b), "kind": "call", "direction": "inbound",
            "occurred_at": "2026-11-01T02:00:00Z", "summary": "客户回电"}  # fmt: skip
    refused = await client.post("/api/v1/activities", json=body, headers=world.rep_a.headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "account_id"
    accepted = await client.post("/api/v1/activities", json=body, headers=world.rep_b.headers)
    assert accepted.status_code == 201
    future = await client.post(
        "/api/v1/activities", json={**body, "occurred_at": "2099-01-01T00:00:00Z"}, headers=world.rep_b.headers
    )
    assert future.status_code == 422
    listed = (
        await client.get(f"/api/v1/activities?account_id={world.account_b}", headers=world.manager.headers)
    ).json()
    assert [a["summary"] for a in listed["items"]] == ["客户回电"]
    assert (await client.get("/api/v1/activities", headers=world.rep_a.headers)).json()["items"] == []


async def test_an_activity_names_the_contact_and_what_became_of_it(client, world):
    contact = await client.post(
        f"/api/v1/accounts/{world.account_b}/contacts", json={"name": "王总"}, headers=world.rep_b.headers
    )
    assert contact.status_code == 201, contact.text
    body = {"account_id": str(world.account_b), "contact_id": contact.json()["id"], "kind": "email",
            "direction": "outbound", "outcome": "opened", "occurred_at": "2026-11-01T02:00:00Z",
            "summary": "报价单"}  # fmt: skip
    created = await client.post("/api/v1/activities", json=body, headers=world.rep_b.headers)
    assert created.status_code == 201, created.text
    assert (created.json()["contact_id"], created.json()["outcome"]) == (contact.json()["id"], "opened")
    mismatched = await client.post("/api/v1/activities", json={**body, "kind": "call"}, headers=world.rep_b.headers)
    assert mismatched.status_code == 422 and mismatched.json()["errors"][0]["field"] == "outcome"
    elsewhere = await client.post(
        "/api/v1/activities", json={**body, "account_id": str(world.account_c)}, headers=world.rep_c.headers
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["errors"][0]["field"] == "contact_id"


async def test_accounts_page_through_once_each(client, world):
    for i in range(4):
        assert (
            await client.post("/api/v1/accounts", json={"name": f"客户 {i}"}, headers=world.rep_a.headers)
        ).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/accounts", params=params, headers=world.rep_a.headers)).json()
        seen += [a["id"] for a in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) == 5  # the four new ones and 上海明珠制造
