"""Turning spreadsheet text into values, and the report of everything changed or refused on the way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from rapidfuzz.distance import DamerauLevenshtein

from api.lib.i18n import Text, t

# Sectors a misspelling is corrected towards (only when the match is close: a new sector is kept as given).
INDUSTRIES = (
    "technology", "medical", "retail", "software", "finance", "marketing", "telecommunications", "entertainment",
    "employment", "services", "manufacturing", "logistics", "education", "energy", "construction", "automotive",
    "healthcare", "government", "agriculture", "hospitality", "media", "real estate", "insurance", "banking",
)  # fmt: skip

# Stage names of other systems, onto the default pipeline. "Engaging" (the rep is in conversation with the
# customer) is taken as qualification: "solution" needs a proposed solution and its evidence, which the export
# does not record.
STAGE_SYNONYMS = {
    "prospecting": "lead", "prospect": "lead", "new": "lead", "lead": "lead", "线索": "lead",
    "engaging": "qualified", "qualification": "qualified", "qualified": "qualified", "需求确认": "qualified",
    "solution": "solution", "方案": "solution", "proposal": "proposal", "quote": "proposal", "报价": "proposal",
    "negotiation": "negotiation", "谈判": "negotiation",
    "won": "won", "closed won": "won", "closed_won": "won", "赢单": "won", "成交": "won",
    "lost": "lost", "closed lost": "lost", "closed_lost": "lost", "输单": "lost", "丢单": "lost",
}  # fmt: skip

MESSAGES: dict[str, Text] = {
    "missing": t("{field} is empty.", "{field} 为空。"),
    "bad_date": t("“{value}” is not a date (YYYY-MM-DD or M/D/YYYY).", "“{value}”不是日期（YYYY-MM-DD 或 M/D/YYYY）。"),
    "bad_amount": t("“{value}” is not an amount.", "“{value}”不是金额。"),
    "bad_currency": t("“{value}” is not a three-letter currency code.", "“{value}”不是三位字母的币种代码。"),
    "unknown_stage": t("“{value}” matches no stage of the pipeline.", "“{value}”与销售流程中的任何阶段都不对应。"),
    "duplicate": t(
        "The external id “{value}” appears again (first on row {first}); this row is skipped.",
        "外部编号“{value}”重复（首次出现在第 {first} 行），本行已跳过。",
    ),
    "unknown_account": t("No account “{value}”; import accounts first.", "没有名为“{value}”的客户，请先导入客户。"),
    "close_before_engage": t("The close date is before the engage date.", "成交日期早于创建日期。"),
}

NORMALISATIONS: dict[str, Text] = {
    "us_date": t("Dates read as month/day/year (US).", "日期按美式“月/日/年”读取。"),
    "dollars_to_minor": t("Whole amounts converted to minor units (×100).", "整数金额已换算为最小货币单位（×100）。"),
    "industry_spelling": t("Sector spelling corrected.", "行业拼写已更正。"),
    "product_name": t("Product name matched to the catalogue's spelling.", "产品名称已匹配为产品目录中的写法。"),
    "product_created": t(
        "Unknown product added to the catalogue (list price 0).", "未知产品已加入产品目录（标价为 0）。"
    ),
    "stage_mapped": t("Stage mapped onto the pipeline.", "阶段已映射到本销售流程。"),
    "account_missing": t(
        "No account: filed under the placeholder account “Unassigned (import)”.",
        "缺少客户：已归入占位客户“未指定客户（导入）”。",
    ),
    "owner_missing": t("No owner: assigned to the import's default owner.", "缺少负责人：已分配给导入的默认负责人。"),
    "owner_created": t(
        "Unknown owner created as a user who cannot sign in until given an email and password.",
        "未知负责人已创建为用户；设置邮箱和密码之前不能登录。",
    ),
    "manager_created": t("Unknown manager created as a user.", "未知经理已创建为用户。"),
    "amount_from_list_price": t(
        "No amount on an open deal: the product's list price is used.", "未关闭商机缺少金额：使用产品标价。"
    ),
    "name_derived": t("No name: the name is made of product and account.", "缺少名称：以产品和客户组成名称。"),
    "entered_at_assumed": t(
        "No engage date: the stage is taken as entered on the export date {as_of}.",
        "缺少创建日期：以导出日期 {as_of} 作为进入阶段的日期。",
    ),
    "sku_derived": t("No SKU: derived from the product name.", "缺少 SKU：由产品名称生成。"),
    "external_id_from_name": t("No external id: the name is used.", "缺少外部编号：使用名称。"),
    # Rules for live edits that imported history breaks: kept as history, reported.
    "close_date_past": t(
        "Open deal with a close date in the past (kept as history).", "未关闭商机的预计成交日期已过（按历史保留）。"
    ),
    "lost_needs_reason": t("Lost deal without a loss reason (kept as history).", "输单没有输单原因（按历史保留）。"),
    "won_needs_amount": t("Won deal without an amount (kept as history).", "赢单金额为零（按历史保留）。"),
    "won_needs_close_date": t("Won deal without a close date (kept as history).", "赢单没有成交日期（按历史保留）。"),
    "open_without_close_date": t("Open deal without a close date.", "未关闭商机没有预计成交日期。"),
}


@dataclass
class Normalisation:
    """One kind of change made to the data, counted, with the first rows it touched."""

    code: str
    field: str
    before: str
    after: str
    count: int = 0
    rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    code: str
    params: dict[str, object]
    severity: str = "error"  # error: the row is refused; warning: imported as given

    @property
    def message(self) -> Text:
        return MESSAGES[self.code]


class RowRefused(Exception):
    def __init__(self, problem: RowProblem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    dry_run: bool
    rows: int = 0
    refused: int = 0
    mapping: dict[str, str] = field(default_factory=dict)
    entities: dict[str, Counts] = field(default_factory=dict)
    normalisations: dict[tuple[str, str, str, str], Normalisation] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    normalised_rows: set[int] = field(default_factory=set)
    as_of: date | None = None

    def counts(self, entity: str) -> Counts:
        return self.entities.setdefault(entity, Counts())

    def normalised(self, row: int, code: str, field_name: str, before: object = "", after: object = "") -> None:
        key = (code, field_name, str(before), str(after))
        entry = self.normalisations.get(key)
        if entry is None:
            entry = self.normalisations[key] = Normalisation(code, field_name, str(before), str(after))
        entry.count += 1
        if len(entry.rows) < 10:
            entry.rows.append(row)
        if code not in WARNING_ONLY:
            self.normalised_rows.add(row)

    def refuse(self, problem: RowProblem) -> None:
        self.problems.append(problem)
        self.refused += 1


# Reported but not changes to the data: they do not make a row count as normalised.
WARNING_ONLY = frozenset(
    {"close_date_past", "lost_needs_reason", "won_needs_amount", "won_needs_close_date", "open_without_close_date"}
)

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")


def parse_date(text: str) -> tuple[date | None, bool]:
    """A date and whether it was read as US month/day/year; ValueError when it is none."""
    text = text.strip()
    if not text:
        return None, False
    if m := _ISO_DATE.match(text):
        return date(int(m[1]), int(m[2]), int(m[3])), False
    if m := _US_DATE.match(text):
        return date(int(m[3]), int(m[1]), int(m[2])), True
    raise ValueError(text)


def parse_minor(text: str) -> tuple[int | None, bool]:
    """An amount in minor units, and whether it was given in whole units; ValueError when it is none."""
    cleaned = re.sub(r"[\s,$¥￥€£]|^(USD|CNY|RMB)", "", text.strip(), flags=re.IGNORECASE)
    if not cleaned:
        return None, False
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if value < 0 or not value.is_finite():
        raise ValueError(text)
    return int((value * 100).to_integral_value()), value == value.to_integral_value()


def name_key(text: str) -> str:
    """How names are compared: case, spaces and punctuation do not count ("GTXPro" is "GTX Pro")."""
    return re.sub(r"[\W_]+", "", text.casefold())


def correct_industry(text: str) -> str:
    """The standard sector for a close misspelling (technolgy → technology); other values unchanged."""
    value = text.strip().lower()
    if not value or value in INDUSTRIES:
        return value
    # A typo is one edit (two for long words: insert, delete, substitute or swap two letters); more is a new sector.
    allowed = 1 if len(value) < 8 else 2
    best = min(INDUSTRIES, key=lambda known: DamerauLevenshtein.distance(value, known))
    return best if len(value) >= 5 and DamerauLevenshtein.distance(value, best) <= allowed else value


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", text.casefold()).strip(".") or "user"
