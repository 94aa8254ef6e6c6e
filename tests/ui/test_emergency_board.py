"""The emergency board: register a call by typing, dispatch, arrive late with an excuse, close."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit

from gasdesk.services.emergency import EmergencyService
from gasdesk.ui.emergency_board import EmergencyBoard
from gasdesk.ui.session import UiSession
from tests.ui.driver import choose, click, type_into


def answer_dialog(qtbot, fill):  # type: ignore[no-untyped-def]
    """When the next modal dialog opens, let `fill(dialog)` type into it, then press OK."""
    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, run)
            return
        fill(dialog)
        dialog.accept()
    QTimer.singleShot(0, run)


def test_a_call_from_registration_to_closing(qtbot, gui_app, team, gui_clock, msgs):  # type: ignore[no-untyped-def]
    board = EmergencyBoard(UiSession(gui_app, team.dispatcher))
    qtbot.addWidget(board)
    board.show()
    choose(board.kind, "leak")
    choose(board.district, "urban")
    type_into(qtbot, board.caller, "张先生")
    type_into(qtbot, board.phone, "13900000000")
    type_into(qtbot, board.address, "南明区花果园R1区3栋")
    click(qtbot, board.register_button)
    assert board.model.rowCount() == 1
    assert "剩余 30 分钟" in board.model.data(board.model.index(0, 7))
    board.table.selectRow(0)

    answer_dialog(qtbot, lambda d: type_into(qtbot, d.findChild(QLineEdit, "crew"), "抢险一班"))
    click(qtbot, board.dispatch_button)
    assert board.current().crew == "抢险一班"

    gui_clock.advance(minutes=35)
    board.refresh()
    assert "超时 5 分钟" in board.model.data(board.model.index(0, 7))

    def excuse(d):  # type: ignore[no-untyped-def]
        choose(d.findChild(QComboBox, "excuse"), "road_closed")
        type_into(qtbot, d.findChild(QLineEdit, "excuse_note"), "中华路施工封闭")
    board.table.selectRow(0)
    answer_dialog(qtbot, excuse)
    click(qtbot, board.arrive_button)
    call = EmergencyService(gui_app, team.dispatcher).open_calls()[0]
    assert call.outcome == "excused" and call.arrived_at == call.called_at + timedelta(minutes=35)

    board.table.selectRow(0)
    answer_dialog(qtbot, lambda d: d.findChild(QPlainTextEdit, "result").setPlainText("更换胶管，已无泄漏"))
    click(qtbot, board.close_button)
    assert board.model.rowCount() == 0 and EmergencyService(gui_app, team.dispatcher).open_calls() == []


def test_bad_input_is_shown_next_to_the_form(qtbot, gui_app, team, msgs):  # type: ignore[no-untyped-def]
    board = EmergencyBoard(UiSession(gui_app, team.clerk))
    qtbot.addWidget(board)
    board.show()
    type_into(qtbot, board.caller, "李女士")
    type_into(qtbot, board.phone, "123")
    click(qtbot, board.register_button)
    assert board.register_error.isVisible()
    assert any(word in board.register_error.text() for word in ("号码", "电话"))
    assert board.model.rowCount() == 0
    assert not board.dispatch_button.isEnabled()  # clerks register; the distribution centre dispatches
