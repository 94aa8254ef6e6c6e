"""The new-customer form: CustomerInput fields with the validation message beside the field."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from gasdesk.services.customers import CustomerInput
from gasdesk.services.errors import Refused
from gasdesk.services.printing import unprintable_warning
from gasdesk.ui.fields import beside_field, wrong_fields_text
from gasdesk.ui.widgets import error_label, show_error
from gasdesk.vocab import CustomerCategory, District, GasUseType, IdDocType


class CustomerForm(QWidget):
    """`check()` returns the normalised CustomerInput, or None with every message under its field (and
    the cursor in the first wrong one). A field is checked as it is left."""

    edited = Signal()

    TEXT_FIELDS = (("name", "户名"), ("id_number", "证件号码"), ("phone", "联系电话"), ("phone2", "备用电话（选填）"),
                   ("contact_person", "联系人（选填）"), ("address", "用气地址"), ("household_size", "家庭人口（选填）"))

    # Texts printed on the forms: a character no print font has is pointed out as it is typed.
    PRINTED_FIELDS = ("name", "contact_person", "address")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.widgets: dict[str, QWidget] = {}
        self.labels: dict[str, str] = {}
        self.errors: dict[str, QLabel] = {}
        self.warnings: dict[str, QLabel] = {}
        self.category = self._combo("category", "客户类别", CustomerCategory.choices())
        self.id_type = self._combo("id_type", "证件类型", IdDocType.choices())
        for code, label in self.TEXT_FIELDS:
            edit = QLineEdit()
            self._add(code, label, edit)
        self.edit("id_number").setPlaceholderText("居民身份证18位；单位填统一社会信用代码")
        self.edit("phone").setPlaceholderText("手机或座机，如 13812345678 / 0851-86200000")
        self.edit("household_size").setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,2}"), self.edit("household_size")))
        self.district = self._combo("district", "区域", District.choices())
        self.gas_use_type = self._combo("gas_use_type", "用气性质", GasUseType.choices())
        self.general_error = error_label()
        self.form.addRow(self.general_error)
        self.category.currentIndexChanged.connect(self._category_changed)
        self._category_changed()

    def _add(self, code: str, label: str, widget: QWidget) -> None:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        error = error_label()
        box.addWidget(error)
        if code in self.PRINTED_FIELDS and isinstance(widget, QLineEdit):
            warning = error_label()
            warning.setObjectName(f"customer_{code}_print_warning")
            warning.setStyleSheet("color: #8a5a00;")
            box.addWidget(warning)
            self.warnings[code] = warning
            widget.textChanged.connect(lambda text, w=warning: show_error(w, unprintable_warning(text)))
        widget.setObjectName(f"customer_{code}")
        self.widgets[code], self.errors[code] = widget, error
        self.labels[code] = label.replace("（选填）", "")
        row_label = QLabel(label + "：")
        row_label.setBuddy(widget)
        self.form.addRow(row_label, holder)
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _t: self.edited.emit())
        elif isinstance(widget, QComboBox):
            widget.activated.connect(lambda _i: self.edited.emit())
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A field left with something wrong in it says so at once (an empty one only on submit)."""
        if event.type() == QEvent.Type.FocusOut:
            code = next((c for c, w in self.widgets.items() if w is watched), None)
            if code is not None and isinstance(watched, QLineEdit):
                message = self.problems().get(code, "")
                if not watched.text().strip() and not self.errors[code].isVisible():
                    message = ""
                show_error(self.errors[code], beside_field(self.labels[code], message) if message else "")
        return False

    def _combo(self, code: str, label: str, choices: Sequence[tuple[str, str]]) -> QComboBox:
        box = QComboBox()
        for value, text in choices:
            box.addItem(text, value)
        self._add(code, label, box)
        return box

    def edit(self, code: str) -> QLineEdit:
        widget = self.widgets[code]
        assert isinstance(widget, QLineEdit)
        return widget

    def set_categories(self, allowed: Sequence[str]) -> None:
        """Only the categories the chosen flow serves (empty: any)."""
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        for value, text in CustomerCategory.choices():
            if not allowed or value in allowed:
                self.category.addItem(text, value)
        i = self.category.findData(current)
        self.category.setCurrentIndex(max(i, 0))
        self.category.blockSignals(False)
        self._category_changed()

    def _category_changed(self) -> None:
        residential = self.category.currentData() == CustomerCategory.RESIDENTIAL
        self.gas_use_type.clear()
        for value, text in GasUseType.choices():
            if (value == GasUseType.RESIDENTIAL) == residential:
                self.gas_use_type.addItem(text, value)
        self.id_type.setCurrentIndex(self.id_type.findData(
            IdDocType.RESIDENT_ID if residential else IdDocType.CREDIT_CODE))
        self.widgets["household_size"].setEnabled(residential)

    def input(self) -> CustomerInput:
        size = self.edit("household_size").text().strip()
        return CustomerInput(
            category=self.category.currentData(), name=self.edit("name").text(), id_type=self.id_type.currentData(),
            id_number=self.edit("id_number").text(), phone=self.edit("phone").text(),
            phone2=self.edit("phone2").text(), contact_person=self.edit("contact_person").text(),
            address=self.edit("address").text(), district=self.district.currentData(),
            gas_use_type=self.gas_use_type.currentData(), household_size=int(size) if size else None,
        )

    def values(self) -> dict[str, str]:
        """What is typed, as text (for a draft)."""
        return {code: (w.text() if isinstance(w, QLineEdit) else str(w.currentData() or ""))
                for code, w in self.widgets.items() if isinstance(w, QLineEdit | QComboBox)}

    def set_values(self, values: dict[str, str]) -> None:
        category = values.get("category")
        if category:
            self.category.setCurrentIndex(max(self.category.findData(category), 0))
        for code, value in values.items():
            w = self.widgets.get(code)
            if isinstance(w, QLineEdit):
                w.setText(value)
            elif isinstance(w, QComboBox) and code != "category" and w.findData(value) >= 0:
                w.setCurrentIndex(w.findData(value))

    def problems(self) -> dict[str, str]:
        try:
            data = self.input()
        except ValueError:  # household size not a number: the validator lets none through
            return {"household_size": "家庭人口应为1至99之间的整数"}
        return data.problems()

    def clear_errors(self) -> None:
        for label in [*self.errors.values(), self.general_error]:
            show_error(label, "")

    def show_refusal(self, exc: Refused) -> None:
        label = self.errors.get(exc.field or "")
        if label is None:
            show_error(self.general_error, exc.message)
            return
        show_error(label, beside_field(self.labels[exc.field or ""], exc.message))
        self.widgets[exc.field or ""].setFocus()

    def check(self) -> CustomerInput | None:
        """Every field at once: each message under its field, their names listed below the form."""
        self.clear_errors()
        problems = self.problems()
        for code, message in problems.items():
            show_error(self.errors.get(code, self.general_error), beside_field(self.labels.get(code, ""), message))
        if problems:
            shown = [c for c in problems if c in self.widgets]
            if shown:
                show_error(self.general_error, wrong_fields_text([self.labels[c] for c in shown]))
                self.widgets[shown[0]].setFocus()
            return None
        try:
            return self.input().check()
        except Refused as exc:
            self.show_refusal(exc)
            return None
