"""The opportunity score: 50 points, plus or minus what each known input says, from 0 to 100.

Each input has a weight ``w`` (the weights add up to 50, so the score cannot leave 0..100) and contributes:

- a *comparison* with the org's typical deal (interactions on the deal in the last 30 and 90 days, and inbound ones
  in the last 90, against the median of the org's open deals active in the last 90 days):
  ``w × clamp(mine / typical − 1, −1, 1)`` — none at all is −w, the typical deal 0, twice the typical +w;
- a *rate* (emails opened, meetings attended, invoices paid on time, support cases answered within their SLA):
  ``w × (2 × rate − 1)`` — all good +w, half 0, none −w;
- a *fact* (budget confirmed, decision maker involved): +w when true, −w when recorded as not so.

An input with nothing to go on (no emails sent, no invoice due, fewer than three active deals to compare with...)
contributes nothing and is listed as unknown: the score is always defined, and missing data neither helps nor
hurts. The score is ``round(50 + Σ contributions)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from api.lib.i18n import Text, t

BASE = 50
MIN_PEERS = 3
MAX_RECORDS = 10
WEIGHTS = {
    "engagement_30d": 8.0,
    "engagement_90d": 5.0,
    "inbound_90d": 4.0,
    "email_opens": 4.0,
    "meeting_attendance": 4.0,
    "budget_confirmed": 8.0,
    "decision_maker_involved": 8.0,
    "payment_punctuality": 5.0,
    "support_responsiveness": 4.0,
}
GROUP = {
    "engagement_30d": "engagement", "engagement_90d": "engagement", "inbound_90d": "engagement",
    "email_opens": "engagement", "meeting_attendance": "engagement", "budget_confirmed": "buying_signals",
    "decision_maker_involved": "buying_signals", "payment_punctuality": "history", "support_responsiveness": "history",
}  # fmt: skip
UNKNOWN_WHY: dict[str, Text] = {
    "engagement_30d": t("Too few active deals to compare with.", "可比较的活跃商机太少。"),
    "engagement_90d": t("Too few active deals to compare with.", "可比较的活跃商机太少。"),
    "inbound_90d": t(
        "The org's active deals have no inbound interactions to compare with.", "组织的活跃商机没有客户主动互动可比较。"
    ),
    "email_opens": t("No emails sent on this deal in the last 90 days.", "近90天该商机未发送邮件。"),
    "meeting_attendance": t(
        "No meeting with a recorded attendance in the last 90 days.", "近90天没有记录出席情况的会议。"
    ),
    "budget_confirmed": t("Budget not recorded.", "未记录预算情况。"),
    "decision_maker_involved": t("Decision-maker involvement not recorded.", "未记录决策人参与情况。"),
    "payment_punctuality": t("No invoice of this customer has fallen due.", "该客户没有到期的发票。"),
    "support_responsiveness": t(
        "No support case of this customer with a response deadline.", "该客户没有带响应时限的服务工单。"
    ),
}


@dataclass(frozen=True)
class Record:
    """A record behind a reason: its type and id."""

    type: str
    id: uuid.UUID


@dataclass
class Count:
    """How many of something the deal has, with the records, against the typical deal."""

    value: int
    typical: float | None
    records: list[Record] = field(default_factory=list)


@dataclass
class Rate:
    good: int
    total: int
    records: list[Record] = field(default_factory=list)


@dataclass
class Fact:
    value: bool | None
    derived: bool = False  # true because of records (a decision maker met), not a recorded signal
    records: list[Record] = field(default_factory=list)


@dataclass
class ScoreInputs:
    engagement_30d: Count
    engagement_90d: Count
    inbound_90d: Count
    email_opens: Rate
    meeting_attendance: Rate
    budget_confirmed: Fact
    decision_maker_involved: Fact
    payment_punctuality: Rate
    support_responsiveness: Rate


@dataclass
class Reason:
    key: str
    group: str
    contribution: float
    weight: float
    text: Text
    records: list[Record]


@dataclass
class Score:
    score: int
    reasons: list[Reason]  # every known input, largest effect first
    unknown: list[Reason]  # inputs with nothing to go on (contribution 0)


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


def _count_reason(key: str, c: Count, en: str, zh: str) -> Reason | None:
    if c.typical is None or c.typical <= 0:
        return None
    w = WEIGHTS[key]
    contribution = w * _clamp(c.value / c.typical - 1)
    typical = f"{c.typical:g}"
    text = t(en.format(n=c.value, typical=typical), zh.format(n=c.value, typical=typical))
    return Reason(key, GROUP[key], contribution, w, text, c.records[:MAX_RECORDS])


def _rate_reason(key: str, r: Rate, en: str, zh: str) -> Reason | None:
    if r.total == 0:
        return None
    w = WEIGHTS[key]
    contribution = w * (2 * r.good / r.total - 1)
    text = t(en.format(good=r.good, total=r.total), zh.format(good=r.good, total=r.total))
    return Reason(key, GROUP[key], contribution, w, text, r.records[:MAX_RECORDS])


def _fact_reason(key: str, f: Fact, yes: Text, no: Text) -> Reason | None:
    if f.value is None:
        return None
    w = WEIGHTS[key]
    return Reason(key, GROUP[key], w if f.value else -w, w, yes if f.value else no, f.records[:MAX_RECORDS])


def compute_score(inputs: ScoreInputs) -> Score:
    """The score with every known input's contribution and the inputs that are unknown."""
    i = inputs
    candidates: dict[str, Reason | None] = {
        "engagement_30d": _count_reason(
            "engagement_30d", i.engagement_30d,
            "{n} interactions in the last 30 days; the typical deal has {typical}.",
            "近30天互动{n}次；典型商机为{typical}次。",
        ),
        "engagement_90d": _count_reason(
            "engagement_90d", i.engagement_90d,
            "{n} interactions in the last 90 days; the typical deal has {typical}.",
            "近90天互动{n}次；典型商机为{typical}次。",
        ),
        "inbound_90d": _count_reason(
            "inbound_90d", i.inbound_90d,
            "The customer reached out {n} times in the last 90 days; typically {typical}.",
            "近90天客户主动联系{n}次；典型为{typical}次。",
        ),
        "email_opens": _rate_reason(
            "email_opens", i.email_opens,
            "{good} of {total} emails sent in the last 90 days were opened.",
            "近90天发出的{total}封邮件中{good}封被打开。",
        ),
        "meeting_attendance": _rate_reason(
            "meeting_attendance", i.meeting_attendance,
            "The customer attended {good} of {total} meetings in the last 90 days.",
            "近90天{total}次会议中客户出席{good}次。",
        ),
        "budget_confirmed": _fact_reason(
            "budget_confirmed", i.budget_confirmed,
            t("Budget confirmed.", "预算已确认。"), t("The customer has no budget for it.", "客户没有相应预算。"),
        ),
        "decision_maker_involved": _fact_reason(
            "decision_maker_involved", i.decision_maker_involved,
            t("A decision maker is involved.", "决策人已参与。"),
            t("No decision maker is involved.", "决策人未参与。"),
        ),
        "payment_punctuality": _rate_reason(
            "payment_punctuality", i.payment_punctuality,
            "The customer paid {good} of {total} invoices on time.", "客户按时支付了{total}张发票中的{good}张。",
        ),
        "support_responsiveness": _rate_reason(
            "support_responsiveness", i.support_responsiveness,
            "{good} of {total} support cases were answered within their deadline.",
            "{total}个服务工单中{good}个在时限内响应。",
        ),
    }  # fmt: skip
    known = [r for r in candidates.values() if r is not None]
    unknown = [
        Reason(key, GROUP[key], 0.0, WEIGHTS[key], UNKNOWN_WHY[key], []) for key, r in candidates.items() if r is None
    ]
    known.sort(key=lambda r: (-abs(r.contribution), r.key))
    total = BASE + sum(r.contribution for r in known)
    return Score(max(0, min(100, int(total + 0.5))), known, unknown)
