"""Which of a rep's customers deserve a visit now, and why: ranked from the pipeline and the visit history.

A score of points (0 to about 100) adds up what a visit is worth today:
- the weighted value of the open pipeline (amount × stage probability), on a log scale, up to 40;
- a feedback date the customer promised within the next 48 hours: 30;
- an open deal expected to close this month: 15;
- the time since the last visit against the account's usual cadence (the median gap between its past
  visits, 30 days when there is no history): up to 25 when overdue, 15 when never visited;
- a competitor named on an open deal: 10;
- churn risk, when known: the account's latest churn warning of the last ``CHURN_RECENT_DAYS`` (the daily churn
  job of api/retention warns at medium and high risk): 20 when high, 10 when medium.
The score becomes the solver's prize in seconds of travel (one point is worth a one-minute detour), so a
customer worth 45 points is visited when the detour costs less than 45 minutes of driving.
"""

from __future__ import annotations

import itertools
import math
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Activity, ChurnWarning, Opportunity, Stage, Visit
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.i18n import Text

PRIZE_PER_POINT_S = 60
DEFAULT_SERVICE_S = 30 * 60
DEFAULT_CADENCE_DAYS = 30
MAX_CANDIDATES = 20
HISTORY_DAYS = 365
CHURN_RECENT_DAYS = 30
CHURN_POINTS = {"high": 20.0, "medium": 10.0}
CHURN_LEVELS: dict[str, Text] = {"high": {"en": "high", "zh": "高"}, "medium": {"en": "medium", "zh": "中"}}


@dataclass(frozen=True)
class Pipeline:
    """What the open deals of one account amount to."""

    weighted_minor: int = 0
    currency: str = "CNY"
    promised: date | None = None  # the earliest promised date within 48 hours
    closes_this_month: int = 0
    competitors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cadence:
    """How often an account is usually visited, and when it last was."""

    last_visit: date | None = None
    every_days: float = float(DEFAULT_CADENCE_DAYS)


@dataclass(frozen=True)
class Ranked:
    account_id: uuid.UUID
    name: str
    lat: float | None
    lon: float | None
    address: str | None
    score: float
    reason: Text
    factors: tuple[str, ...]

    @property
    def prize_s(self) -> int:
        return round(self.score * PRIZE_PER_POINT_S)


def cadence_days(visit_dates: list[date]) -> float:
    """The account's usual gap between visits: the median of its past gaps, or the default without history."""
    days = sorted(set(visit_dates))
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    return float(statistics.median(gaps)) if gaps else float(DEFAULT_CADENCE_DAYS)


def visits_due(cadence: Cadence | None, first: date, last: date) -> int:
    """How many visits the account's usual cadence calls for between two dates (at least one: it was asked for).

    The first is due a cadence after the last visit (at once when never visited or overdue), then one per cadence.
    """
    if cadence is None:
        return 1
    every = max(1.0, cadence.every_days)
    due = first if cadence.last_visit is None else max(first, cadence.last_visit + timedelta(days=math.ceil(every)))
    span = (last - due).days
    return max(1, 1 + math.floor(span / every)) if span >= 0 else 1


def score(
    pipeline: Pipeline, today: date, last_visit: date | None, cadence: float, churn: str | None = None
) -> tuple[float, list[Text], list[str]]:
    """Points, the reasons in both languages (most important first) and their codes."""
    parts: list[tuple[float, str, Text]] = []
    if pipeline.weighted_minor > 0:
        major = pipeline.weighted_minor / 100
        points = min(40.0, 6.0 * math.log10(1 + major))
        money = f"{pipeline.currency} {major:,.0f}"
        parts.append((points, "pipeline_value", {"en": f"{money} weighted pipeline", "zh": f"加权商机金额 {money}"}))
    if pipeline.promised is not None:
        day = pipeline.promised.isoformat()
        parts.append((30.0, "promised_date", {"en": f"feedback promised by {day}", "zh": f"客户承诺 {day} 前反馈"}))
    if pipeline.closes_this_month:
        parts.append((15.0, "closes_this_month", {"en": "a deal closes this month", "zh": "本月有商机预计成交"}))
    if last_visit is None:
        parts.append((15.0, "never_visited", {"en": "never visited", "zh": "从未拜访"}))
    else:
        since = (today - last_visit).days
        if since >= cadence:
            points = min(25.0, 10.0 * since / max(cadence, 1.0))
            parts.append(
                (
                    points,
                    "overdue",
                    {
                        "en": f"last visit {since} days ago (usually every {cadence:.0f})",
                        "zh": f"距上次拜访 {since} 天（通常每 {cadence:.0f} 天一次）",
                    },
                )
            )
    if pipeline.competitors:
        names = ", ".join(pipeline.competitors[:2])
        parts.append((10.0, "competitor", {"en": f"competitor: {names}", "zh": f"竞争对手：{names}"}))
    if churn in CHURN_POINTS:
        level = CHURN_LEVELS[churn]
        parts.append(
            (CHURN_POINTS[churn], "churn_risk", {"en": f"churn risk {level['en']}", "zh": f"流失风险{level['zh']}"})
        )
    parts.sort(key=lambda p: -p[0])
    return round(sum(p[0] for p in parts), 1), [p[2] for p in parts], [p[1] for p in parts]


def reason_text(reasons: list[Text]) -> Text:
    """The top three reasons, short enough for one line on a phone."""
    top = reasons[:3] or [{"en": "worth a visit", "zh": "值得拜访"}]
    return {"en": "; ".join(r["en"] for r in top), "zh": "；".join(r["zh"] for r in top)}


async def rank(
    session: AsyncSession, principal: Principal, day: date, exclude: set[uuid.UUID], limit: int = MAX_CANDIDATES
) -> list[Ranked]:
    """The caller's own accounts that deserve a visit on ``day``, best first."""
    accounts = list(
        (
            await session.execute(
                select(Account).where(
                    Account.org_id == principal.org_id,
                    Account.owner_id == principal.user_id,
                    Account.deleted_at.is_(None),
                )
            )
        ).scalars()
    )
    accounts = [a for a in accounts if a.id not in exclude and (a.lat is not None or a.address)]
    if not accounts:
        return []
    ids = [a.id for a in accounts]
    pipelines = await _pipelines(session, principal, ids, day)
    usual = await cadences(session, principal, ids, day)
    churn = await _churn_levels(session, principal, ids)
    visited = await _visited_on(session, principal, ids, day)
    ranked = []
    for account in accounts:
        if account.id in visited:
            continue
        cadence = usual.get(account.id, Cadence())
        points, reasons, codes = score(
            pipelines.get(account.id, Pipeline()), day, cadence.last_visit, cadence.every_days, churn.get(account.id)
        )
        if points <= 0:
            continue
        ranked.append(
            Ranked(
                account.id, account.name, account.lat, account.lon, account.address, points,
                reason_text(reasons), tuple(codes),
            )
        )  # fmt: skip
    ranked.sort(key=lambda r: (-r.score, r.name, str(r.account_id)))
    return ranked[:limit]


async def _pipelines(
    session: AsyncSession, principal: Principal, account_ids: list[uuid.UUID], day: date
) -> dict[uuid.UUID, Pipeline]:
    stmt = (
        select(Opportunity)
        .join(Stage, and_(Stage.org_id == Opportunity.org_id, Stage.key == Opportunity.stage))
        .where(
            Opportunity.org_id == principal.org_id,
            Opportunity.account_id.in_(account_ids),
            Opportunity.deleted_at.is_(None),
            Stage.kind == "open",
        )
    )
    month_end = (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    deals: dict[uuid.UUID, list[Opportunity]] = defaultdict(list)
    for opportunity in (await session.execute(stmt)).scalars():
        deals[opportunity.account_id].append(opportunity)
    pipelines = {}
    for account_id, opportunities in deals.items():
        promised = [o.promised_date for o in opportunities if o.promised_date and day <= o.promised_date]
        promised = [p for p in promised if p <= day + timedelta(days=2)]
        competitors = sorted({c for o in opportunities for c in (o.competitors or [])})
        pipelines[account_id] = Pipeline(
            weighted_minor=sum(o.amount * o.probability // 100 for o in opportunities),
            currency=opportunities[0].currency,
            promised=min(promised) if promised else None,
            closes_this_month=sum(1 for o in opportunities if o.close_date and day <= o.close_date <= month_end),
            competitors=tuple(competitors),
        )
    return pipelines


async def cadences(
    session: AsyncSession, principal: Principal, account_ids: list[uuid.UUID], day: date
) -> dict[uuid.UUID, Cadence]:
    """Each account's last visit before ``day`` and its usual gap between visits."""
    history = await _visit_history(session, principal, account_ids, day)
    return {
        account_id: Cadence(max(dates) if dates else None, cadence_days(dates))
        for account_id in account_ids
        for dates in [history.get(account_id, [])]
    }


async def _churn_levels(
    session: AsyncSession, principal: Principal, account_ids: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The level of each account's latest churn warning, when one was sent lately (the risk as last known)."""
    since = utcnow() - timedelta(days=CHURN_RECENT_DAYS)
    stmt = (
        select(ChurnWarning.account_id, ChurnWarning.level)
        .where(
            ChurnWarning.org_id == principal.org_id,
            ChurnWarning.account_id.in_(account_ids),
            ChurnWarning.sent_at >= since,
        )
        .order_by(ChurnWarning.sent_at)
    )
    return {account_id: level for account_id, level in (await session.execute(stmt)).all()}


async def _visit_history(
    session: AsyncSession, principal: Principal, account_ids: list[uuid.UUID], day: date
) -> dict[uuid.UUID, list[date]]:
    """Local dates of past visits: visit activities, whoever logged them (a visit is a visit)."""
    zone = ZoneInfo(principal.timezone)
    since = datetime.combine(day - timedelta(days=HISTORY_DAYS), datetime.min.time(), zone)
    until = datetime.combine(day, datetime.min.time(), zone)
    stmt = select(Activity.account_id, Activity.occurred_at).where(
        Activity.org_id == principal.org_id,
        Activity.account_id.in_(account_ids),
        Activity.kind == "visit",
        Activity.occurred_at >= since,
        Activity.occurred_at < until,
    )
    history: dict[uuid.UUID, list[date]] = defaultdict(list)
    for account_id, occurred_at in (await session.execute(stmt)).all():
        history[account_id].append(occurred_at.astimezone(zone).date())
    return history


async def _visited_on(
    session: AsyncSession, principal: Principal, account_ids: list[uuid.UUID], day: date
) -> set[uuid.UUID]:
    """Accounts the rep has already been to that day, so they are not suggested again."""
    stmt = select(Visit.account_id).where(
        Visit.org_id == principal.org_id,
        Visit.owner_id == principal.user_id,
        Visit.visit_date == day,
        Visit.account_id.in_(account_ids),
        Visit.status.in_(("checked_in", "done")),
    )
    return {a for a in (await session.execute(stmt)).scalars() if a is not None}
