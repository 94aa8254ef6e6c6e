"""Time left on screen: working days wherever a working-day limit applies, one colour for one reading,
and the rule in F1."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gasdesk.services.orders import OrderService
from gasdesk.ui.widgets import URGENCY_COLORS
from tests.helpers import resident
from tests.ui.driver import row_of


def _left_cell(view, number: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    model = view.model()
    row = row_of(view, 0, number)
    column = next(i for i, c in enumerate(model.columns) if c.title == "剩余时间")
    index = model.index(row, column)
    return model.data(index), model.data(index, Qt.ItemDataRole.BackgroundRole).color().name()


def test_worklist_and_order_page_read_working_days_in_one_colour(qtbot, gui_app, gui_clock, team, window, msgs):
    orders = OrderService(gui_app, team.clerk)
    early = orders.open("activation", resident(gui_app, team.clerk, "甘一").id,
                        documents=["property_proof", "owner_id"])
    gui_clock.advance(days=6)  # Friday → Thursday: one working day of five left
    late = orders.open("activation", resident(gui_app, team.clerk, "甘二").id,
                       documents=["property_proof", "owner_id"])
    win = window(team.clerk)
    win.dashboard.refresh()
    view = win.dashboard.views["mine"]
    assert _left_cell(view, early.number) == ("剩余 1个工作日", URGENCY_COLORS["amber"][1])
    assert _left_cell(view, late.number) == ("剩余 5个工作日", URGENCY_COLORS["green"][1])

    for order, text, colour in ((early, "剩余 1个工作日（时限 5个工作日", "amber"),
                                (late, "剩余 5个工作日（时限 5个工作日", "green")):
        page = win.open_order(order.id)
        shown = page.info_labels["order_deadline"].text()
        assert shown.startswith(text), shown  # no calendar days beside the working-day limit
        assert URGENCY_COLORS[colour][0] in page.info_labels["order_deadline"].styleSheet()
        page.close()

    gui_clock.advance(days=4)  # Monday after the due Friday: overdue, read in working time
    win.dashboard.refresh()
    assert _left_cell(win.dashboard.views["mine"], early.number) == ("超期 10小时", URGENCY_COLORS["red"][1])


def test_f1_explains_the_colours(qtbot, gui_app, team, window, msgs):
    win = window(team.clerk)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: bool(msgs.texts("information")))
    text = msgs.texts("information")[-1]
    assert "绿色" in text and "黄色" in text and "红色" in text and "个工作日" in text
