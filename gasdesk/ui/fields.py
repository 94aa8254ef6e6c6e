"""Widgets generated from the flow definitions' FieldDef: one editor per FieldKind, errors beside it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, QRegularExpression, QTime, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gasdesk import validation
from gasdesk.flows import engine as flow_engine
from gasdesk.flows.definition import FieldDef, FieldKind
from gasdesk.ui.keys import DateEdit, DateTimeEdit, LongTextEdit
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
    edit = LongTextEdit()
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
    edit = DateEdit(QDate(now.year, now.month, now.day))
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
    edit = DateTimeEdit(QDateTime(QDate(start.year, start.month, start.day), QTime(start.hour, start.minute)))
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


def beside_field(label: str, message: str) -> str:
    """A refusal as it stands beside its field: without the field's name in front ("联系电话：…")."""
    for prefix in (f"{label}：", f"{label}:"):
        if message.startswith(prefix):
            return message[len(prefix):]
    if message.startswith("请填写") and len(message) <= 12:  # "请填写户名": the label says which
        return flow_engine.REQUIRED
    return message


def suggested_choice(choices: Sequence[tuple[str, str]], text: str) -> str | None:
    """The choice whose number stands in `text` as a number of its own: "JBD2.5膜式燃气表" -> G2.5
    (never G25), "G10" -> G10; None when no choice or several equally long ones match."""
    numbers = set(re.findall(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?(?![0-9.])", text or ""))
    found = [code for code, label in choices if (m := re.search(r"[0-9]+(?:\.[0-9]+)?", label)) and m.group() in numbers]
    return found[0] if len(found) == 1 else None


class FieldForm(QWidget):
    """A form of FieldDefs: label, editor, and the red message under the editor.

    Each field is checked as it is left (a value typed wrong; an empty required field only on
    submit), `check()` shows every problem at once beside its field and puts the cursor in the first.
    `edited` fires on every change the clerk makes."""

    edited = Signal()

    def __init__(self, fields: Sequence[FieldDef], *, now: datetime, settings: dict[str, Any] | None = None,
                 departments: Sequence[tuple[str, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.editors: dict[str, FieldEditor] = {}
        # Fields the customer's own value stands for when left empty (the clerk sees it masked).
        self.from_customer: set[str] = set()
        self._suggested: dict[str, str | None] = {}
        for f in fields:
            self.add(make_editor(f, now=now, departments=departments))
            if f.default_setting and settings and settings.get(f.default_setting) not in (None, ""):
                self.editors[f.code].set_value(settings[f.default_setting])
        for f in fields:
            if f.default_from in self.editors:
                self._suggest(f.code)
                source = self.editors[str(f.default_from)].widget
                if isinstance(source, QLineEdit):
                    source.textChanged.connect(lambda _t, code=f.code: self._suggest(code))
        for editor in self.editors.values():
            self._watch(editor)

    def _watch(self, editor: FieldEditor) -> None:
        w = editor.widget
        if isinstance(w, QLineEdit):
            w.textEdited.connect(lambda _t: self.edited.emit())
        elif isinstance(w, LongTextEdit):  # typed, not filled in by the program (which leaves it unmodified)
            w.textChanged.connect(lambda: self._typed(w))
        elif isinstance(w, QComboBox):
            w.activated.connect(lambda _i: self.edited.emit())
        elif isinstance(w, QDateTimeEdit):
            w.dateTimeChanged.connect(lambda _d: self.edited.emit())
        elif isinstance(w, QCheckBox):
            w.toggled.connect(lambda _b: self.edited.emit())
        w.installEventFilter(self)

    def _typed(self, edit: LongTextEdit) -> None:
        if edit.document().isModified():
            self.edited.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            for code, editor in self.editors.items():
                if editor.widget is watched:
                    self.check_field(code, on_leave=True)
        return False

    def _suggest(self, code: str) -> None:
        """Follow the source field while the clerk has not picked this one by hand."""
        editor = self.editors[code]
        source = self.editors[str(editor.field.default_from)]
        current, before = editor.value(), self._suggested.get(code)
        if before is not None and current != before:
            return  # changed by hand
        choice = suggested_choice(editor.field.choices, str(source.value() or ""))
        if choice is not None:
            editor.set_value(choice)
            self._suggested[code] = choice

    def fill_from_customer(self, values: Mapping[str, str], masked: bool) -> None:
        """Fields taken from the customer (FieldDef.customer_value): filled when empty; a value the clerk
        sees only masked is named in the placeholder and used by the service when left empty."""
        for code, editor in self.editors.items():
            attr = editor.field.customer_value
            if not attr or not values.get(attr) or editor.value():
                continue
            if masked:
                self.from_customer.add(code)
                if isinstance(editor.widget, QLineEdit):
                    editor.widget.setPlaceholderText(f"留空则用客户登记的{editor.field.label} {values[attr]}")
            else:
                editor.set_value(values[attr])

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
        row_label = QLabel(text) if text else QLabel("")
        row_label.setBuddy(editor.widget)
        self.layout_.addRow(row_label, holder)
        self.editors[f.code] = editor

    def values(self) -> dict[str, Any]:
        return {code: e.value() for code, e in self.editors.items() if e.value() not in (None, "")}

    def clear_errors(self) -> None:
        for e in self.editors.values():
            show_error(e.error, "")

    def problem(self, code: str) -> str:
        editor = self.editors[code]
        f = editor.field
        value = editor.value()
        if code in self.from_customer and value in (None, ""):
            return ""
        if f.kind in CHECKS and isinstance(value, str) and value.strip():
            try:
                CHECKS[f.kind](value)
            except validation.ValidationError as exc:
                return exc.message
        return flow_engine.field_problem(f, value)

    def check_field(self, code: str, *, on_leave: bool = False) -> str:
        """Check one field and show its message (as it is left: an empty field is told only on submit)."""
        editor = self.editors[code]
        message = self.problem(code)
        if on_leave and message == flow_engine.REQUIRED and not editor.error.isVisible():
            message = ""
        show_error(editor.error, message)
        return message

    def check(self) -> list[str]:
        """Every field checked at once; the labels of the wrong ones (the cursor goes to the first)."""
        wrong = [code for code in self.editors if self.check_field(code)]
        if wrong:
            self.editors[wrong[0]].widget.setFocus()
        return [self.editors[code].field.label for code in wrong]

    def checked_values(self, general: QLabel) -> dict[str, Any] | None:
        """The values when every field is right; else None, each message beside its field and the list of
        the wrong ones on `general`, the form's own error line."""
        self.clear_errors()
        show_error(general, "")
        wrong = self.check()
        if wrong:
            show_error(general, wrong_fields_text(wrong))
            return None
        return self.values()

    def show_error(self, field: str | None, message: str) -> bool:
        """Put the message under its field; False when the form has no such field."""
        editor = self.editors.get(field or "")
        if editor is None:
            return False
        show_error(editor.error, beside_field(editor.field.label, message))
        editor.widget.setFocus()
        return True

    def editor(self, code: str) -> QWidget:
        return self.editors[code].widget


def wrong_fields_text(labels: Sequence[str]) -> str:
    """The one line listing what is wrong, under a form (each message stands beside its field)."""
    return f"请修改标红的 {len(labels)} 项：{'、'.join(labels)}" if labels else ""
