"""AUC, Brier score and log loss against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from api.scoring.metrics import auc, brier, log_loss

# Two won (0.9 and 0.3), three lost (0.8, 0.3, 0.1).
P = [0.9, 0.8, 0.3, 0.3, 0.1]
Y = [True, False, True, False, False]


def test_auc_counts_pairs_ranked_right_and_ties_as_half():
    # Won 0.9 beats all three lost: 3. Won 0.3 loses to 0.8, ties 0.3 (½), beats 0.1: 1.5. (3 + 1.5) / (2 × 3).
    assert auc(P, Y) == pytest.approx(0.75)


def test_auc_extremes_and_undefined():
    assert auc([0.9, 0.1], [True, False]) == 1.0
    assert auc([0.1, 0.9], [True, False]) == 0.0
    assert auc([0.5, 0.5, 0.5], [True, False, False]) == 0.5
    assert auc([0.2, 0.7], [True, True]) is None  # no lost deal to rank against


def test_brier_is_the_mean_squared_gap():
    # (0.1² + 0.8² + 0.7² + 0.3² + 0.1²) / 5 = (0.01 + 0.64 + 0.49 + 0.09 + 0.01) / 5 = 0.248
    assert brier(P, Y) == pytest.approx(0.248)
    assert brier([1.0, 0.0], [True, False]) == 0.0
    assert brier([], []) is None


def test_log_loss():
    expected = -(math.log(0.9) + math.log(0.2) + math.log(0.3) + math.log(0.7) + math.log(0.9)) / 5
    assert log_loss(P, Y) == pytest.approx(expected)
