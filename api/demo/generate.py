"""Builds an org's demo records in memory: accounts, contacts, a year of pipeline and the activities behind it.

Nothing here touches the database. Every record gets a uuid5 id and its own seeded random stream, so the
same index always yields the same record (a second load recognises it), and what a record contains depends
only on the seed, never on the day of loading. Time is counted in days before today, in the org's time
zone: stage moves happen in the afternoon, customer actions in the morning, so an activity on the day of
a stage move always precedes it. Nothing happens today, so nothing lies in the future.
"""

from __future__ import annotations

import math
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.db.models import (
    Account,
    Activity,
    Contact,
    Contract,
    ContractAmendment,
    DealSignal,
    FieldChange,
    Invoice,
    LineItem,
    Opportunity,
    Product,
    ProductUsage,
    Stage,
    StageHistory,
    SupportCase,
)
from api.demo import data
from api.demo.data import AREAS, Industry, OrgPlan, Theme
from api.opportunities.rules import LineDraft

OPEN_PATH = ("lead", "qualified", "solution", "proposal", "negotiation")
MORNING = (9 * 60, 12 * 60 + 30)
AFTERNOON = (13 * 60 + 30, 17 * 60 + 30)
YEAR = 365
# Ages of deals lean towards the recent past, so that today's pipeline is well stocked.
AGE_SKEW = 1.4
EVIDENCE_LEAD_DAYS = 10
RECENT_DAYS = 30


def demo_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(data.NAMESPACE, "/".join(str(p) for p in parts))


def stream(*parts: object) -> random.Random:
    """A random stream of its own for one record, so records never shift when others are added."""
    return random.Random("/".join(str(p) for p in (data.SEED, *parts)))


@dataclass(frozen=True)
class Clock:
    """Turns "n days ago at minute m" (in the org's time zone) into UTC instants."""

    now: datetime
    tz: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def at(self, days_ago: int, minute: int) -> datetime:
        local = datetime.combine(self.day(days_ago), time(minute // 60, minute % 60), self.tz)
        return local.astimezone(UTC)

    def weekend(self, days_ago: int) -> bool:
        return self.day(days_ago).weekday() >= 5


@dataclass(frozen=True)
class Directory:
    """What the generator needs from the database: the org, its people, catalogue and stages."""

    org_id: uuid.UUID
    users: dict[str, uuid.UUID]
    products: dict[str, Product]
    stages: dict[str, Stage]


@dataclass
class Batch:
    """The rows of one org, in an order that satisfies the foreign keys."""

    accounts: list[Account] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    stays: list[StageHistory] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    # After the sale (api/demo/after_sale.py).
    contracts: list[Contract] = field(default_factory=list)
    amendments: list[ContractAmendment] = field(default_factory=list)
    usage: list[ProductUsage] = field(default_factory=list)
    cases: list[SupportCase] = field(default_factory=list)
    signals: list[DealSignal] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)


@dataclass(frozen=True)
class Customer:
    account: Account
    short_name: str
    slug: str  # the company's mail and web domain label
    industry: Industry
    weight: int


@dataclass(frozen=True)
class Line:
    product: Product
    quantity: int
    discount_pct: float

    @property
    def amount(self) -> int:
        return LineDraft(self.quantity, self.product.list_price, self.discount_pct).amount


def build(plan: OrgPlan, directory: Directory, clock: Clock) -> Batch:
    """Every demo row of one org up to the sale (users and products excluded: the loader owns those).

    ``after_sale.extend`` adds what followed (contracts, usage, cases, invoices, signals, churn) to the batch.
    """
    batch = Batch()
    customers = _customers(plan, directory, clock)
    for index, customer in enumerate(customers):
        batch.accounts.append(customer.account)
        batch.contacts += _contacts(plan, index, customer)
        batch.activities += _account_activities(plan, directory, clock, index, customer)
    phases: dict[tuple[uuid.UUID, str], int] = {}
    for number in range(plan.opportunities):
        _opportunity(plan, directory, clock, number, customers, phases, batch)
    return batch


# ---------------------------------------------------------------------------------------------- accounts


def _customers(plan: OrgPlan, directory: Directory, clock: Clock) -> list[Customer]:
    brands = list(plan.brands)
    stream(plan.key, "brands").shuffle(brands)
    customers: list[Customer] = []
    for rep_email, areas in plan.territories.items():
        for k in range(plan.accounts_per_rep):
            index = len(customers)
            owner = directory.users[rep_email]
            customers.append(_customer(plan, directory, index, brands[index], areas[k % len(areas)], owner, clock))
    return customers


def _customer(
    plan: OrgPlan,
    directory: Directory,
    index: int,
    brand: tuple[str, str],
    area_key: str,
    owner: uuid.UUID,
    clock: Clock,
) -> Customer:
    rng = stream(plan.key, "account", index)
    area = AREAS[area_key]
    industry = plan.industries[rng.choice(area.industries)]
    part, short, part_en = rng.choice(industry.names)
    brand_zh, brand_pinyin = brand
    name = f"上海{brand_zh}{part}{'股份有限公司' if rng.random() < 0.2 else '有限公司'}"
    if rng.random() < 0.4:
        name += f" ({brand_pinyin} {part_en})"
    slug = re.sub(r"[^a-z]", "", brand_pinyin.lower())
    created = clock.at(rng.randint(380, plan.org_age_days - 30), rng.randint(*MORNING))
    account = Account(
        id=demo_id(plan.key, "account", index),
        org_id=directory.org_id,
        owner_id=owner,
        name=name,
        industry=industry.label,
        address=f"上海市{area.district}{rng.choice(area.streets)} {rng.randint(1, 1800)} 号",
        city=data.CITY,
        lat=round(area.lat + _clamped_gauss(rng, 0.012, 0.03), 6),
        lon=round(area.lon + _clamped_gauss(rng, 0.014, 0.035), 6),
        phone=f"021-{rng.choice('3556')}{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        website=f"https://www.{slug}.example.com" if rng.random() < 0.5 else None,
        created_by=owner,
        created_at=created,
        updated_at=created,
    )
    return Customer(account, f"{brand_zh}{short}", slug, industry, rng.choice((1, 1, 2, 3)))


def _clamped_gauss(rng: random.Random, sigma: float, limit: float) -> float:
    return max(-limit, min(limit, rng.gauss(0, sigma)))


def _contacts(plan: OrgPlan, index: int, customer: Customer) -> list[Contact]:
    rng = stream(plan.key, "contacts", index)
    account = customer.account
    domain = f"{customer.slug}.example.com"
    titles = [rng.choice(data.DECISION_MAKER_TITLES), *rng.sample(data.CONTACT_TITLES, 2)]
    people = rng.sample([(s, g) for s in data.SURNAMES for g in data.GIVEN_NAMES], 3)
    contacts = []
    for j in range(rng.choice((2, 3, 3))):
        (surname, surname_py), (given, given_py) = people[j]
        contacts.append(
            Contact(
                id=demo_id(plan.key, "contact", index, j),
                org_id=account.org_id,
                account_id=account.id,
                name=f"{surname}{given} {given_py} {surname_py}",
                title=titles[j],
                phone=f"1{rng.choice('35789')}{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                email=f"{given_py}.{surname_py}@{domain}".lower(),
                is_decision_maker=j == 0,
                created_by=account.owner_id,
                created_at=account.created_at + timedelta(days=j + 1),
                updated_at=account.created_at + timedelta(days=j + 1),
            )
        )
    return contacts


def _account_activities(
    plan: OrgPlan, directory: Directory, clock: Clock, index: int, customer: Customer
) -> list[Activity]:
    """Touches that belong to the account rather than to a deal: service calls, routine visits."""
    rng = stream(plan.key, "account-activities", index)
    timing = stream(plan.key, "account-activities-time", index)
    rows = []
    for j in range(rng.randint(2, 5)):
        kind, direction, zh, en = rng.choice(data.ACCOUNT_ACTIVITIES)
        day = _pick_day(timing, clock, 1, YEAR)
        rows.append(
            _activity(
                directory, demo_id(plan.key, "account-activity", index, j), customer.account, None, kind, direction,
                clock.at(day, timing.randint(*MORNING)), f"{zh} {en}",
            )
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------------------------------------- opportunities


def _opportunity(
    plan: OrgPlan,
    directory: Directory,
    clock: Clock,
    number: int,
    customers: list[Customer],
    phases: dict[tuple[uuid.UUID, str], int],
    batch: Batch,
) -> None:
    """One deal with its line items, stage stays, audit trail and the activities behind its progress."""
    rng = stream(plan.key, "opportunity", number)
    # Times of day and weekday shifts come from a second stream: they depend on today, the content must not.
    timing = stream(plan.key, "opportunity-time", number)
    customer = rng.choices(customers, weights=[c.weight for c in customers])[0]
    account = customer.account
    theme_key = rng.choice(customer.industry.themes)
    theme = plan.themes[theme_key]
    phase = phases[(account.id, theme_key)] = phases.get((account.id, theme_key), 0) + 1
    lines = _lines(rng, plan, theme, directory.products)
    created_day = 1 + int((YEAR - 1) * rng.random() ** AGE_SKEW)
    path = _path(rng, created_day)
    days = _on_weekdays(clock, [day for _, day in path])
    stays = [(stage, clock.at(day, timing.randint(*AFTERNOON))) for (stage, _), day in zip(path, days, strict=True)]
    final = directory.stages[path[-1][0]]
    opportunity_id = demo_id(plan.key, "opportunity", number)
    owner = account.owner_id

    activities = _deal_activities(plan, directory, clock, rng, timing, number, account, opportunity_id, path, days)
    loss = rng.choice(data.LOSS_REASONS) if final.kind == "lost" else None
    if loss is not None:
        kind, zh, en = data.LOSS_NOTICE
        notice_id = demo_id(plan.key, "activity", number, len(activities))
        occurred = clock.at(days[-1], timing.randint(*MORNING))
        summary = f"{zh.format(zh=loss[0])} {en.format(en=loss[1])}"
        activities.append(_activity(directory, notice_id, account, opportunity_id, kind, "inbound", occurred, summary))

    amount = sum(line.amount for line in lines)
    list_total = sum(line.quantity * line.product.list_price for line in lines)
    closed_at = stays[-1][1] if final.kind != "open" else None
    close_date = (
        closed_at.astimezone(clock.tz).date()
        if closed_at
        else clock.today + timedelta(days=rng.randint(*data.CLOSE_IN_DAYS.get(final.key, (30, 90))))
    )
    promised = rng.random() < data.PROMISED_DATE_CHANCE
    promised_date = clock.today + timedelta(days=rng.randint(0, 7)) if final.kind == "open" and promised else None
    next_steps = data.NEXT_STEPS.get(final.key, ())
    last_touch = max([stays[-1][1], *(a.occurred_at for a in activities)])
    suffix = _zh_phase(phase) if phase > 1 else ""
    suffix_en = f" phase {phase}" if phase > 1 else ""
    batch.opportunities.append(
        Opportunity(
            id=opportunity_id,
            org_id=directory.org_id,
            account_id=account.id,
            owner_id=owner,
            name=f"{customer.short_name} · {theme.zh}{suffix} {theme.en}{suffix_en}",
            stage=final.key,
            probability=_probability(final),
            amount=amount,
            currency=plan.currency,
            discount_pct=round(100 * (list_total - amount) / list_total, 1),
            close_date=close_date,
            promised_date=promised_date,
            competitors=rng.sample(data.COMPETITORS, rng.choice((0, 1, 1, 2))),
            next_step=rng.choice(next_steps) if next_steps else None,
            loss_reason=f"{loss[0]} {loss[1]}" if loss else None,
            forecast_category=_forecast(final),
            closed_at=closed_at,
            created_by=owner,
            created_at=stays[0][1],
            updated_at=last_touch,
        )
    )
    batch.line_items += [
        LineItem(
            id=demo_id(plan.key, "line", number, position),
            org_id=directory.org_id,
            opportunity_id=opportunity_id,
            product_id=line.product.id,
            quantity=line.quantity,
            unit_price=line.product.list_price,
            discount_pct=line.discount_pct,
            amount=line.amount,
            position=position,
        )
        for position, line in enumerate(lines)
    ]
    batch.stays += _stays(plan, directory, number, opportunity_id, owner, stays)
    batch.changes += _changes(plan, directory, number, opportunity_id, owner, stays, loss)
    batch.activities += activities


def _zh_phase(phase: int) -> str:
    return "二三四五六七八九"[phase - 2] + "期" if phase <= 9 else f"{phase}期"


def _path(rng: random.Random, created_day: int) -> list[tuple[str, int]]:
    """The stages a deal went through and the day (days ago) it entered each, simulated forward from creation.

    A stay that would end today or later means the deal is still open there. All draws happen up front,
    so the outcome of a deal never depends on how the others went.
    """
    dwell = [
        rng.randint(*data.DWELL_DAYS[stage]) * (3 if rng.random() < data.STALL_CHANCE else 1) for stage in OPEN_PATH
    ]
    lost = [rng.random() < data.LOSS_RATE[stage] for stage in OPEN_PATH]
    path = [("lead", created_day)]
    day = created_day
    for index in range(len(OPEN_PATH)):
        leave = day - dwell[index]
        if leave < 1:
            break
        following = "lost" if lost[index] else (OPEN_PATH[index + 1] if index + 1 < len(OPEN_PATH) else "won")
        path.append((following, leave))
        day = leave
        if following in ("won", "lost"):
            break
    return path


def _on_weekdays(clock: Clock, days: list[int]) -> list[int]:
    """Move each day off the weekend (earlier if there is room, else later), keeping the order strict."""
    moved: list[int] = []
    for i, day in enumerate(days):
        earlier_limit = moved[-1] if moved else min(day + 3, YEAR + 1)  # strictly after the previous move
        later_limit = days[i + 1] if i + 1 < len(days) else 0  # strictly before the next one, and not today
        for candidate in (day, day + 1, day + 2, day - 1, day - 2):
            if later_limit < candidate < earlier_limit and candidate >= 1 and not clock.weekend(candidate):
                day = candidate
                break
        moved.append(day)
    return moved


def _pick_day(rng: random.Random, clock: Clock, low: int, high: int) -> int:
    """A day in [low, high] days ago, on a weekday when the range has one."""
    weekdays = [d for d in range(low, high + 1) if not clock.weekend(d)]
    return rng.choice(weekdays) if weekdays else rng.randint(low, high)


def _lines(rng: random.Random, plan: OrgPlan, theme: Theme, products: dict[str, Product]) -> list[Line]:
    """Products and quantities that add up to a plausible amount for this kind of project."""
    low, high = theme.amount_yuan
    target = math.exp(rng.uniform(math.log(low), math.log(high))) * 100
    chosen = [theme.products[0], *(p for p in theme.products[1:] if rng.random() < 0.75)]
    shares = sum(share for _, share in chosen)
    caps = {seed.sku: seed.max_quantity for seed in plan.products}
    lines = []
    for sku, share in chosen:
        product, discount = products[sku], rng.choice(data.LINE_DISCOUNTS)
        net = product.list_price * (100 - discount) / 100
        lines.append(Line(product, max(1, min(caps[sku], round(target * share / shares / net))), discount))
    return _within_bounds(lines, *(bound * 100 for bound in plan.amount_bounds_yuan))


def _within_bounds(lines: list[Line], low: int, high: int) -> list[Line]:
    """Scale quantities so that the deal's amount lies within the plan's bounds (in fen)."""
    total = sum(line.amount for line in lines)
    if total > high:
        factor = high / total
        lines = [Line(line.product, max(1, math.floor(line.quantity * factor)), line.discount_pct) for line in lines]
    total = sum(line.amount for line in lines)
    if total < low:
        cheapest = min(range(len(lines)), key=lambda i: lines[i].product.list_price)
        line = lines[cheapest]
        net = line.product.list_price * (100 - line.discount_pct) / 100
        lines[cheapest] = Line(line.product, line.quantity + math.ceil((low - total) / net) + 1, line.discount_pct)
    return lines


def _probability(stage: Stage) -> int:
    """Closed deals are certain; open ones carry their stage's default."""
    return {"won": 100, "lost": 0}.get(stage.kind, stage.probability)


def _forecast(stage: Stage) -> str:
    return "closed" if stage.kind != "open" else data.FORECAST.get(stage.key, "pipeline")


def _stays(
    plan: OrgPlan,
    directory: Directory,
    number: int,
    opportunity_id: uuid.UUID,
    owner: uuid.UUID,
    stays: list[tuple[str, datetime]],
) -> list[StageHistory]:
    return [
        StageHistory(
            id=demo_id(plan.key, "stay", number, i),
            org_id=directory.org_id,
            opportunity_id=opportunity_id,
            stage=stage,
            entered_at=entered,
            left_at=stays[i + 1][1] if i + 1 < len(stays) else None,
            changed_by=owner,
        )
        for i, (stage, entered) in enumerate(stays)
    ]


def _changes(
    plan: OrgPlan,
    directory: Directory,
    number: int,
    opportunity_id: uuid.UUID,
    owner: uuid.UUID,
    stays: list[tuple[str, datetime]],
    loss: tuple[str, str] | None,
) -> list[FieldChange]:
    """The audit trail the app would have written for each stage move."""
    rows = []
    for i in range(1, len(stays)):
        before, after = directory.stages[stays[i - 1][0]], directory.stages[stays[i][0]]
        values = {
            "stage": (before.key, after.key),
            "probability": (_probability(before), _probability(after)),
            "forecast_category": (_forecast(before), _forecast(after)),
            "loss_reason": (None, f"{loss[0]} {loss[1]}" if loss and after.kind == "lost" else None),
        }
        rows += [
            FieldChange(
                id=demo_id(plan.key, "change", number, i, name),
                org_id=directory.org_id,
                entity_type="opportunity",
                entity_id=opportunity_id,
                field=name,
                old_value=old,
                new_value=new,
                changed_by=owner,
                changed_at=stays[i][1],
            )
            for name, (old, new) in values.items()
            if old != new
        ]
    return rows


def _deal_activities(
    plan: OrgPlan,
    directory: Directory,
    clock: Clock,
    rng: random.Random,
    timing: random.Random,
    number: int,
    account: Account,
    opportunity_id: uuid.UUID,
    path: list[tuple[str, int]],
    days: list[int],
) -> list[Activity]:
    """The customer's actions that justify each move past qualification, our follow-ups, and recent contact."""
    found: list[tuple[str, str, str, str, int]] = []  # kind, direction, zh, en, day
    for i in range(1, len(path)):
        stage = directory.stages[path[i][0]]
        templates = data.EVIDENCE.get(stage.key)
        # Evidence is required past qualification and usual before it: within days before the move, after the last one.
        if templates and (stage.needs_evidence or rng.random() < 0.5):
            kind, zh, en = rng.choice(templates)
            latest = min(days[i] + EVIDENCE_LEAD_DAYS, days[i - 1] - 1)
            found.append((kind, "inbound", zh, en, _pick_day(timing, clock, days[i], latest)))
    closed = directory.stages[path[-1][0]].kind != "open"
    end_day = days[-1] if closed else 1
    for _ in range(rng.randint(1, 3)):
        kind, zh, en = rng.choice(data.DEAL_OUTBOUND)
        # Decided on the simulated days, not the weekday-shifted ones, so the count never depends on today:
        # a closed deal always has room before its close, an open one unless it was created yesterday.
        if closed or path[0][1] > 1:
            found.append((kind, "outbound", zh, en, _pick_day(timing, clock, end_day, days[0] - 1)))
    if not closed and directory.stages[path[-1][0]].needs_evidence:
        # An open deal past qualification stays justified only while the customer keeps acting.
        kind, zh, en = rng.choice(data.RECENT_INBOUND)
        found.append((kind, "inbound", zh, en, _pick_day(timing, clock, 1, min(RECENT_DAYS, days[0] - 1))))
    return [
        _activity(
            directory, demo_id(plan.key, "activity", number, j), account, opportunity_id, kind, direction,
            clock.at(day, timing.randint(*MORNING)), f"{zh} {en}",
        )
        for j, (kind, direction, zh, en, day) in enumerate(found)
    ]  # fmt: skip


def _activity(
    directory: Directory,
    activity_id: uuid.UUID,
    account: Account,
    opportunity_id: uuid.UUID | None,
    kind: str,
    direction: str,
    occurred_at: datetime,
    summary: str,
) -> Activity:
    return Activity(
        id=activity_id,
        org_id=directory.org_id,
        account_id=account.id,
        opportunity_id=opportunity_id,
        owner_id=account.owner_id,
        kind=kind,
        direction=direction,
        occurred_at=occurred_at,
        summary=summary,
        created_at=occurred_at,
    )
