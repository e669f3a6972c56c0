"""What each kind of reminder says, in both languages, from the parameters stored with it."""

from __future__ import annotations

from typing import Any

from api.lib.i18n import Text, t


def _names(params: dict[str, Any], sep: str) -> str:
    return sep.join(params.get("competitors") or [])


def title_of(kind: str, params: dict[str, Any]) -> Text:
    """The reminder's headline."""
    deal = params.get("deal", "")
    if kind == "promised_date":
        return t(f"Feedback due in 48 h: {deal}", f"客户反馈 48 小时内到期：{deal}")
    if kind == "silent_customer":
        account = params.get("account", "")
        return t(f"{account} has gone quiet", f"{account} 已沉默")
    if kind == "competitor":
        return t(f"Competitor activity: {deal}", f"竞争对手动态：{deal}")
    return t(
        f"{deal} is stuck in {params.get('stage_en', '')}",
        f"{deal} 在「{params.get('stage_zh', '')}」阶段停留过久",
    )


def reason_of(kind: str, params: dict[str, Any]) -> Text:
    """Why the reminder was raised: the figures behind it, so the person can check them."""
    deal, account = params.get("deal", ""), params.get("account", "")
    if kind == "promised_date":
        day = params.get("promised_date", "")
        return t(
            f"{account} promised feedback on {deal} by {day}. Prepare and follow up.",
            f"{account} 承诺在 {day} 前就「{deal}」给出反馈，请提前准备并跟进。",
        )
    if kind == "silent_customer":
        last, usual, days = params.get("last_inbound_on", ""), params.get("usual_gap_days", ""), params.get("days", "")
        return t(
            f"No word from {account} since {last}, over {days} days; they usually get in touch every {usual} days. "
            f"Deal: {deal}.",
            f"{account} 自 {last} 起已超过 {days} 天没有主动联系，平时约每 {usual} 天联系一次。商机：{deal}。",
        )
    if kind == "competitor":
        if params.get("source") == "added":
            return t(
                f"Competitor added to {deal}: {_names(params, ', ')}. Its priority has been raised.",
                f"「{deal}」新增竞争对手：{_names(params, '、')}。该商机优先级已提高。",
            )
        return t(
            f"An activity on {deal} mentions {_names(params, ', ')}. Its priority has been raised.",
            f"「{deal}」的一条互动记录提到了 {_names(params, '、')}。该商机优先级已提高。",
        )
    days, p75 = params.get("days", ""), params.get("p75_days", "")
    return t(
        f"{deal} has been in {params.get('stage_en', '')} for {days} days; "
        f"three quarters of deals leave that stage within {p75} days.",
        f"「{deal}」已在「{params.get('stage_zh', '')}」阶段停留 {days} 天，四分之三的商机在 {p75} 天内离开该阶段。",
    )
