"""The win model on tiny datasets with known answers, and how deals become training examples."""

from __future__ import annotations

import math
import uuid

import pytest

from api.scoring.model import (
    DealFacts,
    Example,
    Snapshot,
    enough,
    entered_current,
    evaluate,
    examples_of,
    features,
    fit,
    predict,
    product_rates,
    sigmoid,
)

OWNER = uuid.uuid4()
A, B = uuid.uuid4(), uuid.uuid4()
KINDS = {"lead": "open", "qualified": "open", "won": "won", "lost": "lost"}


def _snapshot(product: uuid.UUID | None) -> Snapshot:
    return Snapshot("lead", product, None, OWNER, None, 0.0, 0, 0)


def _examples(rows: list[tuple[uuid.UUID, bool, int]], closed: float = 1.0) -> list[Example]:
    return [
        Example(uuid.uuid4(), _snapshot(product), won, closed, product)
        for product, won, count in rows
        for _ in range(count)
    ]


# Product A: 3 won, 1 lost; product B: 1 won, 3 lost.
TINY = [(A, True, 3), (A, False, 1), (B, True, 1), (B, False, 3)]


def test_without_penalty_the_model_finds_each_products_win_rate():
    fitted = fit(_examples(TINY), groups=("product",), l2=1e-6)
    # The saturated model: σ(intercept + w_A) = 3/4, σ(intercept + w_B) = 1/4.
    assert predict(fitted, _snapshot(A)) == pytest.approx(0.75, abs=1e-5)
    assert predict(fitted, _snapshot(B)) == pytest.approx(0.25, abs=1e-5)


def test_the_penalty_shrinks_the_weights_to_the_known_fixed_point():
    fitted = fit(_examples(TINY), groups=("product",), l2=1.0)
    # Symmetry: intercept 0, w_B = −w_A. At the optimum Σ_A (p − y) + w = 4 σ(w) − 3 + w = 0.
    w = fitted.weights[f"product={A}"]
    assert fitted.intercept == pytest.approx(0, abs=1e-9)
    assert fitted.weights[f"product={B}"] == pytest.approx(-w)
    assert w == pytest.approx(3 - 4 * sigmoid(w), abs=1e-9)
    assert 0 < w < math.log(3)  # shrunk from the unpenalised log-odds ln 3
    # A product the model never saw counts 0: the intercept alone.
    assert predict(fitted, _snapshot(uuid.uuid4())) == pytest.approx(0.5)


def test_a_closed_deal_teaches_once_per_open_stage_as_it_stood_on_entering_it():
    deal = DealFacts(
        uuid.uuid4(), "won", OWNER, created=100.0, closed=130.0, product_id=A, industry=" Retail ", size=500,
        stays=[("lead", 100.0, 110.0), ("qualified", 110.0, 130.0), ("won", 130.0, None)],
        touches=[(95.0, False), (105.0, True), (109.0, False), (120.0, True), (129.0, True)],
    )  # fmt: skip
    lead, qualified = examples_of(deal, KINDS)
    assert (lead.snapshot.stage, lead.snapshot.age_days, lead.snapshot.touches) == ("lead", 0.0, 1)  # the day-95 one
    # Entering qualified at day 110: the touches of days 95, 105 and 109 (one inbound); days 120 and 129 came later
    # and must not be seen (they would leak what happened on the way to the outcome).
    assert (qualified.snapshot.age_days, qualified.snapshot.touches, qualified.snapshot.inbound) == (10.0, 3, 1)
    assert all(e.won and e.closed == 130.0 for e in (lead, qualified))
    spec = {"amount_edges": [100.0, 1000.0]}
    assert features(qualified.snapshot, spec) == [
        "stage=qualified", f"product={A}", "industry=retail", f"owner={OWNER}", "amount=1", "age=1", "touches=2",
        "inbound=1",
    ]  # fmt: skip
    open_deal = DealFacts(
        uuid.uuid4(), "qualified", OWNER, created=0.0, stays=[("lead", 0.0, 5.0), ("qualified", 5.0, None)]
    )
    assert examples_of(open_deal, KINDS) == []
    assert entered_current(open_deal) == 5.0


def test_enough_needs_thirty_deals_with_five_of_each_outcome():
    assert enough(_examples([(A, True, 25), (A, False, 5)]))
    assert not enough(_examples([(A, True, 25), (A, False, 4)]))
    assert not enough(_examples([(A, True, 26), (A, False, 4)]))
    assert not enough(_examples([(A, True, 14), (A, False, 15)]))


def test_the_baseline_is_each_products_win_rate_with_the_overall_rate_for_unknown_products():
    rates, overall = product_rates(_examples(TINY))
    assert rates == {A: 0.75, B: 0.25}
    assert overall == 0.5


def test_evaluate_scores_model_and_baseline_on_the_test_deals():
    train = _examples([(A, True, 30), (A, False, 10), (B, True, 10), (B, False, 30)])
    test = _examples([(A, True, 1), (B, False, 1)])
    figures = evaluate(train, test, groups=("product",))
    # Both rank the won A deal above the lost B deal. Baseline Brier: (0.25² + 0.25²) / 2 = 0.0625.
    assert (figures["auc"], figures["baseline_auc"], figures["baseline_brier"]) == (1.0, 1.0, 0.0625)
    assert (figures["train_size"], figures["test_size"]) == (80, 2)
