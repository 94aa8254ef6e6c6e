"""Starting the window: fonts and translations, first administrator, sign-in, password change, main window."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from gasdesk.ui.fonts import apply_default_font
from gasdesk.ui.keys import watch_mnemonics
from gasdesk.ui.logs import install_excepthook, setup_logging
from gasdesk.ui.signin import ChangePasswordDialog, FirstAdminDialog, SignInDialog

if TYPE_CHECKING:
    from gasdesk.services.context import Actor, App
    from gasdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)
# The window's writes wait this long for another counter's (or a backup's) lock, with a busy indicator,
# then say in Chinese that nothing was saved -- never the half-minute freeze of the default wait.
BUSY_SECONDS = 6.0


def application_icon() -> QIcon:
    """The application's icon, resources/icons/app.svg (an empty icon if the installation lacks it)."""
    from gasdesk import assets

    try:
        file = assets.path("icons", "app.svg")
    except assets.ResourcesMissing:
        return QIcon()
    return QIcon(str(file)) if file.is_file() else QIcon()


def qt_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with a Chinese font and Qt's own Chinese texts (buttons of standard dialogs)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("gasdesk")
    app.setApplicationDisplayName("燃气营业厅业务受理系统")
    app.setWindowIcon(application_icon())
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if not getattr(app, "_gasdesk_translated", False):
        translator = QTranslator(app)
        if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(translator)
        app._gasdesk_translated = True  # type: ignore[attr-defined]
    apply_default_font(app)
    watch_mnemonics(app)  # every button of ours shown gets its Alt letter
    return app


class GuiController:
    """Sign-in → main window; signing out shows the sign-in dialog again."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.window: MainWindow | None = None
        self.last_login = ""

    def sign_in(self, dialog: SignInDialog | None = None) -> bool:
        if dialog is None:
            from gasdesk.services.settings import public_profile

            company = str(public_profile(self.app).get("company.name", ""))
            dialog = SignInDialog(self.app, company=company, login=self.last_login)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
            return False
        actor = dialog.actor
        self.last_login = actor.login
        if dialog.must_change:
            change = ChangePasswordDialog(self.app, actor, forced=True)
            if change.exec() != QDialog.DialogCode.Accepted:
                return False
        # The main window and every page (openpyxl, QtCharts...) load after sign-in, not before it.
        from gasdesk.ui.main_window import MainWindow
        from gasdesk.ui.session import UiSession

        self.window = MainWindow(UiSession(self.app, actor))
        self.window.signed_out.connect(self._signed_out)
        self.window.show()
        self.confirm_profile(actor, self.window)
        return True

    def confirm_profile(self, actor: Actor, parent: QWidget | None = None) -> bool:
        """An administrator signing in to a database whose company profile was never confirmed
        confirms or edits it first (稍后 postpones it to the next sign-in). True once confirmed."""
        from gasdesk.permissions import Permission
        from gasdesk.services.settings import SettingsService, profile_confirmed
        from gasdesk.ui.profile_dialog import CompanyProfileDialog

        if not actor.can(Permission.EDIT_SETTINGS) or profile_confirmed(self.app):
            return True
        dialog = CompanyProfileDialog(SettingsService(self.app, actor), parent)
        confirmed = dialog.exec() == QDialog.DialogCode.Accepted
        if confirmed and self.window is not None:
            self.window.session.notify_changed()
        return confirmed

    def _signed_out(self) -> None:
        if not self.sign_in():
            QApplication.quit()


def open_database(url: str) -> App:
    """The application's handle on the database: migrations, and today's backup (never blocking the hall)."""
    from gasdesk.services.backup import daily_backup
    from gasdesk.services.context import App

    app = App(url, busy_timeout=BUSY_SECONDS)
    try:
        daily_backup(app)
    except Exception:  # noqa: BLE001 - e.g. a full disk: logged, and the hall keeps working
        log.warning("daily backup failed", exc_info=True)
    return app


def run_gui(target: App | str) -> int:
    """Start the window on an open App, or on a database URL: then the sign-in window is shown first
    and the database opens behind it (the clerk can already type), which halves the wait at start."""
    from gasdesk.config import describe_url

    url = target if isinstance(target, str) else target.url
    try:
        path = setup_logging()
        log.info("starting; database %s; log %s", describe_url(url), path)
    except OSError:
        pass
    install_excepthook()
    qt = qt_application()
    qt.setQuitOnLastWindowClosed(True)
    early: SignInDialog | None = None
    if isinstance(target, str):
        early = SignInDialog(None, database=describe_url(url))
        early.show()
        qt.processEvents()
        try:
            app = open_database(url)
        except Exception:  # noqa: BLE001 - a server that does not answer, a locked file
            log.exception("cannot open the database")
            from gasdesk.ui import messages

            messages.warn(early, f"无法打开数据库：{describe_url(url)}\n"
                                 "请检查数据库服务器是否在运行、网络是否连通；仍不行请联系系统管理员（详情已记录到日志）")
            return 1
    else:
        app = target
    from gasdesk.services import staff as staff_service
    from gasdesk.services.settings import public_profile

    if staff_service.needs_first_admin(app):
        if early is not None:
            early.hide()
            early = None
        first = FirstAdminDialog(app)
        if first.exec() != QDialog.DialogCode.Accepted:
            return 0
    controller = GuiController(app)
    if early is not None:
        early.attach(app, str(public_profile(app).get("company.name", "")))
    if not controller.sign_in(early):
        return 0
    return qt.exec()
