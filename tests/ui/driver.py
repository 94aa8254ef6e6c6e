"""Driving the real widgets like a clerk: type, click, pick, wait. Shared by the GUI tests."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QPoint, Qt, QTime
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QWidget,
    QWizard,
)

from gasdesk.ui.fields import FieldForm


def click(qtbot, button: QAbstractButton) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(button.isVisible, timeout=2000)  # a new button shows when its layout runs
    assert button.isEnabled(), f"button {button.text()!r} is disabled"
    if isinstance(button, QCheckBox | QRadioButton):  # on the box itself, not the stretched empty part
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
        return
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Clear the field and type: ASCII as key clicks, Chinese as an input method commits it."""
    widget.setFocus()
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        widget.clear()
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def choose(combo: QComboBox, value: Any) -> None:
    """Pick an item by its data (code) or its text, as a clerk picks from the list."""
    i = combo.findData(value)
    if i < 0:
        i = combo.findText(str(value))
    assert i >= 0, f"{value!r} not in {[combo.itemText(k) for k in range(combo.count())]}"
    combo.setCurrentIndex(i)


def fill(qtbot, form: FieldForm, values: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    for code, value in values.items():
        widget = form.editor(code)
        if isinstance(widget, QComboBox):
            choose(widget, value)
        elif isinstance(widget, QDateTimeEdit) and not isinstance(widget, QDateEdit):
            d, t = str(value).replace("T", " ").split(" ")
            widget.setDateTime(QDateTime(QDate.fromString(d, "yyyy-MM-dd"), QTime.fromString(t, "HH:mm")))
        elif isinstance(widget, QDateEdit):
            widget.setDate(QDate.fromString(str(value), "yyyy-MM-dd"))
        elif isinstance(widget, QCheckBox):
            if widget.isChecked() != bool(value):
                click(qtbot, widget)
        else:
            type_into(qtbot, widget, str(value))


def row_of(view: QTableView, column: int, text: str) -> int:
    model = view.model()
    for r in range(model.rowCount()):
        if model.index(r, column).data() == text:
            return r
    raise AssertionError(f"{text!r} not in column {column}")


def double_click_row(qtbot, view: QTableView, row: int, column: int = 0) -> None:  # type: ignore[no-untyped-def]
    index = view.model().index(row, column)
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click_row(qtbot, view: QTableView, row: int, column: int = 0) -> None:  # type: ignore[no-untyped-def]
    index = view.model().index(row, column)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def wizard_next(qtbot, wiz: QWizard) -> None:  # type: ignore[no-untyped-def]
    """Click whichever of 下一步 / 提交 / 完成 the current page shows."""
    for which in (QWizard.WizardButton.CommitButton, QWizard.WizardButton.NextButton,
                  QWizard.WizardButton.FinishButton):
        button = wiz.button(which)
        if button.isVisible():
            click(qtbot, button)
            return
    raise AssertionError("no forward button visible")


def center_of(widget: QWidget) -> QPoint:
    return widget.rect().center()
