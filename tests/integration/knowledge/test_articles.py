"""Articles: admins and the editors they name write, the org reads what is published, drafts stay with editors
and owners, no org sees another's; versions guard edits; translations link both ways; pins and reads are the
caller's own."""

import uuid

from tests.integration.knowledge.helpers import ARTICLES, EDITORS, article, create, patch


async def test_an_editor_writes_and_everyone_in_the_org_reads(client, world, editor):
    created = await client.post(ARTICLES, json=article(tags=["价格"]), headers=editor.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["etag"] == '"1"'
    assert body["owner_id"] == str(editor.user_id)
    assert body["status"] == "published" and body["published_at"] is not None
    for caller in (world.rep_a, world.rep_c, world.admin):
        read = await client.get(f"{ARTICLES}/{body['id']}", headers=caller.headers)
        assert read.status_code == 200
        assert read.json()["title"] == "2026 年标准价目表"


async def test_reps_cannot_write(client, world):
    refused = await client.post(ARTICLES, json=article(), headers=world.rep_a.headers)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/forbidden")
    published = await create(client, world.admin)
    assert (await patch(client, world.rep_a, published, title="hijacked")).status_code == 403
    assert (await client.delete(f"{ARTICLES}/{published['id']}", headers=world.rep_a.headers)).status_code == 403
    still = (await client.get(f"{ARTICLES}/{published['id']}", headers=world.rep_a.headers)).json()
    assert still["title"] == published["title"] and still["version"] == 1


async def test_writing_is_for_admins_and_the_editors_they_name(client, world):
    # Rank gives no right to write: a manager is refused until the admin names them.
    assert (await client.post(ARTICLES, json=article(), headers=world.manager.headers)).status_code == 403
    asked = await client.post(EDITORS, json={"user_id": str(world.manager.user_id)}, headers=world.manager.headers)
    assert asked.status_code == 403
    # A rep who keeps the price list is named editor, twice: the second naming changes nothing.
    first = await client.post(EDITORS, json={"user_id": str(world.rep_c.user_id)}, headers=world.admin.headers)
    again = await client.post(EDITORS, json={"user_id": str(world.rep_c.user_id)}, headers=world.admin.headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["granted_by"] == str(world.admin.user_id)
    written = await create(client, world.rep_c, status="draft", title="价目表 2027 草稿")
    assert written["owner_id"] == str(world.rep_c.user_id)
    listed = (await client.get(EDITORS, headers=world.rep_c.headers)).json()["items"]
    assert [e["user_id"] for e in listed] == [str(world.rep_c.user_id)]
    assert (await client.get(EDITORS, headers=world.rep_a.headers)).status_code == 403

    revoked = await client.delete(f"{EDITORS}/{world.rep_c.user_id}", headers=world.admin.headers)
    assert revoked.status_code == 204
    assert (await patch(client, world.rep_c, written, title="改不了")).status_code == 403
    # Their own draft stays theirs to read; another editor's drafts are out of sight again.
    assert (await client.get(f"{ARTICLES}/{written['id']}", headers=world.rep_c.headers)).status_code == 200
    others = await create(client, world.admin, status="draft", title="管理员草稿")
    assert (await client.get(f"{ARTICLES}/{others['id']}", headers=world.rep_c.headers)).status_code == 404
    assert (await client.get(EDITORS, headers=world.admin.headers)).json()["items"] == []


async def test_editors_come_from_the_admins_own_org(client, world):
    foreign = await client.post(EDITORS, json={"user_id": str(world.rep_a.user_id)}, headers=world.outsider.headers)
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "user_id"
    gone = await client.delete(f"{EDITORS}/{world.rep_a.user_id}", headers=world.outsider.headers)
    assert gone.status_code == 404
    assert (await client.post(ARTICLES, json=article(), headers=world.rep_a.headers)).status_code == 403


async def test_drafts_are_for_editors_and_their_owner_only(client, world, editor):
    draft = await create(client, editor, status="draft", title="2027 价目表草案")
    assert draft["published_at"] is None
    hidden = await client.get(f"{ARTICLES}/{draft['id']}", headers=world.rep_a.headers)
    assert hidden.status_code == 404
    listed = (await client.get(ARTICLES, headers=world.rep_a.headers)).json()["items"]
    assert draft["id"] not in {a["id"] for a in listed}
    assert (await client.get(f"{ARTICLES}/{draft['id']}", headers=world.admin.headers)).status_code == 200
    published = await patch(client, editor, draft, status="published")
    assert published.status_code == 200
    assert published.json()["published_at"] is not None
    assert (await client.get(f"{ARTICLES}/{draft['id']}", headers=world.rep_a.headers)).status_code == 200


async def test_a_draft_owned_by_a_rep_is_visible_to_that_rep_only(client, world):
    draft = await create(client, world.admin, status="draft", owner_id=str(world.rep_a.user_id))
    assert (await client.get(f"{ARTICLES}/{draft['id']}", headers=world.rep_a.headers)).status_code == 200
    assert (await client.get(f"{ARTICLES}/{draft['id']}", headers=world.rep_b.headers)).status_code == 404


async def test_other_orgs_never_see_an_article(client, world):
    mine = await create(client, world.admin)
    foreign = await client.get(f"{ARTICLES}/{mine['id']}", headers=world.outsider.headers)
    missing = await client.get(f"{ARTICLES}/{uuid.uuid4()}", headers=world.outsider.headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert (await client.get(ARTICLES, headers=world.outsider.headers)).json()["items"] == []
    # The outsider is an admin of their own org: an editor there, and still nothing here to edit.
    assert (await patch(client, world.outsider, mine, title="x")).status_code == 404


async def test_edits_need_the_current_version(client, world, editor):
    current = await create(client, world.admin)
    missing = await client.patch(f"{ARTICLES}/{current['id']}", json={"title": "t"}, headers=world.admin.headers)
    assert missing.status_code == 428
    changed = await patch(client, editor, current, summary="新的摘要")
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"'
    stale = await patch(client, world.admin, current, summary="lost update")
    assert stale.status_code == 412
    final = (await client.get(f"{ARTICLES}/{current['id']}", headers=world.admin.headers)).json()
    assert final["summary"] == "新的摘要" and final["version"] == 2


async def test_an_unchanged_patch_keeps_the_version(client, world):
    current = await create(client, world.admin)
    same = await patch(client, world.admin, current, title=current["title"])
    assert same.status_code == 200
    assert same.json()["version"] == 1


async def test_bad_input_names_the_field(client, world):
    for field, value in (("kind", "memo"), ("lang", "fr"), ("title", ""), ("stage", "nowhere"), ("version", 3)):
        response = await client.post(ARTICLES, json=article(**{field: value}), headers=world.admin.headers)
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field
    assert (await client.get(ARTICLES, headers=world.admin.headers)).json()["items"] == []


async def test_translations_link_both_ways_and_one_per_language(client, world):
    zh = await create(client, world.admin)
    en = await create(
        client, world.admin, lang="en", title="Standard price list 2026", translation_of=zh["id"], tags=["pricing"]
    )
    assert en["translations"] == [{"id": zh["id"], "lang": "zh-CN", "title": zh["title"]}]
    zh_now = (await client.get(f"{ARTICLES}/{zh['id']}", headers=world.rep_a.headers)).json()
    assert zh_now["translations"] == [{"id": en["id"], "lang": "en", "title": en["title"]}]
    assert zh_now["version"] == 1  # linking a translation does not change the original
    second = await client.post(
        ARTICLES, json=article(lang="en", title="Another", translation_of=zh["id"]), headers=world.admin.headers
    )
    assert second.status_code == 422
    assert second.json()["errors"][0]["code"] == "language_taken"
    unlinked = await patch(client, world.admin, en, translation_of=None)
    assert unlinked.status_code == 200 and unlinked.json()["translations"] == []
    zh_after = (await client.get(f"{ARTICLES}/{zh['id']}", headers=world.admin.headers)).json()
    assert zh_after["translations"] == []


async def test_deleted_articles_are_gone_for_everyone(client, world, editor):
    doomed = await create(client, world.admin)
    assert (await client.delete(f"{ARTICLES}/{doomed['id']}", headers=editor.headers)).status_code == 204
    for caller in (world.admin, world.rep_a):
        assert (await client.get(f"{ARTICLES}/{doomed['id']}", headers=caller.headers)).status_code == 404


async def test_listing_filters_and_pages(client, world):
    made = [await create(client, world.admin, title=f"Battlecard {i}", lang="en", kind="battlecard",
                         competitor="西门子 Siemens", tags=["competitor"]) for i in range(3)]  # fmt: skip
    await create(client, world.admin, kind="policy", title="折扣审批政策", tags=["政策"])
    first = (await client.get(ARTICLES, params={"kind": "battlecard", "limit": 2}, headers=world.rep_a.headers)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await client.get(
        ARTICLES, params={"kind": "battlecard", "limit": 2, "cursor": first["next_cursor"]}, headers=world.rep_a.headers
    )
    ids = [a["id"] for a in first["items"] + rest.json()["items"]]
    assert sorted(ids) == sorted(m["id"] for m in made)
    by_part = (await client.get(ARTICLES, params={"competitor": "siemens"}, headers=world.rep_a.headers)).json()
    assert len(by_part["items"]) == 3
    by_tag = (await client.get(ARTICLES, params={"tag": "政策"}, headers=world.rep_a.headers)).json()
    assert [a["title"] for a in by_tag["items"]] == ["折扣审批政策"]


async def test_pins_are_the_callers_own(client, world):
    one = await create(client, world.admin)
    pin = await client.post(f"{ARTICLES}/{one['id']}/pin", headers=world.rep_a.headers)
    assert pin.status_code == 204
    again = await client.post(f"{ARTICLES}/{one['id']}/pin", headers=world.rep_a.headers)
    assert again.status_code == 204
    mine = (await client.get(ARTICLES, params={"pinned": "true"}, headers=world.rep_a.headers)).json()["items"]
    theirs = (await client.get(ARTICLES, params={"pinned": "true"}, headers=world.rep_b.headers)).json()["items"]
    assert [a["id"] for a in mine] == [one["id"]] and theirs == []
    assert (await client.get(f"{ARTICLES}/{one['id']}", headers=world.rep_a.headers)).json()["pinned"] is True
    assert (await client.delete(f"{ARTICLES}/{one['id']}/pin", headers=world.rep_a.headers)).status_code == 204
    assert (await client.get(ARTICLES, params={"pinned": "true"}, headers=world.rep_a.headers)).json()["items"] == []
    foreign = await client.post(f"{ARTICLES}/{one['id']}/pin", headers=world.outsider.headers)
    assert foreign.status_code == 404


async def test_reads_count_once_per_person_and_day_and_rank_the_most_read(client, world):
    popular = await create(client, world.admin, title="Popular")
    quiet = await create(client, world.admin, title="Quiet")
    for caller in (world.rep_a, world.rep_a, world.rep_b, world.rep_c):
        response = await client.post(f"{ARTICLES}/{popular['id']}/reads", headers=caller.headers)
        assert response.status_code == 204
    await client.post(f"{ARTICLES}/{quiet['id']}/reads", headers=world.rep_a.headers)
    after = (await client.get(f"{ARTICLES}/{popular['id']}", headers=world.admin.headers)).json()
    assert after["read_count"] == 3
    assert after["version"] == 1 and after["updated_at"] == popular["updated_at"]
    ranked = (await client.get("/api/v1/knowledge/popular", headers=world.rep_c.headers)).json()["items"]
    assert [a["title"] for a in ranked] == ["Popular", "Quiet"]
    assert (await client.get("/api/v1/knowledge/popular", headers=world.outsider.headers)).json()["items"] == []
