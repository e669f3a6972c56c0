"""The four detectors: which reminders are due at ``now``. Each returns candidates; storing them deduplicates.

Definitions (every threshold is a constant below, so a figure can be checked by hand):

- **promised_date**: a customer promised feedback on an open deal by ``promised_date``, a date in the owner's
  time zone. We take the promise as due at 09:00 local that day; the reminder is due 48 hours before, i.e. at
  09:00 local two days earlier, and is raised while ``due <= now < promised_date 09:00``. One per deal and
  promised date value: moving the date to another day reminds again.
- **silent_customer**: an account with open deals whose inbound interactions (activities with direction
  ``inbound``) have a usual rhythm: the median gap between its last up to 12 inbound interactions, from at
  least 4 of them (3 gaps). It has gone silent when the time since the last inbound interaction exceeds
  max(2 × that median, 3 days) — the floor keeps a burst of same-day e-mails from defining a rhythm of hours.
  One per account, owner of an open deal there, and last inbound interaction, linking to that owner's largest
  open deal on the account.
- **competitor**: on an open deal, a competitor added to ``competitors`` by an update (the audit trail's
  FieldChange; those listed at creation are the deal's starting picture, not news) or an activity logged on
  the deal whose summary names one of its competitors (case-insensitive, as a whole word). Signals logged more
  than 7 days before ``now`` are stale and do not remind. One per signal.
- **stage_dwell**: an open deal whose current stay in its stage is longer than the 75th percentile of the org's
  finished stays in that stage (at least 4 of them). One per stay: leaving and re-entering the stage starts anew.
"""

from __future__ import annotations

import itertools
import re
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Activity, FieldChange, Opportunity, Stage, StageHistory, User
from api.reminders.dwell import stage_p75_dwell
from api.reminders.quiet import local_instant, zone

FEEDBACK_AT = time(9, 0)
PROMISE_LEAD = timedelta(hours=48)
RHYTHM_WINDOW = 12  # the last inbound interactions whose gaps make the usual rhythm
MIN_INBOUND = 4
SILENCE_FACTOR = 2
MIN_SILENCE = timedelta(days=3)
SIGNAL_LOOKBACK = timedelta(days=7)
DAY_S = 86400.0


@dataclass
class Candidate:
    """A reminder that is due: who gets it, about which occurrence, and what it says."""

    kind: str
    org_id: uuid.UUID
    user_id: uuid.UUID
    opportunity_id: uuid.UUID
    account_id: uuid.UUID | None
    dedup_key: str
    due_at: datetime
    params: dict[str, Any] = field(default_factory=dict)


def _open_deals(stmt: Select[Any]) -> Select[Any]:
    """Live deals in an open stage, owned by an active user, on a live account."""
    return (
        stmt.select_from(Opportunity)
        .join(Stage, and_(Stage.org_id == Opportunity.org_id, Stage.key == Opportunity.stage))
        .join(User, User.id == Opportunity.owner_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(Stage.kind == "open", Opportunity.deleted_at.is_(None), Account.deleted_at.is_(None), User.is_active)
    )


def _rank(deal: Any) -> tuple[int, datetime, str]:
    return -deal.amount, deal.created_at, str(deal.id)


def _days(seconds: float) -> float:
    return round(seconds / DAY_S, 1)


async def promised_date_due(session: AsyncSession, now: datetime) -> list[Candidate]:
    """Deals whose promised feedback date is 48 hours away or less (and not yet passed)."""
    today = now.astimezone(UTC).date()
    stmt = _open_deals(
        select(
            Opportunity.id,
            Opportunity.org_id,
            Opportunity.owner_id,
            Opportunity.account_id,
            Opportunity.name,
            Opportunity.promised_date,
            User.timezone,
            Account.name.label("account"),
        )
    ).where(Opportunity.promised_date.between(today - timedelta(days=1), today + timedelta(days=3)))
    found = []
    for row in await session.execute(stmt):
        promised_at = local_instant(row.promised_date, FEEDBACK_AT, zone(row.timezone))
        due = promised_at - PROMISE_LEAD
        if due <= now < promised_at:
            found.append(
                Candidate(
                    "promised_date",
                    row.org_id,
                    row.owner_id,
                    row.id,
                    row.account_id,
                    f"promised_date:{row.id}:{row.promised_date.isoformat()}",
                    due,
                    {"deal": row.name, "account": row.account, "promised_date": row.promised_date.isoformat()},
                )
            )
    return found


async def silent_customers(session: AsyncSession, now: datetime) -> list[Candidate]:
    """Accounts with open deals that have stopped getting in touch (see the module's definition)."""
    deals = await session.execute(
        _open_deals(
            select(
                Opportunity.id,
                Opportunity.org_id,
                Opportunity.owner_id,
                Opportunity.account_id,
                Opportunity.name,
                Opportunity.amount,
                Opportunity.created_at,
                User.timezone,
                Account.name.label("account"),
            )
        )
    )
    best: dict[tuple[uuid.UUID, uuid.UUID], Any] = {}
    for deal in deals:
        key = (deal.account_id, deal.owner_id)
        held = best.get(key)
        # The owner's largest open deal on the account is the one the reminder opens (ties: the oldest).
        if held is None or _rank(deal) < _rank(held):
            best[key] = deal
    if not best:
        return []
    open_accounts = _open_deals(select(Opportunity.account_id)).distinct()
    ranked = (
        select(
            Activity.account_id,
            Activity.occurred_at,
            func.row_number()
            .over(partition_by=Activity.account_id, order_by=(Activity.occurred_at.desc(), Activity.id.desc()))
            .label("rank"),
        )
        .where(Activity.direction == "inbound", Activity.occurred_at <= now, Activity.account_id.in_(open_accounts))
        .subquery()
    )
    inbound: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    rows = await session.execute(
        select(ranked.c.account_id, ranked.c.occurred_at).where(ranked.c.rank <= RHYTHM_WINDOW)
    )
    for account_id, occurred_at in rows:
        inbound[account_id].append(occurred_at)
    found = []
    for (account_id, owner_id), deal in best.items():
        times = sorted(inbound.get(account_id, []))
        if len(times) < MIN_INBOUND:
            continue
        usual = statistics.median((b - a).total_seconds() for a, b in itertools.pairwise(times))
        threshold = max(timedelta(seconds=SILENCE_FACTOR * usual), MIN_SILENCE)
        last = times[-1]
        if now - last <= threshold:
            continue
        found.append(
            Candidate(
                "silent_customer",
                deal.org_id,
                owner_id,
                deal.id,
                account_id,
                f"silent_customer:{account_id}:{last.isoformat()}",
                last + threshold,
                {
                    "deal": deal.name,
                    "account": deal.account,
                    "last_inbound_at": last.isoformat(),
                    "last_inbound_on": last.astimezone(zone(deal.timezone)).date().isoformat(),
                    "usual_gap_days": _days(usual),
                    "threshold_days": _days(threshold.total_seconds()),
                    "days": int((now - last).total_seconds() // DAY_S),
                },
            )
        )
    return found


def mentions(text: str, name: str) -> bool:
    """Whether a text names a competitor: case-insensitive, not inside a longer Latin word or number."""
    needle = name.strip().casefold()
    if not needle:
        return False
    return re.search(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])", text.casefold()) is not None


def _added(old: Any, new: Any) -> list[str]:
    """The competitors in ``new`` that ``old`` did not list (compared case-insensitively)."""
    before = {str(name).strip().casefold() for name in (old or []) if isinstance(name, str)}
    return [name for name in (new or []) if isinstance(name, str) and name.strip().casefold() not in before]


async def competitor_signals(session: AsyncSession, now: datetime) -> list[Candidate]:
    """Competitors added to open deals, and activities on open deals naming their competitors, of the last 7 days."""
    since = now - SIGNAL_LOOKBACK
    deal_columns = (Opportunity.id, Opportunity.org_id, Opportunity.owner_id, Opportunity.account_id, Opportunity.name)
    changes = await session.execute(
        _open_deals(
            select(
                *deal_columns,
                FieldChange.id.label("change_id"),
                FieldChange.old_value,
                FieldChange.new_value,
                FieldChange.changed_at,
            )
        )
        .join(FieldChange, FieldChange.entity_id == Opportunity.id)
        .where(
            FieldChange.entity_type == "opportunity",
            FieldChange.field == "competitors",
            FieldChange.changed_at > since,
            FieldChange.changed_at <= now,
        )
    )
    found = []
    for row in changes:
        added = _added(row.old_value, row.new_value)
        if added:
            found.append(
                Candidate(
                    "competitor",
                    row.org_id,
                    row.owner_id,
                    row.id,
                    row.account_id,
                    f"competitor:change:{row.change_id}",
                    row.changed_at,
                    {"deal": row.name, "competitors": added, "source": "added"},
                )
            )
    activities = await session.execute(
        _open_deals(
            select(
                *deal_columns,
                Opportunity.competitors,
                Activity.id.label("activity_id"),
                Activity.summary,
                Activity.created_at.label("logged_at"),
            )
        )
        .join(Activity, Activity.opportunity_id == Opportunity.id)
        .where(Activity.created_at > since, Activity.created_at <= now)
    )
    for row in activities:
        named = [name for name in row.competitors or [] if isinstance(name, str) and mentions(row.summary, name)]
        if named:
            found.append(
                Candidate(
                    "competitor",
                    row.org_id,
                    row.owner_id,
                    row.id,
                    row.account_id,
                    f"competitor:activity:{row.activity_id}",
                    row.logged_at,
                    {"deal": row.name, "competitors": named, "source": "activity"},
                )
            )
    return found


async def stuck_deals(session: AsyncSession, now: datetime) -> list[Candidate]:
    """Open deals whose current stay in their stage is beyond the stage's 75th-percentile dwell."""
    stays = list(
        await session.execute(
            _open_deals(
                select(
                    Opportunity.id,
                    Opportunity.org_id,
                    Opportunity.owner_id,
                    Opportunity.account_id,
                    Opportunity.name,
                    Stage.key.label("stage"),
                    Stage.name_en,
                    Stage.name_zh,
                    StageHistory.id.label("stay_id"),
                    StageHistory.entered_at,
                )
            ).join(
                StageHistory,
                and_(
                    StageHistory.opportunity_id == Opportunity.id,
                    StageHistory.stage == Opportunity.stage,
                    StageHistory.left_at.is_(None),
                ),
            )
        )
    )
    limits = await stage_p75_dwell(session, sorted({row.org_id for row in stays}, key=str))
    found = []
    for row in stays:
        limit = limits.get((row.org_id, row.stage))
        if limit is None or now - row.entered_at <= limit:
            continue
        found.append(
            Candidate(
                "stage_dwell",
                row.org_id,
                row.owner_id,
                row.id,
                row.account_id,
                f"stage_dwell:{row.stay_id}",
                row.entered_at + limit,
                {
                    "deal": row.name,
                    "stage": row.stage,
                    "stage_en": row.name_en,
                    "stage_zh": row.name_zh,
                    "stay_id": str(row.stay_id),
                    "p75_days": _days(limit.total_seconds()),
                    "days": int((now - row.entered_at).total_seconds() // DAY_S),
                },
            )
        )
    return found


DETECTORS = {
    "promised_date": promised_date_due,
    "silent_customer": silent_customers,
    "competitor": competitor_signals,
    "stage_dwell": stuck_deals,
}
