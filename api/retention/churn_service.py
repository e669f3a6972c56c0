"""Churn risk for the caller: one account, or every retained customer in their reach.

The lost-customer profile (and the weights it teaches) is computed over the whole org, as the forecast learns
from the whole org's history; only its aggregates are shown.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.i18n import render
from api.lib.scope import get_visible, visible
from api.retention import churn_schemas as schemas
from api.retention.churn import FACTORS, CustomerRecords, Profile, Reason, Risk, assess, build_profile
from api.retention.churn_records import load_org


def reason_out(reason: Reason, locale: str) -> schemas.ChurnReason:
    signal = reason.signal
    return schemas.ChurnReason(
        factor=signal.factor,  # type: ignore[arg-type]
        points=reason.points,
        weight=reason.weight,
        strength=round(signal.strength, 4),
        text=render(signal.text, locale) if signal.text else "",
        figures=signal.figures,
        records=[schemas.ChurnRecord(type=kind, id=record_id) for kind, record_id in signal.records],
    )


def weights_out(profile: Profile, locale: str) -> schemas.Weights:
    return schemas.Weights(
        basis=profile.basis,  # type: ignore[arg-type]
        note=render(profile.note, locale),
        lost_customers=profile.lost_total,
        retained_customers=profile.retained_total,
    )


def risk_out(rec: CustomerRecords, risk: Risk, profile: Profile, as_of: datetime, locale: str) -> schemas.ChurnRisk:
    comparisons = []
    for signal in risk.signals:
        known = profile.factors[signal.factor]
        comparisons.append(
            schemas.FactorComparison(
                factor=signal.factor,  # type: ignore[arg-type]
                fired=signal.fired,
                weight=known.weight,
                figures=signal.figures,
                lost_with=known.lost_with,
                lost_total=known.lost_total,
                lost_share=None if known.lost_share is None else round(known.lost_share, 4),
                retained_with=known.retained_with,
                retained_total=known.retained_total,
                retained_share=None if known.retained_share is None else round(known.retained_share, 4),
            )
        )
    assert [c.factor for c in comparisons] == list(FACTORS)
    return schemas.ChurnRisk(
        account_id=rec.account_id,
        account_name=rec.name,
        is_customer=rec.is_customer,
        churned_at=rec.churned_at,
        as_of=as_of,
        score=risk.score,
        level=risk.level,  # type: ignore[arg-type]
        reasons=[reason_out(r, locale) for r in risk.reasons],
        factors=comparisons,
        weights=weights_out(profile, locale),
    )


async def org_risks(
    session: AsyncSession, org_id: uuid.UUID, now: datetime
) -> tuple[dict[uuid.UUID, CustomerRecords], Profile]:
    """Every account's records and the org's lost-customer profile."""
    records = await load_org(session, org_id, now)
    return records, build_profile(list(records.values()), now)


class ChurnService:
    def __init__(self, session: AsyncSession, principal: Principal, locale: str) -> None:
        self.session = session
        self.principal = principal
        self.locale = locale

    async def account_risk(self, account_id: uuid.UUID) -> schemas.ChurnRisk:
        await get_visible(self.session, Account, account_id, self.principal)
        now = utcnow()
        records, profile = await org_risks(self.session, self.principal.org_id, now)
        rec = records[account_id]
        # A lost customer is shown as it stood when it left.
        as_of = rec.churned_at or now
        return risk_out(rec, assess(rec, as_of, profile), profile, as_of, self.locale)

    async def at_risk(self, min_score: int, limit: int) -> schemas.ChurnList:
        now = utcnow()
        reach = set((await self.session.execute(visible(select(Account.id), Account, self.principal))).scalars())
        records, profile = await org_risks(self.session, self.principal.org_id, now)
        items = []
        for account_id in reach:
            rec = records.get(account_id)
            if rec is None or not rec.is_customer or rec.churned_at is not None:
                continue
            risk = assess(rec, now, profile)
            if risk.score >= min_score:
                items.append(
                    schemas.ChurnSummary(
                        account_id=rec.account_id, account_name=rec.name, owner_id=rec.owner_id,
                        cs_owner_id=rec.cs_owner_id, score=risk.score, level=risk.level,  # type: ignore[arg-type]
                        reasons=[reason_out(r, self.locale) for r in risk.reasons],
                    )
                )  # fmt: skip
        items.sort(key=lambda s: (-s.score, s.account_name, str(s.account_id)))
        return schemas.ChurnList(
            as_of=now, min_score=min_score, weights=weights_out(profile, self.locale), items=items[:limit]
        )
