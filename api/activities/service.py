"""Logging customer actions against an account and, optionally, one of its opportunities."""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.activities.schemas import ActivityCreate
from api.db.models import Account, Activity, Contact, Opportunity
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.errors import field_error
from api.lib.i18n import t
from api.lib.pagination import keyset_page
from api.lib.scope import visible

EMAIL_OUTCOMES = ("opened", "clicked", "replied")
OUTCOME_KINDS = {outcome: ("email",) for outcome in EMAIL_OUTCOMES} | {
    "attended": ("meeting", "visit", "poc"),
    "no_show": ("meeting", "visit", "poc"),
}

# Phones' clocks drift; an activity a few minutes "in the future" is a clock, not a prophecy.
CLOCK_SKEW = timedelta(minutes=10)


class ActivityService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def create(self, data: ActivityCreate) -> Activity:
        if data.occurred_at.tzinfo is None:
            raise field_error("occurred_at", "no_timezone", t("Give the time with a time zone.", "时间必须带时区。"))
        if data.occurred_at > utcnow() + CLOCK_SKEW:
            raise field_error(
                "occurred_at", "in_future", t("An activity cannot lie in the future.", "互动时间不能晚于现在。")
            )
        account = (
            await self.session.execute(
                visible(select(Account.id).where(Account.id == data.account_id), Account, self.principal)
            )
        ).scalar_one_or_none()
        if account is None:
            raise field_error(
                "account_id", "unknown", t("No such account in your reach.", "您的权限范围内没有该客户。")
            )
        if data.opportunity_id is not None:
            stmt = visible(
                select(Opportunity.account_id).where(Opportunity.id == data.opportunity_id), Opportunity, self.principal
            )
            opportunity_account = (await self.session.execute(stmt)).scalar_one_or_none()
            if opportunity_account != data.account_id:
                raise field_error(
                    "opportunity_id", "unknown", t("No such opportunity on this account.", "该客户下没有这个商机。")
                )
        if data.outcome is not None and data.kind not in OUTCOME_KINDS[data.outcome]:
            raise field_error(
                "outcome",
                "not_for_kind",
                t("This outcome does not fit this kind of activity.", "该结果与互动类型不符。"),
            )
        if data.contact_id is not None:
            contact_account = (
                await self.session.execute(
                    select(Contact.account_id).where(Contact.id == data.contact_id, Contact.deleted_at.is_(None))
                )
            ).scalar_one_or_none()
            if contact_account != data.account_id:
                raise field_error(
                    "contact_id", "unknown", t("No such contact on this account.", "该客户下没有这个联系人。")
                )
        activity = Activity(
            id=data.id if data.id is not msgspec.UNSET else uuid.uuid4(),
            org_id=self.principal.org_id,
            account_id=data.account_id,
            opportunity_id=data.opportunity_id,
            owner_id=self.principal.user_id,
            contact_id=data.contact_id,
            kind=data.kind,
            direction=data.direction,
            outcome=data.outcome,
            occurred_at=data.occurred_at,
            summary=data.summary,
        )
        self.session.add(activity)
        await self.session.flush()
        return activity

    async def list(
        self, limit: int, cursor: str | None, account_id: uuid.UUID | None, opportunity_id: uuid.UUID | None
    ) -> tuple[list[Activity], str | None]:
        """Activities on the accounts the caller may see, latest first."""
        stmt = visible(select(Activity).join(Account, Account.id == Activity.account_id), Account, self.principal)
        if account_id:
            stmt = stmt.where(Activity.account_id == account_id)
        if opportunity_id:
            stmt = stmt.where(Activity.opportunity_id == opportunity_id)
        return await keyset_page(self.session, stmt, Activity.occurred_at, cursor, limit)
