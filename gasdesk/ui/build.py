"""Building blocks of pages and dialogs: a row of widgets, a button with what it does, fields with the
names tests and error messages know them by, "name：value" rows, and the dialog of labelled rows that
asks a service on OK."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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
from gasdesk.ui.widgets import dialog_footer, show_error


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
