"""系统设置: company profile and fees, staff and roles, the office calendar, gas prices, texts, bank file layouts."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.errors import ServiceError
from gasdesk.services.settings import LABELS
from gasdesk.ui import messages
from gasdesk.ui.bank_layouts_editor import BankLayoutsEditor
from gasdesk.ui.billing_page import TariffsPanel
from gasdesk.ui.build import push_button, save_row
from gasdesk.ui.calendar_editor import CalendarEditor
from gasdesk.ui.local_settings import PersonalPanel
from gasdesk.ui.session import UiSession
from gasdesk.ui.staff_page import StaffPage
from gasdesk.ui.texts_editor import TextsEditor
from gasdesk.ui.widgets import title_label
from gasdesk.validation import ValidationError

# Fields a clerk may read but not save look it: greyed, no edit frame (and the save button greyed too).
READ_ONLY_STYLE = "QLineEdit:read-only { background: #eef1f5; color: #4a5563; border: 1px solid #d5dce5; }"
GROUPS = (("公司信息（打印在每张单据上）", "company.", "hours."), ("收费标准", "fees."),
          ("时限与安全", "limits.", "security.", "backup."))


class ProfilePage(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.editable = session.can(Permission.EDIT_SETTINGS)
        self.edits: dict[str, QLineEdit] = {}
        if not self.editable:
            self.setStyleSheet(READ_ONLY_STYLE)
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QHBoxLayout(body)
        for title, *prefixes in GROUPS:
            box = QGroupBox(title)
            form = QFormLayout(box)
            for key, label in LABELS.items():
                if key.startswith(tuple(prefixes)):
                    edit = QLineEdit()
                    edit.setObjectName(f"setting_{key}")
                    edit.setReadOnly(not self.editable)
                    if not self.editable:
                        edit.setToolTip("只读：只有系统管理员可以修改")
                    self.edits[key] = edit
                    form.addRow(label + "：", edit)
            layout.addWidget(box, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.save_button = push_button("保存设置", self.save)
        outer.addLayout(save_row(self.editable, "只有系统管理员可以修改这些设置。", self.save_button))
        self.load()

    def load(self) -> None:
        values = self.session.settings()
        for key, edit in self.edits.items():
            edit.setText("" if values.get(key) is None else str(values.get(key)))

    def save(self) -> None:
        current = self.session.settings()
        changes: dict[str, Any] = {}
        for key, edit in self.edits.items():
            text = edit.text().strip()
            old = current.get(key)
            value: Any = text
            if isinstance(old, int) and not isinstance(old, bool):
                if not text.isdigit():
                    messages.warn(self, f"“{LABELS[key]}”应为整数")
                    edit.setFocus()
                    return
                value = int(text)
            if value != old:
                changes[key] = value
        if not changes:
            messages.info(self, "设置没有变化")
            return
        try:
            self.session.settings_service.update(changes)
        except ValidationError as exc:
            messages.warn(self, exc.message)
            return
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.session.notify_changed()
        self.load()
        messages.info(self, "设置已保存")


class SettingsPage(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("系统设置"))
        self.tabs = QTabWidget()
        self.profile = ProfilePage(session)
        self.staff = StaffPage(session)
        self.calendar = CalendarEditor(session)
        self.tabs.addTab(self.profile, "公司信息与收费")
        self.tabs.addTab(self.staff, "员工与岗位")
        self.tabs.addTab(self.calendar, "办公日历")
        self.tariffs = TariffsPanel(session)
        self.tabs.addTab(self.tariffs, "气价")
        self.texts = TextsEditor(session)
        self.tabs.addTab(self.texts, "合同与告知文本")
        self.banks = BankLayoutsEditor(session)
        self.tabs.addTab(self.banks, "银行文件格式")
        self.personal = PersonalPanel(session)
        self.tabs.addTab(self.personal, "我的设置")
        layout.addWidget(self.tabs, 1)
