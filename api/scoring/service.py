"""Scoring for the caller: scores of the deals within their reach, signals, invoices, the model, org settings."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Contact, DealSignal, Invoice, Opportunity, Organisation, Product, User
from api.db.types import utcnow
from api.insights.records import epoch_days
from api.lib.audit import apply_changes
from api.lib.auth import Principal
from api.lib.concurrency import check_version
from api.lib.errors import field_error, forbidden, not_found
from api.lib.i18n import Text, t
from api.lib.pagination import keyset_page
from api.lib.schema import provided
from api.lib.scope import get_visible, visible
from api.scoring import schemas
from api.scoring.model import (
    COMPLAINT,
    MIN_DEALS,
    Fitted,
    entered_current,
    explain,
    logit,
    sigmoid,
    snapshot,
)
from api.scoring.records import EPOCH, DealRecords, OrgContext, days, load_deals, org_context, value_settings
from api.scoring.signals import Reason, Score, compute_score
from api.scoring.training import train_org
from api.scoring.value import Value, compute_value, pipeline_days

CLOCK_SKEW = timedelta(minutes=10)
_BANDS = {
    "age": (
        "days in the pipeline on entering the stage",
        "进入该阶段时已在管道中的天数",
        ("0–6", "7–29", "30–89", "90–179", "180+"),
    ),
    "touches": ("interactions in the last 30 days", "近30天互动次数", ("0", "1–2", "3–5", "6+")),
    "inbound": ("customer reached out in the last 30 days", "近30天客户主动联系", ("no", "yes")),
}


class ScoringService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    # -- scores --------------------------------------------------------------------------------------------------
    async def score(self, opportunity_id: uuid.UUID) -> schemas.OpportunityScore:
        """One deal's score, win probability and value figures (404 outside the caller's reach)."""
        opportunity = await get_visible(self.session, Opportunity, opportunity_id, self.principal)
        ctx = await org_context(self.session, self.principal.org_id, utcnow())
        ids = select(Opportunity.id).where(Opportunity.id == opportunity.id)
        records = (await load_deals(self.session, ctx, ids))[opportunity.id]
        row = DealRow(*(getattr(opportunity, c.key) for c in DEAL_COLUMNS), days(opportunity.created_at))
        figures = _figures(ctx, row, records)
        return _out(ctx, figures, await self._labels(ctx, [records]))

    async def scores(
        self,
        limit: int,
        cursor: str | None,
        owner_id: uuid.UUID | None,
        stage: str | None,
        low_value: bool | None,
    ) -> schemas.ScoreList:
        """The open deals in reach, best score first, with the pipeline's totals with and without low-value deals."""
        offset = _decode_offset(cursor)
        ctx = await org_context(self.session, self.principal.org_id, utcnow())
        open_stages = [key for key, kind in ctx.kinds.items() if kind == "open"]
        stmt = visible(select(Opportunity), Opportunity, self.principal).where(Opportunity.stage.in_(open_stages))
        if owner_id:
            stmt = stmt.where(Opportunity.owner_id == owner_id)
        if stage:
            stmt = stmt.where(Opportunity.stage == stage)
        dialect = self.session.bind.dialect.name
        columns = (*DEAL_COLUMNS, epoch_days(Opportunity.created_at, dialect))
        opportunities = [DealRow(*row) for row in await self.session.execute(stmt.with_only_columns(*columns))]
        records = await load_deals(self.session, ctx, stmt.with_only_columns(Opportunity.id)) if opportunities else {}
        # Every deal's figures are needed to sort and to total; the explanations only for the page shown.
        scored = [_figures(ctx, o, records[o.id]) for o in opportunities]
        if low_value is not None:
            scored = [f for f in scored if f.value.low_value == low_value]
        scored.sort(key=lambda f: (-f.score.score, -f.probability, str(f.opportunity.id)))
        page = scored[offset : offset + limit]
        labels = await self._labels(ctx, [f.records for f in page])
        following = _encode_offset(offset + limit) if offset + limit < len(scored) else None
        return schemas.ScoreList(
            items=[_out(ctx, f, labels) for f in page], next_cursor=following, summary=_summary(ctx, scored)
        )

    async def _labels(self, ctx: OrgContext, records: list[DealRecords]) -> dict[str, Text]:
        """Names of the stages, products and owners the explanations mention."""
        labels: dict[str, Text] = {
            f"stage={key}": t(f"Stage: {stage.name_en}", f"阶段：{stage.name_zh}") for key, stage in ctx.stages.items()
        }
        org_id = self.principal.org_id
        product_ids = {r.facts.product_id for r in records if r.facts.product_id}
        owner_ids = {r.facts.owner_id for r in records}
        if product_ids:
            stmt = select(Product.id, Product.name).where(Product.org_id == org_id, Product.id.in_(product_ids))
            for product_id, name in await self.session.execute(stmt):
                labels[f"product={product_id}"] = t(f"Product: {name}", f"产品：{name}")
        if owner_ids:
            stmt = select(User.id, User.name).where(User.org_id == org_id, User.id.in_(owner_ids))
            for user_id, name in await self.session.execute(stmt):
                labels[f"owner={user_id}"] = t(f"Owner: {name}", f"负责人：{name}")
        return labels

    # -- signals -------------------------------------------------------------------------------------------------
    async def add_signal(self, opportunity_id: uuid.UUID, data: schemas.SignalCreate) -> DealSignal:
        opportunity = await get_visible(self.session, Opportunity, opportunity_id, self.principal)
        recorded_at = utcnow() if data.recorded_at is msgspec.UNSET else data.recorded_at
        if recorded_at.tzinfo is None:
            raise field_error("recorded_at", "no_timezone", t("Give the time with a time zone.", "时间必须带时区。"))
        if recorded_at > utcnow() + CLOCK_SKEW:
            raise field_error(
                "recorded_at", "in_future", t("A signal cannot lie in the future.", "信号时间不能晚于现在。")
            )
        if data.contact_id is not None:
            stmt = select(Contact.account_id).where(
                Contact.id == data.contact_id, Contact.org_id == self.principal.org_id, Contact.deleted_at.is_(None)
            )
            if (await self.session.execute(stmt)).scalar_one_or_none() != opportunity.account_id:
                raise field_error(
                    "contact_id", "unknown", t("No such contact on this account.", "该客户下没有这个联系人。")
                )
        signal = DealSignal(
            id=uuid.uuid4() if data.id is msgspec.UNSET else data.id, org_id=self.principal.org_id,
            opportunity_id=opportunity.id, kind=data.kind, value=data.value, contact_id=data.contact_id,
            note=data.note, recorded_at=recorded_at, recorded_by=self.principal.user_id,
        )  # fmt: skip
        self.session.add(signal)
        await self.session.flush()
        return signal

    async def signals(self, opportunity_id: uuid.UUID) -> list[DealSignal]:
        await get_visible(self.session, Opportunity, opportunity_id, self.principal)
        stmt = (
            select(DealSignal)
            .where(DealSignal.opportunity_id == opportunity_id, DealSignal.org_id == self.principal.org_id)
            .order_by(DealSignal.recorded_at.desc(), DealSignal.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    # -- invoices ------------------------------------------------------------------------------------------------
    async def add_invoice(self, data: schemas.InvoiceCreate) -> Invoice:
        account = (
            await self.session.execute(
                visible(select(Account).where(Account.id == data.account_id), Account, self.principal)
            )
        ).scalar_one_or_none()
        if account is None:
            raise field_error(
                "account_id", "unknown", t("No such account in your reach.", "您的权限范围内没有该客户。")
            )
        self._check_paid_on(data.paid_on)
        org_currency = (
            await self.session.execute(select(Organisation.currency).where(Organisation.id == self.principal.org_id))
        ).scalar_one()
        invoice = Invoice(
            id=uuid.uuid4() if data.id is msgspec.UNSET else data.id, org_id=self.principal.org_id,
            account_id=account.id, number=data.number, amount=data.amount,
            currency=org_currency if data.currency is msgspec.UNSET else data.currency, due_on=data.due_on,
            paid_on=data.paid_on, created_by=self.principal.user_id,
        )  # fmt: skip
        self.session.add(invoice)
        await self.session.flush()
        return invoice

    async def invoice(self, invoice_id: uuid.UUID) -> Invoice:
        stmt = visible(
            select(Invoice).join(Account, Account.id == Invoice.account_id).where(Invoice.id == invoice_id),
            Account,
            self.principal,
        )
        invoice = (await self.session.execute(stmt)).scalar_one_or_none()
        if invoice is None:
            raise not_found()
        return invoice

    async def invoices(
        self, limit: int, cursor: str | None, account_id: uuid.UUID | None
    ) -> tuple[list[Invoice], str | None]:
        stmt = visible(select(Invoice).join(Account, Account.id == Invoice.account_id), Account, self.principal)
        if account_id:
            stmt = stmt.where(Invoice.account_id == account_id)
        return await keyset_page(self.session, stmt, Invoice.created_at, cursor, limit)

    async def update_invoice(self, invoice_id: uuid.UUID, expected: int, data: schemas.InvoiceUpdate) -> Invoice:
        invoice = await self.invoice(invoice_id)
        check_version(expected, invoice.version)
        changes = provided(data)
        if "paid_on" in changes:
            self._check_paid_on(changes["paid_on"])  # type: ignore[arg-type]
        if apply_changes(self.session, self.principal, "invoice", invoice, changes):
            await self.session.flush()
        return invoice

    def _check_paid_on(self, paid_on: Any) -> None:
        today = datetime.now(ZoneInfo(self.principal.timezone)).date()
        if paid_on is not None and paid_on > today:
            raise field_error(
                "paid_on", "in_future", t("An invoice cannot be paid in the future.", "付款日期不能晚于今天。")
            )

    # -- model ---------------------------------------------------------------------------------------------------
    async def win_model(self) -> schemas.WinModelOut:
        self._require("admin", "manager")
        ctx = await org_context(self.session, self.principal.org_id, utcnow())
        return _model_out("current" if ctx.model else "too_few", ctx.model)

    async def train(self) -> schemas.WinModelOut:
        self._require("admin")
        status, model = await train_org(self.session, self.principal.org_id, utcnow())
        return _model_out(status, model)

    # -- settings ------------------------------------------------------------------------------------------------
    async def settings(self) -> schemas.OrgSettings:
        self._require("admin")
        return await self._settings_out(await self._org())

    async def update_settings(self, expected: int, data: schemas.OrgSettingsUpdate) -> schemas.OrgSettings:
        self._require("admin")
        org = await self._org(lock=True)
        check_version(expected, org.settings_version)
        if apply_changes(self.session, self.principal, "org_settings", org, provided(data)):
            org.settings_version += 1
            await self.session.flush()
        return await self._settings_out(org)

    async def _org(self, lock: bool = False) -> Organisation:
        stmt = select(Organisation).where(Organisation.id == self.principal.org_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one()

    async def _settings_out(self, org: Organisation) -> schemas.OrgSettings:
        in_use = await value_settings(self.session, org)
        return schemas.OrgSettings(
            currency=org.currency, cost_per_activity=org.cost_per_activity, cost_per_visit=org.cost_per_visit,
            cost_per_pipeline_day=org.cost_per_pipeline_day, gross_margin_pct=org.gross_margin_pct,
            expected_renewals=org.expected_renewals, ltv_cac_threshold=org.ltv_cac_threshold,
            renewals_in_use=in_use.renewals, renewals_basis=in_use.renewals_basis, version=org.settings_version,
        )  # fmt: skip

    def _require(self, *roles: str) -> None:
        if not self.principal.has(*roles):
            raise forbidden()


DEAL_COLUMNS = (
    Opportunity.id, Opportunity.name, Opportunity.account_id, Opportunity.owner_id, Opportunity.stage,
    Opportunity.amount, Opportunity.currency, Opportunity.close_date,
)  # fmt: skip


@dataclass
class DealRow:
    """The opportunity's own fields a score shows; ``created`` in days since the epoch."""

    id: uuid.UUID
    name: str
    account_id: uuid.UUID
    owner_id: uuid.UUID
    stage: str
    amount: int
    currency: str
    close_date: date | None
    created: float


@dataclass
class _Figures:
    """One deal's numbers, before they are dressed as an answer."""

    opportunity: DealRow
    records: DealRecords
    score: Score
    basis: str
    base: float
    known: list[tuple[str, float]]  # the model's (feature, weight) for this deal
    unseen: list[str]
    probability: float
    value: Value


def _figures(ctx: OrgContext, o: DealRow, records: DealRecords) -> _Figures:
    """Score, win probability (the model's, or the stage's without one) and value figures of one deal."""
    facts, model = records.facts, ctx.model
    stage = ctx.stages.get(facts.stage)
    kind = stage.kind if stage else "open"
    known: list[tuple[str, float]] = []
    unseen: list[str] = []
    if kind in ("won", "lost"):
        basis, base, probability = "closed", 0.0, 1.0 if kind == "won" else 0.0
    else:
        if model is not None:
            basis, base = "model", model.intercept
            fitted = Fitted(model.intercept, model.weights, model.spec)
            known, unseen = explain(fitted, snapshot(facts, facts.stage, entered_current(facts), days(ctx.now)))
        else:
            basis, base = "stage", logit((stage.probability if stage else 0) / 100)
        total = base + sum(w for _, w in known) + (COMPLAINT if records.complaints else 0.0)
        probability = round(sigmoid(total), 4)
    created = (EPOCH + timedelta(days=o.created)).astimezone(ZoneInfo(ctx.org.timezone)).date()
    value = compute_value(
        ctx.value, amount=o.amount, currency=o.currency, probability=probability, activities=records.activities,
        visits=records.visits, days=pipeline_days(created, o.close_date, ctx.today),
    )  # fmt: skip
    return _Figures(o, records, compute_score(records.inputs), basis, base, known, unseen, probability, value)


COMPLAINT_LABEL = t(
    "Open complaint or escalated support case: the odds of winning are halved.",
    "存在未解决的投诉或升级工单：赢单几率减半。",
)


def _out(ctx: OrgContext, f: _Figures, labels: dict[str, Text]) -> schemas.OpportunityScore:
    """The answer for one deal, with its reasons and the explanation of its win probability."""
    o, model = f.opportunity, ctx.model
    spec = model.spec if model is not None else {}
    contributions = [
        schemas.Contribution(feature=name, label=_bilingual(_label(name, labels, spec)), log_odds=round(w, 4))
        for name, w in f.known
    ]
    if f.records.complaints and f.basis != "closed":
        contributions.append(
            schemas.Contribution(
                feature="complaint", label=_bilingual(COMPLAINT_LABEL), log_odds=round(COMPLAINT, 4),
                records=[schemas.RecordRef(type=r.type, id=r.id) for r in f.records.complaints],
            )
        )  # fmt: skip
    contributions.sort(key=lambda c: (-abs(c.log_odds), c.feature))
    win = schemas.WinProbability(
        probability=f.probability, basis=f.basis, base_log_odds=round(f.base, 4), contributions=contributions,
        unseen=f.unseen, model_trained_at=model.trained_at if model and f.basis == "model" else None,
        training_size=model.training_size if model and f.basis == "model" else None,
    )  # fmt: skip
    return schemas.OpportunityScore(
        opportunity_id=o.id, name=o.name, account_id=o.account_id, owner_id=o.owner_id, stage=o.stage,
        amount=o.amount, currency=o.currency, close_date=o.close_date, score=f.score.score,
        reasons=[_reason(r) for r in f.score.reasons], unknown=[_reason(r) for r in f.score.unknown], win=win,
        value=schemas.DealValue(**vars(f.value)), as_of=ctx.now,
    )  # fmt: skip


def _reason(r: Reason) -> schemas.Reason:
    return schemas.Reason(
        key=r.key, group=r.group, contribution=round(r.contribution, 2), weight=r.weight, text=_bilingual(r.text),
        records=[schemas.RecordRef(type=x.type, id=x.id) for x in r.records],
    )  # fmt: skip


def _bilingual(text: Text) -> schemas.Bilingual:
    return schemas.Bilingual(en=text["en"], zh=text["zh"])


def _label(feature: str, labels: dict[str, Text], spec: dict[str, Any]) -> Text:
    """A person's reading of a feature ("Stage: proposal", "Product: GTX Pro", "Amount: 2nd quarter of sizes")."""
    if feature in labels:
        return labels[feature]
    group, _, value = feature.partition("=")
    if group == "stage":
        return t(f"Stage: {value}", f"阶段：{value}")
    if group == "industry":
        return t(f"Industry: {value}", f"行业：{value}")
    if group == "amount":
        edges = spec.get("amount_edges") or []
        n, of = int(value) + 1, len(edges) + 1
        return t(f"Size band {n} of {of}", f"金额档位：第{n}档（共{of}档）")
    if group in _BANDS:
        en, zh, names = _BANDS[group]
        name = names[int(value)] if value.isdigit() and int(value) < len(names) else value
        return t(f"{en.capitalize()}: {name}", f"{zh}：{name}")
    return t(feature, feature)


def _summary(ctx: OrgContext, scored: list[_Figures]) -> schemas.PipelineSummary:
    currency = ctx.org.currency
    mine = [f for f in scored if f.opportunity.currency == currency]
    low = [f for f in mine if f.value.low_value]
    amount = sum(f.opportunity.amount for f in mine)
    low_amount = sum(f.opportunity.amount for f in low)
    return schemas.PipelineSummary(
        currency=currency, count=len(mine), amount=amount, low_value_count=len(low), low_value_amount=low_amount,
        amount_without_low_value=amount - low_amount,
        expected_value=sum(f.value.expected_value or 0 for f in mine), other_currency=len(scored) - len(mine),
    )  # fmt: skip


def _model_out(status: str, model: Any) -> schemas.WinModelOut:
    if model is None:
        return schemas.WinModelOut(
            status=status, trained_at=None, training_size=0, won=0, lost=0, intercept=None, weights={}, metrics={},
            min_deals=MIN_DEALS,
        )  # fmt: skip
    return schemas.WinModelOut(
        status=status, trained_at=model.trained_at, training_size=model.training_size, won=model.won, lost=model.lost,
        intercept=round(model.intercept, 4), weights={k: round(v, 4) for k, v in model.weights.items()},
        metrics=model.metrics, min_deals=MIN_DEALS,
    )  # fmt: skip


def _encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).rstrip(b"=").decode()


def _decode_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("o:") and text[2:].isdigit() and len(text) < 14:
            return int(text[2:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise field_error("cursor", "invalid", t("This cursor is not valid.", "游标无效。"))
