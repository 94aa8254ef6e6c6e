"""Staff and roles: create accounts, reset passwords, enable or disable (administrators only)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.errors import Refused, ServiceError
from gasdesk.services.staff import StaffView
from gasdesk.ui import messages
from gasdesk.ui.build import FormDialog, choice_box, hbox, push_button
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    error_label,
    hint_label,
    make_table,
    selected_or_ask,
    selected_row,
)
from gasdesk.vocab import Role


def _password(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def _state(s: StaffView, session: UiSession) -> str:
    if not s.active:
        return "已停用"
    if s.locked_until and s.locked_until > session.now():
        return "已锁定"
    return "正常"


class StaffDialog(FormDialog):
    """New staff account: login, name, role, department, first password (changed at first sign-in)."""

    shown_here = Refused

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__("新增员工", parent, width=420)
        self.session = session
        self.login = QLineEdit()
        self.name = QLineEdit()
        self.role = choice_box(Role.choices())
        self.department = choice_box([(None, "（无）"), *session.departments()])
        self.password = _password("至少6位，首次登录时须修改")
        self.errors = {k: error_label() for k in ("login", "password")}
        form = self.form
        form.addRow("登录名：", self.login)
        form.addRow("", self.errors["login"])
        form.addRow("姓名：", self.name)
        form.addRow("岗位：", self.role)
        form.addRow("部门：", self.department)
        form.addRow("初始密码：", self.password)
        form.addRow("", self.errors["password"])
        self.finish("创建")

    def submit(self) -> None:
        self.session.staff.create(self.login.text(), self.name.text(), self.role.currentData(),
                                  self.department.currentData(), self.password.text())


class PasswordResetDialog(FormDialog):
    def __init__(self, session: UiSession, staff: StaffView, parent: QWidget | None = None) -> None:
        super().__init__(f"重置密码 - {staff.name}", parent, width=None)
        self.session, self.staff = session, staff
        self.password = _password("临时密码，至少6位；员工下次登录时须修改")
        self.form.addRow("临时密码：", self.password)
        self.finish("重置")

    def submit(self) -> None:
        self.session.staff.reset_password(self.staff.id, self.password.text())


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
        self.add_button = push_button("新增员工…", self.add)
        self.reset_button = push_button("重置密码…", self.reset)
        self.toggle_button = push_button("停用 / 启用", self.toggle)
        for b in (self.add_button, self.reset_button, self.toggle_button):
            b.setEnabled(self.editable)
        layout.addLayout(hbox(self.add_button, self.reset_button, self.toggle_button, None))
        self.view = make_table(self.model)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.model.set_rows(self.session.staff.list())
        except ServiceError as exc:
            messages.report(self, exc)

    def current(self) -> StaffView | None:
        row = selected_row(self.view)
        return self.model.row(row) if row is not None else None

    def chosen(self) -> StaffView | None:
        return selected_or_ask(self, self.current(), "请先选择员工")

    def select_login(self, login: str) -> None:
        for i, s in enumerate(self.model.rows):
            if s.login == login:
                self.view.selectRow(i)

    def add(self) -> None:
        self._open(StaffDialog(self.session, self))

    def reset(self) -> None:
        staff = self.chosen()
        if staff is not None:
            self._open(PasswordResetDialog(self.session, staff, self))

    def _open(self, dialog: QDialog) -> None:
        """A dialog that changes the staff list: the list is read again after it."""
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()

    def toggle(self) -> None:
        staff = self.chosen()
        if staff is None:
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
