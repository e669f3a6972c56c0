"""Cross-sell: what each customer owns and since when, the rules mined from it, and an account's recommendations.

Ownership comes from won opportunities' line items (since the day the deal closed) and from contracts (since their
start). A product bought under contracts is held while one of them is in force; one bought on a won deal alone is
held from then on. Rules are mined over every customer of the org (only their aggregates are returned), the same
way the forecast learns from the whole org's history; recommendations are given for an account the caller may see.
"""

from __future__ import annotations

import uuid
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Date, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Contract, LineItem, Opportunity, Product, ProductUsage, Stage
from api.lib.auth import Principal
from api.lib.i18n import Text, render, t
from api.lib.scope import get_visible
from api.retention import cross_sell_schemas as out
from api.retention.cross_sell_rules import Rule, exact, mine_rules

TENURE_MONTHS = 12
RECENT_USAGE_MONTHS = 3  # a tier reading older than this says nothing about today
EVIDENCE_READINGS = 3
IN_FORCE = ("active", "renewed")
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True, order=True)
class Tenure:
    """The basket item "has owned this product for over TENURE_MONTHS months"."""

    product_id: uuid.UUID

    def __str__(self) -> str:
        return f"tenure:{self.product_id}"


@dataclass
class Holding:
    """One product at one customer: bought on ``since``, held until ``until`` (None: still held)."""

    since: date
    until: date | None = None

    def months(self, today: date) -> int:
        return full_months(self.since, self.until or today)

    def tenured(self, today: date) -> bool:
        """Owned for over TENURE_MONTHS months: bought before the same day TENURE_MONTHS months back."""
        as_of = self.until or today
        if as_of.year < 2:
            return False  # nothing can have been owned for a year before the first year
        return self.since < shift_months(as_of, -TENURE_MONTHS)


@dataclass(frozen=True)
class Thresholds:
    min_support: float
    min_confidence: float
    min_lift: float


@dataclass
class Customers:
    """What every customer of the org bought (baskets) and currently holds."""

    today: date
    baskets: dict[uuid.UUID, frozenset[uuid.UUID]] = field(default_factory=dict)
    holdings: dict[uuid.UUID, dict[uuid.UUID, Holding]] = field(default_factory=dict)

    def held(self, account_id: uuid.UUID) -> dict[uuid.UUID, Holding]:
        return {p: h for p, h in self.holdings.get(account_id, {}).items() if h.until is None}

    def tenure_baskets(self) -> list[frozenset[uuid.UUID | Tenure]]:
        """Each basket with a Tenure item for every product owned for over TENURE_MONTHS months."""
        result: list[frozenset[uuid.UUID | Tenure]] = []
        for account_id, basket in self.baskets.items():
            owned = self.holdings.get(account_id, {})
            result.append(basket | {Tenure(p) for p, h in owned.items() if h.tenured(self.today)})
        return result


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` months away (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def full_months(start: date, end: date) -> int:
    """Whole calendar months from start to end (0 when end comes first)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


def local_today(principal: Principal) -> date:
    """Today in the caller's time zone (the house default when the stored name is unknown)."""
    try:
        tz = ZoneInfo(principal.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    return datetime.now(tz).date()


def _utc_day(session: AsyncSession, deal: type[Opportunity]) -> Any:
    """The UTC day a deal was won (created, if it has no close time), computed by the database: parsing tens of
    thousands of instants in Python would cost more than the whole query."""
    instant = func.coalesce(deal.closed_at, deal.created_at)
    if session.bind.dialect.name == "sqlite":
        return func.substr(instant, 1, 10)  # instants are stored as ISO text in UTC (api.db.types)
    return cast(func.timezone("UTC", instant), Date)


async def load_customers(session: AsyncSession, org_id: uuid.UUID, today: date) -> Customers:
    """Baskets and holdings of every live account of the org, from won deals' line items and contracts."""
    won = (
        select(Opportunity.account_id, LineItem.product_id, _utc_day(session, Opportunity))
        .join(LineItem, LineItem.opportunity_id == Opportunity.id)
        .join(Stage, and_(Stage.org_id == Opportunity.org_id, Stage.key == Opportunity.stage))
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            Opportunity.org_id == org_id,
            Opportunity.deleted_at.is_(None),
            Account.deleted_at.is_(None),
            Stage.kind == "won",
            LineItem.product_id.is_not(None),
        )
    )
    contracts = (
        select(Contract.account_id, Contract.product_id, Contract.starts_on, Contract.ends_on, Contract.status)
        .join(Account, Account.id == Contract.account_id)
        .where(Contract.org_id == org_id, Account.deleted_at.is_(None), Contract.product_id.is_not(None))
    )
    # Per (account, product): the days it was won, and its contracts' (start, end, status).
    seen: dict[tuple[uuid.UUID, uuid.UUID], tuple[list[date], list[tuple[date, date, str]]]] = {}
    for account_id, product_id, won_on in await session.execute(won):
        day = won_on if isinstance(won_on, date) else date.fromisoformat(won_on)
        seen.setdefault((account_id, product_id), ([], []))[0].append(day)
    for account_id, product_id, starts_on, ends_on, status in await session.execute(contracts):
        seen.setdefault((account_id, product_id), ([], []))[1].append((starts_on, ends_on, status))
    customers = Customers(today)
    baskets: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for (account_id, product_id), (won_on, terms) in seen.items():
        baskets[account_id].add(product_id)
        customers.holdings.setdefault(account_id, {})[product_id] = _holding(won_on, terms, today)
    customers.baskets = {a: frozenset(b) for a, b in baskets.items()}
    return customers


def _holding(won_on: list[date], contracts: list[tuple[date, date, str]], today: date) -> Holding:
    """Since the first purchase; held unless it was bought under contracts of which none is in force (and no deal
    was won after the last one ended)."""
    since = min([*won_on, *(start for start, _, _ in contracts)])
    if not contracts:
        return Holding(since)
    in_force = any(status in IN_FORCE and ends_on >= today for _, ends_on, status in contracts)
    last_end = max(ends_on for _, ends_on, _ in contracts)
    if in_force or (won_on and max(won_on) > last_end):
        return Holding(since)
    return Holding(since, min(last_end, today))


class CrossSellService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.today = local_today(principal)

    async def rules(self, thresholds: Thresholds, limit: int) -> out.Rules:
        """The strongest plain and tenure rules over every customer of the org."""
        customers = await load_customers(self.session, self.principal.org_id, self.today)
        products = await self._products()
        plain, tenure = _mine(customers, thresholds)
        return out.Rules(
            baskets=len(customers.baskets), min_support=thresholds.min_support,
            min_confidence=thresholds.min_confidence, min_lift=thresholds.min_lift,
            rules=[_rule_out(r, products) for r in plain[:limit]],
            tenure_rules=[_rule_out(r, products) for r in tenure[:limit]],
        )  # fmt: skip

    async def recommendations(
        self, account_id: uuid.UUID, thresholds: Thresholds, usage_threshold: float, locale: str
    ) -> out.Recommendations:
        """Tier upgrades, tenure and association offers for one account, each with its evidence and reason."""
        await get_visible(self.session, Account, account_id, self.principal)
        customers = await load_customers(self.session, self.principal.org_id, self.today)
        products = await self._products()
        held = customers.held(account_id)
        plain, tenure = _mine(customers, thresholds)
        items = await self._tier(account_id, held, products, usage_threshold, locale)
        items += _tenure_offers(tenure, held, products, self.today, locale)
        items += _association_offers(plain, held, products, locale)
        return out.Recommendations(
            account_id=account_id, as_of=self.today, baskets=len(customers.baskets),
            min_support=thresholds.min_support, min_confidence=thresholds.min_confidence,
            min_lift=thresholds.min_lift, usage_threshold=usage_threshold, items=items,
        )  # fmt: skip

    async def _products(self) -> dict[uuid.UUID, Product]:
        rows = await self.session.execute(select(Product).where(Product.org_id == self.principal.org_id))
        return {p.id: p for p in rows.scalars()}

    async def _tier(
        self,
        account_id: uuid.UUID,
        held: dict[uuid.UUID, Holding],
        products: dict[uuid.UUID, Product],
        threshold: float,
        locale: str,
    ) -> list[out.Recommendation]:
        """Propose the next tier of each product whose latest recent reading reached threshold × its limit."""
        stmt = (
            select(ProductUsage)
            .where(ProductUsage.org_id == self.principal.org_id, ProductUsage.account_id == account_id)
            .order_by(ProductUsage.product_id, ProductUsage.month.desc())
        )
        readings: dict[uuid.UUID, list[ProductUsage]] = defaultdict(list)
        for reading in (await self.session.execute(stmt)).scalars():
            readings[reading.product_id].append(reading)
        oldest_recent = shift_months(self.today.replace(day=1), 1 - RECENT_USAGE_MONTHS)
        items = []
        for product_id, history in readings.items():
            latest, product = history[0], products[product_id]
            upgrade = products.get(product.next_tier_id) if product.next_tier_id else None
            if upgrade is None or upgrade.id in held or latest.month < oldest_recent or not latest.tier_limit:
                continue
            if Fraction(latest.quantity, latest.tier_limit) < exact(threshold):
                continue
            shown = history[:EVIDENCE_READINGS]
            text = t(
                "Used {quantity} of {limit} ({pct}%) of {current} in {month}; propose {product}.",
                "{month} 已用{current}额度 {limit} 中的 {quantity}（{pct}%），建议升级到{product}。",
            )
            params = {
                "quantity": latest.quantity, "limit": latest.tier_limit, "current": product.name,
                "pct": _pct(latest.quantity / latest.tier_limit), "month": latest.month.strftime("%Y-%m"),
                "product": upgrade.name,
            }  # fmt: skip
            items.append(
                _recommendation(
                    "tier",
                    upgrade,
                    text,
                    params,
                    locale,
                    current_product=_ref(product),
                    usage_threshold=threshold,
                    usage=[
                        out.UsageReading(
                            month=r.month,
                            quantity=r.quantity,
                            tier_limit=r.tier_limit,
                            ratio=round(r.quantity / r.tier_limit, 4),
                        )
                        for r in shown
                        if r.tier_limit
                    ],
                )
            )
        items.sort(key=lambda r: (r.product.name, str(r.product.id)))
        return items


def _mine(customers: Customers, thresholds: Thresholds) -> tuple[list[Rule[uuid.UUID]], list[Rule[uuid.UUID | Tenure]]]:
    """Plain rules over the baskets, and "owned A for over 12 months → B" rules over the tenure baskets."""
    settings = {
        "min_support": thresholds.min_support,
        "min_confidence": thresholds.min_confidence,
        "min_lift": thresholds.min_lift,
    }
    plain = mine_rules(list(customers.baskets.values()), **settings)
    tenure = [
        r
        for r in mine_rules(customers.tenure_baskets(), **settings)
        if len(r.antecedent) == 1
        and isinstance(r.antecedent[0], Tenure)
        and isinstance(r.consequent, uuid.UUID)
        and r.consequent != r.antecedent[0].product_id
    ]
    return plain, tenure


def _ref(product: Product) -> out.ProductRef:
    return out.ProductRef(id=product.id, sku=product.sku, name=product.name)


def _pct(ratio: float | Fraction) -> str:
    return f"{float(ratio) * 100:.0f}"


def _rule_out(rule: Rule, products: dict[uuid.UUID, Product]) -> out.RuleOut:
    tenure = isinstance(rule.antecedent[0], Tenure)
    antecedent = [products[i.product_id if isinstance(i, Tenure) else i] for i in rule.antecedent]
    return out.RuleOut(
        antecedent=[_ref(p) for p in antecedent], consequent=_ref(products[rule.consequent]),
        held_over_months=TENURE_MONTHS if tenure else None, support=round(float(rule.support), 4),
        confidence=round(float(rule.confidence), 4), lift=round(float(rule.lift), 4), both_count=rule.both_count,
        antecedent_count=rule.antecedent_count, consequent_count=rule.consequent_count, baskets=rule.baskets,
    )  # fmt: skip


def _recommendation(
    kind: str, product: Product, text: Text, params: dict[str, object], locale: str, **evidence: object
) -> out.Recommendation:
    return out.Recommendation(
        kind=kind,  # type: ignore[arg-type]
        product=_ref(product),
        reason=render(text, locale, **params),
        reason_en=render(text, "en", **params),
        reason_zh=render(text, "zh-CN", **params),
        **evidence,  # type: ignore[arg-type]
    )


def _rule_params(rule: Rule, products: dict[uuid.UUID, Product]) -> dict[str, object]:
    return {
        "product": products[rule.consequent].name, "both": rule.both_count, "ante": rule.antecedent_count,
        "confidence": _pct(rule.confidence), "lift": f"{float(rule.lift):.2f}",
    }  # fmt: skip


def _tenure_offers(
    rules: list[Rule[uuid.UUID | Tenure]],
    held: dict[uuid.UUID, Holding],
    products: dict[uuid.UUID, Product],
    today: date,
    locale: str,
) -> list[out.Recommendation]:
    """For each product the account has owned for over 12 months, the strongest rule offering one it lacks."""
    best: dict[uuid.UUID, Rule[uuid.UUID | Tenure]] = {}
    for rule in rules:  # strongest first
        owned = rule.antecedent[0].product_id  # type: ignore[union-attr]
        offer = rule.consequent
        holding = held.get(owned)
        if holding is None or not holding.tenured(today) or offer in held or offer in best:
            continue
        best[offer] = rule  # type: ignore[index]
    text = t(
        "Has owned {held} for {months} months; of the {ante} customers who owned it for over 12 months, "
        "{both} also bought {product} ({confidence}%, lift {lift}).",
        "已拥有{held} {months} 个月；拥有该产品超过 12 个月的 {ante} 家客户中，{both} 家也购买了{product}"
        "（{confidence}%，提升度 {lift}）。",
    )
    items = []
    for offer, rule in best.items():
        owned_product = products[rule.antecedent[0].product_id]  # type: ignore[union-attr]
        holding = held[owned_product.id]
        params = {**_rule_params(rule, products), "held": owned_product.name, "months": holding.months(today)}
        tenure = out.Tenure(product=_ref(owned_product), owned_since=holding.since, months_owned=holding.months(today))
        items.append(
            _recommendation(
                "tenure", products[offer], text, params, locale, rule=_rule_out(rule, products), tenure=tenure
            )
        )
    return items


def _association_offers(
    rules: list[Rule[uuid.UUID]], held: dict[uuid.UUID, Holding], products: dict[uuid.UUID, Product], locale: str
) -> list[out.Recommendation]:
    """The strongest rule whose antecedent the account holds, per product it does not hold."""
    best: dict[uuid.UUID, Rule[uuid.UUID]] = {}
    for rule in rules:  # strongest first
        if rule.consequent in held or rule.consequent in best or not all(i in held for i in rule.antecedent):
            continue
        best[rule.consequent] = rule
    text = t(
        "Customers who own {owned} also buy {product}: {both} of {ante} ({confidence}%), lift {lift}.",
        "拥有{owned}的 {ante} 家客户中，{both} 家也购买了{product}（{confidence}%，提升度 {lift}）。",
    )
    items = []
    for offer, rule in best.items():
        owned = " + ".join(products[i].name for i in rule.antecedent)
        params = {**_rule_params(rule, products), "owned": owned}
        items.append(
            _recommendation("association", products[offer], text, params, locale, rule=_rule_out(rule, products))
        )
    return items
