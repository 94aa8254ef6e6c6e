"""Opening hours: when a request taken now will be handled.

Three services keep hours of their own (the company profile's settings, each as the text printed
on the forms):
- the hall (`hours.hall`): the seed gives none; the first administrator writes them. A request taken
  at the counter is taken while the hall is open, so nothing here computes with them;
- the business and enquiry line 96977 (`hours.service_line`, 每日 9:00-24:00);
- the complaint line (`hours.complaint`, 工作日 9:00-17:00).

A line's text is read by `parse_hours`: '每日 9:00-24:00', '全天9:00——24:00', '工作日 9:00-17:00',
'24小时'. Times are 'HH:MM'; '24:00' means midnight at the end of the day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from gasdesk.workdays import WorkCalendar


def parse_time(text: str) -> time:
    hours, minutes = (int(x) for x in text.strip().split(":"))
    return time.max if (hours, minutes) == (24, 0) else time(hours, minutes)


def is_open(at: datetime, opens: str, closes: str, calendar: WorkCalendar | None = None) -> bool:
    """Within the hours, and on a working day when a calendar is given."""
    if calendar is not None and not calendar.is_working_day(at.date()):
        return False
    return parse_time(opens) <= at.time() < parse_time(closes)


def next_opening(at: datetime, opens: str, closes: str, calendar: WorkCalendar | None = None) -> datetime:
    """`at` itself when open, else the next moment the service opens."""
    if is_open(at, opens, closes, calendar):
        return at
    start = parse_time(opens)
    day = at.date() if at.time() < start else at.date() + timedelta(days=1)
    if calendar is not None:
        day = calendar.next_working_day(day)
    return datetime.combine(day, start)


@dataclass(frozen=True)
class Hours:
    """A service's hours: every day or working days only, from `opens` to `closes` ('HH:MM')."""

    opens: str
    closes: str
    working_days_only: bool

    def is_open(self, at: datetime, calendar: WorkCalendar) -> bool:
        return is_open(at, self.opens, self.closes, calendar if self.working_days_only else None)

    def next_opening(self, at: datetime, calendar: WorkCalendar) -> datetime:
        return next_opening(at, self.opens, self.closes, calendar if self.working_days_only else None)


class HoursError(ValueError):
    """A text that is not a service's hours; the message is for the administrator (Chinese)."""


_DAYS = {"每日": False, "每天": False, "全天": False, "全年": False, "工作日": True}
_RANGE = re.compile(r"^(每日|每天|全天|全年|工作日)?\s*(\d{1,2})[:：](\d{2})\s*(?:-+|—+|–+|~|～|至|到)\s*(\d{1,2})[:：](\d{2})$")
_ROUND_THE_CLOCK = re.compile(r"^(每日|每天|全天|全年)?\s*24\s*小时$")


def _hhmm(hours: str, minutes: str) -> str:
    h, m = int(hours), int(minutes)
    if h > 24 or m > 59 or (h == 24 and m):
        raise HoursError("时间应在00:00至24:00之间")
    return f"{h:02d}:{m:02d}"


def parse_hours(text: str) -> Hours:
    """A line's hours as written on the forms: '每日 9:00-24:00', '工作日 9:00-17:00', '全天24小时'.

    No day word means every day. Raises HoursError (Chinese) for anything else."""
    value = str(text).strip().translate({cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)})
    if _ROUND_THE_CLOCK.match(value):
        return Hours("00:00", "24:00", False)
    m = _RANGE.match(value)
    if m is None:
        raise HoursError("应写成“每日 9:00-24:00”或“工作日 9:00-17:00”")
    days, opens, closes = m.group(1) or "每日", _hhmm(m.group(2), m.group(3)), _hhmm(m.group(4), m.group(5))
    if opens >= closes:
        raise HoursError("结束时间应晚于开始时间")
    return Hours(opens, closes, _DAYS[days])
