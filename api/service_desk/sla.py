"""The one definition of a support case breaching its SLA, shared by the cases API and churn warnings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, or_

from api.db.models import SupportCase

# How long the customer waits for a first answer when the case names no due time: by severity.
SLA_BY_SEVERITY = {
    "critical": timedelta(hours=4),
    "high": timedelta(hours=8),
    "normal": timedelta(hours=24),
    "low": timedelta(hours=72),
}


class CaseTimes(Protocol):
    sla_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None


def breached(case: CaseTimes, as_of: datetime) -> bool:
    """Whether, as of ``as_of``, the case was unresolved past its due time or first answered after it.

    The first answer is the first response, or the resolution when there was none. A resolution after
    ``as_of`` was not known yet at ``as_of`` (churn profiles look at past moments).
    """
    due = case.sla_due_at
    if due is None or due >= as_of:
        return False
    resolved = case.resolved_at if case.resolved_at is not None and case.resolved_at <= as_of else None
    if resolved is None:
        return True  # still open past its due time
    answer = case.first_response_at or resolved
    return answer > due


def breached_clause(now: datetime) -> Any:
    """``breached(case, now)`` as a SQL condition."""
    due = SupportCase.sla_due_at
    late_answer = or_(
        SupportCase.first_response_at > due,
        and_(SupportCase.first_response_at.is_(None), SupportCase.resolved_at > due),
    )
    return and_(due.is_not(None), due < now, or_(SupportCase.resolved_at.is_(None), late_answer))
