"""The win-probability model: a logistic regression over the org's own closed deals, explainable feature by feature.

How a deal is described (``features``): each is a ``name=value`` indicator, so its weight is its contribution to
the log-odds and the explanation is the list of weights of the features a deal has.

- ``stage``: the open stage the deal is in; ``product``: its first line's product; ``industry``: its account's;
  ``owner``: who works it;
- ``amount``: its size band (quartiles of the training deals' sizes). A deal's size is the list value of its line
  items' products (list price × quantity), and its amount only when it has no priced product: the amount is often
  rewritten at the close (the final price of a won deal, nothing on a lost one), so it would leak the outcome. On
  the Maven export, sizing by amount lifted the test AUC from 0.52 to 0.69 by that leak alone;
- ``age``: days from creation to entering the stage (bands 0-6, 7-29, 30-89, 90-179, 180+);
- ``touches``: interactions logged on the deal in the 30 days before that moment (0, 1-2, 3-5, 6+), and
  ``inbound``: whether the customer started any of them.

No leakage of the outcome: a closed deal teaches the model once per open stage it went through, described as it
stood when it *entered* that stage (its stage, its age then, the interactions before then), which is exactly what
is known of an open deal today. Each deal's outcome is won or lost; nothing recorded at or after the close is used.

Training is Newton's method on the L2-penalised log-likelihood (the intercept is not penalised). The penalty keeps
weights finite when a value is seen only in won or only in lost deals, and shrinks rarely seen values towards zero.

A complaint or an escalated support case still open on the account halves the odds of winning (``COMPLAINT``:
log-odds ln 0.5 ≈ −0.693, once however many such cases): an unhappy customer rarely buys more until it is
resolved. It is a documented adjustment on top of the model (or of the stage probability), not learned, and it
appears in the explanation with the cases behind it.

With fewer than ``MIN_DEALS`` closed deals (or fewer than ``MIN_EACH`` won or lost) no model is trained and the
stage's probability stands in.
"""

from __future__ import annotations

import math
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from api.scoring.metrics import auc, brier, log_loss

COMPLAINT = math.log(0.5)
MIN_DEALS = 30
MIN_EACH = 5
L2 = 1.0
AGE_EDGES = (7.0, 30.0, 90.0, 180.0)
TOUCH_EDGES = (1, 3, 6)
TOUCH_WINDOW_DAYS = 30.0
GROUPS = ("stage", "product", "industry", "owner", "amount", "age", "touches", "inbound")
HOLDOUT_SHARE = 0.2


@dataclass
class DealFacts:
    """A deal as the model reads it; instants are days since the epoch."""

    id: uuid.UUID
    stage: str
    owner_id: uuid.UUID
    created: float
    closed: float | None = None
    product_id: uuid.UUID | None = None
    industry: str | None = None
    size: int | None = None
    stays: list[tuple[str, float, float | None]] = field(default_factory=list)  # (stage, entered, left), in order
    touches: list[tuple[float, bool]] = field(default_factory=list)  # (when, inbound), sorted by when


@dataclass(frozen=True)
class Snapshot:
    """What is known of a deal at one moment."""

    stage: str
    product_id: uuid.UUID | None
    industry: str | None
    owner_id: uuid.UUID
    size: int | None
    age_days: float
    touches: int
    inbound: int


@dataclass(frozen=True)
class Example:
    deal_id: uuid.UUID
    snapshot: Snapshot
    won: bool
    closed: float
    product_id: uuid.UUID | None


def _touches(deal: DealFacts, before: float) -> tuple[int, int]:
    """Interactions (and inbound ones) on the deal in the window that ends at ``before``."""
    times = [when for when, _ in deal.touches]
    start, end = bisect_left(times, before - TOUCH_WINDOW_DAYS), bisect_left(times, before)
    window = deal.touches[start:end]
    return len(window), sum(1 for _, inbound in window if inbound)


def snapshot(deal: DealFacts, stage: str, entered: float, now: float) -> Snapshot:
    """The deal in ``stage`` (entered at ``entered``), with the interactions of the 30 days before ``now``."""
    touches, inbound = _touches(deal, now)
    return Snapshot(
        stage, deal.product_id, deal.industry, deal.owner_id, deal.size, max(entered - deal.created, 0.0), touches,
        inbound,
    )  # fmt: skip


def examples_of(deal: DealFacts, kinds: dict[str, str]) -> list[Example]:
    """A closed deal as training examples: one per open stage it went through, as it stood on entering it."""
    outcome = kinds.get(deal.stage)
    if outcome not in ("won", "lost") or deal.closed is None:
        return []
    entered: dict[str, float] = {}
    for stage, at, _ in deal.stays:
        if kinds.get(stage) == "open":
            entered.setdefault(stage, at)
    return [
        Example(deal.id, snapshot(deal, stage, at, at), outcome == "won", deal.closed, deal.product_id)
        for stage, at in entered.items()
    ]


def entered_current(deal: DealFacts) -> float:
    """When the deal entered the stage it is in (its creation when no stay says so)."""
    for stage, entered, left in reversed(deal.stays):
        if stage == deal.stage and left is None:
            return entered
    return deal.created


def band(value: float, edges: Sequence[float]) -> int:
    return bisect_right(list(edges), value)


def features(s: Snapshot, spec: dict[str, Any]) -> list[str]:
    """The indicators describing a snapshot, limited to the feature groups the spec uses."""
    groups = set(spec.get("groups", GROUPS))
    out = []
    if "stage" in groups:
        out.append(f"stage={s.stage}")
    if "product" in groups and s.product_id is not None:
        out.append(f"product={s.product_id}")
    if "industry" in groups and s.industry:
        out.append(f"industry={s.industry.strip().lower()}")
    if "owner" in groups:
        out.append(f"owner={s.owner_id}")
    if "amount" in groups and s.size and spec.get("amount_edges") is not None:
        out.append(f"amount={band(s.size, spec['amount_edges'])}")
    if "age" in groups:
        out.append(f"age={band(s.age_days, AGE_EDGES)}")
    if "touches" in groups:
        out.append(f"touches={band(s.touches, TOUCH_EDGES)}")
    if "inbound" in groups:
        out.append(f"inbound={min(s.inbound, 1)}")
    return out


def amount_edges(sizes: Iterable[int | None]) -> list[float]:
    """Quartile edges of the known sizes (fewer when values repeat); empty without sizes."""
    known = sorted(s for s in sizes if s)
    if not known:
        return []
    quartiles = [float(np.quantile(known, q)) for q in (0.25, 0.5, 0.75)]
    return sorted(set(quartiles))


@dataclass
class Fitted:
    intercept: float
    weights: dict[str, float]
    spec: dict[str, Any]


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def logit(p: float, eps: float = 0.01) -> float:
    p = min(max(p, eps), 1 - eps)
    return math.log(p / (1 - p))


def fit(examples: Sequence[Example], groups: Sequence[str] = GROUPS, l2: float = L2, iterations: int = 50) -> Fitted:
    """Fit the penalised logistic regression on the examples."""
    spec: dict[str, Any] = {"groups": list(groups), "amount_edges": amount_edges(e.snapshot.size for e in examples)}
    rows = [features(e.snapshot, spec) for e in examples]
    names = sorted({f for row in rows for f in row})
    index = {name: i + 1 for i, name in enumerate(names)}  # column 0 is the intercept
    width, pad = max((len(r) for r in rows), default=0) + 1, len(names) + 1  # pad: a column sliced off
    columns = np.full((len(rows), width), pad, dtype=np.int64)
    columns[:, 0] = 0
    for r, row in enumerate(rows):
        columns[r, 1 : len(row) + 1] = [index[f] for f in row]
    y = np.array([e.won for e in examples], dtype=np.float64)
    size = pad + 1
    beta = np.zeros(size)
    penalty = np.full(size, l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-beta[columns].sum(axis=1)))
        gradient = np.bincount(columns.ravel(), weights=np.repeat(p - y, width), minlength=size) + penalty * beta
        w = p * (1 - p)
        hessian = np.diag(penalty + 1e-9)
        for a in range(width):
            for b in range(width):
                np.add.at(hessian, (columns[:, a], columns[:, b]), w)
        step = np.linalg.solve(hessian[:pad, :pad], gradient[:pad])
        beta[:pad] -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return Fitted(float(beta[0]), {name: float(beta[index[name]]) for name in names}, spec)


def explain(fitted: Fitted, s: Snapshot) -> tuple[list[tuple[str, float]], list[str]]:
    """(feature, weight) for the snapshot's features the model knows, and those it never saw in training."""
    known, unseen = [], []
    for feature in features(s, fitted.spec):
        if feature in fitted.weights:
            known.append((feature, fitted.weights[feature]))
        else:
            unseen.append(feature)
    return known, unseen


def predict(fitted: Fitted, s: Snapshot) -> float:
    known, _ = explain(fitted, s)
    return sigmoid(fitted.intercept + sum(w for _, w in known))


def enough(examples: Sequence[Example]) -> bool:
    """Enough closed deals, of both outcomes, to learn from."""
    won = {e.deal_id for e in examples if e.won}
    lost = {e.deal_id for e in examples if not e.won}
    return len(won) + len(lost) >= MIN_DEALS and len(won) >= MIN_EACH and len(lost) >= MIN_EACH


def product_rates(train: Sequence[Example]) -> tuple[dict[uuid.UUID | None, float], float]:
    """The baseline: each product's historical win rate over the training deals, and the overall rate."""
    outcomes = {e.deal_id: (e.product_id, e.won) for e in train}
    tally: dict[uuid.UUID | None, list[int]] = {}
    for product_id, won in outcomes.values():
        counts = tally.setdefault(product_id, [0, 0])
        counts[0] += won
        counts[1] += 1
    overall = sum(won for _, won in outcomes.values()) / len(outcomes) if outcomes else 0.5
    return {k: won / total for k, (won, total) in tally.items()}, overall


def evaluate(train: Sequence[Example], test: Sequence[Example], groups: Sequence[str] = GROUPS) -> dict[str, Any]:
    """AUC, Brier and log loss on ``test`` of the model fitted on ``train`` and of the product-rate baseline."""
    fitted = fit(train, groups)
    rates, overall = product_rates(train)
    outcomes = [e.won for e in test]
    model = [predict(fitted, e.snapshot) for e in test]
    baseline = [rates.get(e.product_id, overall) for e in test]
    return {
        "train_size": len(train),
        "test_size": len(test),
        "auc": _round(auc(model, outcomes)),
        "brier": _round(brier(model, outcomes)),
        "log_loss": _round(log_loss(model, outcomes)),
        "baseline_auc": _round(auc(baseline, outcomes)),
        "baseline_brier": _round(brier(baseline, outcomes)),
        "baseline_log_loss": _round(log_loss(baseline, outcomes)),
    }


def holdout_metrics(examples: Sequence[Example]) -> dict[str, Any]:
    """The model's figures on the latest fifth of the closed deals, trained on the others (a time split)."""
    ordered = sorted(examples, key=lambda e: e.closed)
    cut = ordered[int(len(ordered) * (1 - HOLDOUT_SHARE))].closed if ordered else 0.0
    train = [e for e in ordered if e.closed < cut]
    test = [e for e in ordered if e.closed >= cut]
    if not enough(train) or len({e.won for e in test}) < 2:
        return {"holdout": "too_few", "train_size": len(train), "test_size": len(test)}
    return {"holdout": "latest_fifth", "split_day": cut, **evaluate(train, test)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
