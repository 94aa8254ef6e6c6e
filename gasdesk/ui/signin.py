"""Sign-in, the first administrator of an empty database, the forced password change, the idle lock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gasdesk.services.errors import Refused, ServiceError
from gasdesk.ui import messages
from gasdesk.ui.build import dialog_buttons, line_edit
from gasdesk.ui.keys import relabel
from gasdesk.ui.widgets import error_label, hint_label, show_error, title_label

if TYPE_CHECKING:
    from gasdesk.services.context import Actor, App

# The services (and SQLAlchemy behind them) are imported where they are used, so the sign-in window
# can be on screen before the database layer has loaded.


def _password(name: str) -> QLineEdit:
    edit = line_edit(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _Form(QDialog):
    def __init__(self, title: str, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(28, 22, 28, 18)
        self.heading = title_label(heading, 14)
        self.outer.addWidget(self.heading)
        self.form = QFormLayout()
        self.form.setVerticalSpacing(10)
        self.outer.addLayout(self.form)
        self.error = error_label()
        self.outer.addWidget(self.error)

    def field(self, label: str, edit: QLineEdit) -> QLineEdit:
        """A labelled row of the form; returns the field."""
        self.form.addRow(label, edit)
        return edit

    def finish(self, ok: str) -> None:
        self.buttons = dialog_buttons(ok, "退出" if isinstance(self, SignInDialog) else "取消")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.outer.addWidget(self.buttons)
        self.ok_button = self.buttons.findChild(QPushButton, "ok")

    def _submit(self) -> None:
        show_error(self.error, "")  # a message from the last try goes
        self.submit()

    def fail(self, text: str) -> None:
        show_error(self.error, text)

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class SignInDialog(_Form):
    """Sign-in. It may be shown before the database is open (`app` None, `database` the address):
    the clerk starts typing while the application connects, and `attach()` enables 登录."""

    def __init__(self, app: App | None, parent: QWidget | None = None, *, company: str = "", login: str = "",
                 database: str = "") -> None:
        super().__init__("登录", f"{company or '燃气营业厅'} · 业务受理系统", parent)
        self.app = app
        self.actor: Actor | None = None
        self.must_change = False
        self.login = self.field("用户名：", line_edit("login", text=login))
        self.password = self.field("密　码：", _password("password"))
        self.db_label = hint_label(f"数据库：{app.description if app is not None else database}")
        self.outer.insertWidget(2, self.db_label)
        self.finish("登录")
        self.login.returnPressed.connect(self.password.setFocus)
        if login:
            self.password.setFocus()
        if app is None and self.ok_button is not None:
            self.ok_button.setEnabled(False)
            relabel(self.ok_button, "正在连接数据库…")

    def attach(self, app: App, company: str = "") -> None:
        """The database is open: sign-in can go ahead."""
        self.app = app
        self.heading.setText(f"{company or '燃气营业厅'} · 业务受理系统")
        self.db_label.setText(f"数据库：{app.description}")
        if self.ok_button is not None:
            self.ok_button.setEnabled(True)
            relabel(self.ok_button, "登录")

    def submit(self) -> None:
        if self.app is None:
            return
        if not self.login.text().strip() or not self.password.text():
            self.fail("请输入用户名和密码")
            return
        try:
            from gasdesk.services import staff as staff_service

            self.actor, self.must_change = staff_service.sign_in(self.app, self.login.text(), self.password.text())
        except ServiceError as exc:
            self.fail(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()


class FirstAdminDialog(_Form):
    """An empty database: the first account is the system administrator's."""

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__("初始化系统", "创建系统管理员账号", parent)
        self.app = app
        self.actor: Actor | None = None
        self.outer.insertWidget(1, hint_label("这是一个新的数据库。请先创建系统管理员账号，之后用它登录并在“系统设置”中添加员工。"))
        self.login = self.field("登录名：", line_edit("login", text="admin"))
        self.name = self.field("姓名：", line_edit("name"))
        self.password = self.field("密码：", _password("password"))
        self.repeat = self.field("确认密码：", _password("repeat"))
        self.finish("创建")

    def submit(self) -> None:
        if not self.login.text().strip():
            self.fail("请填写登录名")
            return
        if self.password.text() != self.repeat.text():
            self.fail("两次输入的密码不一致")
            return
        try:
            from gasdesk.services import staff as staff_service

            self.actor = staff_service.create_first_admin(self.app, self.login.text(), self.name.text(),
                                                          self.password.text())
        except ServiceError as exc:
            self.fail(exc.message)
            return
        self.accept()


class ChangePasswordDialog(_Form):
    def __init__(self, app: App, actor: Actor, parent: QWidget | None = None, *, forced: bool = False) -> None:
        super().__init__("修改密码", "请修改密码" if forced else "修改密码", parent)
        self.app, self.actor = app, actor
        if forced:
            self.outer.insertWidget(1, hint_label("这是您首次登录或密码已被重置，请设置新密码后继续。"))
        self.old = self.field("原密码：", _password("old_password"))
        self.new = self.field("新密码：", _password("new_password"))
        self.repeat = self.field("确认新密码：", _password("repeat"))
        self.finish("确定")

    def submit(self) -> None:
        if self.new.text() != self.repeat.text():
            self.fail("两次输入的新密码不一致")
            return
        try:
            from gasdesk.services.staff import StaffService

            StaffService(self.app, self.actor).change_own_password(self.old.text(), self.new.text())
        except Refused as exc:
            self.fail(exc.message)
            return
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.accept()


class LockDialog(_Form):
    """The window locked after idle time: only the signed-in clerk's password opens it again. Wrong
    passwords count towards the same lock-out as at sign-in; a locked-out or disabled account stays
    locked, and 退出登录 hands the counter to someone else."""

    signed_out = Signal()

    def __init__(self, app: App, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__("已锁定", "窗口已锁定", parent)
        self.app, self.actor = app, actor
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.outer.insertWidget(1, QLabel(f"长时间未操作，窗口已锁定。请 {actor.name} 输入密码解锁。"))
        self.password = self.field("密码：", _password("password"))
        self.buttons = dialog_buttons("解锁", None)
        self.sign_out_button = self.buttons.addButton("退出登录", QDialogButtonBox.ButtonRole.ResetRole)
        self.sign_out_button.setObjectName("sign_out")
        self.sign_out_button.setAutoDefault(False)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.buttons.accepted.connect(self._submit)
        self.outer.addWidget(self.buttons)
        self.ok_button = self.buttons.findChild(QPushButton, "ok")

    def submit(self) -> None:
        from gasdesk.services import staff as staff_service

        try:
            staff_service.unlock(self.app, self.actor, self.password.text())
        except ServiceError as exc:
            self.password.clear()
            self.fail(exc.message)
            return
        self.accept()

    def sign_out(self) -> None:
        self.done(QDialog.DialogCode.Rejected)
        self.signed_out.emit()

    def reject(self) -> None:  # Esc does not unlock
        return
