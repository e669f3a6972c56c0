"""Which column holds which field: detected from the header (English or Chinese), overridable per field."""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.lib.i18n import Text, render, t

KINDS = ("accounts", "contacts", "products", "users", "opportunities")


@dataclass(frozen=True)
class Field:
    name: str
    synonyms: tuple[str, ...]
    required: bool = False


def _f(name: str, *synonyms: str, required: bool = False) -> Field:
    return Field(name, (name, *synonyms), required)


FIELDS: dict[str, tuple[Field, ...]] = {
    "accounts": (
        _f("external_id", "account_id", "id", "客户编号", "客户id"),
        _f("name", "account", "account_name", "company", "customer", "客户", "客户名称", "公司", required=True),
        _f("industry", "sector", "行业"),
        _f("address", "office_location", "location", "country", "地址"),
        _f("city", "城市"),
        _f("phone", "telephone", "电话"),
        _f("website", "url", "网站"),
        _f("parent", "subsidiary_of", "parent_company", "母公司"),
        _f("revenue", "annual_revenue", "营业收入", "营收"),
        _f("employees", "employee_count", "员工数"),
        _f("year_established", "founded", "成立年份"),
    ),
    "contacts": (
        _f("account", "account_name", "company", "customer", "客户", "客户名称", required=True),
        _f("name", "contact", "contact_name", "full_name", "联系人", "姓名", required=True),
        _f("title", "job_title", "position", "职位"),
        _f("phone", "mobile", "telephone", "电话", "手机"),
        _f("email", "e_mail", "邮箱"),
        _f("decision_maker", "is_decision_maker", "决策人"),
    ),
    "products": (
        _f("sku", "product_code", "code", "产品编码"),
        _f("name", "product", "product_name", "产品", "产品名称", required=True),
        _f("series", "family", "product_line", "系列"),
        _f("list_price", "sales_price", "price", "unit_price", "价格", "单价", "标价"),
        _f("currency", "币种"),
    ),
    "users": (
        _f("name", "sales_agent", "agent", "user", "rep", "full_name", "销售", "姓名", required=True),
        _f("email", "e_mail", "邮箱"),
        _f("manager", "manager_name", "经理", "上级"),
        _f("team", "regional_office", "region", "office", "团队", "区域"),
        _f("role", "roles", "角色"),
    ),
    "opportunities": (
        _f("external_id", "opportunity_id", "deal_id", "id", "商机编号", "商机id", required=True),
        _f("name", "opportunity", "opportunity_name", "deal", "deal_name", "商机", "商机名称"),
        _f("owner", "sales_agent", "owner_name", "agent", "rep", "负责人", "销售"),
        _f("account", "account_name", "company", "customer", "客户", "客户名称"),
        _f("product", "product_name", "产品"),
        _f("stage", "deal_stage", "status", "阶段", "销售阶段"),
        _f("engage_date", "created", "created_date", "created_at", "open_date", "start_date", "创建日期"),
        _f("close_date", "expected_close_date", "closed_date", "成交日期", "预计成交日期"),
        _f("amount", "close_value", "value", "deal_value", "金额", "商机金额"),
        _f("currency", "币种"),
        _f("loss_reason", "lost_reason", "输单原因"),
    ),
}


class MappingError(ValueError):
    """The header lacks a required field, or an override names a column that is not there."""

    def __init__(self, problems: list[tuple[str, Text]]) -> None:
        super().__init__("; ".join(f"{f}: {render(m, 'en')}" for f, m in problems))
        self.problems = problems


def _key(text: str) -> str:
    """Header comparison ignores case, spaces, punctuation and a trailing '(...)'."""
    text = re.sub(r"[（(].*?[)）]\s*$", "", text.strip().lower())
    return re.sub(r"[\s_\-./:：]+", "_", text).strip("_")


def detect(kind: str, headers: list[str], override: dict[str, str] | None = None) -> dict[str, int]:
    """Field name → column index. An override maps a field to a header (or to '' to ignore the field)."""
    if kind not in FIELDS:
        raise MappingError([("kind", t(f"unknown kind {kind!r}", f"未知的导入类型 {kind!r}"))])
    keys = [_key(h) for h in headers]
    override = override or {}
    known = {f.name for f in FIELDS[kind]}
    problems = [(name, t("not a field of this kind", "不是该类型的字段")) for name in override if name not in known]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for field in FIELDS[kind]:
        if field.name in override:
            wanted = override[field.name]
            if wanted == "":
                continue
            if _key(wanted) not in keys:
                problems.append((field.name, t(f"no column {wanted!r} in the file", f"文件中没有列 {wanted!r}")))
                continue
            mapping[field.name] = keys.index(_key(wanted))
            taken.add(mapping[field.name])
    for field in FIELDS[kind]:
        if field.name in mapping or field.name in override:
            continue
        for synonym in field.synonyms:
            key = _key(synonym)
            if key in keys and keys.index(key) not in taken:
                mapping[field.name] = keys.index(key)
                taken.add(mapping[field.name])
                break
        if field.required and field.name not in mapping:
            problems.append(
                (
                    field.name,
                    t(f"no column for the required field {field.name!r}", f"必填字段 {field.name!r} 没有对应的列"),
                )
            )
    if problems:
        raise MappingError(problems)
    return mapping
