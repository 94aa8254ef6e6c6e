"""Time left as every screen reads it: working days for a working-day limit, hours for a clock limit,
and the one colour rule (green > 1 working day left, amber 1 or due today, red overdue)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from gasdesk import sla
from gasdesk.vocab import TimeUnit
from gasdesk.workdays import WorkCalendar

CAL = WorkCalendar()
FRIDAY = datetime(2026, 11, 27, 10, 0)  # a working Friday
DUE = sla.due_at(5, TimeUnit.WORKING_DAYS, FRIDAY, CAL)  # Friday 4 December, end of day


def left(now: datetime, calendar: WorkCalendar = CAL) -> sla.TimeLeft:
    return sla.time_left(TimeUnit.WORKING_DAYS, DUE, now, calendar, FRIDAY)


def test_working_day_limits_read_in_working_days_with_one_colour_rule():
    assert DUE == datetime(2026, 12, 4, 23, 59, 59)
    assert (left(FRIDAY).text, left(FRIDAY).urgency) == ("剩余 5个工作日", "green")
    # the weekend does not count: Saturday still has the five working days of next week
    assert left(datetime(2026, 11, 28, 15, 0)).text == "剩余 5个工作日"
    assert (left(datetime(2026, 12, 2, 9, 0)).text, left(datetime(2026, 12, 2, 9, 0)).urgency) == \
        ("剩余 2个工作日", "green")
    assert (left(datetime(2026, 12, 3, 16, 0)).text, left(datetime(2026, 12, 3, 16, 0)).urgency) == \
        ("剩余 1个工作日", "amber")
    assert (left(datetime(2026, 12, 4, 8, 0)).text, left(datetime(2026, 12, 4, 8, 0)).urgency) == \
        ("今日到期", "amber")


def test_overdue_counts_working_days_and_the_hours_of_today():
    saturday = left(datetime(2026, 12, 5, 11, 0))
    assert (saturday.text, saturday.urgency, saturday.overdue) == ("超期 不足1个工作日", "red", True)
    assert left(datetime(2026, 12, 7, 3, 0)).text == "超期 3小时"
    assert left(datetime(2026, 12, 8, 3, 0)).text == "超期 1个工作日3小时"
    assert left(datetime(2026, 12, 12, 10, 0)).text == "超期 5个工作日"  # a Saturday after a whole week
    assert all(left(datetime(2026, 12, 5) + timedelta(hours=h)).urgency == "red" for h in range(0, 200, 7))


def test_a_holiday_of_the_office_calendar_is_not_a_working_day_left():
    wednesday_off = WorkCalendar({date(2026, 12, 2): False})
    assert left(FRIDAY, wednesday_off).text == "剩余 4个工作日"


def test_the_same_time_left_has_the_same_colour_whatever_the_limit():
    """The old rule coloured by the share of the limit left: the same 剩余 read green or amber."""
    now = datetime(2026, 12, 2, 9, 0)
    for started_days_before in (1, 5, 20):
        started = now - timedelta(days=started_days_before)
        result = sla.time_left(TimeUnit.WORKING_DAYS, DUE, now, CAL, started)
        assert (result.text, result.urgency) == ("剩余 2个工作日", "green")


def test_clock_limits_stay_in_hours_and_minutes():
    start = datetime(2026, 11, 27, 10, 0)
    due = sla.due_at(6, TimeUnit.HOURS, start, CAL)
    early = sla.time_left(TimeUnit.HOURS, due, start + timedelta(hours=1), CAL, start)
    assert (early.text, early.urgency) == ("剩余 5小时0分", "green")
    late_in = sla.time_left(TimeUnit.HOURS, due, start + timedelta(hours=4, minutes=30), CAL, start)
    assert (late_in.text, late_in.urgency) == ("剩余 1小时30分", "amber")
    over = sla.time_left(TimeUnit.HOURS, due, start + timedelta(hours=7), CAL, start)
    assert (over.text, over.urgency) == ("超期 1小时0分", "red")
    assert "工作日" not in early.text + late_in.text + over.text


def test_the_rule_is_written_for_f1():
    for words in ("绿色", "黄色", "红色", "1个工作日", "已超期"):
        assert words in sla.URGENCY_RULE
