"""How good probabilities are: AUC (ranking) and Brier score (calibration), as plain functions."""

from __future__ import annotations

import math
from collections.abc import Sequence


def auc(probabilities: Sequence[float], outcomes: Sequence[bool]) -> float | None:
    """The chance a random won deal is ranked above a random lost one (ties count half); None without both."""
    positives = sum(1 for y in outcomes if y)
    negatives = len(outcomes) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(probabilities)), key=lambda i: probabilities[i])
    rank_sum = 0.0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and probabilities[order[end + 1]] == probabilities[order[start]]:
            end += 1
        average_rank = (start + end) / 2 + 1  # tied values share the mean of their ranks
        rank_sum += average_rank * sum(1 for i in order[start : end + 1] if outcomes[i])
        start = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def brier(probabilities: Sequence[float], outcomes: Sequence[bool]) -> float | None:
    """The mean squared gap between probability and outcome (0 is perfect, 0.25 is a coin flip)."""
    if not probabilities:
        return None
    return sum((p - float(y)) ** 2 for p, y in zip(probabilities, outcomes, strict=True)) / len(probabilities)


def log_loss(probabilities: Sequence[float], outcomes: Sequence[bool], eps: float = 1e-12) -> float | None:
    """The mean negative log-likelihood of the outcomes."""
    if not probabilities:
        return None
    total = 0.0
    for p, y in zip(probabilities, outcomes, strict=True):
        p = min(max(p, eps), 1 - eps)
        total -= math.log(p if y else 1 - p)
    return total / len(probabilities)
