"""Articles that fit a deal: product sheets for its line items, battlecards for its competitors, objection
handling for its stage, proposal templates and case studies for its industry.

Values are matched as search filters match them (tokenize.facet_keys): an opportunity competing with
"Siemens" finds the battlecard about "西门子 Siemens". One article per translation group, in the caller's
language when there is one, most read first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, KnowledgeArticle, KnowledgeSearchDoc, LineItem, Opportunity, Product
from api.knowledge.tokenize import facet_keys, facet_tokens
from api.lib.auth import Principal
from api.lib.scope import get_visible, visible

PER_REASON = 5
CANDIDATES = 40


@dataclass
class DealContext:
    """What of a deal (or of an account's open deals) decides which articles fit."""

    industry: str | None = None
    competitors: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Suggested:
    article: KnowledgeArticle
    reason: str
    matched: str


async def opportunity_context(session: AsyncSession, principal: Principal, opportunity_id: uuid.UUID) -> DealContext:
    opportunity = await get_visible(session, Opportunity, opportunity_id, principal)
    account = await session.get(Account, opportunity.account_id)
    return DealContext(
        industry=account.industry if account else None,
        competitors=list(opportunity.competitors or []),
        stages=[opportunity.stage],
        products=await _products(session, [opportunity.id]),
    )


async def account_context(session: AsyncSession, principal: Principal, account_id: uuid.UUID) -> DealContext:
    """An account's industry, and what its open deals (those the caller sees) compete with, sit in and sell."""
    account = await get_visible(session, Account, account_id, principal)
    stmt = visible(select(Opportunity), Opportunity, principal).where(
        Opportunity.account_id == account.id, Opportunity.closed_at.is_(None)
    )
    deals = list((await session.execute(stmt)).scalars())
    return DealContext(
        industry=account.industry,
        competitors=list(dict.fromkeys(c for d in deals for c in d.competitors or [])),
        stages=list(dict.fromkeys(d.stage for d in deals)),
        products=await _products(session, [d.id for d in deals]),
    )


async def _products(session: AsyncSession, opportunity_ids: list[uuid.UUID]) -> list[str]:
    if not opportunity_ids:
        return []
    stmt = (
        select(Product.sku, Product.name)
        .join(LineItem, LineItem.product_id == Product.id)
        .where(LineItem.opportunity_id.in_(opportunity_ids))
    )
    return list(dict.fromkeys(v for row in (await session.execute(stmt)).all() for v in row if v))


async def suggest(session: AsyncSession, principal: Principal, context: DealContext, lang: str) -> list[Suggested]:
    out: list[Suggested] = []
    seen: set[uuid.UUID] = set()
    rules = (
        ("product", ("product_sheet",), "p", context.products),
        ("competitor", ("battlecard",), "c", context.competitors),
        ("industry", ("proposal_template", "case_study"), "i", [context.industry] if context.industry else []),
    )
    for reason, kinds, letter, values in rules:
        tokens = sorted({token for value in values for token in facet_tokens(letter, value)})
        if tokens:
            condition = or_(*(KnowledgeSearchDoc.facets.like(f"% {token} %") for token in tokens))
            rows = await _candidates(session, principal, kinds, condition)
            column = {"p": "product", "c": "competitor", "i": "industry"}[letter]
            out += _pick(rows, reason, lambda a, c=column, v=values: _matched(getattr(a, c), v), lang, seen)
    if context.stages:
        rows = await _candidates(
            session, principal, ("objection_handling",), KnowledgeArticle.stage.in_(context.stages)
        )
        out += _pick(rows, "stage", lambda a: a.stage, lang, seen)
    return out


async def _candidates(
    session: AsyncSession, principal: Principal, kinds: tuple[str, ...], condition: object
) -> list[KnowledgeArticle]:
    stmt = (
        select(KnowledgeArticle)
        .join(KnowledgeSearchDoc, KnowledgeSearchDoc.article_id == KnowledgeArticle.id)
        .where(
            KnowledgeArticle.org_id == principal.org_id,
            KnowledgeArticle.deleted_at.is_(None),
            KnowledgeArticle.status == "published",
            KnowledgeArticle.kind.in_(kinds),
            condition,  # type: ignore[arg-type]
        )
        .order_by(KnowledgeArticle.read_count.desc(), KnowledgeArticle.updated_at.desc())
        .limit(CANDIDATES)
    )
    return list((await session.execute(stmt)).scalars())


def _matched(article_value: str | None, deal_values: list[str]) -> str | None:
    keys = facet_keys(article_value)
    return next((v for v in deal_values if keys & facet_keys(v)), None)


def _pick(
    rows: list[KnowledgeArticle],
    reason: str,
    matched: Callable[[KnowledgeArticle], str | None],
    lang: str,
    seen: set[uuid.UUID],
) -> list[Suggested]:
    """One article per translation group (the caller's language first), at most PER_REASON."""
    by_group: dict[uuid.UUID, KnowledgeArticle] = {}
    for article in rows:
        current = by_group.get(article.translation_group_id)
        if current is None or (current.lang != lang and article.lang == lang):
            by_group[article.translation_group_id] = article
    out = []
    for article in by_group.values():
        value = matched(article)
        if article.id in seen or value is None:
            continue
        seen.add(article.id)
        out.append(Suggested(article, reason, value))
        if len(out) >= PER_REASON:
            break
    return out
