"""The validation rules that keep the pipeline free of contradictions, each with its message in both languages.

``check`` sees the opportunity as it would be after the write and returns every broken rule, field by field.
The evidence rule needs the database (was there an inbound customer action lately?), so ``evidence_needed``
says which fields would require evidence, and the service asks the database only then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from api.db.models import Stage
from api.lib.errors import FieldProblem
from api.lib.i18n import t

EVIDENCE_WINDOW_DAYS = 90

MESSAGES = {
    "unknown_stage": t("“{stage}” is not a stage of this pipeline.", "“{stage}”不是本销售流程中的阶段。"),
    "close_date_past": t(
        "An open opportunity cannot close in the past; move the close date or close the deal.",
        "未关闭的商机预计成交日期不能早于今天，请调整日期或关闭商机。",
    ),
    "won_needs_amount": t("A won deal needs an amount above zero.", "赢单必须填写大于零的金额。"),
    "won_needs_close_date": t("A won deal needs a close date.", "赢单必须填写成交日期。"),
    "lost_needs_reason": t("A lost deal needs a loss reason.", "输单必须填写输单原因。"),
    "needs_evidence": t(
        "Moving past qualification needs at least one inbound customer action in the last {days} days.",
        "推进到需求确认之后的阶段，需要最近 {days} 天内至少一次客户主动的互动记录。",
    ),
    "commit_needs_evidence": t(
        "A commit forecast needs at least one inbound customer action in the last {days} days.",
        "预测类别为“承诺”时，需要最近 {days} 天内至少一次客户主动的互动记录。",
    ),
    "line_items_mismatch": t(
        "The line items add up to {total}, not to the amount {amount}.",
        "产品明细合计为 {total}，与金额 {amount} 不一致。",
    ),
    "discount_range": t("A discount lies between 0 and 100 %.", "折扣必须在 0 到 100% 之间。"),
}


def problem(field_name: str, code: str, **params: object) -> FieldProblem:
    return FieldProblem(field_name, code, MESSAGES[code], dict(params))


@dataclass(frozen=True)
class LineDraft:
    quantity: int
    unit_price: int
    discount_pct: float

    @property
    def amount(self) -> int:
        """quantity × unit price less the discount, in whole minor units (discount in basis points)."""
        basis_points = round(self.discount_pct * 100)
        return self.quantity * self.unit_price * (10_000 - basis_points) // 10_000


@dataclass(frozen=True)
class Deal:
    """The opportunity as it would stand after the write."""

    stage: str
    amount: int
    close_date: date | None
    loss_reason: str | None
    forecast_category: str
    discount_pct: float
    line_items: list[LineDraft] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """What this write does: a new record, or which fields of an existing one it touches."""

    today: date
    is_new: bool
    previous_stage: str | None = None
    fields: frozenset[str] = frozenset()

    def touches(self, *names: str) -> bool:
        return self.is_new or any(n in self.fields for n in names)


def check(deal: Deal, change: Change, stages: dict[str, Stage]) -> list[FieldProblem]:
    """Every rule except evidence; an empty list means the deal is consistent."""
    problems: list[FieldProblem] = []
    stage = stages.get(deal.stage)
    if stage is None:
        return [problem("stage", "unknown_stage", stage=deal.stage)]
    if stage.kind == "open" and deal.close_date and deal.close_date < change.today:
        if change.touches("close_date", "stage"):
            problems.append(problem("close_date", "close_date_past"))
    if stage.kind == "won":
        if deal.amount <= 0:
            problems.append(problem("amount", "won_needs_amount"))
        if deal.close_date is None:
            problems.append(problem("close_date", "won_needs_close_date"))
    if stage.kind == "lost" and not (deal.loss_reason or "").strip():
        problems.append(problem("loss_reason", "lost_needs_reason"))
    if not 0 <= deal.discount_pct <= 100:
        problems.append(problem("discount_pct", "discount_range"))
    for index, line in enumerate(deal.line_items):
        if not 0 <= line.discount_pct <= 100:
            problems.append(problem(f"line_items[{index}].discount_pct", "discount_range"))
    if deal.line_items and all(0 <= line.discount_pct <= 100 for line in deal.line_items):
        total = sum(line.amount for line in deal.line_items)
        if total != deal.amount:
            problems.append(problem("amount", "line_items_mismatch", total=total, amount=deal.amount))
    return problems


def evidence_needed(deal: Deal, change: Change, stages: dict[str, Stage]) -> list[FieldProblem]:
    """The problems this write will have unless the customer acted (inbound) within the evidence window."""
    needed: list[FieldProblem] = []
    stage = stages.get(deal.stage)
    if stage is not None and stage.needs_evidence and change.touches("stage"):
        before = stages.get(change.previous_stage or "")
        if change.is_new or before is None or before.position < stage.position:
            needed.append(problem("stage", "needs_evidence", days=EVIDENCE_WINDOW_DAYS))
    if deal.forecast_category == "commit" and change.touches("forecast_category"):
        needed.append(problem("forecast_category", "commit_needs_evidence", days=EVIDENCE_WINDOW_DAYS))
    return needed
