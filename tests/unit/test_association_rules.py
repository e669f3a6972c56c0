"""Association rules on ten hand-made baskets, every figure worked out by hand.

Baskets (one per customer):
 1 {A, B}      2 {A, B, C}   3 {A, B, C}   4 {A, C}   5 {A}
 6 {B, C}      7 {B}         8 {C, D}      9 {D}     10 {A, B, D}

Counts: A 6 (1,2,3,4,5,10), B 6 (1,2,3,6,7,10), C 5 (2,3,4,6,8), D 3 (8,9,10);
pairs AB 4 (1,2,3,10), AC 3 (2,3,4), BC 3 (2,3,6), AD 1, BD 1, CD 1; triple ABC 2 (2,3), ABD 1.
"""

from __future__ import annotations

from datetime import date

import pytest

from api.retention.cross_sell import Holding, full_months, shift_months
from api.retention.cross_sell_rules import count_itemsets, mine_rules

BASKETS = [
    frozenset(b)
    for b in ("AB", "ABC", "ABC", "AC", "A", "BC", "B", "CD", "D", "ABD")  # each letter is one product
]


def figures(rules):
    return {
        ("".join(r.antecedent), r.consequent): (r.both_count, r.antecedent_count, r.consequent_count, r.baskets)
        for r in rules
    }


def test_itemsets_below_the_support_are_not_counted_nor_extended():
    # min_support 0.2 = at least 2 of 10: AD, BD, CD (1 each) drop out, so ABD is never counted.
    counts = count_itemsets(BASKETS, 0.2)
    assert counts == {
        ("A",): 6, ("B",): 6, ("C",): 5, ("D",): 3,
        ("A", "B"): 4, ("A", "C"): 3, ("B", "C"): 3,
        ("A", "B", "C"): 2,
    }  # fmt: skip


def test_support_confidence_and_lift_of_every_rule():
    rules = mine_rules(BASKETS, min_support=0.2, min_confidence=0.0, min_lift=0.0)
    # Three frequent pairs give two rules each, the frequent triple ABC three: nine rules.
    assert figures(rules) == {
        ("A", "B"): (4, 6, 6, 10), ("B", "A"): (4, 6, 6, 10),
        ("A", "C"): (3, 6, 5, 10), ("C", "A"): (3, 5, 6, 10),
        ("B", "C"): (3, 6, 5, 10), ("C", "B"): (3, 5, 6, 10),
        ("AB", "C"): (2, 4, 5, 10), ("AC", "B"): (2, 3, 6, 10), ("BC", "A"): (2, 3, 6, 10),
    }  # fmt: skip
    by_key = {("".join(r.antecedent), r.consequent): r for r in rules}
    # A → B: support 4/10 = 0.4; confidence 4/6 = 0.6667; lift 0.6667 / (6/10) = 1.1111.
    a_b = by_key[("A", "B")]
    assert (a_b.support, a_b.confidence, a_b.lift) == pytest.approx((0.4, 2 / 3, 10 / 9))
    # C → A: support 3/10; confidence 3/5 = 0.6; lift 0.6 / 0.6 = 1.0 (owning C says nothing about A).
    c_a = by_key[("C", "A")]
    assert (c_a.support, c_a.confidence, c_a.lift) == pytest.approx((0.3, 0.6, 1.0))
    # AC → B: support 2/10; confidence 2/3; lift (2/3) / 0.6 = 1.1111.
    ac_b = by_key[("AC", "B")]
    assert (ac_b.support, ac_b.confidence, ac_b.lift) == pytest.approx((0.2, 2 / 3, 10 / 9))
    # AB → C: confidence 2/4 = 0.5; lift 0.5 / 0.5 = 1.0.
    assert by_key[("AB", "C")].lift == pytest.approx(1.0)
    # Strongest first: the four rules of lift 10/9 (confidence 2/3) lead, pair rules (support 0.4) first.
    assert [("".join(r.antecedent), r.consequent) for r in rules[:4]] == [
        ("A", "B"), ("B", "A"), ("AC", "B"), ("BC", "A"),
    ]  # fmt: skip


def test_confidence_threshold_is_inclusive():
    # Confidence ≥ 0.6 keeps A→B, B→A (2/3), C→A, C→B (3/5 = 0.6 exactly), AC→B, BC→A (2/3);
    # drops A→C, B→C (3/6) and AB→C (2/4).
    rules = mine_rules(BASKETS, min_support=0.2, min_confidence=0.6)
    assert set(figures(rules)) == {("A", "B"), ("B", "A"), ("C", "A"), ("C", "B"), ("AC", "B"), ("BC", "A")}


def test_lift_must_exceed_its_threshold():
    # Lift above 1 keeps only the rules of lift 10/9; those of lift exactly 1.0 are independence.
    rules = mine_rules(BASKETS, min_support=0.2, min_confidence=0.0, min_lift=1.0)
    assert set(figures(rules)) == {("A", "B"), ("B", "A"), ("AC", "B"), ("BC", "A")}


def test_a_higher_support_drops_the_triple():
    # Support ≥ 0.3: ABC (0.2) is not frequent; AB 0.4, AC 0.3, BC 0.3 are; D (0.3) is frequent but pairs with nothing.
    rules = mine_rules(BASKETS, min_support=0.3, min_confidence=0.0)
    assert set(figures(rules)) == {("A", "B"), ("B", "A"), ("A", "C"), ("C", "A"), ("B", "C"), ("C", "B")}


def test_no_baskets_no_rules():
    assert mine_rules([], min_support=0.1, min_confidence=0.1) == []


def test_month_arithmetic_keeps_the_day_or_takes_the_months_last():
    assert shift_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert shift_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert shift_months(date(2026, 1, 15), -12) == date(2025, 1, 15)
    assert shift_months(date(2025, 12, 5), 1) == date(2026, 1, 5)
    assert full_months(date(2025, 1, 15), date(2026, 1, 14)) == 11
    assert full_months(date(2025, 1, 15), date(2026, 1, 15)) == 12


def test_tenure_is_over_twelve_months():
    today = date(2026, 6, 10)
    # Bought exactly twelve months ago: not yet "over 12 months"; a day earlier: it is.
    assert not Holding(date(2025, 6, 10)).tenured(today)
    assert Holding(date(2025, 6, 9)).tenured(today)
    # A product no longer held counts its time up to the day it lapsed.
    assert not Holding(date(2024, 1, 1), until=date(2024, 12, 31)).tenured(today)
    assert Holding(date(2024, 1, 1), until=date(2025, 1, 2)).tenured(today)
