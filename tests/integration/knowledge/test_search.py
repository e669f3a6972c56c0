"""Search as a rep uses it: two Chinese characters, mixed languages, typos, filters, and an index that follows
every edit and delete in the same transaction."""

from datetime import timedelta

from sqlalchemy import update

from api.db.models import KnowledgeArticle
from api.db.types import utcnow
from api.knowledge.index import SearchIndex
from tests.integration.knowledge.conftest import topic_ids
from tests.integration.knowledge.helpers import ARTICLES, create, patch, search, search_ids


async def test_two_character_chinese_terms_match(client, world, demo_kb):
    expected = {
        "报价": "price-list-2026",
        "折扣": "policy-discount-approval",
        "合同": "policy-contract-terms",
        "账期": "objection-payment-terms",
        "保修": "policy-warranty-rma",
    }
    for query, topic in expected.items():
        top3 = await search_ids(client, world.rep_a, query, lang="zh-CN", limit=3)
        assert topic_ids(demo_kb, topic) & set(top3), query


async def test_one_character_queries_match_the_character_wherever_it_stands(client, world):
    def make(title: str, tag: str, body: str):
        return create(client, world.admin, title=title, tags=[tag], body=body, summary="")

    starts = await make("价格调整通知", "通知", "自下月起执行。")
    ends = await make("客户询问", "流程", "收到询问后当天回复报价")  # 价 only at the end of a run
    alone = await make("费用说明", "费用", "运费另计。价：面议")  # 价 as a run of its own
    without = await make("合同模板", "合同", "标准条款。")
    found = set(await search_ids(client, world.rep_a, "价", lang="zh-CN"))
    assert found == {starts["id"], ends["id"], alone["id"]}
    assert without["id"] not in found
    assert await search_ids(client, world.rep_a, "模", lang="zh-CN") == [without["id"]]


async def test_longer_chinese_queries(client, world, demo_kb):
    top = await search_ids(client, world.rep_a, "冷链", lang="zh-CN", limit=3)
    cold_chain = topic_ids(demo_kb, "case-coldchain-logistics") | topic_ids(demo_kb, "proposal-logistics-coldchain")
    assert cold_chain & set(top)
    top = await search_ids(client, world.rep_a, "客户要求更大折扣", lang="zh-CN", limit=3)
    assert topic_ids(demo_kb, "objection-bigger-discount") & set(top)
    # Function words do not have to appear: 怎么 is dropped, 价格太贵 is what is asked.
    top = await search_ids(client, world.rep_a, "价格太贵怎么办", lang="zh-CN", limit=3)
    assert demo_kb["objection-too-expensive:zh-CN"] == top[0]


async def test_mixed_chinese_and_english_queries(client, world, demo_kb):
    for query, topic in (
        ("EG-100 价格", "price-list-2026"),
        ("GSP 报表", "case-coldchain-logistics"),
        ("Siemens 竞品", "battlecard-siemens"),
        ("discount 审批", "policy-discount-approval"),
    ):
        top = await search_ids(client, world.rep_a, query, lang="zh-CN", limit=3)
        assert topic_ids(demo_kb, topic) & set(top), query


async def test_english_stemming_prefixes_and_small_typos(client, world, demo_kb):
    for query, topic in (
        ("negotiating discounts", "objection-bigger-discount"),
        ("warrenty", "policy-warranty-rma"),
        ("temprature sensor", "sheet-fl-th10"),
        ("siemns", "battlecard-siemens"),
        ("refrig", "proposal-retail-refrigeration"),
    ):
        top = await search_ids(client, world.rep_a, query, lang="en", limit=3)
        assert topic_ids(demo_kb, topic) & set(top), query
    assert await search(client, world.rep_a, "qzxv", lang="en") == []


async def test_hits_come_with_highlighted_snippets_in_the_callers_language(client, world, demo_kb):
    zh = await search(client, world.rep_a, "折扣审批", lang="zh-CN", limit=1)
    assert zh[0]["lang"] == "zh-CN"
    assert "<mark>折扣</mark>" in zh[0]["snippet"] or "<mark>审批</mark>" in zh[0]["snippet"]
    assert set(zh[0]) == {"id", "title", "snippet", "lang", "score"}
    en = await search(client, world.rep_a, "discount approval", lang="en", limit=1)
    assert en[0]["lang"] == "en" and "<mark>" in en[0]["snippet"]
    # One result per translation: the Chinese and English versions of a topic never both appear.
    items = await search(client, world.rep_a, "Siemens", lang="en", limit=20)
    assert len({i["id"] for i in items} & topic_ids(demo_kb, "battlecard-siemens")) == 1


async def test_the_callers_language_comes_first(client, world):
    zh = await create(client, world.admin, title="Siemens 对比 battlecard", lang="zh-CN", kind="battlecard")
    en = await create(client, world.admin, title="Siemens battlecard", lang="en", kind="battlecard")
    assert (await search_ids(client, world.rep_a, "Siemens battlecard", lang="en"))[0] == en["id"]
    assert (await search_ids(client, world.rep_a, "Siemens battlecard", lang="zh-CN"))[0] == zh["id"]


async def test_a_hit_in_the_title_ranks_above_tags_above_the_body(client, world):
    def make(title: str, tag: str, body: str):
        return create(client, world.admin, title=title, tags=[tag], body=body, summary="")

    body = await make("季度说明", "说明", "本季度的扫码枪库存充足。")
    tags = await make("季度说明", "扫码枪", "本季度库存充足。")
    title = await make("扫码枪说明", "说明", "本季度库存充足。")
    ranked = await search_ids(client, world.rep_a, "扫码枪", lang="zh-CN")
    assert ranked == [title["id"], tags["id"], body["id"]]


async def test_fresher_articles_rank_above_stale_ones(client, world, db):
    stale = await create(client, world.admin, title="Price list", lang="en", summary="List prices")
    fresh = await create(client, world.admin, title="Price list", lang="en", summary="List prices")
    async with db.sessionmaker() as session:
        old = utcnow() - timedelta(days=500)
        await session.execute(update(KnowledgeArticle).where(KnowledgeArticle.id == stale["id"]).values(updated_at=old))
        await SearchIndex(session).put(await session.get(KnowledgeArticle, stale["id"]))
        await session.commit()
    assert await search_ids(client, world.rep_a, "price list", lang="en") == [fresh["id"], stale["id"]]


async def test_filters_narrow_the_results(client, world, demo_kb):
    only_battlecards = await search(client, world.rep_a, "价格", lang="zh-CN", kind="battlecard", limit=50)
    assert only_battlecards
    kinds = {
        (await client.get(f"{ARTICLES}/{i['id']}", headers=world.rep_a.headers)).json()["kind"]
        for i in only_battlecards
    }
    assert kinds == {"battlecard"}
    siemens = await search_ids(client, world.rep_a, "竞品", competitor="Siemens", limit=50)
    assert set(siemens) <= topic_ids(demo_kb, "battlecard-siemens") and siemens
    cold = await search_ids(client, world.rep_a, "方案", industry="物流 Logistics", kind="proposal_template")
    assert set(cold) <= topic_ids(demo_kb, "proposal-logistics-coldchain") and cold
    eg100 = await search_ids(client, world.rep_a, "网关", product="fl-eg100")
    assert set(eg100) <= topic_ids(demo_kb, "sheet-fl-eg100") | topic_ids(demo_kb, "case-dairy-energy")
    assert topic_ids(demo_kb, "sheet-fl-eg100") & set(eg100)


async def test_no_article_of_another_org_and_no_drafts_for_readers(client, world, demo_kb):
    assert await search(client, world.outsider, "报价", lang="zh-CN") == []
    ours = await create(client, world.outsider, title="报价单模板 quote template", status="published")
    assert await search_ids(client, world.outsider, "报价") == [ours["id"]]
    assert ours["id"] not in await search_ids(client, world.rep_a, "报价", limit=50)
    draft_ids = topic_ids(demo_kb, "price-list-2027-draft")
    assert not draft_ids & set(await search_ids(client, world.rep_a, "2027 价目表草案", limit=50))
    assert draft_ids & set(await search_ids(client, world.manager, "2027 价目表草案", limit=50))


async def test_the_index_follows_edits_and_deletes(client, world):
    article = await create(client, world.admin, title="扫码枪报价", summary="扫码枪", body="旧的内容 obsolete")
    assert await search_ids(client, world.rep_a, "扫码枪") == [article["id"]]
    edited = await patch(
        client, world.admin, article, title="温控器报价", summary="温控器的价格", body="全新 brand-new"
    )
    assert edited.status_code == 200
    assert await search_ids(client, world.rep_a, "扫码枪") == []
    assert await search_ids(client, world.rep_a, "obsolete") == []
    assert await search_ids(client, world.rep_a, "温控器") == [article["id"]]
    assert await search_ids(client, world.rep_a, "brand-new") == [article["id"]]
    unpublished = await patch(client, world.admin, edited.json(), status="draft")
    assert await search_ids(client, world.rep_a, "温控器") == []
    assert await search_ids(client, world.admin, "温控器") == [article["id"]]
    await client.delete(f"{ARTICLES}/{article['id']}", headers=world.admin.headers)
    assert await search_ids(client, world.admin, "温控器") == []
    assert unpublished.status_code == 200


async def test_a_failed_edit_leaves_the_index_as_it_was(client, world):
    article = await create(client, world.admin, title="扫码枪报价")
    refused = await patch(client, world.admin, article, title="温控器报价", stage="nowhere")
    assert refused.status_code == 422
    assert await search_ids(client, world.rep_a, "扫码枪") == [article["id"]]
    assert await search_ids(client, world.rep_a, "温控器") == []


async def test_a_rebuilt_index_answers_as_the_incremental_one(client, world, db, demo_kb):
    queries = ("报价", "折扣审批", "discount approval", "warrenty", "EG-100 价格")
    before = [await search(client, world.rep_a, q, lang="zh-CN") for q in queries]
    async with db.sessionmaker() as session:
        assert await SearchIndex(session).rebuild(world.acme) == len(demo_kb)
        await session.commit()
    after = [await search(client, world.rep_a, q, lang="zh-CN") for q in queries]
    assert [[i["id"] for i in r] for r in after] == [[i["id"] for i in r] for r in before]
    assert [[i["score"] for i in r] for r in after] == [[i["score"] for i in r] for r in before]


async def test_queries_that_are_only_noise_answer_empty(client, world, demo_kb):
    for query in ("???", "   ", "the of and"):
        response = await client.get("/api/v1/knowledge/search", params={"q": query}, headers=world.rep_a.headers)
        assert response.status_code in (200, 422)
        if response.status_code == 200:
            assert isinstance(response.json()["items"], list)
    too_long = await client.get("/api/v1/knowledge/search", params={"q": "x" * 201}, headers=world.rep_a.headers)
    assert too_long.status_code == 422
