"""Commitment clocks: when a limit falls due, and how a pause moves it.

A working-day limit is due at the end of the n-th working day after the day it started (the start
day never counts). Clock units (days, hours, minutes) are due exactly that long after the start.

The pause rule (stated once, here, and in the README): a pause from day P to day R takes the working
days d with P < d <= R out of the count: the day a pause begins is used up, the day it ends is given
back. So a limit of n working days started on day S with pauses of p1, p2, ... working days is due at
the end of the (n + p1 + p2 + ...)-th working day after S. Clock units add the paused time itself.
A Monday-to-Thursday pause thus gives back Tuesday, Wednesday and Thursday: an 8-working-day limit
due on Thursday 12 November moves to Tuesday 17 November.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def paused_working_days(calendar: WorkCalendar, began: datetime, ended: datetime) -> int:
    """Working days one pause takes out of the count: those after the day it began, up to the day it ended."""
    return calendar.count_working_days(began.date(), ended.date())


def due_with_pauses(amount: int, unit: TimeUnit | str, start: datetime,
                    pauses: Iterable[tuple[datetime, datetime]], calendar: WorkCalendar) -> datetime:
    """The due time by the pause rule, from the start, the limit and the finished pauses."""
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_DAYS:
        extra = sum(paused_working_days(calendar, began, ended) for began, ended in pauses)
        return datetime.combine(calendar.add_working_days(start.date(), amount + extra), END_OF_DAY)
    return start + amount * _CLOCK_UNITS[unit] + sum((ended - began for began, ended in pauses), timedelta())


def remaining(unit: TimeUnit | str, due: datetime, at: datetime, calendar: WorkCalendar) -> int:
    """What is left at `at`: working days for day limits, seconds otherwise (negative when overdue)."""
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_DAYS:
        if due.date() >= at.date():
            return calendar.count_working_days(at.date(), due.date())
        return -calendar.count_working_days(due.date(), at.date())
    return int((due - at).total_seconds())


def due_after_pause(unit: TimeUnit | str, due: datetime, paused_at: datetime, resumed_at: datetime,
                    calendar: WorkCalendar) -> datetime:
    """The pause rule applied to one pause: the due time moves by the working days (or the time) it took."""
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_DAYS:
        extra = paused_working_days(calendar, paused_at, resumed_at)
        return datetime.combine(calendar.add_working_days(due.date(), extra), END_OF_DAY)
    return due + (resumed_at - paused_at)


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
