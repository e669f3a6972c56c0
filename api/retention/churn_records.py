"""Loading what churn risk reads, for a whole org at once (a handful of queries, grouped in Python).

Only the rows some checkpoint can see are read: for accounts still with us, those within each sign's look-back
of the earliest checkpoint before now; for lost accounts, those between the earliest checkpoint's look-back
before the first churn and the last churn (nothing after a customer left is ever looked at).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Activity, Contact, Contract, ContractAmendment, Opportunity, Stage, SupportCase
from api.retention.churn import (
    AMENDED_TERMS,
    AMENDMENT_WINDOW,
    BENCHMARK_WEEKS,
    ENGAGED_OUTCOMES,
    PROFILE_CHECKPOINTS,
    RECENT_WEEKS,
    SURGE_HISTORY_WINDOWS,
    SURGE_WINDOW,
    WEEK,
    Amendment,
    Case,
    CustomerRecords,
    Touch,
)

CHECKPOINTS_SPAN = WEEK * (PROFILE_CHECKPOINTS - 1)
TOUCH_LOOK_BACK = CHECKPOINTS_SPAN + WEEK * (RECENT_WEEKS + BENCHMARK_WEEKS)
AMENDMENT_LOOK_BACK = CHECKPOINTS_SPAN + AMENDMENT_WINDOW
CASE_LOOK_BACK = CHECKPOINTS_SPAN + SURGE_WINDOW * (SURGE_HISTORY_WINDOWS + 1)


@dataclass(frozen=True)
class Spans:
    """Up to when the org's checkpoints reach: now for live accounts, the first and last churn for lost ones."""

    now: datetime
    first_churn: datetime | None
    last_churn: datetime | None

    def clause(self, column: Any, look_back: timedelta) -> Any:
        """Rows of ``column``'s table that a checkpoint can see (the query joins Account)."""
        live = and_(Account.churned_at.is_(None), column >= self.now - look_back)
        if self.first_churn is None or self.last_churn is None:
            return live
        lost = and_(Account.churned_at.is_not(None), column >= self.first_churn - look_back, column <= self.last_churn)
        return or_(live, lost)


async def _customer_ids(session: AsyncSession, org_id: uuid.UUID) -> set[uuid.UUID]:
    """Accounts that bought: with a contract, or a won deal."""
    contracted = select(Contract.account_id).where(Contract.org_id == org_id).distinct()
    won = (
        select(Opportunity.account_id)
        .join(Stage, (Stage.org_id == Opportunity.org_id) & (Stage.key == Opportunity.stage))
        .where(Opportunity.org_id == org_id, Stage.kind == "won", Opportunity.deleted_at.is_(None))
        .distinct()
    )
    ids = set((await session.execute(contracted)).scalars())
    return ids | set((await session.execute(won)).scalars())


async def load_org(session: AsyncSession, org_id: uuid.UUID, now: datetime) -> dict[uuid.UUID, CustomerRecords]:
    """Every live account of the org with its churn records: customers (bought, or lost) and the others."""
    customers = await _customer_ids(session, org_id)
    accounts = (
        await session.execute(
            select(Account.id, Account.name, Account.owner_id, Account.cs_owner_id, Account.churned_at).where(
                Account.org_id == org_id, Account.deleted_at.is_(None)
            )
        )
    ).all()
    records = {
        a.id: CustomerRecords(
            a.id, a.name, a.owner_id, a.cs_owner_id, a.churned_at, a.id in customers or a.churned_at is not None
        )
        for a in accounts
    }
    churns = [r.churned_at for r in records.values() if r.churned_at is not None]
    spans = Spans(now, min(churns, default=None), max(churns, default=None))
    await _contacts_and_touches(session, org_id, spans, records)
    amendments = await session.execute(
        select(ContractAmendment.id, ContractAmendment.contract_id, ContractAmendment.term,
               ContractAmendment.changed_at, Contract.account_id)
        .join(Contract, Contract.id == ContractAmendment.contract_id)
        .join(Account, Account.id == Contract.account_id)
        .where(ContractAmendment.org_id == org_id, ContractAmendment.term.in_(AMENDED_TERMS),
               spans.clause(ContractAmendment.changed_at, AMENDMENT_LOOK_BACK))
    )  # fmt: skip
    for row in amendments:
        if (rec := records.get(row.account_id)) is not None:
            rec.amendments.append(Amendment(row.id, row.contract_id, row.term, row.changed_at))
    # A case opened long ago counts while it stays open: every case resolved after the earliest look-back too.
    resolved_from = min(now, spans.first_churn or now) - CASE_LOOK_BACK
    cases = await session.execute(
        select(SupportCase.id, SupportCase.account_id, SupportCase.kind, SupportCase.opened_at,
               SupportCase.sla_due_at, SupportCase.first_response_at, SupportCase.resolved_at)
        .join(Account, Account.id == SupportCase.account_id)
        .where(SupportCase.org_id == org_id,
               or_(spans.clause(SupportCase.opened_at, CASE_LOOK_BACK), SupportCase.resolved_at.is_(None),
                   SupportCase.resolved_at >= resolved_from))
    )  # fmt: skip
    for row in cases:
        if (rec := records.get(row.account_id)) is not None:
            rec.cases.append(
                Case(row.id, row.kind, row.opened_at, row.sla_due_at, row.first_response_at, row.resolved_at)
            )
    return records


async def _contacts_and_touches(
    session: AsyncSession, org_id: uuid.UUID, spans: Spans, records: dict[uuid.UUID, CustomerRecords]
) -> None:
    """Key contacts (decision makers, or every contact when none is marked) and their engagements."""
    contacts = (
        await session.execute(
            select(Contact.id, Contact.account_id, Contact.is_decision_maker)
            .where(Contact.org_id == org_id, Contact.deleted_at.is_(None))
            .order_by(Contact.name, Contact.id)
        )
    ).all()
    deciders: dict[uuid.UUID, list[uuid.UUID]] = {}
    everyone: dict[uuid.UUID, list[uuid.UUID]] = {}
    for contact in contacts:
        everyone.setdefault(contact.account_id, []).append(contact.id)
        if contact.is_decision_maker:
            deciders.setdefault(contact.account_id, []).append(contact.id)
    for account_id, rec in records.items():
        rec.key_contact_ids = deciders.get(account_id) or everyone.get(account_id, [])
    keys = {account_id: set(rec.key_contact_ids) for account_id, rec in records.items()}
    touches = await session.execute(
        select(Activity.id, Activity.account_id, Activity.contact_id, Activity.occurred_at)
        .join(Account, Account.id == Activity.account_id)
        .where(Activity.org_id == org_id, Activity.contact_id.is_not(None),
               spans.clause(Activity.occurred_at, TOUCH_LOOK_BACK),
               or_(Activity.direction == "inbound", Activity.outcome.in_(ENGAGED_OUTCOMES)),
               or_(Activity.outcome.is_(None), Activity.outcome != "no_show"))
    )  # fmt: skip
    for row in touches:
        if row.contact_id in keys.get(row.account_id, ()):
            records[row.account_id].touches.append(Touch(row.id, row.contact_id, row.occurred_at))
