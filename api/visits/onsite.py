"""At the customer's door: GPS check-in, and check-out that turns the visit into evidence on the pipeline.

Check-out writes visit activities: one on each open opportunity of the account (so every deal's timeline shows
the visit and counts it as evidence), or one on the account itself when it has no open deal. An account-level
copy next to the per-deal ones would show the same visit twice in the account's feed, so there is none. The
activity is inbound (a customer action: they received us) unless the customer did not show up.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Activity, Opportunity, Organisation, Stage, Visit, VisitCheckIn
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.errors import AppError, field_error, forbidden
from api.lib.i18n import Text, t
from api.lib.pagination import keyset_page
from api.lib.scope import get_visible, visible
from api.visits import checkin
from api.visits.schemas import CheckInRequest, CheckOutRequest

OUTCOME_LABELS: dict[str, Text] = {
    "positive": t("Visit — positive", "拜访 — 积极"),
    "neutral": t("Visit — neutral", "拜访 — 一般"),
    "negative": t("Visit — negative", "拜访 — 消极"),
    "no_show": t("Visit — customer not available", "拜访 — 客户未到场"),
}


def _visit_conflict(slug: str, detail: Text) -> AppError:
    return AppError(409, slug, t("Conflict", "冲突"), detail)


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise field_error(field, "no_timezone", t("Give the time with a time zone.", "时间必须带时区。"))
    return value


class OnSiteService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def _own_visit(self, visit_id: uuid.UUID) -> Visit:
        """The caller's own visit: a manager sees the team's visits but does not check in for them."""
        visit = await get_visible(self.session, Visit, visit_id, self.principal)
        if visit.owner_id != self.principal.user_id:
            raise forbidden()
        return visit

    async def check_in(self, visit_id: uuid.UUID, data: CheckInRequest) -> VisitCheckIn:
        at = _aware(data.at, "at")
        visit = await self._own_visit(visit_id)
        if visit.status in ("done", "cancelled"):
            raise _visit_conflict(
                "visit-closed",
                t("This visit is closed (done or cancelled).", "该拜访已结束（已完成或已取消）。"),
            )
        fix = checkin.Fix(data.lat, data.lon, data.accuracy_m, at)
        radius = await self._radius()
        target = (visit.lat, visit.lon) if visit.lat is not None and visit.lon is not None else None
        verdict = checkin.judge(fix, target, radius)
        neighbours = await self._neighbours(at)
        flags, speed = checkin.flags(fix, utcnow(), [n for n, _ in neighbours])
        previous = next((row for n, row in neighbours if n.at <= at), None)
        record = VisitCheckIn(
            id=uuid.uuid4(), org_id=self.principal.org_id, owner_id=self.principal.user_id, visit_id=visit.id,
            lat=data.lat, lon=data.lon, accuracy_m=data.accuracy_m, at=at, received_at=utcnow(),
            status=verdict.status, distance_m=verdict.distance_m, radius_m=radius, flags=flags,
            flagged=bool(set(flags) & checkin.SUSPICIOUS), speed_kmh=speed,
            previous_id=previous.id if previous is not None else None,
        )  # fmt: skip
        self.session.add(record)
        # The latest attempt speaks for the visit: a rep who retries closer to the door gets verified.
        visit.status = "checked_in"
        visit.checked_in_at = at
        visit.check_in_status = verdict.status
        visit.check_in_distance_m = verdict.distance_m
        await self.session.flush()
        return record

    async def check_out(self, visit_id: uuid.UUID, data: CheckOutRequest) -> tuple[Visit, list[uuid.UUID]]:
        at = _aware(data.at, "at") if data.at is not None else utcnow()
        visit = await self._own_visit(visit_id)
        if visit.status == "done":
            raise _visit_conflict("visit-closed", t("This visit is checked out already.", "该拜访已签退。"))
        if visit.status != "checked_in" or visit.checked_in_at is None:
            raise _visit_conflict("check-in-first", t("Check in before checking out.", "请先签到再签退。"))
        if at < visit.checked_in_at:
            raise field_error(
                "at", "before_check_in", t("Check-out cannot precede check-in.", "签退时间不能早于签到时间。")
            )
        activity_ids = await self._activities(visit, data, visit.checked_in_at)
        visit.status = "done"
        visit.checked_out_at = at
        visit.outcome = data.outcome
        visit.notes = data.notes or None
        visit.activity_ids = [str(a) for a in activity_ids]
        await self.session.flush()
        return visit, activity_ids

    async def check_ins(
        self, limit: int, cursor: str | None, flagged: bool, owner_id: uuid.UUID | None, visit_id: uuid.UUID | None
    ) -> tuple[list[VisitCheckIn], str | None]:
        """Check-ins the caller may see, latest first; a manager reads the team's flagged ones here."""
        stmt = visible(select(VisitCheckIn), VisitCheckIn, self.principal)
        if owner_id is not None:
            stmt = stmt.where(VisitCheckIn.owner_id == owner_id)
        if visit_id is not None:
            stmt = stmt.where(VisitCheckIn.visit_id == visit_id)
        if flagged:
            stmt = stmt.where(VisitCheckIn.flagged.is_(True))
        return await keyset_page(self.session, stmt, VisitCheckIn.at, cursor, limit)

    async def _radius(self) -> int:
        stmt = select(Organisation.geofence_radius_m).where(Organisation.id == self.principal.org_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def _neighbours(self, at: datetime) -> list[tuple[checkin.Fix, VisitCheckIn]]:
        """The rep's check-ins just before and just after this time (offline ones arrive out of order)."""
        base = select(VisitCheckIn).where(
            VisitCheckIn.org_id == self.principal.org_id, VisitCheckIn.owner_id == self.principal.user_id
        )
        before = await self.session.execute(
            base.where(VisitCheckIn.at <= at).order_by(VisitCheckIn.at.desc(), VisitCheckIn.id.desc()).limit(1)
        )
        after = await self.session.execute(base.where(VisitCheckIn.at > at).order_by(VisitCheckIn.at).limit(1))
        rows = [*before.scalars(), *after.scalars()]
        return [(checkin.Fix(r.lat, r.lon, r.accuracy_m, r.at), r) for r in rows]

    async def _activities(self, visit: Visit, data: CheckOutRequest, occurred_at: datetime) -> list[uuid.UUID]:
        if visit.account_id is None:
            return []  # a stop that is not a customer (a depot, a site) leaves no customer evidence
        stmt = (
            select(Opportunity.id)
            .join(Stage, and_(Stage.org_id == Opportunity.org_id, Stage.key == Opportunity.stage))
            .where(
                Opportunity.org_id == self.principal.org_id,
                Opportunity.account_id == visit.account_id,
                Opportunity.deleted_at.is_(None),
                Stage.kind == "open",
            )
            .order_by(Opportunity.created_at, Opportunity.id)
        )
        targets: list[uuid.UUID | None] = list((await self.session.execute(stmt)).scalars()) or [None]
        label = OUTCOME_LABELS[data.outcome]
        summary = f"{label['zh']} / {label['en']}" + (f"\n{data.notes}" if data.notes else "")
        direction = "outbound" if data.outcome == "no_show" else "inbound"
        activities = [
            Activity(
                id=uuid.uuid4(),
                org_id=self.principal.org_id,
                account_id=visit.account_id,
                opportunity_id=target,
                owner_id=self.principal.user_id,
                kind="visit",
                direction=direction,
                occurred_at=occurred_at,
                summary=summary,
            )
            for target in targets
        ]
        self.session.add_all(activities)
        return [a.id for a in activities]
