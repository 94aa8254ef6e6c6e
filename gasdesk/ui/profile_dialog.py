"""公司信息确认: on a database whose company profile was never confirmed, the administrator confirms or
edits what every form and ledger prints (name, short name, address, hall hours, the three lines, seal
text) after signing in, before the hall's first form."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from gasdesk.services.errors import ServiceError
from gasdesk.services.settings import LABELS, PROFILE_KEYS, SettingsService
from gasdesk.ui import messages
from gasdesk.ui.keys import GuardedDialog
from gasdesk.ui.widgets import hint_label, title_label
from gasdesk.validation import ValidationError


class CompanyProfileDialog(GuardedDialog):
    def __init__(self, service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle("确认公司信息")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("确认公司信息"))
        layout.addWidget(hint_label("以下信息打印在每张单据和台账上。请核对或修改后确认；"
                                    "营业厅营业时间请按本厅实际填写。"))
        form = QFormLayout()
        values = service.all()
        self.edits: dict[str, QLineEdit] = {}
        for key in PROFILE_KEYS:
            edit = QLineEdit(str(values.get(key) or ""))
            edit.setObjectName(f"profile_{key}")
            edit.setMinimumWidth(360)  # the company's full name shows whole
            self.edits[key] = edit
            form.addRow(LABELS[key] + "：", edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.confirm_button = buttons.addButton("确认", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = buttons.addButton("稍后", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.edits["hours.hall"].setFocus()

    def values(self) -> dict[str, Any]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def confirm(self) -> None:
        values = self.values()
        if not values["hours.hall"]:
            messages.warn(self, "请填写营业厅营业时间，例如 每日 9:00-17:00")
            self.edits["hours.hall"].setFocus()
            return
        try:
            self.service.confirm_profile(values)
        except ValidationError as exc:
            messages.warn(self, exc.message)
            return
        except ServiceError as exc:
            messages.report(self, exc)
            field = getattr(exc, "field", None)
            if field in self.edits:
                self.edits[field].setFocus()
            return
        self.accept()
