"""Widgets generated from the flow definitions' FieldDef: one editor per FieldKind, errors beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QRegularExpression, QTime
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gasdesk import validation
from gasdesk.flows.definition import FieldDef, FieldKind
from gasdesk.ui.widgets import error_label, show_error

# Amounts and readings take any keystroke and say at once what is wrong with it (a minus sign, a
# letter, a third decimal): a validator that swallowed the '-' turned "-50" into a real 50.00.
CHECKS: dict[FieldKind, Callable[[str], Any]] = {
    FieldKind.MONEY: validation.check_amount,
    FieldKind.READING: validation.check_reading,
}
PLACEHOLDERS = {
    FieldKind.MOBILE: "11位手机号码",
    FieldKind.PHONE: "手机或座机，如 13812345678 / 0851-86200000",
    FieldKind.ID_NUMBER: "18位居民身份证号码",
    FieldKind.MONEY: "金额（元），如 150.00",
    FieldKind.READING: "读数（m³），如 123.456",
    FieldKind.INT: "整数",
}


class FieldEditor:
    """One field's widget and how to read and write its value as the services expect it."""

    def __init__(self, field: FieldDef, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None]) -> None:
        self.field, self.widget, self._get, self._put = field, widget, get, put
        self.error = error_label()
        widget.setObjectName(f"field_{field.code}")

    def value(self) -> Any:
        return self._get()

    def set_value(self, value: Any) -> None:
        self._put(value)


def _line(field: FieldDef, regex: str | None = None) -> FieldEditor:
    edit = QLineEdit()
    edit.setPlaceholderText(PLACEHOLDERS.get(field.kind, ""))
    if regex:
        edit.setValidator(QRegularExpressionValidator(QRegularExpression(regex), edit))
    return FieldEditor(field, edit, lambda: edit.text().strip(), lambda v: edit.setText("" if v is None else str(v)))


def _checked(field: FieldDef) -> FieldEditor:
    """An amount or a reading: typed as it is, refused beside the field while it is wrong."""
    editor = _line(field)
    edit = editor.widget
    assert isinstance(edit, QLineEdit)
    check = CHECKS[field.kind]

    def changed(text: str) -> None:
        message = ""
        if text.strip():
            try:
                check(text)
            except validation.ValidationError as exc:
                message = exc.message
        show_error(editor.error, message)

    edit.textChanged.connect(changed)
    return editor


def _long(field: FieldDef) -> FieldEditor:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(72)
    return FieldEditor(field, edit, lambda: edit.toPlainText().strip(),
                       lambda v: edit.setPlainText("" if v is None else str(v)))


def _combo(field: FieldDef, choices: Sequence[tuple[str, str]]) -> FieldEditor:
    box = QComboBox()
    if not field.required:
        box.addItem("（不选）", None)
    for code, label in choices:
        box.addItem(label, code)

    def put(value: Any) -> None:
        i = box.findData(value)
        if i >= 0:
            box.setCurrentIndex(i)

    return FieldEditor(field, box, lambda: box.currentData(), put)


def _date(field: FieldDef, now: datetime) -> FieldEditor:
    edit = QDateEdit(QDate(now.year, now.month, now.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")

    def put(value: Any) -> None:
        if value:
            edit.setDate(QDate.fromString(str(value)[:10], "yyyy-MM-dd"))

    return FieldEditor(field, edit, lambda: edit.date().toString("yyyy-MM-dd"), put)


def default_appointment(now: datetime) -> datetime:
    """The next day at 09:00: a visit is booked ahead, never in the past."""
    return (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)


def _datetime(field: FieldDef, now: datetime) -> FieldEditor:
    start = default_appointment(now)
    edit = QDateTimeEdit(QDateTime(QDate(start.year, start.month, start.day), QTime(start.hour, start.minute)))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")

    def put(value: Any) -> None:
        if value:
            edit.setDateTime(QDateTime.fromString(str(value)[:16].replace("T", " "), "yyyy-MM-dd HH:mm"))

    return FieldEditor(field, edit, lambda: edit.dateTime().toString("yyyy-MM-ddTHH:mm"), put)


def _check(field: FieldDef) -> FieldEditor:
    box = QCheckBox(field.label)
    return FieldEditor(field, box, box.isChecked, lambda v: box.setChecked(bool(v)))


def make_editor(field: FieldDef, *, now: datetime, departments: Sequence[tuple[str, str]] = ()) -> FieldEditor:
    kind = field.kind
    if kind is FieldKind.LONG_TEXT:
        editor = _long(field)
    elif kind is FieldKind.CHOICE:
        editor = _combo(field, field.choices)
    elif kind is FieldKind.DEPARTMENT:
        editor = _combo(field, departments)
    elif kind is FieldKind.DATE:
        editor = _date(field, now)
    elif kind is FieldKind.DATETIME:
        editor = _datetime(field, now)
    elif kind is FieldKind.BOOL:
        editor = _check(field)
    elif kind in CHECKS:
        editor = _checked(field)
    elif kind is FieldKind.INT:
        editor = _line(field, r"[0-9]{0,6}")
    else:
        editor = _line(field)
    if field.help:
        editor.widget.setToolTip(field.help)
    return editor


class FieldForm(QWidget):
    """A form of FieldDefs: label, editor, and the red message under the editor."""

    def __init__(self, fields: Sequence[FieldDef], *, now: datetime, settings: dict[str, Any] | None = None,
                 departments: Sequence[tuple[str, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.editors: dict[str, FieldEditor] = {}
        for f in fields:
            self.add(make_editor(f, now=now, departments=departments))
            if f.default_setting and settings and settings.get(f.default_setting) not in (None, ""):
                self.editors[f.code].set_value(settings[f.default_setting])

    def add(self, editor: FieldEditor, label: str | None = None) -> None:
        f = editor.field
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(editor.widget)
        box.addWidget(editor.error)
        text = label if label is not None else f.label + ("" if f.required else "（选填）")
        if f.kind is FieldKind.BOOL:
            text = ""
        self.layout_.addRow(QLabel(text) if text else QLabel(""), holder)
        self.editors[f.code] = editor

    def values(self) -> dict[str, Any]:
        return {code: e.value() for code, e in self.editors.items() if e.value() not in (None, "")}

    def clear_errors(self) -> None:
        for e in self.editors.values():
            show_error(e.error, "")

    def show_error(self, field: str | None, message: str) -> bool:
        """Put the message under its field; False when the form has no such field."""
        editor = self.editors.get(field or "")
        if editor is None:
            return False
        show_error(editor.error, message)
        editor.widget.setFocus()
        return True

    def editor(self, code: str) -> QWidget:
        return self.editors[code].widget
