"""Support cases: record a complaint or support case on an account, list, respond, escalate, resolve.

A case is visible exactly when its account is. Recording a complaint, or escalating any case, asks the
account owner's manager to step in (see followup.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, SupportCase
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.concurrency import check_version
from api.lib.errors import AppError, conflict, field_error, not_found
from api.lib.i18n import t
from api.lib.pagination import keyset_page
from api.lib.schema import provided
from api.lib.scope import get_visible, visible
from api.service_desk.followup import ensure_followup
from api.service_desk.schemas import CaseAction, CaseCreate, CaseEscalation, CaseUpdate
from api.service_desk.sla import SLA_BY_SEVERITY, breached_clause

# Phones' clocks drift; a case "opened" a few minutes in the future is a clock, not a prophecy.
CLOCK_SKEW = timedelta(minutes=10)
RESOLVED = t("This case is already resolved.", "该工单已解决。")


@dataclass(frozen=True)
class CaseFilters:
    account_id: uuid.UUID | None = None
    kind: str | None = None
    status: str | None = None
    severity: str | None = None
    sla_breached: bool | None = None


def _moment(field: str, value: datetime | msgspec.UnsetType, now: datetime) -> datetime:
    """A client-given time (now when omitted): with a time zone, and not in the future."""
    if value is msgspec.UNSET:
        return now
    assert isinstance(value, datetime)
    if value.tzinfo is None:
        raise field_error(field, "no_timezone", t("Give the time with a time zone.", "时间必须带时区。"))
    if value > now + CLOCK_SKEW:
        raise field_error(field, "in_future", t("This time lies in the future.", "该时间晚于现在。"))
    return value


def _due(value: datetime | None, opened_at: datetime) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise field_error("sla_due_at", "no_timezone", t("Give the time with a time zone.", "时间必须带时区。"))
    if value < opened_at:
        raise field_error(
            "sla_due_at", "before_opened", t("The due time cannot precede the case.", "答复期限不能早于工单创建时间。")
        )
    return value


class CaseService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _visible(self) -> Select[tuple[SupportCase]]:
        stmt = select(SupportCase).join(Account, Account.id == SupportCase.account_id)
        return visible(stmt, Account, self.principal).where(SupportCase.org_id == self.principal.org_id)

    async def _account(self, account_id: uuid.UUID, field: str | None = None) -> Account:
        try:
            return await get_visible(self.session, Account, account_id, self.principal)
        except AppError:
            if field is None:
                raise
            raise field_error(
                field, "unknown", t("No such account in your reach.", "您的权限范围内没有该客户。")
            ) from None

    async def create(self, data: CaseCreate) -> SupportCase:
        account = await self._account(data.account_id, "account_id")
        now = utcnow()
        opened_at = _moment("opened_at", data.opened_at, now)
        due = (
            _due(data.sla_due_at, opened_at)  # type: ignore[arg-type]
            if data.sla_due_at is not msgspec.UNSET
            else opened_at + SLA_BY_SEVERITY[data.severity]
        )
        case = SupportCase(
            id=data.id if data.id is not msgspec.UNSET else uuid.uuid4(),
            org_id=self.principal.org_id,
            account_id=account.id,
            kind=data.kind,
            severity=data.severity,
            status="open",
            subject=data.subject,
            detail=data.detail,
            opened_at=opened_at,
            sla_due_at=due,
            external_id=data.external_id,
            created_by=self.principal.user_id,
        )
        self.session.add(case)
        await self.session.flush()
        if case.kind == "complaint":
            await ensure_followup(self.session, case, account, escalated=False)
        return case

    async def get(self, case_id: uuid.UUID) -> SupportCase:
        row = (await self.session.execute(self._visible().where(SupportCase.id == case_id))).scalar_one_or_none()
        if row is None:
            raise not_found()
        return row

    async def list(self, filters: CaseFilters, limit: int, cursor: str | None) -> tuple[list[SupportCase], str | None]:
        """Cases on the accounts the caller may see, newest first."""
        if filters.account_id is not None:
            await self._account(filters.account_id)
        stmt = self._visible()
        if filters.account_id is not None:
            stmt = stmt.where(SupportCase.account_id == filters.account_id)
        for column, value in (
            (SupportCase.kind, filters.kind),
            (SupportCase.status, filters.status),
            (SupportCase.severity, filters.severity),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if filters.sla_breached is not None:
            clause = breached_clause(utcnow())
            stmt = stmt.where(clause if filters.sla_breached else ~clause)
        return await keyset_page(self.session, stmt, SupportCase.opened_at, cursor, limit)

    async def _for_update(self, case_id: uuid.UUID, expected_version: int | None) -> SupportCase:
        case = await self.get(case_id)
        if expected_version is not None:
            check_version(expected_version, case.version)
        return case

    async def update(self, case_id: uuid.UUID, expected_version: int, data: CaseUpdate) -> SupportCase:
        case = await self._for_update(case_id, expected_version)
        changes = provided(data)
        if "sla_due_at" in changes:
            changes["sla_due_at"] = _due(changes["sla_due_at"], case.opened_at)  # type: ignore[arg-type]
        for field, value in changes.items():
            setattr(case, field, value)
        if changes:
            await self.session.flush()
        return case

    async def respond(self, case_id: uuid.UUID, expected_version: int | None, data: CaseAction) -> SupportCase:
        """Record the first answer given to the customer."""
        case = await self._for_update(case_id, expected_version)
        if case.first_response_at is not None:
            raise conflict("already-responded", t("This case has been answered already.", "该工单已答复过。"))
        if case.resolved_at is not None:
            raise conflict("case-resolved", RESOLVED)
        case.first_response_at = self._after_opening("at", data.at, case)
        await self.session.flush()
        return case

    async def escalate(self, case_id: uuid.UUID, expected_version: int | None, data: CaseEscalation) -> SupportCase:
        """Escalate an open case: its account owner's manager gets a follow-up task (once per case)."""
        case = await self._for_update(case_id, expected_version)
        if case.status == "resolved":
            raise conflict("case-resolved", RESOLVED)
        if case.status == "escalated":
            raise conflict("already-escalated", t("This case is already escalated.", "该工单已升级。"))
        case.status = "escalated"
        await self.session.flush()
        account = await self.session.get_one(Account, case.account_id)
        await ensure_followup(self.session, case, account, escalated=True, reason=data.reason)
        return case

    async def resolve(self, case_id: uuid.UUID, expected_version: int | None, data: CaseAction) -> SupportCase:
        """Close a case; with no response recorded, the resolution is the first answer."""
        case = await self._for_update(case_id, expected_version)
        if case.status == "resolved":
            raise conflict("case-resolved", RESOLVED)
        at = self._after_opening("at", data.at, case)
        case.status = "resolved"
        case.resolved_at = at
        if case.first_response_at is None:
            case.first_response_at = at
        await self.session.flush()
        return case

    def _after_opening(self, field: str, value: datetime | msgspec.UnsetType, case: SupportCase) -> datetime:
        at = _moment(field, value, utcnow())
        if at < case.opened_at:
            raise field_error(field, "before_opened", t("This precedes the case.", "该时间早于工单创建时间。"))
        return at
