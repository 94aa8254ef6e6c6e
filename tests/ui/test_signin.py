"""Sign-in: the first administrator, wrong passwords, lock-out after five, forced change, the idle lock."""

from __future__ import annotations

from gasdesk.services import staff as staff_service
from gasdesk.ui.signin import ChangePasswordDialog, FirstAdminDialog, SignInDialog
from tests.ui.driver import click, type_into


def _dialog(qtbot, dialog):  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_first_admin_then_sign_in(qtbot, gui_app, msgs):
    assert staff_service.needs_first_admin(gui_app)
    first = _dialog(qtbot, FirstAdminDialog(gui_app))
    type_into(qtbot, first.name, "系统管理员")
    type_into(qtbot, first.password, "abc")
    type_into(qtbot, first.repeat, "abc")
    click(qtbot, first.ok_button)
    assert "至少6位" in first.error.text()
    type_into(qtbot, first.password, "admin-pass-1")
    type_into(qtbot, first.repeat, "admin-pass-2")
    click(qtbot, first.ok_button)
    assert first.error.text() == "两次输入的密码不一致"
    type_into(qtbot, first.repeat, "admin-pass-1")
    click(qtbot, first.ok_button)
    assert first.actor is not None and not staff_service.needs_first_admin(gui_app)

    sign = _dialog(qtbot, SignInDialog(gui_app))
    type_into(qtbot, sign.login, "admin")
    type_into(qtbot, sign.password, "admin-pass-1")
    click(qtbot, sign.ok_button)
    assert sign.actor is not None and sign.actor.login == "admin" and not sign.must_change


def test_wrong_password_and_lock_out_after_five(qtbot, gui_app, team, msgs):
    sign = _dialog(qtbot, SignInDialog(gui_app))
    type_into(qtbot, sign.login, "clerk")
    for left in (4, 3, 2, 1):
        type_into(qtbot, sign.password, "wrong-pass")
        click(qtbot, sign.ok_button)
        assert sign.error.text() == f"用户名或密码错误（再错{left}次将锁定15分钟）"
        assert sign.password.text() == ""
    type_into(qtbot, sign.password, "wrong-pass")
    click(qtbot, sign.ok_button)
    assert sign.error.text() == "密码连续输错5次，账号已锁定15分钟"
    type_into(qtbot, sign.password, "secret-pass")  # the right one, but locked
    click(qtbot, sign.ok_button)
    assert "账号已锁定" in sign.error.text() and sign.actor is None

    type_into(qtbot, sign.login, "nobody")
    type_into(qtbot, sign.password, "whatever")
    click(qtbot, sign.ok_button)
    assert sign.error.text() == "用户名或密码错误"


def test_forced_password_change(qtbot, gui_app, team, msgs):
    staff_service.StaffService(gui_app, team.admin).reset_password(team.clerk.staff_id, "secret-pass")
    sign = _dialog(qtbot, SignInDialog(gui_app))
    type_into(qtbot, sign.login, "clerk")
    type_into(qtbot, sign.password, "secret-pass")
    click(qtbot, sign.ok_button)
    assert sign.actor is not None and sign.must_change
    change = _dialog(qtbot, ChangePasswordDialog(gui_app, sign.actor, forced=True))
    type_into(qtbot, change.old, "secret-pass")
    type_into(qtbot, change.new, "secret-pass")
    type_into(qtbot, change.repeat, "secret-pass")
    click(qtbot, change.ok_button)
    assert change.error.text() == "新密码不能与原密码相同"
    type_into(qtbot, change.new, "new-secret-1")
    type_into(qtbot, change.repeat, "new-secret-1")
    click(qtbot, change.ok_button)
    assert change.result() == change.DialogCode.Accepted
    _actor, must_change = staff_service.sign_in(gui_app, "clerk", "new-secret-1")
    assert not must_change


def test_idle_lock_needs_the_password(qtbot, gui_app, team, window, msgs):
    win = window(team.clerk)
    assert win.idle.minutes == 15  # security.idle_lock_minutes
    win.idle.timer.timeout.emit()  # the idle time has passed
    lock = win.lock_dialog
    assert lock is not None and lock.isVisible()
    type_into(qtbot, lock.password, "wrong")
    click(qtbot, lock.ok_button)
    assert lock.error.text() == "密码错误（再错4次将锁定15分钟）" and lock.isVisible()
    type_into(qtbot, lock.password, "secret-pass")
    click(qtbot, lock.ok_button)
    qtbot.waitUntil(lambda: not lock.isVisible())


def test_idle_lock_honours_the_lock_out_and_signs_out(qtbot, gui_app, team, window, msgs):
    win = window(team.clerk)
    signed_out = []
    win.signed_out.connect(lambda: signed_out.append(True))
    lock = win.lock()
    for _ in range(5):
        type_into(qtbot, lock.password, "wrong")
        click(qtbot, lock.ok_button)
    assert "账号已锁定15分钟" in lock.error.text()
    type_into(qtbot, lock.password, "secret-pass")  # the right one, but locked out
    click(qtbot, lock.ok_button)
    assert "已锁定" in lock.error.text() and lock.isVisible()
    click(qtbot, lock.sign_out_button)
    qtbot.waitUntil(lambda: bool(signed_out))
    assert not lock.isVisible()


def test_status_bar_shows_who_and_where(qtbot, gui_app, team, window, msgs):
    win = window(team.dispatcher)
    assert win.user_label.text() == "当前用户：刘洋（输配中心调度）"
    assert win.db_label.text() == f"数据库：{gui_app.description}"


def test_the_sign_in_window_is_up_before_the_database_opens(qtbot, tmp_path, monkeypatch, msgs):  # type: ignore[no-untyped-def]
    """run_gui on a URL shows the sign-in window first, opens the database behind it, then enables 登录."""
    from PySide6.QtWidgets import QApplication, QDialog

    from gasdesk.services.context import App
    from gasdesk.ui import app as gui
    from gasdesk.ui.signin import FirstAdminDialog, SignInDialog
    from tests.helpers import make_team

    url = f"sqlite:///{tmp_path / 'start.sqlite'}"
    seen: dict[str, object] = {}
    real_open = gui.open_database

    def watch_open(u):  # type: ignore[no-untyped-def]
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible()]
        seen["shown_before_open"] = bool(shown) and shown[0].ok_button.isEnabled() is False
        return real_open(u)

    monkeypatch.setattr(gui, "open_database", watch_open)
    monkeypatch.setattr(FirstAdminDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert gui.run_gui(url) == 0, msgs.texts()  # an empty database asks for the administrator first
    assert seen["shown_before_open"]

    app = App(url)
    make_team(app)
    app.dispose()

    def sign_in_exec(self):  # type: ignore[no-untyped-def]
        seen["attached"] = self.app is not None and self.ok_button.isEnabled() and "SQLite" in self.db_label.text()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(SignInDialog, "exec", sign_in_exec)
    assert gui.run_gui(url) == 0
    assert seen["attached"]


def test_the_way_to_the_sign_in_window_does_not_load_the_database_layer():
    import subprocess
    import sys

    code = ("import sys, gasdesk.cli, gasdesk.ui.app, gasdesk.ui.signin\n"
            "from gasdesk.config import describe_url; describe_url('sqlite:///x.sqlite')\n"
            "heavy = [m for m in ('sqlalchemy', 'alembic', 'openpyxl', 'pypinyin', 'reportlab') if m in sys.modules]\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_a_demo_database_says_so_on_the_window(qtbot, gui_app, msgs, window):
    from gasdesk.services.settings import claim_for_demo
    from tests.helpers import make_team

    claim_for_demo(gui_app)
    team = make_team(gui_app)
    win = window(team.clerk)
    assert win.windowTitle().startswith("【演示数据】")
    assert win.demo_banner is not None and win.demo_banner.isVisible() and win.demo_banner.text() == "演示数据"
    win.grab().save("/tmp/demo_window.png")


def test_a_real_database_has_no_demo_banner(qtbot, gui_app, team, window, msgs):
    win = window(team.clerk)
    assert "演示" not in win.windowTitle() and win.demo_banner is None


def test_a_disabled_clerk_is_signed_out_at_the_next_action(qtbot, gui_app, team, window, msgs):
    from gasdesk.services.staff import StaffService
    from gasdesk.ui import messages

    win = window(team.clerk)
    signed_out = []
    win.signed_out.connect(lambda: signed_out.append(True))
    StaffService(gui_app, team.admin).update(team.clerk.staff_id, active=False)
    try:
        win.session.customers.search("张")
    except Exception as exc:  # noqa: BLE001 - what a page does with a service error
        messages.report(win, exc)
    assert msgs.texts("warning") == ["您的账号已被停用，不能继续办理业务；请联系系统管理员"]
    qtbot.waitUntil(lambda: bool(signed_out))
    assert not win.isVisible()
