"""办公日历: the 2027 banner, toggling a day (and back, which clears the override), confirming the year."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from gasdesk.services.calendar import CalendarService
from gasdesk.ui.main_window import SETTINGS
from tests.ui import steps
from tests.ui.driver import click, type_into


def test_toggle_days_and_confirm_2027(qtbot, gui_app, team, window, msgs):
    win = window(team.admin)
    steps.go(qtbot, win, SETTINGS)
    editor = win.settings_page.calendar
    win.settings_page.tabs.setCurrentWidget(editor)
    assert editor.banner.isVisible() and "2027年" in editor.banner.text()  # next year not confirmed

    editor.set_year(2027)
    service = CalendarService(gui_app, team.admin)
    new_year_eve = date(2027, 2, 5)  # a Friday: working by the weekday rule
    assert service.year(2027)[35].day == new_year_eve and service.year(2027)[35].working
    type_into(qtbot, editor.note_edit, "春节")
    grid = editor.month_grid(2)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(new_year_eve).center())
    day = next(d for d in service.year(2027) if d.day == new_year_eve)
    assert not day.working and day.overridden and day.note == "春节"
    assert editor.days[new_year_eve].working is False

    saturday = date(2027, 2, 20)  # a make-up working day
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(saturday).center())
    assert next(d for d in service.year(2027) if d.day == saturday).working

    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(new_year_eve).center())
    day = next(d for d in service.year(2027) if d.day == new_year_eve)
    assert day.working and not day.overridden  # back to the statutory rule: override removed

    click(qtbot, editor.confirm_button)
    assert any("2027" in t for t in msgs.texts("question"))
    assert service.is_confirmed(2027)
    assert not editor.banner.isVisible()
    assert not editor.confirm_button.isEnabled()


def test_clerk_cannot_edit_the_calendar(qtbot, gui_app, team, window, msgs):
    win = window(team.clerk)
    steps.go(qtbot, win, SETTINGS)
    editor = win.settings_page.calendar
    grid = editor.month_grid(3)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(date(2026, 3, 2)).center())
    assert msgs.texts("warning") == ["您的岗位无权修改办公日历"]
    assert not editor.confirm_button.isEnabled()
