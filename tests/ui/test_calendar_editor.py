"""办公日历: the 2027 banner, toggling a day (and back, which clears the override), confirming the year."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gasdesk.services.calendar import CalendarService
from gasdesk.services.orders import OrderService
from gasdesk.ui.calendar_editor import MovedOrdersDialog, NoticeDialog
from gasdesk.ui.main_window import SETTINGS
from tests.helpers import resident
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
    assert not service.year(2027)[35].working  # 5 Feb 2027, 除夕: a holiday by the law, not yet confirmed
    closed_day = date(2027, 2, 11)  # a Thursday after the law's days: the office closes it too
    assert service.year(2027)[41].day == closed_day and service.year(2027)[41].working
    type_into(qtbot, editor.note_edit, "春节")
    grid = editor.month_grid(2)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(closed_day).center())
    day = next(d for d in service.year(2027) if d.day == closed_day)
    assert not day.working and day.overridden and day.note == "春节"
    assert editor.days[closed_day].working is False

    saturday = date(2027, 2, 20)  # a make-up working day
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(saturday).center())
    assert next(d for d in service.year(2027) if d.day == saturday).working

    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(closed_day).center())
    day = next(d for d in service.year(2027) if d.day == closed_day)
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


NOTICE_2027 = (Path(__file__).parents[1] / "fixtures" / "notices" / "2027-hypothetical.txt").read_text(encoding="utf-8")


def test_paste_the_notice_preview_confirm_and_export_the_moved_orders(
        qtbot, gui_app, gui_clock, team, window, msgs, monkeypatch, tmp_path):
    gui_clock.set(datetime(2027, 2, 1, 9, 0))
    order = OrderService(gui_app, team.clerk).open("activation", resident(gui_app, team.clerk).id,
                                                   documents=["property_proof", "owner_id"])
    win = window(team.admin)
    steps.go(qtbot, win, SETTINGS)
    editor = win.settings_page.calendar
    win.settings_page.tabs.setCurrentWidget(editor)
    editor.set_year(2027)
    assert "按法定节日推算，待国务院通知确认" in editor.status.text()
    assert editor.days[date(2027, 2, 5)].holiday == "除夕" and editor.days[date(2027, 2, 5)].provisional

    click(qtbot, editor.paste_button)
    dialog = editor.dialog
    assert isinstance(dialog, NoticeDialog) and dialog.isVisible()
    assert not dialog.confirm_button.isEnabled()
    broken = NOTICE_2027.replace("6月9日（周三）放假", "6月9日（周四）放假")
    dialog.text.setPlainText(broken)
    click(qtbot, dialog.read_button)
    assert dialog.problems.isVisible() and "端午节" in dialog.problems.text() and "不是周四" in dialog.problems.text()
    assert not dialog.confirm_button.isEnabled()

    dialog.text.setPlainText(NOTICE_2027)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.ok)  # read as it is pasted
    assert not dialog.problems.isVisible()
    assert dialog.items.rowCount() == 7
    february = dialog.month_grid(2)
    assert date(2027, 2, 11) in february.highlight and date(2027, 2, 20) in february.highlight
    assert date(2027, 2, 5) not in february.highlight  # 除夕: rest either way
    assert "2月20日" in dialog.summary.text()
    assert not gui_app.calendar().is_confirmed(2027)

    click(qtbot, dialog.confirm_button)
    assert any("2027年" in t for t in msgs.texts("question"))
    moved = editor.moved_dialog
    assert isinstance(moved, MovedOrdersDialog)
    assert moved.model.rowCount() == 1 and moved.model.row(0).number == order.number
    assert "已按国务院通知确认" in editor.status.text() and "系统管理员" in editor.status.text()

    target = tmp_path / "moved"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    click(qtbot, moved.export_button)
    sheet = openpyxl.load_workbook(tmp_path / "moved.xlsx").active
    assert any(row[0] == order.number for row in sheet.iter_rows(values_only=True))


def test_reminder_at_sign_in_and_on_the_dashboard_from_1_november(qtbot, gui_app, gui_clock, team, window, msgs):
    gui_clock.set(datetime(2026, 10, 31, 9, 0))
    assert not window(team.manager).reminder_bar.isVisible()  # not yet: October

    gui_clock.set(datetime(2026, 11, 1, 9, 0))
    clerk = window(team.clerk)
    assert not clerk.reminder_bar.isVisible() and not clerk.dashboard.reminder.isVisible()

    win = window(team.manager)
    assert win.reminder_bar.isVisible() and "2027年的节假日安排尚未确认" in win.reminder_text.text()
    assert not win.dashboard.reminder.isVisible()  # one reminder at a time
    click(qtbot, win.reminder_later)
    assert not win.reminder_bar.isVisible()
    assert win.dashboard.reminder.isVisible() and "2027年" in win.dashboard.reminder_text.text()

    click(qtbot, win.dashboard.reminder_button)  # leads to the paste dialog
    dialog = win.settings_page.calendar.dialog
    assert isinstance(dialog, NoticeDialog) and dialog.isVisible() and dialog.year == 2027
    dialog.text.setPlainText(NOTICE_2027)
    click(qtbot, dialog.read_button)
    click(qtbot, dialog.confirm_button)
    assert not win.dashboard.reminder.isVisible() and not win.reminder_bar.isVisible()
