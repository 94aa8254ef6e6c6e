"""Building blocks of pages and dialogs: a row of widgets, a button with what it does, fields with the
names tests and error messages know them by, "name：value" rows, and the dialog of labelled rows that
asks a service on OK."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from gasdesk.services.errors import ServiceError
from gasdesk.ui import messages
from gasdesk.ui.keys import GuardedDialog
from gasdesk.ui.widgets import error_label, hint_label, show_error


def hbox(*items: QWidget | QLayout | int | None) -> QHBoxLayout:
    """A row of widgets (and layouts) from left to right; None is the stretch that pushes what follows
    it to the right, a number a fixed space of that many pixels."""
    row = QHBoxLayout()
    for item in items:
        if item is None:
            row.addStretch(1)
        elif isinstance(item, int):
            row.addSpacing(item)
        elif isinstance(item, QLayout):
            row.addLayout(item)
        else:
            row.addWidget(item)
    return row


def save_row(editable: bool, read_only: str, *buttons: QPushButton) -> QHBoxLayout:
    """The last row of a page of settings: its buttons at the right, enabled only for whoever may edit;
    anyone else reads `read_only` (who may) at the left."""
    for button in buttons:
        button.setEnabled(editable)
    return hbox(*([] if editable else [hint_label(read_only)]), None, *buttons)


def push_button(text: str, on_click: Callable[..., object] | None = None, name: str = "") -> QPushButton:
    """A button with what it does (its `clicked` connected to `on_click`) and its object name."""
    button = QPushButton(text)
    button.setObjectName(name)
    if on_click is not None:
        button.clicked.connect(on_click)
    return button


def line_edit(name: str = "", placeholder: str = "", text: str = "") -> QLineEdit:
    """A one-line field with its object name and the hint shown while it is empty."""
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def choice_box(choices: Iterable[tuple[Any, str]], name: str = "") -> QComboBox:
    """A drop-down of (value, label) pairs, as Labelled.choices() gives them."""
    box = QComboBox()
    box.setObjectName(name)
    for value, label in choices:
        box.addItem(label, value)
    return box


def date_edit(day: date, name: str = "") -> QDateEdit:
    """A date field (年-月-日, with a calendar to pick from) set to `day`."""
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def value_grid(grid: QGridLayout, rows: Sequence[tuple[str, str]]) -> dict[str, QLabel]:
    """Rows of "name：value" in `grid`, one per (key, name); the values are empty labels (wrapping,
    selectable) to fill in, returned by key."""
    values: dict[str, QLabel] = {}
    for i, (key, name) in enumerate(rows):
        grid.addWidget(QLabel(name + "："), i, 0, Qt.AlignmentFlag.AlignTop)
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        values[key] = label
        grid.addWidget(label, i, 1)
    grid.setColumnStretch(1, 1)
    return values


def dialog_buttons(ok: str = "确定", cancel: str | None = "取消") -> QDialogButtonBox:
    box = QDialogButtonBox()
    ok_button = box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    ok_button.setDefault(True)
    ok_button.setObjectName("ok")
    if cancel:
        box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole).setObjectName("cancel")
    return box


def dialog_footer(dialog: QDialog, layout: QFormLayout | QBoxLayout, ok: str, on_ok: Callable[[], None]) -> QLabel:
    """The dialog's general error line and, below it, its OK (calling `on_ok`) and 取消 buttons, added
    to the end of `layout`; returns the error label."""
    error = error_label()
    buttons = dialog_buttons(ok)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    for widget in (error, buttons):
        if isinstance(layout, QFormLayout):
            layout.addRow(widget)
        else:
            layout.addWidget(widget)
    return error


class FormDialog(GuardedDialog):
    """A dialog of labelled rows (`self.form`) that ends in an error line and OK / 取消 (`finish`).
    OK calls `submit()`, which reads the fields and asks the service: a refusal shows beside the field
    it names (`self.errors`, by field) or on the error line, and the dialog stays open; otherwise the
    dialog closes accepted. A dialog that shows only `Refused` in place sets `shown_here`; any other
    error is then reported in a message box."""

    error: QLabel
    shown_here: type[ServiceError] = ServiceError

    def __init__(self, title: str, parent: QWidget | None = None, *, width: int | None = 440) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        if width is not None:
            self.setMinimumWidth(width)
        self.form = QFormLayout(self)
        self.errors: dict[str, QLabel] = {}

    def finish(self, ok: str) -> None:
        """The error line and the buttons, below the rows added so far."""
        self.error = dialog_footer(self, self.form, ok, self.save)

    def submit(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        for label in (*self.errors.values(), self.error):
            show_error(label, "")
        try:
            self.submit()
        except self.shown_here as exc:
            show_error(self.errors.get(exc.field or "", self.error), exc.message)
            return
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.accept()
