"""The State Council's yearly notice, read from its published text: every 放假 range, every 上班 day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from gasdesk.holiday_notice import parse_notice
from gasdesk.workdays import WorkCalendar

NOTICES = Path(__file__).parent / "fixtures" / "notices"


def notice_text(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_published_notice_agrees_with_chinesecalendar_day_by_day(year: int) -> None:
    parsed = parse_notice(notice_text(year))
    assert parsed.ok, parsed.problems
    assert parsed.year == year
    schedule = parsed.schedule()
    for d in days_of(year):
        assert schedule.is_working_day(d) == chinese_calendar.is_workday(d), d


def test_2026_items() -> None:
    parsed = parse_notice(notice_text(2026), 2026)
    by_name = {i.name: i for i in parsed.items}
    assert list(by_name) == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    spring = by_name["春节"]
    assert spring.rest == tuple(date(2026, 2, 15) + timedelta(days=i) for i in range(9))
    assert spring.work == (date(2026, 2, 14), date(2026, 2, 28))
    assert by_name["国庆节"].work == (date(2026, 9, 20), date(2026, 10, 10))
    assert parsed.rest[date(2026, 2, 16)] == "春节"
    assert sum(len(i.rest) for i in parsed.items) == 33  # 放假调休日期共33天


def test_2025_items_single_day_and_joined_holidays() -> None:
    parsed = parse_notice(notice_text(2025))
    by_name = {i.name: i for i in parsed.items}
    assert by_name["元旦"].rest == (date(2025, 1, 1),) and by_name["元旦"].work == ()
    assert by_name["端午节"].rest == (date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 2))
    assert len(by_name["国庆节、中秋节"].rest) == 8
    assert parsed.rest[date(2025, 10, 6)] == "国庆节、中秋节"
    # the preamble's "国庆节自10月1日起放假调休7天" is not an item and is not read
    assert date(2025, 10, 11) in parsed.work


def test_calendar_with_the_pasted_2026_notice_equals_chinesecalendar() -> None:
    cal = WorkCalendar(notices=[parse_notice(notice_text(2026)).schedule()])
    assert cal.is_confirmed(2026)
    assert [cal.is_working_day(d) for d in days_of(2026)] == [chinese_calendar.is_workday(d) for d in days_of(2026)]
    assert cal.holiday_name(date(2026, 2, 20)) == "春节"
    assert cal.holiday_name(date(2026, 2, 14)) is None


def test_wrong_weekday_wrong_total_and_unreadable_lines_are_shown_not_guessed() -> None:
    text = notice_text(2026)
    text = text.replace("4月4日（周六）至6日（周一）放假，共3天", "4月4日（周日）至6日（周一）放假，共3天")
    text = text.replace("共5天。5月9日", "共6天。5月9日")
    text = text.replace("6月19日（周五）至21日（周日）放假", "6月19日（周五）到21日（周日）放假")
    parsed = parse_notice(text)
    assert not parsed.ok
    assert len(parsed.problems) == 3
    assert any("清明节" in p and "不是周日" in p for p in parsed.problems)
    assert any("劳动节" in p and "共6天" in p and "5天" in p for p in parsed.problems)
    assert any(p.startswith("端午节：“6月19日（周五）到21日（周日）放假") for p in parsed.problems)
    # what was understood stays visible
    assert date(2026, 10, 10) in parsed.work


def test_a_notice_pasted_in_part_misses_the_laws_holidays() -> None:
    text = "\n".join(line for line in notice_text(2026).splitlines() if "中秋节：" not in line)
    parsed = parse_notice(text)
    assert parsed.problems == ("通知中没有中秋节（9月25日）的放假安排，请检查是否复制完整",)


def test_year_in_the_text_must_be_the_year_chosen() -> None:
    parsed = parse_notice(notice_text(2026), 2027)
    assert not parsed.ok and "通知是2026年的安排，不是2027年的" in parsed.problems
    assert not parse_notice("随便一段文字").ok


def test_ranges_across_the_new_year_with_years_written_out() -> None:
    """The form of 2023's first item: the range starts in December of the year before."""
    text = ("国务院办公厅关于2023年部分节假日安排的通知\n"
            "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n")
    parsed = parse_notice(text)
    assert parsed.items[0].rest == (date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2))
    assert "春节" in "".join(parsed.problems)  # only one item pasted: the other holidays are missing


def test_a_day_named_by_next_years_notice_beats_this_years_weekday_rule() -> None:
    text_2023 = ("国务院办公厅关于2023年部分节假日安排的通知\n"
                 "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n")
    notice_2023 = parse_notice(text_2023).schedule()
    own_2022 = parse_notice("关于2022年部分节假日安排的通知\n一、国庆节：10月1日（周六）至7日（周五）放假调休，共7天。").schedule()
    cal = WorkCalendar(notices=[own_2022, notice_2023])
    assert not cal.is_working_day(date(2022, 12, 31)) and cal.holiday_name(date(2022, 12, 31)) == "元旦"
    assert cal.is_working_day(date(2022, 12, 30))  # a Friday of 2022, by its own notice's weekday rule
