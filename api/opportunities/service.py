"""Opportunities: creation, updates under the validation rules, stage history and the audit trail."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Activity, FieldChange, LineItem, Opportunity, Organisation, Stage, StageHistory
from api.db.types import utcnow
from api.lib.audit import apply_changes, record_changes
from api.lib.auth import Principal
from api.lib.concurrency import check_version
from api.lib.errors import field_error, validation_failed
from api.lib.i18n import t
from api.lib.schema import provided
from api.lib.scope import get_visible, resolve_owner, visible
from api.opportunities import rules
from api.opportunities.schemas import LineItemIn, OpportunityCreate, OpportunityUpdate

# Fields whose changes are audited one by one (line items are audited as a whole).
AUDITED = (
    "name", "stage", "probability", "amount", "currency", "discount_pct", "close_date", "promised_date", "competitors",
    "next_step", "loss_reason", "forecast_category", "description", "owner_id",
)  # fmt: skip


def today_for(principal: Principal) -> date:
    return datetime.now(ZoneInfo(principal.timezone)).date()


class OpportunityService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def get(self, opportunity_id: uuid.UUID) -> Opportunity:
        return await get_visible(self.session, Opportunity, opportunity_id, self.principal)

    async def line_items(self, opportunity_id: uuid.UUID) -> list[LineItem]:
        stmt = select(LineItem).where(LineItem.opportunity_id == opportunity_id).order_by(LineItem.position)
        return list((await self.session.execute(stmt)).scalars())

    async def account_name(self, account_id: uuid.UUID) -> str:
        return (await self.session.execute(select(Account.name).where(Account.id == account_id))).scalar_one()

    async def create(self, data: OpportunityCreate) -> Opportunity:
        account = await self._visible_account(data.account_id)
        owner_id = await resolve_owner(self.session, self.principal, data.owner_id)
        stages = await self._stages()
        stage_key = (
            data.stage if data.stage is not msgspec.UNSET else min(stages.values(), key=lambda s: s.position).key
        )
        lines = [_draft(li) for li in data.line_items]
        deal = rules.Deal(
            stage_key, data.amount, data.close_date, data.loss_reason, data.forecast_category, data.discount_pct, lines
        )
        change = rules.Change(today=today_for(self.principal), is_new=True)
        await self._enforce(deal, change, stages, account.id, None)
        stage = stages[stage_key]
        currency = data.currency if data.currency is not msgspec.UNSET else await self._org_currency()
        now = utcnow()
        opportunity = Opportunity(
            id=data.id if data.id is not msgspec.UNSET else uuid.uuid4(),
            org_id=self.principal.org_id,
            account_id=account.id,
            owner_id=owner_id,
            name=data.name,
            stage=stage_key,
            probability=_probability(stage, data.probability),
            amount=data.amount,
            currency=currency,
            discount_pct=data.discount_pct,
            close_date=data.close_date,
            promised_date=data.promised_date,
            competitors=list(data.competitors),
            next_step=data.next_step,
            loss_reason=data.loss_reason,
            forecast_category="closed" if stage.kind != "open" else data.forecast_category,
            description=data.description,
            closed_at=now if stage.kind != "open" else None,
            external_id=data.external_id,
            created_by=self.principal.user_id,
            created_at=now,
            updated_at=now,
        )
        self.session.add(opportunity)
        await self.session.flush()
        self._replace_lines(opportunity, data.line_items)
        self.session.add(
            StageHistory(
                org_id=opportunity.org_id,
                opportunity_id=opportunity.id,
                stage=stage_key,
                entered_at=now,
                changed_by=self.principal.user_id,
            )
        )
        await self.session.flush()
        return opportunity

    async def update(self, opportunity_id: uuid.UUID, expected_version: int, data: OpportunityUpdate) -> Opportunity:
        opportunity = await self.get(opportunity_id)
        check_version(expected_version, opportunity.version)
        changes = provided(data)
        new_lines: list[LineItemIn] | None = changes.pop("line_items", None)  # type: ignore[assignment]
        if "owner_id" in changes:
            changes["owner_id"] = await resolve_owner(self.session, self.principal, changes["owner_id"])
        stages = await self._stages()
        if new_lines is not None:
            lines = [_draft(li) for li in new_lines]
        else:
            lines = [
                rules.LineDraft(li.quantity, li.unit_price, li.discount_pct)
                for li in await self.line_items(opportunity.id)
            ]
        merged = {
            f: changes.get(f, getattr(opportunity, f))
            for f in ("stage", "amount", "close_date", "loss_reason", "forecast_category", "discount_pct")
        }
        deal = rules.Deal(line_items=lines, **merged)  # type: ignore[arg-type]
        touched = set(changes) | ({"line_items"} if new_lines is not None else set())
        stage_moves = "stage" in changes and changes["stage"] != opportunity.stage
        change = rules.Change(
            today=today_for(self.principal),
            is_new=False,
            previous_stage=opportunity.stage,
            fields=frozenset(touched if stage_moves else touched - {"stage"}),
        )
        await self._enforce(deal, change, stages, opportunity.account_id, opportunity.id)
        if stage_moves:
            await self._move_stage(opportunity, stages[deal.stage], changes)
        changed = apply_changes(
            self.session, self.principal, "opportunity", opportunity, {k: changes[k] for k in AUDITED if k in changes}
        )
        if new_lines is not None:
            before = [_line_summary(li) for li in await self.line_items(opportunity.id)]
            await self.session.execute(delete(LineItem).where(LineItem.opportunity_id == opportunity.id))
            self._replace_lines(opportunity, new_lines)
            after = [_line_summary(_draft(li), li.product_id) for li in new_lines]
            changed += record_changes(
                self.session,
                self.principal,
                "opportunity",
                opportunity.id,
                {"line_items": before},
                {"line_items": after},
            )
        if changed:
            opportunity.updated_at = utcnow()
            await self.session.flush()
        return opportunity

    async def delete(self, opportunity_id: uuid.UUID) -> None:
        """Soft delete: the row stays for the audit trail and analytics, hidden from every list."""
        opportunity = await self.get(opportunity_id)
        record_changes(
            self.session, self.principal, "opportunity", opportunity.id, {"deleted": False}, {"deleted": True}
        )
        opportunity.deleted_at = utcnow()
        await self.session.flush()

    async def history(self, opportunity_id: uuid.UUID) -> tuple[list[StageHistory], list[FieldChange]]:
        await self.get(opportunity_id)
        stays = await self.session.execute(
            select(StageHistory).where(StageHistory.opportunity_id == opportunity_id).order_by(StageHistory.entered_at)
        )
        changes = await self.session.execute(
            select(FieldChange)
            .where(FieldChange.entity_id == opportunity_id, FieldChange.org_id == self.principal.org_id)
            .order_by(FieldChange.changed_at, FieldChange.field)
        )
        return list(stays.scalars()), list(changes.scalars())

    async def _move_stage(self, opportunity: Opportunity, stage: Stage, changes: dict[str, object]) -> None:
        now = utcnow()
        open_stay = (
            await self.session.execute(
                select(StageHistory).where(
                    StageHistory.opportunity_id == opportunity.id, StageHistory.left_at.is_(None)
                )
            )
        ).scalar_one_or_none()
        if open_stay is not None:
            open_stay.left_at = now
        self.session.add(
            StageHistory(
                org_id=opportunity.org_id,
                opportunity_id=opportunity.id,
                stage=stage.key,
                entered_at=now,
                changed_by=self.principal.user_id,
            )
        )
        changes["probability"] = _probability(stage, changes.get("probability", msgspec.UNSET))
        if stage.kind == "open":
            opportunity.closed_at = None
            if opportunity.forecast_category == "closed" and "forecast_category" not in changes:
                changes["forecast_category"] = "pipeline"
        else:
            opportunity.closed_at = now
            changes["forecast_category"] = "closed"

    async def _enforce(
        self,
        deal: rules.Deal,
        change: rules.Change,
        stages: dict[str, Stage],
        account_id: uuid.UUID,
        opportunity_id: uuid.UUID | None,
    ) -> None:
        problems = rules.check(deal, change, stages)
        needed = rules.evidence_needed(deal, change, stages)
        if needed and not await self._has_recent_inbound(account_id, opportunity_id):
            problems += needed
        if problems:
            raise validation_failed(problems)

    async def _has_recent_inbound(self, account_id: uuid.UUID, opportunity_id: uuid.UUID | None) -> bool:
        """An inbound customer action on this deal, or on its account at large, within the evidence window."""
        since = utcnow() - timedelta(days=rules.EVIDENCE_WINDOW_DAYS)
        scope = Activity.opportunity_id.is_(None)
        if opportunity_id is not None:
            scope = or_(scope, Activity.opportunity_id == opportunity_id)
        stmt = select(
            exists().where(
                Activity.org_id == self.principal.org_id,
                Activity.account_id == account_id,
                Activity.direction == "inbound",
                Activity.occurred_at >= since,
                scope,
            )
        )
        return bool((await self.session.execute(stmt)).scalar())

    async def _visible_account(self, account_id: uuid.UUID) -> Account:
        stmt = visible(select(Account).where(Account.id == account_id), Account, self.principal)
        account = (await self.session.execute(stmt)).scalar_one_or_none()
        if account is None:
            raise field_error(
                "account_id", "unknown", t("No such account in your reach.", "您的权限范围内没有该客户。")
            )
        return account

    async def _stages(self) -> dict[str, Stage]:
        rows = await self.session.execute(select(Stage).where(Stage.org_id == self.principal.org_id))
        return {s.key: s for s in rows.scalars()}

    async def _org_currency(self) -> str:
        stmt = select(Organisation.currency).where(Organisation.id == self.principal.org_id)
        return (await self.session.execute(stmt)).scalar_one()

    def _replace_lines(self, opportunity: Opportunity, lines: list[LineItemIn]) -> None:
        self.session.add_all(
            LineItem(
                org_id=opportunity.org_id,
                opportunity_id=opportunity.id,
                product_id=li.product_id,
                description=li.description,
                quantity=li.quantity,
                unit_price=li.unit_price,
                discount_pct=li.discount_pct,
                amount=_draft(li).amount,
                position=position,
            )
            for position, li in enumerate(lines)
        )


def _draft(line: LineItemIn) -> rules.LineDraft:
    return rules.LineDraft(line.quantity, line.unit_price, line.discount_pct)


def _line_summary(line: LineItem | rules.LineDraft, product_id: uuid.UUID | None = None) -> dict[str, object]:
    product = getattr(line, "product_id", product_id)
    return {
        "product_id": str(product) if product else None,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_pct": line.discount_pct,
        "amount": line.amount,
    }


def _probability(stage: Stage, requested: object) -> int:
    """Closed deals are certain; open ones take the caller's estimate or the stage's default."""
    if stage.kind == "won":
        return 100
    if stage.kind == "lost":
        return 0
    return stage.probability if requested is msgspec.UNSET else int(requested)  # type: ignore[call-overload]
