"""Churn risk of a customer: four warning signs, a score from 0 to 100 with its reasons, and the lost-customer profile.

Everything here is pure (records in, figures out), evaluated "as of" a moment so that the same rules describe
today's customers and lost customers in the weeks before they left.

Warning signs, each with a strength from 0 to 1:

- ``engagement``: the key contacts' engagement is below the account's own benchmark three weeks running. Key
  contacts are the account's decision makers, or every contact when none is marked. An engagement is an
  activity with a key contact that shows the customer taking part: inbound (unless marked a no-show), or
  answered (email opened, clicked, replied; meeting attended). Weeks are 7-day blocks counted back from the
  moment: week 1 is the 7 days before it. The benchmark is the median weekly count over weeks 4 to 15 (the
  12 weeks before the three looked at). The sign fires when the benchmark is above 0 and each of weeks 1, 2
  and 3 is below it; its strength is 1 − (mean of weeks 1–3) / benchmark.
- ``amendments``: the contracts' scope or payment terms amended repeatedly: at least 2 such amendments in the
  last 180 days; strength = min(1, count / 4).
- ``case_surge``: support cases (any kind) opened in the last 30 days against the account's average per 30 days
  over the 180 days before them; fires at 2 cases or more and at least twice that average; strength =
  min(1, (count − average) / 4).
- ``sla_breach``: cases that breached their SLA (api/service_desk/sla.py: open past their due time, or first
  answered after it) among those opened in the last 90 days or still open; fires at 1; strength = min(1, n / 2).

Score: each sign that fires earns round-half-up(weight × strength) points; the score is their sum, at most 100.
Default weights: engagement 35, amendments 25, case surge 20, SLA breach 20. Levels: high from 60, medium from
30, low below.

Lost-customer profile: a sign "was present" for a lost customer when it fired at any of 13 weekly checkpoints
(the day it churned and each week back to 84 days before: the 90 days before it left, checked weekly); for a
retained customer, at the same checkpoints counted back from now. With at least 5 lost and 5 retained
customers, each sign's weight is its excess prevalence among the lost (lost share − retained share, at least
0), scaled so the weights add up to 100; otherwise, or when no sign is more common among the lost, the
default weights apply and the answer says why.
"""

from __future__ import annotations

import math
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from api.lib.i18n import Text, t
from api.service_desk.sla import breached

FACTORS = ("engagement", "amendments", "case_surge", "sla_breach")
DEFAULT_WEIGHTS = {"engagement": 35.0, "amendments": 25.0, "case_surge": 20.0, "sla_breach": 20.0}
ENGAGED_OUTCOMES = ("opened", "clicked", "replied", "attended")
AMENDED_TERMS = ("scope", "payment_terms")

WEEK = timedelta(days=7)
RECENT_WEEKS = 3
BENCHMARK_WEEKS = 12
AMENDMENT_WINDOW = timedelta(days=180)
AMENDMENTS_REPEATED = 2
AMENDMENTS_FULL = 4
SURGE_WINDOW = timedelta(days=30)
SURGE_HISTORY_WINDOWS = 6
SURGE_MIN = 2
SURGE_RATIO = 2
SURGE_FULL_EXCESS = 4
SLA_WINDOW = timedelta(days=90)
SLA_FULL = 2
PROFILE_CHECKPOINTS = 13  # weekly, from the day itself back to 84 days before: the 90 days before churn
MIN_LOST = 5
MIN_RETAINED = 5
HIGH = 60
MEDIUM = 30


@dataclass(frozen=True)
class Touch:
    """An engagement of one of the account's key contacts."""

    id: uuid.UUID
    contact_id: uuid.UUID
    at: datetime


@dataclass(frozen=True)
class Amendment:
    id: uuid.UUID
    contract_id: uuid.UUID
    term: str
    at: datetime


@dataclass(frozen=True)
class Case:
    id: uuid.UUID
    kind: str
    opened_at: datetime
    sla_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None


@dataclass
class CustomerRecords:
    """What churn risk reads about one account."""

    account_id: uuid.UUID
    name: str
    owner_id: uuid.UUID
    cs_owner_id: uuid.UUID | None
    churned_at: datetime | None
    is_customer: bool
    key_contact_ids: list[uuid.UUID] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


@dataclass(frozen=True)
class Signal:
    """One warning sign as of a moment: whether it fired, how strongly, the figures and records behind it."""

    factor: str
    fired: bool
    strength: float
    text: Text | None
    figures: dict[str, float]
    records: list[tuple[str, uuid.UUID]]


def _num(value: float) -> str:
    """A figure as people write it: 2, 2.5, 0.33."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def engagement(rec: CustomerRecords, as_of: datetime) -> Signal:
    weeks = [0] * (RECENT_WEEKS + BENCHMARK_WEEKS)
    recent: list[Touch] = []
    for touch in rec.touches:
        if touch.at >= as_of:
            continue
        index = (as_of - touch.at) // WEEK
        if index < len(weeks):
            weeks[index] += 1
            if index < RECENT_WEEKS:
                recent.append(touch)
    benchmark = float(statistics.median(weeks[RECENT_WEEKS:]))
    last = weeks[:RECENT_WEEKS]
    figures = {f"week_{i + 1}": float(n) for i, n in enumerate(last)} | {"benchmark": benchmark}
    fired = benchmark > 0 and all(n < benchmark for n in last)
    if not fired:
        return Signal("engagement", False, 0.0, None, figures, [])
    strength = 1 - (sum(last) / RECENT_WEEKS) / benchmark
    text = t(
        f"Key contacts' engagement below this customer's benchmark three weeks running: {last[0]}, {last[1]} and "
        f"{last[2]} in the last three weeks (latest first), against a weekly median of {_num(benchmark)} over "
        "the 12 weeks before.",
        f"关键联系人互动连续三周低于该客户的基准：最近三周（由近及远）分别为 {last[0]}、{last[1]}、{last[2]} 次，"
        f"此前 12 周的每周中位数为 {_num(benchmark)} 次。",
    )
    records = [("contact", c) for c in rec.key_contact_ids] + [("activity", x.id) for x in recent]
    return Signal("engagement", True, strength, text, figures, records)


def amendments(rec: CustomerRecords, as_of: datetime) -> Signal:
    window = [a for a in rec.amendments if as_of - AMENDMENT_WINDOW < a.at <= as_of and a.term in AMENDED_TERMS]
    count = len(window)
    figures = {"amendments": float(count), "window_days": float(AMENDMENT_WINDOW.days)}
    if count < AMENDMENTS_REPEATED:
        return Signal("amendments", False, 0.0, None, figures, [])
    text = t(
        f"Contract terms (scope, payment terms) amended {count} times in the last 180 days.",
        f"近 180 天合同条款（范围、付款条件）修改了 {count} 次。",
    )
    records = [("contract_amendment", a.id) for a in sorted(window, key=lambda a: a.at)]
    return Signal("amendments", True, min(1.0, count / AMENDMENTS_FULL), text, figures, records)


def case_surge(rec: CustomerRecords, as_of: datetime) -> Signal:
    recent = [c for c in rec.cases if as_of - SURGE_WINDOW < c.opened_at <= as_of]
    history_start = as_of - SURGE_WINDOW * (SURGE_HISTORY_WINDOWS + 1)
    history = [c for c in rec.cases if history_start < c.opened_at <= as_of - SURGE_WINDOW]
    average = len(history) / SURGE_HISTORY_WINDOWS
    count = len(recent)
    figures = {"cases_30d": float(count), "average_30d": round(average, 4)}
    if count < SURGE_MIN or count < SURGE_RATIO * average:
        return Signal("case_surge", False, 0.0, None, figures, [])
    text = t(
        f"{count} support cases in the last 30 days, against an average of {_num(average)} per 30 days over "
        "the 180 days before.",
        f"近 30 天有 {count} 个工单，此前 180 天平均每 30 天 {_num(average)} 个。",
    )
    records = [("support_case", c.id) for c in sorted(recent, key=lambda c: c.opened_at)]
    strength = min(1.0, (count - average) / SURGE_FULL_EXCESS)
    return Signal("case_surge", True, strength, text, figures, records)


def sla_breaches(rec: CustomerRecords, as_of: datetime) -> Signal:
    def considered(case: Case) -> bool:
        if case.opened_at > as_of:
            return False
        still_open = case.resolved_at is None or case.resolved_at > as_of
        return case.opened_at > as_of - SLA_WINDOW or still_open

    late = [c for c in rec.cases if considered(c) and breached(c, as_of)]
    figures = {"breached": float(len(late)), "window_days": float(SLA_WINDOW.days)}
    if not late:
        return Signal("sla_breach", False, 0.0, None, figures, [])
    text = t(
        f"{len(late)} support cases breached their SLA (open past their due time, or answered late) in the "
        "last 90 days.",
        f"近 90 天有 {len(late)} 个工单超出服务时限（逾期未结或答复超时）。",
    )
    records = [("support_case", c.id) for c in sorted(late, key=lambda c: c.opened_at)]
    return Signal("sla_breach", True, min(1.0, len(late) / SLA_FULL), text, figures, records)


SIGNS = {"engagement": engagement, "amendments": amendments, "case_surge": case_surge, "sla_breach": sla_breaches}


def signals(rec: CustomerRecords, as_of: datetime) -> list[Signal]:
    return [SIGNS[factor](rec, as_of) for factor in FACTORS]


def present_before(rec: CustomerRecords, end: datetime) -> set[str]:
    """The signs that fired at any weekly checkpoint in the 90 days up to ``end``."""
    found: set[str] = set()
    for week in range(PROFILE_CHECKPOINTS):
        moment = end - WEEK * week
        found |= {s.factor for s in signals(rec, moment) if s.fired}
        if len(found) == len(FACTORS):
            break
    return found


@dataclass(frozen=True)
class FactorProfile:
    factor: str
    lost_with: int
    lost_total: int
    retained_with: int
    retained_total: int
    weight: float

    @property
    def lost_share(self) -> float | None:
        return self.lost_with / self.lost_total if self.lost_total else None

    @property
    def retained_share(self) -> float | None:
        return self.retained_with / self.retained_total if self.retained_total else None


@dataclass(frozen=True)
class Profile:
    """How common each sign was among lost and retained customers, and the weights that follow."""

    basis: str  # "learned" or "default"
    note: Text
    lost_total: int
    retained_total: int
    factors: dict[str, FactorProfile]

    def weight(self, factor: str) -> float:
        return self.factors[factor].weight


def build_profile(customers: list[CustomerRecords], now: datetime) -> Profile:
    """Compare lost customers (before they churned) with retained ones (lately), and weigh the signs."""
    lost = [c for c in customers if c.churned_at is not None]
    retained = [c for c in customers if c.churned_at is None and c.is_customer]
    lost_with = dict.fromkeys(FACTORS, 0)
    retained_with = dict.fromkeys(FACTORS, 0)
    for rec in lost:
        for factor in present_before(rec, rec.churned_at):  # type: ignore[arg-type]
            lost_with[factor] += 1
    for rec in retained:
        for factor in present_before(rec, now):
            retained_with[factor] += 1
    weights, basis, note = dict(DEFAULT_WEIGHTS), "default", _too_few(len(lost), len(retained))
    if len(lost) >= MIN_LOST and len(retained) >= MIN_RETAINED:
        excess = {f: max(0.0, lost_with[f] / len(lost) - retained_with[f] / len(retained)) for f in FACTORS}
        total = sum(excess.values())
        if total > 0:
            weights = {f: 100 * excess[f] / total for f in FACTORS}
            basis = "learned"
            note = t(
                f"Weights learned from {len(lost)} lost and {len(retained)} retained customers: each sign weighs "
                "by how much more common it was among the lost in the 90 days before they left.",
                f"权重取自 {len(lost)} 个流失客户与 {len(retained)} 个留存客户：每个信号按其在流失前 90 天内"
                "比留存客户多出现的程度加权。",
            )
        else:
            note = t(
                "Default weights: no sign was more common among lost customers than among retained ones.",
                "使用默认权重：没有哪个信号在流失客户中比在留存客户中更常见。",
            )
    factors = {
        f: FactorProfile(f, lost_with[f], len(lost), retained_with[f], len(retained), round(weights[f], 4))
        for f in FACTORS
    }
    return Profile(basis, note, len(lost), len(retained), factors)


def _too_few(lost: int, retained: int) -> Text:
    return t(
        f"Default weights: {lost} lost and {retained} retained customers, fewer than the {MIN_LOST} of each "
        "needed to learn weights.",
        f"使用默认权重：流失客户 {lost} 个、留存客户 {retained} 个，不足各 {MIN_LOST} 个，无法学习权重。",
    )


@dataclass(frozen=True)
class Reason:
    signal: Signal
    points: int
    weight: float


@dataclass(frozen=True)
class Risk:
    score: int
    level: str
    reasons: list[Reason]  # the signs that fired, most points first
    signals: list[Signal]  # all four, fired or not


def points(weight: float, strength: float) -> int:
    """Round half up (26.5 → 27), so that hand-computed scores match."""
    return math.floor(weight * strength + 0.5 + 1e-9)


def level_of(score: int) -> str:
    return "high" if score >= HIGH else "medium" if score >= MEDIUM else "low"


def assess(rec: CustomerRecords, as_of: datetime, profile: Profile) -> Risk:
    found = signals(rec, as_of)
    reasons = [
        Reason(s, points(profile.weight(s.factor), s.strength), profile.weight(s.factor)) for s in found if s.fired
    ]
    reasons.sort(key=lambda r: (-r.points, FACTORS.index(r.signal.factor)))
    score = min(100, sum(r.points for r in reasons))
    return Risk(score, level_of(score), reasons, found)
