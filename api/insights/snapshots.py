"""Weekly forecast snapshots, and the report of each snapshot's forecast against what was actually won.

Once a week (from Monday 06:00 in the org's time zone on), the org-wide forecasts of the current and the next
month and quarter are stored, by both bases: ``weighted`` and ``model``. A snapshot is one per org, week,
period and basis, so taking it twice changes nothing. When the period is over, the report sets each snapshot
against the amount won with a close in it: accuracy = 1 − |forecast − actual| ÷ actual (none when nothing was won).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ForecastSnapshot, Opportunity, Organisation, Stage
from api.insights.forecast import Forecast, Period, forecast_of, parse_period
from api.lib.auth import Principal

SNAPSHOT_AT = time(6, 0)  # Mondays, org-local
BASES = ("weighted", "model")


def org_principal(org_id: uuid.UUID, timezone: str = "UTC") -> Principal:
    """The whole org, for scheduled work that no person asked for."""
    return Principal(
        user_id=uuid.UUID(int=0), org_id=org_id, session_id=uuid.UUID(int=0), email="", name="scheduler",
        team_id=None, manager_id=None, roles=("admin",), locale="en", timezone=timezone, visible_owner_ids=None,
    )  # fmt: skip


def week_start(moment: datetime, timezone: str) -> date:
    """The Monday of the week ``moment`` falls in, in that time zone."""
    local = moment.astimezone(ZoneInfo(timezone)).date()
    return local - timedelta(days=local.weekday())


def due_week(moment: datetime, timezone: str) -> date | None:
    """The week whose snapshot is due at ``moment``: this week's, once its Monday 06:00 has passed."""
    monday = week_start(moment, timezone)
    due_at = datetime.combine(monday, SNAPSHOT_AT, tzinfo=ZoneInfo(timezone))
    return monday if moment >= due_at else None


def periods_around(day: date) -> list[Period]:
    """The month and quarter holding ``day``, and the ones after them."""
    month = date(day.year, day.month, 1)
    next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    quarter = (day.month - 1) // 3 + 1
    next_quarter = (day.year + quarter // 4, quarter % 4 + 1)
    labels = [
        f"{month:%Y-%m}",
        f"{next_month:%Y-%m}",
        f"{day.year}-Q{quarter}",
        f"{next_quarter[0]}-Q{next_quarter[1]}",
    ]
    return [p for label in labels if (p := parse_period(label)) is not None]


async def take_snapshots(session: AsyncSession, org: Organisation, moment: datetime) -> int:
    """Store this week's snapshots of the org if due and not yet taken; how many rows were written."""
    week = due_week(moment, org.timezone)
    if week is None:
        return 0
    taken = select(func.count()).where(ForecastSnapshot.org_id == org.id, ForecastSnapshot.week_start == week)
    if (await session.execute(taken)).scalar_one():
        return 0
    written = 0
    local_day = moment.astimezone(ZoneInfo(org.timezone)).date()
    for period in periods_around(local_day):
        result = await forecast_of(session, org_principal(org.id, org.timezone), period, moment)
        for basis in BASES:
            session.add(_snapshot(org.id, week, period, basis, result, moment))
            written += 1
    await session.flush()
    return written


def _snapshot(
    org_id: uuid.UUID, week: date, period: Period, basis: str, result: Forecast, moment: datetime
) -> ForecastSnapshot:
    by_stage: dict[str, int] = {}
    for row in result.rows:
        value = row.weighted_amount if basis == "weighted" else int(row.model_amount)
        by_stage[row.stage] = by_stage.get(row.stage, 0) + value
    return ForecastSnapshot(
        id=uuid.uuid4(), org_id=org_id, week_start=week, period=period.label, period_start=period.start,
        period_end=period.end, basis=basis, currency=result.currency, count=result.count,
        pipeline_amount=result.amount, amount=result.weighted_amount if basis == "weighted" else result.model_amount,
        won_so_far=result.won_so_far_amount, by_stage=by_stage, taken_at=moment,
    )  # fmt: skip


@dataclass(frozen=True)
class Accuracy:
    snapshot: ForecastSnapshot
    actual: int
    actual_count: int

    @property
    def accuracy(self) -> float | None:
        if not self.actual:
            return None
        return round(1 - abs(self.snapshot.amount - self.actual) / self.actual, 4)


async def accuracy_report(
    session: AsyncSession, org_id: uuid.UUID, start: date, end: date, today: date, stages: Sequence[Stage]
) -> list[Accuracy]:
    """Every snapshot of a period that ended within [start, end] and before ``today``, with what was won in it."""
    snapshots = (
        await session.execute(
            select(ForecastSnapshot)
            .where(
                ForecastSnapshot.org_id == org_id,
                ForecastSnapshot.period_end >= start,
                ForecastSnapshot.period_end <= end,
                ForecastSnapshot.period_end < today,
            )
            .order_by(
                ForecastSnapshot.period_end,
                ForecastSnapshot.period,
                ForecastSnapshot.week_start,
                ForecastSnapshot.basis,
            )
        )
    ).scalars()
    won_keys = [s.key for s in stages if s.kind == "won"]
    actuals: dict[tuple[str, str], tuple[int, int]] = {}
    report = []
    for snapshot in snapshots:
        key = (snapshot.period, snapshot.currency)
        if key not in actuals:
            actuals[key] = await _won(session, org_id, snapshot, won_keys)
        amount, count = actuals[key]
        report.append(Accuracy(snapshot, amount, count))
    return report


async def _won(
    session: AsyncSession, org_id: uuid.UUID, snapshot: ForecastSnapshot, won_keys: list[str]
) -> tuple[int, int]:
    """(amount, count) won org-wide with a close in the snapshot's period, in its currency."""
    start = datetime.combine(snapshot.period_start, time.min, tzinfo=UTC)
    end = datetime.combine(snapshot.period_end + timedelta(days=1), time.min, tzinfo=UTC)
    amount, count = (
        await session.execute(
            select(func.sum(Opportunity.amount), func.count()).where(
                Opportunity.org_id == org_id,
                Opportunity.deleted_at.is_(None),
                Opportunity.stage.in_(won_keys),
                Opportunity.currency == snapshot.currency,
                Opportunity.closed_at >= start,
                Opportunity.closed_at < end,
            )
        )
    ).one()
    return int(amount or 0), count
