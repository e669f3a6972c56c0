"""Query expressions for each database, snippets, and the bundle's cursor."""

import uuid

import pytest

from api.knowledge import ranking
from api.knowledge.bundle import decode_cursor, encode_cursor
from api.knowledge.highlight import snippet
from api.knowledge.index import IndexedDoc, doc_no
from api.lib.errors import AppError


def test_fts5_expression_scopes_facets_and_text_columns():
    match = ranking.fts_match([[("报价",)], [("eg100",), ("eg", "100")]], [["zo1"], ["zs", "zw"]], every=True)
    assert match == (
        'facets : ("zo1" AND ("zs" OR "zw")) AND {title tags summary body} : ("报价" AND ("eg100" OR ("eg" AND "100")))'
    )
    assert ' OR ("eg100"' in ranking.fts_match([[("a",)], [("eg100",), ("b",)]], [["zo1"]], every=False)
    assert ranking.fts_match([[("价*",)]], [["zo1"]], every=True).endswith('("价"*)')


def test_tsquery_quotes_and_prefixes():
    assert ranking.ts_query([[("报价",)], [("a",), ("b", "c")]], every=True) == "'报价' & ('a' | ('b' & 'c'))"
    assert ranking.ts_query([[("价*",)], [("it's",)]], every=False) == "'价':* | 'it''s'"


def test_idf_is_positive_and_falls_with_frequency():
    assert ranking.idf(100, 1) > ranking.idf(100, 50) > ranking.idf(100, 100) > 0


def test_tsvector_literal_carries_weights_and_positions():
    doc = IndexedDoc(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "zh-CN", "published", uuid.uuid4(), 1,
        {"title": ["报价", "价"], "tags": ["报价"], "summary": [], "body": ["o'k"]}, [],
    )  # fmt: skip
    assert doc.tsvector() == "'报价':1A,4B '价':2A 'o''k':7D"


def test_doc_numbers_are_the_ids_first_64_bits():
    article_id = uuid.UUID("00000000-0000-0001-ffff-ffffffffffff")
    assert doc_no(article_id) == 1


def test_snippets_mark_hits_and_escape_the_rest():
    text = "Intro <b>. " + "filler " * 40 + "We negotiated a discount with procurement. " + "tail " * 40
    out = snippet(text, {"negoti", "discount"})
    assert "<mark>negotiated</mark>" in out and "<mark>discount</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert "<b>" not in snippet("<b>报价</b> 单", {"报价"})
    assert snippet("没有命中的文字", {"报价"}) == "没有命中的文字"
    assert "<mark>价</mark>" in snippet("价格", {"价*"})


def test_bundle_cursors_round_trip_and_refuse_garbage():
    members = [uuid.uuid4(), uuid.uuid4()]
    seq, prefixes = decode_cursor(encode_cursor(42, members))
    assert seq == 42 and prefixes == {m.bytes[:8] for m in members}
    for bad in ("", "abc", encode_cursor(1, members)[:-3]):
        with pytest.raises(AppError):
            decode_cursor(bad)
