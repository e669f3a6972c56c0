"""Association rules over baskets (the set of products each customer owns): support, confidence and lift.

A plain Apriori over itemsets of one, two and three items, which is all a product catalogue of a sales team needs:
an itemset is counted only when all its subsets are frequent, and every rule X → y has a single consequent.
For a rule X → y over N baskets: support = n(X ∪ {y}) / N, confidence = n(X ∪ {y}) / n(X),
lift = confidence / (n({y}) / N), so lift above 1 means owning X makes y more likely than it is among all customers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Generic, TypeVar

Item = TypeVar("Item", bound=Hashable)
MAX_ITEMSET = 3  # pairs and triples: rules with one or two products in the antecedent


def _key(item: object) -> str:
    """A stable order for items of any kind (product ids, tenure markers)."""
    return str(item)


@dataclass(frozen=True)
class Rule(Generic[Item]):
    """X → y with the counts behind its figures."""

    antecedent: tuple[Item, ...]
    consequent: Item
    both_count: int  # baskets holding X and y
    antecedent_count: int  # baskets holding X
    consequent_count: int  # baskets holding y
    baskets: int

    # Exact fractions: thresholds and ties compare the true values, not their rounding (3/5 is 0.6, 1.5 is 1.5).
    @property
    def support(self) -> Fraction:
        return Fraction(self.both_count, self.baskets)

    @property
    def confidence(self) -> Fraction:
        return Fraction(self.both_count, self.antecedent_count)

    @property
    def lift(self) -> Fraction:
        return Fraction(self.both_count * self.baskets, self.antecedent_count * self.consequent_count)


def exact(threshold: float) -> Fraction:
    """A threshold as the decimal it was written as (0.2 is 1/5, not the binary float just above it)."""
    return Fraction(repr(float(threshold)))


def count_itemsets(baskets: Sequence[frozenset[Item]], min_support: float) -> dict[tuple[Item, ...], int]:
    """How many baskets hold each frequent itemset of one to three items (keys sorted by ``_key``)."""
    total, floor = len(baskets), exact(min_support)
    # Items become small integers once: hashing and comparing them is what the counting loops do most.
    items = sorted({item for basket in baskets for item in basket}, key=_key)
    index = {item: number for number, item in enumerate(items)}
    encoded = [sorted(index[item] for item in basket) for basket in baskets]
    counts: dict[tuple[int, ...], int] = {}
    frequent: set[tuple[int, ...]] = set()
    for size in range(1, MAX_ITEMSET + 1):
        tally: Counter[tuple[int, ...]] = Counter()
        if size == 1:
            for basket in encoded:
                tally.update((item,) for item in basket)
        else:
            alive = {item for itemset in frequent for item in itemset}
            for basket in encoded:
                kept = [item for item in basket if item in alive]
                for combo in combinations(kept, size):
                    # Apriori: an itemset can only be frequent when each of its subsets one item smaller is.
                    if size == 2 or all(sub in frequent for sub in combinations(combo, size - 1)):
                        tally[combo] += 1
        # n / total ≥ p/q, in integers.
        frequent = {combo for combo, n in tally.items() if n * floor.denominator >= floor.numerator * total}
        counts.update((combo, tally[combo]) for combo in frequent)
        if not frequent:
            break
    return {tuple(items[number] for number in combo): n for combo, n in counts.items()}


def mine_rules(
    baskets: Iterable[frozenset[Item]], *, min_support: float, min_confidence: float, min_lift: float = 0.0
) -> list[Rule[Item]]:
    """Every rule X → y with support ≥ min_support, confidence ≥ min_confidence and lift > min_lift,
    strongest first (lift, then confidence, then support)."""
    kept = list(baskets)
    if not kept:
        return []
    counts = count_itemsets(kept, min_support)
    confidence_floor, lift_floor = exact(min_confidence), exact(min_lift)
    rules: list[Rule[Item]] = []
    for itemset, both in counts.items():
        if len(itemset) < 2:
            continue
        for consequent in itemset:
            antecedent = tuple(i for i in itemset if i != consequent)
            rule = Rule(antecedent, consequent, both, counts[antecedent], counts[(consequent,)], len(kept))
            if rule.confidence >= confidence_floor and rule.lift > lift_floor:
                rules.append(rule)
    rules.sort(key=lambda r: (-r.lift, -r.confidence, -r.support, [_key(i) for i in r.antecedent], _key(r.consequent)))
    return rules
