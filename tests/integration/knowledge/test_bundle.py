"""The offline bundle: pinned, most read and today's articles with a search index; deltas by cursor; a size cap."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from api.knowledge.tokenize import parse_query
from tests.conftest import rep_today
from tests.integration.knowledge.conftest import topic_ids
from tests.integration.knowledge.helpers import ARTICLES, create, patch
from tests.integration.opportunities.helpers import create as create_opportunity

BUNDLE = "/api/v1/knowledge/bundle"


async def _bundle(client, caller, **params) -> dict:
    response = await client.get(BUNDLE, params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _pin(client, caller, article_id: str) -> None:
    assert (await client.post(f"{ARTICLES}/{article_id}/pin", headers=caller.headers)).status_code == 204


def _search_offline(bundle: dict, query: str) -> list[str]:
    """What a phone does with the compact index: sum the weights of the query's terms per document."""
    index = bundle["index"]
    scores: dict[int, int] = {}
    for term in parse_query(query).terms:
        postings = index["postings"].get(term, [])
        for doc, weight in zip(postings[::2], postings[1::2], strict=True):
            scores[doc] = scores.get(doc, 0) + weight
    return [index["docs"][d] for d, _ in sorted(scores.items(), key=lambda x: -x[1])]


async def test_the_bundle_holds_pinned_popular_and_todays_articles(client, world, demo_kb):
    pinned = demo_kb["policy-warranty-rma:en"]
    await _pin(client, world.rep_a, pinned)
    popular = demo_kb["battlecard-huawei-cloud:zh-CN"]
    for caller in (world.rep_b, world.rep_c):
        await client.post(f"{ARTICLES}/{popular}/reads", headers=caller.headers)
    account = await client.post(
        "/api/v1/accounts", json={"name": "松江乳业", "industry": "食品 Food"}, headers=world.rep_a.headers
    )
    await create_opportunity(client, world.rep_a, account.json()["id"], close_date=str(rep_today() + timedelta(days=3)))
    bundle = await _bundle(client, world.rep_a, lang="zh-CN")
    assert bundle["full"] is True and bundle["removed"] == [] and bundle["truncated"] is False
    why = {a["id"]: a["why"] for a in bundle["articles"]}
    assert why[pinned] == ["pinned"]
    assert "popular" in why[popular]
    assert why[demo_kb["proposal-food-energy:zh-CN"]] == ["today"]
    assert demo_kb["case-dairy-energy:zh-CN"] in why
    assert not topic_ids(demo_kb, "price-list-2027-draft") & set(why)
    assert bundle["manifest"] == {a["id"]: a["version"] for a in bundle["articles"]}
    assert bundle["index"]["docs"] == [a["id"] for a in bundle["articles"]]
    assert _search_offline(bundle, "warranty")[0] == pinned
    assert _search_offline(bundle, "华为云")[0] == popular
    assert 0 < bundle["size_bytes"] <= 1_500_000


async def test_the_phone_may_name_todays_accounts(client, world, demo_kb):
    account = await client.post(
        "/api/v1/accounts", json={"name": "张江生物", "industry": "医药 Pharma"}, headers=world.rep_a.headers
    )
    named = await _bundle(client, world.rep_a, account_id=account.json()["id"], lang="en")
    assert demo_kb["proposal-pharma-gmp:en"] in {a["id"] for a in named["articles"]}
    # Another rep's account is out of reach: it adds nothing.
    other = await _bundle(client, world.rep_b, account_id=account.json()["id"], lang="en")
    assert demo_kb["proposal-pharma-gmp:en"] not in {a["id"] for a in other["articles"]}


async def test_deltas_carry_only_what_changed(client, world, demo_kb):
    first_pin = await create(client, world.admin, title="扫码枪报价单", tags=["报价"])
    second_pin = await create(client, world.admin, title="温控器报价单", tags=["报价"])
    for article in (first_pin, second_pin):
        await _pin(client, world.rep_a, article["id"])
    full = await _bundle(client, world.rep_a)
    assert {first_pin["id"], second_pin["id"]} <= set(full["manifest"])

    same = await _bundle(client, world.rep_a, cursor=full["cursor"])
    assert same["full"] is False
    assert same["articles"] == [] and same["removed"] == [] and same["index"] is None
    assert same["manifest"] == full["manifest"]

    edited = (await patch(client, world.admin, first_pin, title="扫码枪报价单（新版）")).json()
    await client.delete(f"{ARTICLES}/{second_pin['id']}/pin", headers=world.rep_a.headers)
    unchanged_new_member = demo_kb["policy-contract-terms:zh-CN"]
    await _pin(client, world.rep_a, unchanged_new_member)
    delta = await _bundle(client, world.rep_a, cursor=same["cursor"])
    assert {a["id"] for a in delta["articles"]} == {first_pin["id"], unchanged_new_member}
    assert next(a for a in delta["articles"] if a["id"] == first_pin["id"])["version"] == edited["version"]
    assert delta["removed"] == [second_pin["id"]]
    assert set(delta["index"]["docs"]) == set(delta["manifest"])

    await client.delete(f"{ARTICLES}/{first_pin['id']}", headers=world.admin.headers)
    gone = await _bundle(client, world.rep_a, cursor=delta["cursor"])
    assert gone["removed"] == [first_pin["id"]] and gone["articles"] == []
    assert first_pin["id"] not in gone["manifest"]


async def test_the_bundle_keeps_to_its_size_cap(client, world):
    for i in range(12):
        article = await create(client, world.admin, title=f"长文 {i}", body="报价与折扣说明。" * 300)
        await _pin(client, world.rep_a, article["id"])
    capped = await _bundle(client, world.rep_a, max_kb=40)
    assert capped["truncated"] is True
    assert 0 < len(capped["articles"]) < 12
    assert capped["size_bytes"] <= 40_000
    roomy = await _bundle(client, world.rep_a, max_kb=2000)
    assert roomy["truncated"] is False and len(roomy["articles"]) == 12


async def test_bad_cursors_and_other_orgs(client, world, demo_kb):
    await _pin(client, world.rep_a, demo_kb["policy-warranty-rma:en"])
    bad = await client.get(BUNDLE, params={"cursor": "not-a-cursor"}, headers=world.rep_a.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    theirs = await _bundle(client, world.outsider)
    assert theirs["articles"] == [] and theirs["manifest"] == {}


async def test_accounts_on_todays_visit_plan_bring_their_articles(client, world, demo_kb):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the rep's "today"
    account = await client.post(
        "/api/v1/accounts",
        json={"name": "闵行制药", "industry": "医药 Pharma", "lat": 31.11, "lon": 121.38},
        headers=world.rep_a.headers,
    )
    plan = await client.post(
        "/api/v1/visits/plan",
        json={
            "date": today,
            "start": {"lat": 31.2304, "lon": 121.4737},
            "shift": {"start": "00:00", "end": "23:59"},
            "stops": [{"account_id": account.json()["id"], "service_minutes": 30, "required": True}],
            "time_limit_s": 0.2,
        },
        headers=world.rep_a.headers,
    )
    assert plan.status_code == 201, plan.text
    bundle = await _bundle(client, world.rep_a, lang="en")
    why = {a["id"]: a["why"] for a in bundle["articles"]}
    assert why[demo_kb["proposal-pharma-gmp:en"]] == ["today"]
