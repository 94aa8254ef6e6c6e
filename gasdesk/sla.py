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
from dataclasses import dataclass
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
    """'剩余 2天3小时' / '超期 5小时' for a clock limit (days, hours, minutes): elapsed time, not working days."""
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


# --- time left, as every screen shows it --------------------------------------------------------
#
# A working-day limit is read in working days, a clock limit in hours and minutes:
#   剩余 2个工作日   whole working days after today up to the due day (today's remainder not counted)
#   今日到期         the due day is today
#   超期 1个工作日3小时  whole working days past the due day, and the hours of today when it is one
# THE colour rule of the whole application (`urgency`, explained in F1):
#   green  more than 1 working day left (a clock limit: more than a third of it left)
#   amber  1 working day left or due today (a clock limit: a third of it or less left)
#   red    overdue
#   paused the clock is paused (customer's cause, or a step outside the commitment)

URGENCY_RULE = ("时限颜色（全系统统一）：绿色＝剩余超过1个工作日；黄色＝剩余1个工作日或今日到期；"
                "红色＝已超期；灰色＝暂停计时。以工作日计的时限显示“剩余 N个工作日”或“超期 N个工作日M小时”"
                "（不计周末和法定节假日）；以小时、分钟计的时限（如抢险到场）按钟点显示，剩余不足三分之一时为黄色。")


@dataclass(frozen=True)
class TimeLeft:
    """What is left of one limit at one moment, and its colour."""

    text: str
    urgency: str  # 'green', 'amber' or 'red'
    overdue: bool
    working_days: int | None  # working-day limits: whole working days left (overdue: past)


def urgency(*, overdue: bool, working_days_left: int | None = None, seconds_left: int | None = None,
            limit_seconds: int | None = None) -> str:
    """The one colour rule (see above): working days left for a working-day limit, else seconds left of
    a clock limit of `limit_seconds`."""
    if overdue:
        return "red"
    if working_days_left is not None:
        return "amber" if working_days_left <= 1 else "green"
    if seconds_left is not None and limit_seconds:
        return "amber" if seconds_left * 3 <= limit_seconds else "green"
    if seconds_left is not None:
        return "amber" if seconds_left <= 3600 else "green"
    return "green"


def _hours_text(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    if hours:
        return f"{hours}小时"
    return f"{max(1, rest // 60)}分钟"


def time_left(unit: TimeUnit | str, due: datetime, now: datetime, calendar: WorkCalendar,
              started: datetime | None = None) -> TimeLeft:
    """What the clerk reads beside a running limit: working days for a working-day limit (the calendar's
    rest days do not count), hours and minutes for a clock limit."""
    unit = TimeUnit(unit)
    overdue = now > due
    if unit is not TimeUnit.WORKING_DAYS:
        left = int((due - now).total_seconds())
        limit = int((due - started).total_seconds()) if started is not None else None
        return TimeLeft(time_left_text(due, now), urgency(overdue=overdue, seconds_left=left, limit_seconds=limit),
                        overdue, None)
    today = now.date()
    if not overdue:
        n = calendar.count_working_days(today, due.date())
        text = "今日到期" if due.date() <= today else f"剩余 {n}个工作日"
        return TimeLeft(text, urgency(overdue=False, working_days_left=n), False, n)
    past = calendar.count_working_days(due.date(), today)
    if calendar.is_working_day(today) and past:
        whole = past - 1
        into_today = int((now - datetime.combine(today, time.min)).total_seconds())
        body = (f"{whole}个工作日" if whole else "") + (_hours_text(into_today) if into_today >= 60 else "")
        body = body or "不足1小时"
    else:
        whole = past
        body = f"{past}个工作日" if past else "不足1个工作日"
    return TimeLeft(f"超期 {body}", "red", True, whole)

