"""Starting the window: fonts and translations, first administrator, sign-in, password change, main window."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QDialog

from gasdesk.services import staff as staff_service
from gasdesk.services.context import App
from gasdesk.ui.fonts import apply_default_font
from gasdesk.ui.logs import install_excepthook, setup_logging
from gasdesk.ui.signin import ChangePasswordDialog, FirstAdminDialog, SignInDialog

if TYPE_CHECKING:
    from gasdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def qt_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with a Chinese font and Qt's own Chinese texts (buttons of standard dialogs)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("gasdesk")
    app.setApplicationDisplayName("燃气营业厅业务受理系统")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if not getattr(app, "_gasdesk_translated", False):
        translator = QTranslator(app)
        if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(translator)
        app._gasdesk_translated = True  # type: ignore[attr-defined]
    apply_default_font(app)
    return app


class GuiController:
    """Sign-in → main window; signing out shows the sign-in dialog again."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.window: MainWindow | None = None
        self.last_login = ""

    def sign_in(self) -> bool:
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
        return True

    def _signed_out(self) -> None:
        if not self.sign_in():
            QApplication.quit()


def run_gui(app: App) -> int:
    try:
        path = setup_logging()
        log.info("starting; database %s; log %s", app.description, path)
    except OSError:
        pass
    install_excepthook()
    qt = qt_application()
    qt.setQuitOnLastWindowClosed(True)
    if staff_service.needs_first_admin(app):
        first = FirstAdminDialog(app)
        if first.exec() != QDialog.DialogCode.Accepted:
            return 0
    controller = GuiController(app)
    if not controller.sign_in():
        return 0
    return qt.exec()
