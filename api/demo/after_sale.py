"""What happens after the sale in the demo: contracts and their renewals, usage, support cases, invoices, churn.

Built on top of ``generate.build``'s batch, with the same rules: every record has a uuid5 id and its own seeded
stream, and everything is counted in days before today. The story it tells:

- each won deal starts a 12-month contract on its close date; some were preceded by one or two renewed terms,
  some customers also hold a support plan that was renewed or let expire. Renewal talks begun 10–14 weeks ahead
  renew far more often than those begun 1–3 weeks ahead, so renewal timing has something to learn;
- metered products (cloud users, gateways) report monthly usage against the quantity bought, a few near or over
  the limit (the cloud's standard tier has an enterprise tier above it);
- a handful of customers left (``churned_at``): their last contract expired, and in their final months their key
  contact went quiet, their terms were amended again and again and support cases piled up; a few current
  customers drift the same way;
- support cases are mostly answered within their SLA; complaints are all resolved (an open one on a rep's account
  would create follow-up work the end-to-end tests do not expect), only a few support cases are open;
- open deals carry buying signals, contracts their invoices (some paid late), activities their contact and outcome.
"""

from __future__ import annotations

import random
import uuid
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from api.db.models import (
    Account,
    Activity,
    Contact,
    Contract,
    ContractAmendment,
    DealSignal,
    Invoice,
    LineItem,
    Opportunity,
    ProductUsage,
    SupportCase,
)
from api.demo import data
from api.demo.data import OrgPlan
from api.demo.generate import MORNING, Batch, Clock, Directory, demo_id, stream
from api.service_desk.sla import SLA_BY_SEVERITY

CHURNED = 6
DRIFTING = 4
OPEN_CASES = 3
SIGNAL_STAGES = ("qualified", "solution", "proposal", "negotiation")
# Weeks before the end that renewal talks began: renewals started a quarter ahead, lapses at the last minute
# (None: no start recorded, a negative number: after the end).
RENEWED_LEAD = (2, 5, 7, 10, 11, 12, 12, 13, 13, 14)
EXPIRED_LEAD = (1, 1, 2, 2, 3, 3, 6, 12, -2, None)
HOUR = timedelta(hours=1)


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def term_end(start: date) -> date:
    return add_months(start, 12) - timedelta(days=1)


@dataclass
class _Story:
    """One org's generation under way: its plan and clock, the batch being extended, and lookups into it."""

    plan: OrgPlan
    directory: Directory
    clock: Clock
    batch: Batch
    contacts: dict[uuid.UUID, list[Contact]]
    lines: dict[uuid.UUID, list[LineItem]]
    skus: dict[uuid.UUID, str]

    @property
    def key(self) -> str:
        return self.plan.key

    def ago(self, day: date) -> int:
        return (self.clock.today - day).days

    def at(self, day: date, rng: random.Random) -> datetime:
        return self.clock.at(self.ago(day), rng.randint(*MORNING))


def extend(plan: OrgPlan, directory: Directory, clock: Clock, batch: Batch) -> None:
    """Add the after-sale records of the Demo org to its batch (other orgs are left as they are)."""
    if plan.key != data.DEMO.key:
        return
    contacts: dict[uuid.UUID, list[Contact]] = defaultdict(list)
    for contact in batch.contacts:
        contacts[contact.account_id].append(contact)
    lines: dict[uuid.UUID, list[LineItem]] = defaultdict(list)
    for line in batch.line_items:
        lines[line.opportunity_id].append(line)
    skus = {p.id: sku for sku, p in directory.products.items()}
    story = _Story(plan, directory, clock, batch, contacts, lines, skus)

    won: dict[uuid.UUID, list[tuple[int, Opportunity]]] = defaultdict(list)
    open_deals: set[uuid.UUID] = set()
    for number, deal in enumerate(batch.opportunities):
        if deal.stage == "won":
            won[deal.account_id].append((number, deal))
        elif deal.stage != "lost":
            open_deals.add(deal.account_id)
    indexed = list(enumerate(batch.accounts))
    # Lost customers: accounts with no deal won or open this year; drifting ones: customers with a contract running.
    quiet = [(i, a) for i, a in indexed if a.id not in won and a.id not in open_deals]
    quiet += [(i, a) for i, a in indexed if a.id not in won and a.id in open_deals]
    churned = quiet[:CHURNED]
    stream(plan.key, "churned").shuffle(churned)  # the order only spreads the churn dates
    buyers = [(i, a) for i, a in indexed if a.id in won]
    drifting = stream(plan.key, "drifting").sample(buyers, DRIFTING)
    unsettled = {a.id for _, a in churned} | {a.id for _, a in drifting}

    current: dict[uuid.UUID, list[Contract]] = defaultdict(list)
    for account_id, deals in won.items():
        for number, deal in deals:
            current[account_id].append(_won_contracts(story, number, deal))
    for index, account in buyers:
        _support_plan(story, index, account)
    for rank, (index, account) in enumerate(churned):
        _lost_customer(story, rank, index, account)
    for index, account in drifting:
        running = [c for c in current[account.id] if c.status == "active"]
        _drift(story, index, account, running[-1] if running else None, story.clock.today)
    for index, account in buyers:
        if account.id not in unsettled:
            _routine_cases(story, index, account)
    _open_cases(story, [(i, a) for i, a in buyers if a.id not in unsettled])
    for contract in list(story.batch.contracts):
        _invoices(story, contract)
    _usage(story, won)
    _signals(story)
    _outcomes(story, unsettled)
    cs = directory.users.get(f"cs@{data.DEMO_DOMAIN}")
    for account in batch.accounts:
        if account.id in won or account.churned_at is not None:
            account.cs_owner_id = cs


# ---------------------------------------------------------------------------------------------- contracts


def _contract(
    story: _Story,
    contract_key: tuple[object, ...],
    account: Account,
    product_id: uuid.UUID | None,
    start: date,
    amount: int,
    rng: random.Random,
    *,
    opportunity_id: uuid.UUID | None = None,
    renews: Contract | None = None,
    status: str | None = None,
    lead_weeks: int | None = None,
) -> Contract:
    """One 12-month term; its status follows from today unless given (renewed, expired)."""
    ends = term_end(start)
    today = story.clock.today
    if status is None:
        status = "active" if ends >= today else "expired"
    started = ends - timedelta(weeks=lead_weeks) if lead_weeks is not None else None
    if started is not None and started >= today:
        started = None
    created = story.at(start, rng) if start < today else story.clock.at(1, MORNING[0])
    product = next((p for p in story.directory.products.values() if p.id == product_id), None)
    contract = Contract(
        id=demo_id(story.key, *contract_key),
        org_id=story.directory.org_id,
        account_id=account.id,
        product_id=product_id,
        opportunity_id=opportunity_id,
        renews_id=renews.id if renews else None,
        name=f"{product.name if product else '服务合同 Service'} · {start.year}",
        scope=rng.choice(data.SCOPES[:2]),
        payment_terms=rng.choice(data.PAYMENT_TERMS),
        amount=amount,
        currency=story.plan.currency,
        starts_on=start,
        ends_on=ends,
        status=status,
        renewal_started_on=started,
        external_id="-".join(str(p) for p in contract_key),
        created_by=account.owner_id,
        created_at=created,
        updated_at=created,
    )
    story.batch.contracts.append(contract)
    return contract


def _won_contracts(story: _Story, number: int, deal: Opportunity) -> Contract:
    """The contract a won deal started, after the renewed terms that came before it; returns the current one."""
    rng = stream(story.key, "contract", number)
    lines = story.lines[deal.id]
    main = max(lines, key=lambda li: li.amount)
    start = deal.close_date
    assert start is not None
    earliest = story.clock.day(story.plan.org_age_days - 20)
    earlier = [k for k in range(rng.choice((0, 0, 1, 1, 2)), 0, -1) if add_months(start, -12 * k) >= earliest]
    account = next(a for a in story.batch.accounts if a.id == deal.account_id)
    previous = None
    for k in earlier:
        previous = _contract(
            story, ("contract", number, k), account, main.product_id, add_months(start, -12 * k),
            int(deal.amount * rng.uniform(0.6, 0.95)), rng, renews=previous, status="renewed",
            lead_weeks=rng.choice(RENEWED_LEAD),
        )  # fmt: skip
    days_left = (term_end(start) - story.clock.today).days
    lead = rng.randint(6, 14) if days_left <= 100 and rng.random() < 0.5 else None
    contract = _contract(
        story, ("contract", number, 0), account, main.product_id, start, deal.amount, rng,
        opportunity_id=deal.id, renews=previous, lead_weeks=lead,
    )  # fmt: skip
    if rng.random() < 0.12:
        _amendments(story, "terms", contract, rng, rng.randint(2, 3), start, min(contract.ends_on, story.clock.day(1)))
    return contract


def _support_plan(story: _Story, index: int, account: Account) -> None:
    """Some customers also hold an annual support plan: renewed (a new term running) or let expire."""
    rng = stream(story.key, "support-plan", index)
    if rng.random() >= 0.6:
        return
    product = story.directory.products.get("FL-SVC-SUP")
    end = story.clock.day(rng.randint(150, 340))
    start = add_months(end + timedelta(days=1), -12)
    if start < story.clock.day(story.plan.org_age_days - 20):
        return
    renewed = rng.random() < 0.6
    lead = rng.choice(RENEWED_LEAD if renewed else EXPIRED_LEAD)
    amount = (product.list_price if product else 3_600_000) * rng.randint(1, 2)
    product_id = product.id if product else None
    first = _contract(
        story, ("support-plan", index, 1), account, product_id, start, amount, rng,
        status="renewed" if renewed else "expired", lead_weeks=lead,
    )  # fmt: skip
    if renewed:
        _contract(story, ("support-plan", index, 0), account, product_id, end + timedelta(days=1), amount, rng,
                  renews=first)  # fmt: skip


def _amendments(
    story: _Story, tag: str, contract: Contract, rng: random.Random, count: int, first: date, last: date
) -> list[ContractAmendment]:
    """Scope and payment-term changes on days between first and last (oldest first)."""
    span = max((last - first).days, 0)
    days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(count))
    scope, terms = contract.scope, contract.payment_terms
    rows = []
    for j, day in enumerate(days):
        term = ("scope", "payment_terms")[j % 2] if rng.random() < 0.8 else "payment_terms"
        old = scope if term == "scope" else terms
        new = rng.choice([v for v in (data.SCOPES if term == "scope" else data.PAYMENT_TERMS) if v != old])
        if term == "scope":
            scope = new
        else:
            terms = new
        rows.append(
            ContractAmendment(
                id=demo_id(story.key, "amendment", tag, contract.external_id, j),
                org_id=story.directory.org_id,
                contract_id=contract.id,
                term=term,
                old_value=old,
                new_value=new,
                changed_at=story.at(day, rng) if day < story.clock.today else story.clock.at(1, MORNING[0]),
                changed_by=contract.created_by,
            )
        )
    # The contract shows its terms as amended.
    contract.scope, contract.payment_terms = scope, terms
    story.batch.amendments += rows
    return rows


# ---------------------------------------------------------------------------------------------- churn


def _lost_customer(story: _Story, rank: int, index: int, account: Account) -> None:
    """A customer that let its last contract expire and left: quiet contact, amendments and cases before."""
    rng = stream(story.key, "lost", index)
    end_ago = 45 + rank * 45 + rng.randint(0, 20)
    end = story.clock.day(end_ago)
    start = add_months(end + timedelta(days=1), -12)
    sku = rng.choice(("FL-CLD-STD", "FL-EG100", "FL-PDM-AI", "FL-MES-LT"))
    product = story.directory.products.get(sku)
    amount = rng.randint(120, 900) * 100_000
    earliest = story.clock.day(story.plan.org_age_days - 20)
    previous = None
    if add_months(start, -12) >= earliest:
        previous = _contract(
            story, ("lost-contract", index, 1), account, product.id if product else None, add_months(start, -12),
            amount, rng, status="renewed", lead_weeks=rng.choice(RENEWED_LEAD),
        )  # fmt: skip
    last = _contract(
        story, ("lost-contract", index, 0), account, product.id if product else None, start, amount, rng,
        renews=previous, status="expired", lead_weeks=rng.choice(EXPIRED_LEAD),
    )  # fmt: skip
    churn_ago = max(end_ago - rng.randint(1, 10), 2)
    account.churned_at = story.clock.at(churn_ago, rng.randint(*MORNING))
    # Their own calls and visits thinned out before they left, and stopped after.
    quiet_from = account.churned_at - timedelta(days=21)
    story.batch.activities = [
        a
        for a in story.batch.activities
        if not (a.account_id == account.id and a.opportunity_id is None and a.occurred_at > quiet_from)
    ]
    _drift(story, index, account, last, story.clock.day(churn_ago))


def _drift(story: _Story, index: int, account: Account, contract: Contract | None, until: date) -> None:
    """The months before ``until``: the key contact engaged weekly then went quiet three weeks ago, the terms were
    amended two or three times, and support cases piled up in the last month, one answered late."""
    rng = stream(story.key, "drift", index)
    until_ago = story.ago(until)
    decider = next((c for c in story.contacts[account.id] if c.is_decision_maker), None)
    for week in range(4, 16):
        kind, zh, en = rng.choice(data.ENGAGEMENTS)
        day = until_ago + week * 7 - rng.randint(0, 4)
        occurred = story.clock.at(day, rng.randint(*MORNING))
        story.batch.activities.append(
            Activity(
                id=demo_id(story.key, "engagement", index, week),
                org_id=story.directory.org_id,
                account_id=account.id,
                opportunity_id=None,
                owner_id=account.owner_id,
                contact_id=decider.id if decider else None,
                kind=kind,
                direction="inbound",
                outcome="replied" if kind == "email" else ("attended" if kind == "meeting" else None),
                occurred_at=occurred,
                summary=f"{zh} {en}",
                created_at=occurred,
            )
        )
    if contract is not None:
        first = max(contract.starts_on, until - timedelta(days=150))
        _amendments(story, "drift", contract, rng, rng.randint(2, 3), first, until - timedelta(days=5))
    for j in range(rng.randint(3, 4)):
        kind, severity, zh, en = rng.choice(data.CASES)
        day = until_ago + rng.randint(2, 25)
        _case(story, ("drift-case", index, j), account, kind, severity, f"{zh} {en}", day, rng, late=j == 0)


# ---------------------------------------------------------------------------------------------- cases


def _case(
    story: _Story,
    case_key: tuple[object, ...],
    account: Account,
    kind: str,
    severity: str,
    subject: str,
    day: int,
    rng: random.Random,
    *,
    late: bool = False,
    open_case: bool = False,
) -> SupportCase:
    """A case opened ``day`` days ago, answered within its SLA (or after it when late), resolved unless open."""
    opened = story.clock.at(day, rng.randint(*MORNING))
    sla = SLA_BY_SEVERITY[severity]
    due = opened + sla
    answered = due + HOUR * rng.randint(2, 30) if late else opened + sla * rng.uniform(0.1, 0.8)
    now = story.clock.at(0, 0)
    resolved = None if open_case else min(answered + HOUR * rng.randint(2, 96), now - HOUR)
    first_response = answered if answered < now else None
    if open_case:
        first_response = None if late else first_response
    case = SupportCase(
        id=demo_id(story.key, *case_key),
        org_id=story.directory.org_id,
        account_id=account.id,
        kind=kind,
        severity=severity,
        status="open" if open_case else "resolved",
        subject=subject,
        detail=None,
        opened_at=opened,
        sla_due_at=due,
        first_response_at=min(first_response, resolved) if first_response and resolved else first_response,
        resolved_at=resolved,
        external_id="-".join(str(p) for p in case_key),
        created_by=account.owner_id,
    )  # fmt: skip
    story.batch.cases.append(case)
    return case


def _routine_cases(story: _Story, index: int, account: Account) -> None:
    """Most customers raise a case now and then, nearly always answered in time."""
    rng = stream(story.key, "cases", index)
    if rng.random() >= 0.6:
        return
    for j in range(rng.randint(1, 3)):
        kind, severity, zh, en = rng.choice(data.CASES)
        day = rng.randint(35, 330)
        _case(story, ("case", index, j), account, kind, severity, f"{zh} {en}", day, rng, late=rng.random() < 0.15)


def _open_cases(story: _Story, customers: list[tuple[int, Account]]) -> None:
    """A few support tickets still open (never complaints: see the module's docstring), one past its SLA."""
    rng = stream(story.key, "open-cases")
    for j, (index, account) in enumerate(rng.sample(customers, OPEN_CASES)):
        _, severity, zh, en = rng.choice([c for c in data.CASES if c[0] == "support"])
        _case(story, ("open-case", index, j), account, "support", severity, f"{zh} {en}", rng.randint(1, 4), rng,
              late=j == 0, open_case=True)  # fmt: skip


# ---------------------------------------------------------------------------------------------- money and usage


def _invoices(story: _Story, contract: Contract) -> None:
    """One invoice 30 days after the start (two, six months apart, on instalments); a fifth of them paid late."""
    rng = stream(story.key, "invoices", contract.external_id)
    today = story.clock.today
    parts = 2 if contract.payment_terms and "instalments" in contract.payment_terms else 1
    for k in range(parts):
        due = add_months(contract.starts_on, 6 * k) + timedelta(days=30)
        if due > today + timedelta(days=30):
            continue
        if rng.random() < 0.2:
            paid: date | None = due + timedelta(days=rng.randint(5, 45))
        else:
            paid = due - timedelta(days=rng.randint(0, 12))
        if paid is not None and paid >= today:
            paid = None
        created = story.at(min(contract.starts_on, today - timedelta(days=1)), rng)
        story.batch.invoices.append(
            Invoice(
                id=demo_id(story.key, "invoice", contract.external_id, k),
                org_id=story.directory.org_id,
                account_id=contract.account_id,
                number=f"INV-{contract.external_id}-{k + 1}",
                amount=contract.amount // parts,
                currency=contract.currency,
                due_on=due,
                paid_on=paid,
                created_by=contract.created_by,
                created_at=created,
                updated_at=created,
            )
        )


def _usage(story: _Story, won: dict[uuid.UUID, list[tuple[int, Opportunity]]]) -> None:
    """Monthly readings of metered products under running contracts: most comfortably within the quantity bought,
    some climbing to (or past) it."""
    today = story.clock.today
    last_month = add_months(today.replace(day=1), -1)
    seen: set[uuid.UUID] = set()
    running = {c.opportunity_id: c for c in story.batch.contracts if c.status == "active" and c.opportunity_id}
    index_of = {a.id: i for i, a in enumerate(story.batch.accounts)}
    for account_id, deals in won.items():
        for number, deal in deals:
            contract = running.get(deal.id)
            if contract is None:
                continue
            rng = stream(story.key, "usage", number)
            if rng.random() >= 0.6:
                continue
            for line in story.lines[deal.id]:
                sku = story.skus.get(line.product_id) if line.product_id else None
                if sku not in data.METERED:
                    continue
                hot = rng.random() < 0.4
                month = add_months(contract.starts_on.replace(day=1), 1)
                months = []
                while month <= last_month and month <= contract.ends_on:
                    months.append(month)
                    month = add_months(month, 1)
                for m, month in enumerate(months[-12:]):
                    progress = (m + 1) / len(months[-12:])
                    ratio = (0.55 + progress * rng.uniform(0.4, 0.55)) if hot else rng.uniform(0.3, 0.75)
                    usage_id = demo_id(story.key, "usage", index_of[account_id], sku, month.isoformat())
                    if usage_id in seen:
                        continue
                    seen.add(usage_id)
                    story.batch.usage.append(
                        ProductUsage(
                            id=usage_id,
                            org_id=story.directory.org_id,
                            account_id=account_id,
                            product_id=line.product_id,
                            month=month,
                            quantity=max(1, round(line.quantity * ratio)),
                            tier_limit=line.quantity,
                            recorded_at=story.clock.at(max(story.ago(add_months(month, 1)) - 1, 1), 8 * 60),
                        )
                    )


# ---------------------------------------------------------------------------------------------- deals and touches


def _signals(story: _Story) -> None:
    """Buying signals on about half of the open deals past the lead stage, a few of them negative."""
    for number, deal in enumerate(story.batch.opportunities):
        if deal.stage not in SIGNAL_STAGES:
            continue
        rng = stream(story.key, "signals", number)
        decider = next((c for c in story.contacts[deal.account_id] if c.is_decision_maker), None)
        span = deal.updated_at - deal.created_at
        for kind, chance in (("budget_confirmed", 0.5), ("decision_maker_involved", 0.4)):
            if rng.random() >= chance:
                continue
            value = rng.random() < 0.85
            story.batch.signals.append(
                DealSignal(
                    id=demo_id(story.key, "signal", number, kind),
                    org_id=story.directory.org_id,
                    opportunity_id=deal.id,
                    kind=kind,
                    value=value,
                    contact_id=decider.id if decider and kind == "decision_maker_involved" else None,
                    note=None if value else "客户表示今年暂无预算 No budget this year",
                    recorded_at=deal.created_at + span * rng.random(),
                    recorded_by=deal.owner_id,
                )
            )


def _outcomes(story: _Story, unsettled: set[uuid.UUID]) -> None:
    """The contact behind most activities, and what became of emails and meetings."""
    for activity in story.batch.activities:
        if activity.account_id in unsettled or activity.contact_id is not None:
            continue
        rng = stream(story.key, "activity-outcome", activity.id)
        people = story.contacts[activity.account_id]
        if people and rng.random() < 0.7:
            activity.contact_id = rng.choice(people).id
        if activity.kind == "email" and activity.direction == "outbound" and rng.random() < 0.8:
            activity.outcome = rng.choice(("opened", "opened", "clicked", "replied"))
        elif activity.kind in ("meeting", "visit", "poc") and rng.random() < 0.8:
            activity.outcome = "attended" if activity.direction == "inbound" or rng.random() < 0.85 else "no_show"
