"""Staff and roles: create accounts, reset passwords, enable or disable (administrators only)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.errors import Refused, ServiceError
from gasdesk.services.staff import StaffView
from gasdesk.ui import messages
from gasdesk.ui.keys import GuardedDialog
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    dialog_buttons,
    error_label,
    hint_label,
    make_table,
    selected_row,
    show_error,
)
from gasdesk.vocab import Role


def _state(s: StaffView, session: UiSession) -> str:
    if not s.active:
        return "已停用"
    if s.locked_until and s.locked_until > session.now():
        return "已锁定"
    return "正常"


class StaffDialog(GuardedDialog):
    """New staff account: login, name, role, department, first password (changed at first sign-in)."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("新增员工")
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.login = QLineEdit()
        self.name = QLineEdit()
        self.role = QComboBox()
        for code, label in Role.choices():
            self.role.addItem(label, code)
        self.department = QComboBox()
        self.department.addItem("（无）", None)
        for code, name in session.departments():
            self.department.addItem(name, code)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少6位，首次登录时须修改")
        self.errors = {k: error_label() for k in ("login", "password", "general")}
        form.addRow("登录名：", self.login)
        form.addRow("", self.errors["login"])
        form.addRow("姓名：", self.name)
        form.addRow("岗位：", self.role)
        form.addRow("部门：", self.department)
        form.addRow("初始密码：", self.password)
        form.addRow("", self.errors["password"])
        form.addRow(self.errors["general"])
        buttons = dialog_buttons("创建")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        for label in self.errors.values():
            show_error(label, "")
        try:
            self.session.staff.create(self.login.text(), self.name.text(), self.role.currentData(),
                                      self.department.currentData(), self.password.text())
        except Refused as exc:
            show_error(self.errors.get(exc.field or "general", self.errors["general"]), exc.message)
            return
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.accept()


class PasswordResetDialog(GuardedDialog):
    def __init__(self, session: UiSession, staff: StaffView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.staff = session, staff
        self.setWindowTitle(f"重置密码 - {staff.name}")
        form = QFormLayout(self)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("临时密码，至少6位；员工下次登录时须修改")
        form.addRow("临时密码：", self.password)
        self.error = error_label()
        form.addRow(self.error)
        buttons = dialog_buttons("重置")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        try:
            self.session.staff.reset_password(self.staff.id, self.password.text())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        self.accept()


class StaffPage(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialog: QDialog | None = None
        self.model: RowsModel[StaffView] = RowsModel([
            Column("登录名", lambda s: s.login, width=110),
            Column("姓名", lambda s: s.name, width=90),
            Column("岗位", lambda s: s.role.label, width=110),
            Column("部门", lambda s: s.department_name, width=110),
            Column("状态", lambda s: _state(s, session), width=70),
            Column("须改密码", lambda s: "是" if s.must_change_password else "", width=70),
        ])
        layout = QVBoxLayout(self)
        self.editable = session.can(Permission.MANAGE_STAFF)
        if not self.editable:
            layout.addWidget(hint_label("只有系统管理员可以管理员工账号。"))
        row = QHBoxLayout()
        self.add_button = QPushButton("新增员工…")
        self.reset_button = QPushButton("重置密码…")
        self.toggle_button = QPushButton("停用 / 启用")
        for b in (self.add_button, self.reset_button, self.toggle_button):
            b.setEnabled(self.editable)
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.view = make_table(self.model)
        layout.addWidget(self.view, 1)
        self.add_button.clicked.connect(self.add)
        self.reset_button.clicked.connect(self.reset)
        self.toggle_button.clicked.connect(self.toggle)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.model.set_rows(self.session.staff.list())
        except ServiceError as exc:
            messages.report(self, exc)

    def current(self) -> StaffView | None:
        row = selected_row(self.view)
        return self.model.row(row) if row is not None else None

    def select_login(self, login: str) -> None:
        for i, s in enumerate(self.model.rows):
            if s.login == login:
                self.view.selectRow(i)

    def add(self) -> None:
        dialog = StaffDialog(self.session, self)
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()

    def reset(self) -> None:
        staff = self.current()
        if staff is None:
            messages.info(self, "请先选择员工")
            return
        dialog = PasswordResetDialog(self.session, staff, self)
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()

    def toggle(self) -> None:
        staff = self.current()
        if staff is None:
            messages.info(self, "请先选择员工")
            return
        verb = "停用" if staff.active else "启用"
        if not messages.ask(self, f"确定{verb}员工“{staff.name}（{staff.login}）”的账号？"):
            return
        try:
            self.session.staff.update(staff.id, active=not staff.active)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.refresh()
        self.select_login(staff.login)
