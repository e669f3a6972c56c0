"""The tokenizer that indexing, querying and the phone share."""

import pytest

from api.knowledge.tokenize import facet_keys, facet_tokens, markdown_text, normalise, parse_query, tokens


def test_chinese_is_indexed_as_bigrams_with_the_last_character_alone():
    assert tokens("报价单") == ["报价", "价单", "单"]
    assert tokens("折扣") == ["折扣", "扣"]
    assert tokens("价") == ["价"]


def test_english_is_stemmed_and_stop_words_dropped():
    assert tokens("The negotiations and Discounts") == ["negoti", "discount"]


def test_product_codes_keep_a_joined_form():
    assert tokens("EG-100") == ["eg", "100", "eg100"]
    assert tokens("EG100") == ["eg", "100", "eg100"]
    assert "x9" in tokens("X9")


def test_full_width_and_accents_are_normalised():
    assert normalise("ＥＲＰ Café") == "erp cafe"
    assert tokens("ＥＲＰ") == tokens("erp")


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ("报价", [[("报价",)]]),
        ("价", [[("价*",)]]),
        ("怎么报价", [[("报价",)]]),
        (
            "客户要求更大折扣",
            [[("客户",)], [("户要",)], [("要求",)], [("求更",)], [("更大",)], [("大折",)], [("折扣",)]],
        ),
        ("EG-100 价格", [[("eg100",), ("eg", "100")], [("价格",)]]),
        ("discounts for partners", [[("discount",)], [("partner",)]]),
        ("the", [[("the",)]]),
        ("怎么", [[("怎么",)]]),
    ],
)
def test_queries_become_groups_of_alternatives(query, groups):
    assert [g.alternatives for g in parse_query(query).groups] == groups


def test_the_word_being_typed_is_marked_for_completion():
    typing = parse_query("warran")
    assert typing.groups[0].word == "warran" and typing.groups[0].last
    assert not parse_query("warranty ").groups[0].last


def test_noise_makes_an_empty_query():
    assert not parse_query("???")
    assert not parse_query("   ")


def test_facet_values_match_by_whole_value_or_part():
    assert facet_keys("西门子 Siemens") == {"西门子 siemens", "西门子", "siemens"}
    assert set(facet_tokens("c", "Siemens")) <= set(facet_tokens("c", "西门子 Siemens"))
    assert not set(facet_tokens("c", "Siemens")) & set(facet_tokens("i", "Siemens"))
    assert facet_keys(None) == set()


def test_markdown_becomes_readable_text():
    text = markdown_text("# 标题\n\n**粗体** and [link](https://x.example/a) `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "**" not in text and "https" not in text and "---" not in text and "#" not in text
    assert "粗体" in text and "link" in text and "code" in text
