from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gasdesk.workdays import WorkCalendar, holiday_name


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


MAKEUP_DAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


@pytest.mark.parametrize("d", MAKEUP_DAYS_2026)
def test_2026_makeup_days_are_working(cal: WorkCalendar, d: date) -> None:
    assert d.weekday() >= 5  # they are all weekend days
    assert cal.is_working_day(d)
    assert holiday_name(d) is None


def test_2026_spring_festival_is_rest(cal: WorkCalendar) -> None:
    days = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 15..23 Feb
    for d in days:
        assert not chinese_calendar.is_workday(d)
        assert not cal.is_working_day(d)
        assert holiday_name(d) == "春节"
    assert cal.is_working_day(date(2026, 2, 14))
    assert cal.is_working_day(date(2026, 2, 24))


def test_2026_national_day(cal: WorkCalendar) -> None:
    for i in range(1, 8):
        assert not cal.is_working_day(date(2026, 10, i))
    assert holiday_name(date(2026, 10, 1)) == "国庆节"
    # Wed 30 Sep + 1 -> Thu 8 Oct (1-7 Oct are rest)
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 8 Thu, 9 Fri, 10 Sat (make-up working day) -> 3rd working day is Sat 10 Oct
    assert cal.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    # then Sun 11 is rest, Mon 12 is the 4th
    assert cal.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert cal.count_working_days(date(2026, 9, 30), date(2026, 10, 12)) == 4


def test_across_new_year_into_unknown_2027(cal: WorkCalendar) -> None:
    # 1 Jan 2027 is a Friday (元旦 fallback), 2/3 Jan are the weekend
    assert date(2027, 1, 1).weekday() == 4
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert holiday_name(date(2027, 1, 1)) == "元旦"


def test_unknown_year_follows_the_law(cal: WorkCalendar) -> None:
    """2027 is not in chinesecalendar: the law's days, computed from the lunar calendar, are rest days."""
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 6, 1))
    assert not cal.is_confirmed(2027)
    law = {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "除夕",  # 农历除夕, a Friday (a holiday since the 2024 revision)
        date(2027, 2, 6): "春节", date(2027, 2, 7): "春节", date(2027, 2, 8): "春节",  # 正月初一至初三
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节",  # 五月初五
        date(2027, 9, 15): "中秋节",  # 八月十五
        date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节",
    }
    for d, name in law.items():
        assert not cal.is_working_day(d), d
        assert holiday_name(d) == name
    # Article 6: 初一、初二 (Sat, Sun) are given back on Tue 9 and Wed 10 Feb; likewise May and October.
    for d in (date(2027, 2, 9), date(2027, 2, 10), date(2027, 5, 3), date(2027, 5, 4),
              date(2027, 10, 4), date(2027, 10, 5)):
        assert not cal.is_working_day(d) and holiday_name(d).endswith("（补假）")
    assert cal.is_working_day(date(2027, 2, 4)) and cal.is_working_day(date(2027, 2, 11))
    assert cal.is_working_day(date(2027, 10, 6))
    assert holiday_name(date(2027, 10, 6)) is None
    # no make-up working days are guessed: every weekend stays a weekend
    assert all(not cal.is_working_day(date(2027, 1, 1) + timedelta(days=i))
               for i in range(365) if (date(2027, 1, 1) + timedelta(days=i)).weekday() >= 5)


def test_one_working_day_before_new_years_eve_ends_after_the_third_day(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 11)
    assert cal.is_provisional(date(2027, 2, 4), date(2027, 2, 11))
    assert cal.is_provisional(date(2026, 12, 30), date(2027, 1, 5))
    assert not cal.is_provisional(date(2026, 12, 1), date(2026, 12, 31))


def test_other_years_of_the_lunar_calendar() -> None:
    cal = WorkCalendar()
    # 2028: 除夕 25 Jan, 初一 26 Jan; 端午 28 May (Sun, 补假 Mon 29); 中秋 = 国庆 3 Oct
    for d in (date(2028, 1, 25), date(2028, 1, 26), date(2028, 1, 27), date(2028, 1, 28),
              date(2028, 4, 4), date(2028, 5, 29), date(2028, 10, 3)):
        assert not cal.is_working_day(d), d
    assert "中秋节" in (holiday_name(date(2028, 10, 3)) or "")
    # beyond the lunar tables only weekends and the fixed dates remain
    assert not cal.is_working_day(date(2101, 10, 3)) and cal.is_working_day(date(2101, 4, 5))


def test_is_confirmed() -> None:
    cal = WorkCalendar()
    assert cal.is_confirmed(2026)
    assert cal.is_confirmed(2025)
    assert not cal.is_confirmed(2027)
    assert not cal.is_confirmed(0)
    office = WorkCalendar({date(2027, 2, 8): False}, confirmed_years=[2027])
    assert office.is_confirmed(2027)
    assert not office.is_confirmed(2028)
    assert office.confirmed_years == frozenset({2027})


def test_overrides_beat_everything() -> None:
    saturday = date(2026, 3, 7)
    monday = date(2026, 3, 9)
    makeup = date(2026, 10, 10)  # officially working
    holiday = date(2026, 10, 1)  # officially rest
    unknown_saturday = date(2027, 3, 6)
    cal = WorkCalendar({saturday: True, monday: False, makeup: False, holiday: True, unknown_saturday: True})
    assert cal.is_working_day(saturday)
    assert not cal.is_working_day(monday)
    assert not cal.is_working_day(makeup)
    assert cal.is_working_day(holiday)
    assert cal.is_working_day(unknown_saturday)
    # Fri 6 Mar + 1 -> Sat 7 (override), + 2 -> Tue 10 (Mon 9 overridden to rest)
    assert cal.add_working_days(date(2026, 3, 6), 1) == saturday
    assert cal.add_working_days(date(2026, 3, 6), 2) == date(2026, 3, 10)
    assert cal.overrides[monday] is False


def test_overrides_are_copied() -> None:
    src = {date(2026, 3, 7): True}
    cal = WorkCalendar(src)
    src[date(2026, 3, 7)] = False
    assert cal.is_working_day(date(2026, 3, 7))


def test_start_day_never_counts(cal: WorkCalendar) -> None:
    # start on a holiday: 1 Oct 2026
    assert cal.add_working_days(date(2026, 10, 1), 1) == date(2026, 10, 8)
    # start on a working day: Tue 24 Feb -> Wed 25 Feb
    assert cal.add_working_days(date(2026, 2, 24), 1) == date(2026, 2, 25)
    assert cal.count_working_days(date(2026, 2, 24), date(2026, 2, 24)) == 0
    assert cal.count_working_days(date(2026, 2, 25), date(2026, 2, 24)) == 0


def test_n_zero_returns_start(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 1)
    assert cal.add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)


def test_negative_n_raises(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 9), -1)


def test_next_working_day(cal: WorkCalendar) -> None:
    assert cal.next_working_day(date(2026, 3, 9)) == date(2026, 3, 9)
    assert cal.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert cal.next_working_day(date(2026, 10, 10)) == date(2026, 10, 10)
    assert cal.next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)


def test_datetime_accepted(cal: WorkCalendar) -> None:
    assert cal.add_working_days(datetime(2026, 9, 30, 17, 30), 1) == date(2026, 10, 8)
    assert not cal.is_working_day(datetime(2026, 10, 1, 9, 0))


def test_holiday_name_plain_days() -> None:
    assert holiday_name(date(2026, 3, 9)) is None  # ordinary Monday
    assert holiday_name(date(2026, 3, 7)) is None  # ordinary Saturday
    assert holiday_name(date(2026, 5, 1)) == "劳动节"
    assert holiday_name(date(2025, 10, 6)) == "中秋节"


dates_2025_2028 = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@settings(deadline=None, max_examples=300)
@given(start=dates_2025_2028, n=st.integers(min_value=0, max_value=40))
def test_count_is_inverse_of_add(start: date, n: int) -> None:
    cal = WorkCalendar()
    end = cal.add_working_days(start, n)
    assert cal.count_working_days(start, end) == n
    if n > 0:
        assert end > start
        assert cal.is_working_day(end)
        # end is the first date reaching n: the day before still counts n - 1
        assert cal.count_working_days(start, end - timedelta(days=1)) == n - 1
