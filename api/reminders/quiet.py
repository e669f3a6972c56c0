"""Quiet hours: when a person's reminders wait, in their own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_QUIET_START = time(22, 0)
DEFAULT_QUIET_END = time(8, 0)
FALLBACK_ZONE = "Asia/Shanghai"


def zone(name: str | None) -> ZoneInfo:
    """The user's time zone; a name the system does not know falls back to the house default."""
    try:
        return ZoneInfo(name or FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


def effective(start: time | None, end: time | None) -> tuple[time, time]:
    """The quiet hours in force: each side the user left unset takes its default (22:00 to 08:00)."""
    return start or DEFAULT_QUIET_START, end or DEFAULT_QUIET_END


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time on a day, as a UTC instant."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def quiet_until(now: datetime, tz: ZoneInfo, start: time, end: time) -> datetime | None:
    """When the quiet hours around ``now`` end (UTC), or None if ``now`` is outside them.

    The window is [start, end) in local time and may run past midnight (22:00 to 08:00); start == end means none.
    """
    if start == end:
        return None
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside, end_day = start <= clock < end, local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    return local_instant(end_day, end, tz) if inside else None
