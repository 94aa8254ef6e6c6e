"""Commitment clocks: when a limit falls due, and how a pause moves it.

A working-day limit is due at the end of the n-th working day after the day it started (the start
day never counts). Clock units (days, hours, minutes) are due exactly that long after the start.
A pause keeps what was left; resuming gives that much again from the moment of resuming, so time
lost for the customer's reasons is not counted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from gasdesk.vocab import TimeUnit
from gasdesk.workdays import WorkCalendar

END_OF_DAY = time(23, 59, 59)
_CLOCK_UNITS = {
    TimeUnit.DAYS: timedelta(days=1),
    TimeUnit.HOURS: timedelta(hours=1),
    TimeUnit.MINUTES: timedelta(minutes=1),
}


def due_at(amount: int, unit: TimeUnit | str, start: datetime, calendar: WorkCalendar) -> datetime:
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_DAYS:
        return datetime.combine(calendar.add_working_days(start.date(), amount), END_OF_DAY)
    return start + amount * _CLOCK_UNITS[unit]


def remaining(unit: TimeUnit | str, due: datetime, at: datetime, calendar: WorkCalendar) -> int:
    """What is left at `at`: working days for day limits, seconds otherwise (negative when overdue)."""
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_DAYS:
        if due.date() >= at.date():
            return calendar.count_working_days(at.date(), due.date())
        return -calendar.count_working_days(due.date(), at.date())
    return int((due - at).total_seconds())


def resumed_due(unit: TimeUnit | str, left: int, at: datetime, calendar: WorkCalendar) -> datetime:
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_DAYS:
        if left >= 0:
            return datetime.combine(calendar.add_working_days(at.date(), left), END_OF_DAY)
        return datetime.combine(_back_working_days(calendar, at.date(), -left), END_OF_DAY)
    return at + timedelta(seconds=left)


def _back_working_days(calendar: WorkCalendar, start: date, n: int) -> date:
    d = start
    while n > 0:
        d -= timedelta(days=1)
        if calendar.is_working_day(d):
            n -= 1
    return d


def time_left_text(due: datetime, now: datetime) -> str:
    """'剩余 2天3小时' / '超期 5小时' — what the clerk reads next to a deadline."""
    delta = due - now
    late = delta.total_seconds() < 0
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        body = f"{days}天{hours}小时"
    elif hours:
        body = f"{hours}小时{minutes}分"
    else:
        body = f"{minutes}分钟"
    return ("超期 " if late else "剩余 ") + body


def urgency(due: datetime, now: datetime, started: datetime) -> str:
    """'green', 'amber' (a quarter or less of the time left, or due today) or 'red' (overdue)."""
    if now > due:
        return "red"
    total = (due - started).total_seconds()
    left = (due - now).total_seconds()
    if due.date() == now.date() or (total > 0 and left / total <= 0.25):
        return "amber"
    return "green"
