"""Opening hours: when a request taken now will be handled.

The hall is open every day (e.g. 9:00-24:00); the complaint line answers on working days only
(e.g. 9:00-17:00). Times are 'HH:MM' from the settings; '24:00' means midnight at the end of the day.
"""

from __future__ import annotations

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
