"""Renewal timing from past renewals: which lead time (weeks before a contract's end at which renewal talks
began) renewed best, and the week to start talks for a contract that ends soon.

A past contract counts when its outcome is known: "renewed" (a renewal was signed) or "expired" (it ended without
one). Cancelled contracts, and active ones past their end, have no outcome yet and are left out. The lead time is
``ends_on − renewal_started_on`` in whole weeks; talks begun after the end fall into the "after the end" bucket,
which is never recommended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

# Lead-time buckets in whole weeks before the end, inclusive; None: no upper bound.
BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 3), (4, 7), (8, 11), (12, 15), (16, 23), (24, None))
LATE = (-1, -1)  # talks that began after the contract had ended
MIN_BUCKET = 3  # a bucket needs this many outcomes before its rate is trusted
MIN_HISTORY = 5  # below this many outcomes with a recorded start, the default applies
DEFAULT_WEEKS = 12  # about a quarter before the end: the common practice when the org's own history is thin


@dataclass(frozen=True)
class Outcome:
    ends_on: date
    renewal_started_on: date | None
    renewed: bool

    @property
    def lead_weeks(self) -> int | None:
        if self.renewal_started_on is None:
            return None
        return (self.ends_on - self.renewal_started_on).days // 7


@dataclass
class Bucket:
    min_weeks: int
    max_weeks: int | None
    renewed: int = 0
    not_renewed: int = 0

    @property
    def late(self) -> bool:
        return self.min_weeks < 0

    @property
    def total(self) -> int:
        return self.renewed + self.not_renewed

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.renewed, self.total) if self.total else None

    @property
    def start_weeks(self) -> int:
        """When to begin within the bucket: its earliest week, so talks fall inside it even if they slip."""
        return self.max_weeks if self.max_weeks is not None else self.min_weeks

    def holds(self, weeks: int) -> bool:
        if weeks < 0:
            return self.late
        return not self.late and self.min_weeks <= weeks and (self.max_weeks is None or weeks <= self.max_weeks)


@dataclass
class Timing:
    buckets: list[Bucket]
    best: Bucket | None
    weeks_before: int
    basis: str  # "history" or "default"
    with_start: int  # outcomes with a recorded start of talks
    renewed_without_start: int
    not_renewed_without_start: int
    outcomes: int = field(init=False)

    def __post_init__(self) -> None:
        self.outcomes = self.with_start + self.renewed_without_start + self.not_renewed_without_start


def learn(outcomes: list[Outcome]) -> Timing:
    """Renewal rate per lead-time bucket, and the bucket with the best rate among those with enough outcomes."""
    buckets = [Bucket(low, high) for low, high in BUCKETS] + [Bucket(*LATE)]
    without = {True: 0, False: 0}
    with_start = 0
    for outcome in outcomes:
        weeks = outcome.lead_weeks
        if weeks is None:
            without[outcome.renewed] += 1
            continue
        with_start += 1
        bucket = next(b for b in buckets if b.holds(weeks))
        if outcome.renewed:
            bucket.renewed += 1
        else:
            bucket.not_renewed += 1
    trusted = [b for b in buckets if not b.late and b.total >= MIN_BUCKET]
    best = None
    if with_start >= MIN_HISTORY and trusted:
        # Best rate; on a tie the better-evidenced bucket, then the earlier start (more room to negotiate).
        best = max(trusted, key=lambda b: (b.rate, b.total, b.min_weeks))
    return Timing(
        buckets=buckets,
        best=best,
        weeks_before=best.start_weeks if best else DEFAULT_WEEKS,
        basis="history" if best else "default",
        with_start=with_start,
        renewed_without_start=without[True],
        not_renewed_without_start=without[False],
    )


def monday(day: date) -> date:
    """The Monday of the week the day falls in."""
    return day - timedelta(days=day.weekday())


def start_week(ends_on: date, weeks_before: int, today: date) -> tuple[date, bool]:
    """The Monday of the week to begin renewal talks, and whether that week has already passed (begin now)."""
    target = monday(ends_on - timedelta(weeks=weeks_before))
    this_week = monday(today)
    return (this_week, True) if target < this_week else (target, False)
