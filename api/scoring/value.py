"""The low-value flag: is the expected lifetime value of a deal worth what pursuing it costs?

Definitions (money in minor units of the org's currency):

- lifetime value ``ltv = amount × gross margin × (1 + expected renewals)``; expected renewals come from the org's
  settings, else from its contract history (renewals per original contract, once there are ``MIN_CONTRACTS``
  original contracts), else 0;
- expected value ``ev = win probability × ltv``;
- cost of pursuit ``cac = cost per activity × activities logged on the deal (visits excluded) + cost per visit ×
  visits logged + cost per day × days in the pipeline`` (from its creation to its close date, or to today when the
  close date has passed or is missing: the days it will have cost if it closes when promised);
- ``ratio = ev / cac``; the deal is *low value* when the ratio is below the org's threshold (3 by default).

A deal in another currency than the org's has no figures (costs are in the org's currency) and is not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MIN_CONTRACTS = 5


@dataclass(frozen=True)
class ValueSettings:
    currency: str
    cost_per_activity: int
    cost_per_visit: int
    cost_per_pipeline_day: int
    gross_margin_pct: float
    ltv_cac_threshold: float
    renewals: float
    renewals_basis: str  # "settings", "history" or "none"


@dataclass(frozen=True)
class Value:
    currency: str
    ltv: int | None
    expected_value: int | None
    cost: int | None
    ratio: float | None
    threshold: float
    low_value: bool
    activities: int
    visits: int
    pipeline_days: int
    renewals: float
    renewals_basis: str


def renewals_from_history(originals: int, renewals: int) -> float | None:
    """Renewals per original contract, when there are enough contracts to say."""
    return renewals / originals if originals >= MIN_CONTRACTS else None


def pipeline_days(created: date, close_date: date | None, today: date) -> int:
    end = close_date if close_date is not None and close_date > today else today
    return max((end - created).days, 1)


def compute_value(
    settings: ValueSettings,
    *,
    amount: int,
    currency: str,
    probability: float,
    activities: int,
    visits: int,
    days: int,
) -> Value:
    """The deal's value figures and flag (see the module's definitions)."""
    common = {
        "currency": settings.currency, "threshold": settings.ltv_cac_threshold, "activities": activities,
        "visits": visits, "pipeline_days": days, "renewals": settings.renewals,
        "renewals_basis": settings.renewals_basis,
    }  # fmt: skip
    if currency != settings.currency:
        return Value(ltv=None, expected_value=None, cost=None, ratio=None, low_value=False, **common)  # type: ignore[arg-type]
    ltv = round(amount * settings.gross_margin_pct / 100 * (1 + settings.renewals))
    expected = round(probability * ltv)
    s = settings
    cost = s.cost_per_activity * activities + s.cost_per_visit * visits + s.cost_per_pipeline_day * days
    ratio = expected / cost if cost > 0 else None
    low = ratio is not None and ratio < settings.ltv_cac_threshold
    return Value(ltv=ltv, expected_value=expected, cost=cost, ratio=_round(ratio), low_value=low, **common)  # type: ignore[arg-type]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
