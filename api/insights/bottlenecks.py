"""Bottlenecks: open stages whose backlog or dwell time is well above their own history, with what to do about it.

Definitions, over the deals in scope (the caller's reach, optionally one team or owner), as of now:

- *Sitting* in stage S: open deals whose stage is S; a deal's *age* is the days since it entered its current stay
  in S (its creation when no stay says so). The *backlog* is how many sit there.
- *Backlog history*: how many deals in scope sat in S at the end of each of the previous ``WEEKS`` weeks (now − 7k
  days, k = 1..8), rebuilt from stage history; its median is the baseline.
- *Dwell history*: S's finished stays; p75 is their 75th-percentile length (as in the funnel).
- S is flagged for **backlog** when at least ``MIN_BACKLOG`` deals sit there and more than ``BACKLOG_FACTOR`` × the
  baseline; for **dwell** when at least ``MIN_BACKLOG`` sit there, S has at least ``MIN_DWELL_SAMPLES`` finished
  stays, and the median age of the sitting deals is above p75.
- *Stuck* deals of a flagged stage: those sitting longer than p75 (every sitting deal when S has too few finished
  stays to know its p75), oldest first. *Who to help*: the owners with the most stuck deals (then the largest
  stuck amount).
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import BottleneckAlert, Opportunity, Stage, StageHistory, User
from api.insights.forecast import now_in_days
from api.insights.funnel import P75, stay_dwell, stays_in
from api.insights.records import Scope, epoch_days, scoped
from api.insights.snapshots import org_principal, week_start
from api.lib.i18n import Text, t
from api.notifications.service import notify

WEEKS = 8
BACKLOG_FACTOR = 1.5
MIN_BACKLOG = 3
MIN_DWELL_SAMPLES = 5
LISTED_DEALS = 10
LISTED_OWNERS = 3


@dataclass
class StuckDeal:
    id: uuid.UUID
    name: str
    owner_id: uuid.UUID
    owner_name: str
    amount: int
    currency: str
    days_in_stage: float


@dataclass
class OwnerToHelp:
    owner_id: uuid.UUID
    name: str
    stuck_count: int
    stuck_amount: int


@dataclass
class Bottleneck:
    stage: str
    name_en: str
    name_zh: str
    reasons: list[str]  # "backlog", "dwell"
    backlog: int
    backlog_baseline: float
    weekly_backlog: list[int]  # k = 1..WEEKS weeks ago
    median_age_days: float | None
    p75_dwell_days: float | None
    dwell_samples: int
    stuck_count: int
    stuck_amount: int
    stuck: list[StuckDeal] = field(default_factory=list)
    help: list[OwnerToHelp] = field(default_factory=list)


@dataclass
class _Sitting:
    id: uuid.UUID
    owner_id: uuid.UUID
    amount: int
    currency: str
    age: float


async def find_bottlenecks(
    session: AsyncSession,
    in_scope: Select[Any],
    org_id: uuid.UUID,
    stages: Sequence[Stage],
    now: datetime,
    *,
    whole_org: bool = False,
) -> list[Bottleneck]:
    """The flagged open stages among the opportunities ``in_scope`` selects, in pipeline order.

    ``whole_org``: ``in_scope`` picks every live deal of the org (the stays are then filtered more cheaply).
    """
    open_stages = [s for s in stages if s.kind == "open"]
    if not open_stages:
        return []
    ids = None if whole_org else in_scope.with_only_columns(Opportunity.id)
    sitting = await _sitting(session, in_scope, org_id, [s.key for s in open_stages], now)
    weekly = await _weekly_backlog(session, ids, org_id, [s.key for s in open_stages], now)
    dwell = await stay_dwell(session, ids, org_id, [P75])
    found = []
    for stage in open_stages:
        deals = sitting.get(stage.key, [])
        history = weekly.get(stage.key, [0] * WEEKS)
        baseline = statistics.median(history)
        stay = dwell.get(stage.key)
        p75 = stay.quantiles[0] if stay else None
        samples = stay.samples if stay else 0
        median_age = statistics.median(d.age for d in deals) if deals else None
        reasons = []
        if len(deals) >= MIN_BACKLOG and len(deals) > BACKLOG_FACTOR * baseline:
            reasons.append("backlog")
        known_p75 = p75 if samples >= MIN_DWELL_SAMPLES else None
        if len(deals) >= MIN_BACKLOG and known_p75 is not None and median_age is not None and median_age > known_p75:
            reasons.append("dwell")
        if not reasons:
            continue
        stuck = sorted((d for d in deals if known_p75 is None or d.age > known_p75), key=lambda d: -d.age)
        found.append(
            Bottleneck(
                stage=stage.key,
                name_en=stage.name_en,
                name_zh=stage.name_zh,
                reasons=reasons,
                backlog=len(deals),
                backlog_baseline=float(baseline),
                weekly_backlog=history,
                median_age_days=_days(median_age),
                p75_dwell_days=_days(p75),
                dwell_samples=samples,
                stuck_count=len(stuck),
                stuck_amount=sum(d.amount for d in stuck),
            )
        )
        found[-1].stuck, found[-1].help = await _suggestion(session, stuck)
    return found


async def _sitting(
    session: AsyncSession, in_scope: Select[Any], org_id: uuid.UUID, open_keys: list[str], now: datetime
) -> dict[str, list[_Sitting]]:
    """The open deals in scope per stage, with their age in it."""
    dialect = session.bind.dialect.name
    current = (
        select(
            StageHistory.opportunity_id.label("opportunity_id"),
            StageHistory.stage.label("stage"),
            func.max(StageHistory.entered_at).label("entered"),
        )
        .where(StageHistory.org_id == org_id, StageHistory.left_at.is_(None))
        .group_by(StageHistory.opportunity_id, StageHistory.stage)
        .subquery()
    )
    entered = func.coalesce(epoch_days(current.c.entered, dialect), epoch_days(Opportunity.created_at, dialect))
    stmt = (
        in_scope.with_only_columns(
            Opportunity.stage,
            Opportunity.id,
            Opportunity.owner_id,
            Opportunity.amount,
            Opportunity.currency,
            literal(now_in_days(now)) - entered,
        )
        .outerjoin(current, and_(current.c.opportunity_id == Opportunity.id, current.c.stage == Opportunity.stage))
        .where(Opportunity.stage.in_(open_keys))
    )
    result: dict[str, list[_Sitting]] = defaultdict(list)
    for stage, *row in await session.execute(stmt):
        result[stage].append(_Sitting(row[0], row[1], row[2], row[3], float(row[4])))
    return result


async def _weekly_backlog(
    session: AsyncSession, ids: Select[Any] | None, org_id: uuid.UUID, open_keys: list[str], now: datetime
) -> dict[str, list[int]]:
    """How many deals in scope sat in each open stage at the end of each of the previous weeks."""
    moments = [now - timedelta(days=7 * k) for k in range(1, WEEKS + 1)]
    columns = [
        func.sum(
            case(
                (and_(StageHistory.entered_at <= t, or_(StageHistory.left_at.is_(None), StageHistory.left_at > t)), 1),
                else_=0,
            )
        )
        for t in moments
    ]
    stmt = (
        select(StageHistory.stage, *columns)
        .where(
            StageHistory.org_id == org_id,
            StageHistory.stage.in_(open_keys),
            StageHistory.entered_at <= moments[0],
            stays_in(ids, org_id),
        )
        .group_by(StageHistory.stage)
    )
    return {stage: [int(v or 0) for v in counts] for stage, *counts in await session.execute(stmt)}


async def _suggestion(session: AsyncSession, stuck: list[_Sitting]) -> tuple[list[StuckDeal], list[OwnerToHelp]]:
    """The oldest stuck deals by name, and the owners with the most stuck deals."""
    per_owner: dict[uuid.UUID, list[_Sitting]] = defaultdict(list)
    for deal in stuck:
        per_owner[deal.owner_id].append(deal)
    ranked = sorted(per_owner.items(), key=lambda item: (-len(item[1]), -sum(d.amount for d in item[1]), str(item[0])))
    listed = stuck[:LISTED_DEALS]
    owners = {owner for owner, _ in ranked[:LISTED_OWNERS]} | {d.owner_id for d in listed}
    names = dict((await session.execute(select(User.id, User.name).where(User.id.in_(owners)))).all()) if owners else {}
    deal_names = (
        dict((await session.execute(select(Opportunity.id, Opportunity.name).where(
            Opportunity.id.in_([d.id for d in listed])))).all())
        if listed else {}
    )  # fmt: skip
    return (
        [StuckDeal(d.id, deal_names.get(d.id, ""), d.owner_id, names.get(d.owner_id, ""), d.amount, d.currency,
                   round(d.age, 1)) for d in listed],
        [OwnerToHelp(owner, names.get(owner, ""), len(deals), sum(d.amount for d in deals))
         for owner, deals in ranked[:LISTED_OWNERS]],
    )  # fmt: skip


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def alert_managers(session: AsyncSession, org_id: uuid.UUID, stages: Sequence[Stage], now: datetime) -> int:
    """Notify each team's managers of their team's bottlenecks, each flag once a week; how many were sent."""
    managers = [
        u
        for u in (await session.execute(select(User).where(User.org_id == org_id, User.team_id.is_not(None),
                                                              User.is_active))).scalars()
        if "manager" in (u.roles or [])
    ]  # fmt: skip
    sent = 0
    everyone = org_principal(org_id)
    for team_id in sorted({m.team_id for m in managers if m.team_id is not None}, key=str):
        in_scope = scoped(select(Opportunity), everyone, Scope(team_id=team_id))
        flags = await find_bottlenecks(session, in_scope, org_id, stages, now)
        for manager in (m for m in managers if m.team_id == team_id):
            week = week_start(now, manager.timezone)
            for flag in flags:
                if await _already_sent(session, manager.id, flag.stage, week):
                    continue
                notification = await notify(
                    session, org_id=org_id, user_id=manager.id, type="insight.bottleneck", title=_title(flag),
                    body=suggestion(flag), url=f"/insights/bottlenecks?team_id={team_id}",
                    tag=f"bottleneck:{team_id}:{flag.stage}",
                    data={"stage": flag.stage, "team_id": team_id, "reasons": flag.reasons,
                          "deal_ids": [d.id for d in flag.stuck[:5]]},
                )  # fmt: skip
                session.add(
                    BottleneckAlert(org_id=org_id, user_id=manager.id, team_id=team_id, stage=flag.stage,
                                    week_start=week, reasons=flag.reasons, notification_id=notification.id)
                )  # fmt: skip
                sent += 1
    await session.flush()
    return sent


async def _already_sent(session: AsyncSession, user_id: uuid.UUID, stage: str, week: date) -> bool:
    stmt = select(BottleneckAlert.id).where(
        BottleneckAlert.user_id == user_id, BottleneckAlert.stage == stage, BottleneckAlert.week_start == week
    )
    return (await session.execute(stmt)).first() is not None


def _title(flag: Bottleneck) -> Text:
    return t(f"Bottleneck in {flag.name_en}", f"{flag.name_zh}阶段出现瓶颈")


def suggestion(flag: Bottleneck) -> Text:
    """What is piling up, how long it waits, and whom to help, in a line or two."""
    en = [f"{flag.backlog} deals sit in {flag.name_en}"]
    zh = [f"{flag.name_zh}阶段有 {flag.backlog} 个商机"]
    if "backlog" in flag.reasons:
        en[-1] += f" (usually {flag.backlog_baseline:g})"
        zh[-1] += f"（通常 {flag.backlog_baseline:g} 个）"
    if "dwell" in flag.reasons and flag.p75_dwell_days is not None:
        en.append(f"{flag.stuck_count} past the usual {flag.p75_dwell_days:g} days")
        zh.append(f"{flag.stuck_count} 个已超过通常的 {flag.p75_dwell_days:g} 天")
    if flag.help:
        en.append("help " + ", ".join(f"{o.name} ({o.stuck_count})" for o in flag.help))
        zh.append("建议协助 " + "、".join(f"{o.name}（{o.stuck_count}）" for o in flag.help))
    return t("; ".join(en) + ".", "；".join(zh) + "。")
