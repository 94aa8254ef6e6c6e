"""The first-run company profile dialog: an administrator signing in to a database whose profile was
never confirmed confirms or edits it; clerks never see it; once confirmed it does not come back."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from gasdesk.services.settings import SettingsService, profile_confirmed
from gasdesk.ui.app import GuiController
from gasdesk.ui.profile_dialog import CompanyProfileDialog
from tests.ui.driver import click, type_into


def answer_dialog(qtbot, act):  # type: ignore[no-untyped-def]
    """Run `act` on the modal profile dialog once it shows; the dialog never stays open after the test."""
    seen: list[CompanyProfileDialog] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, CompanyProfileDialog):
            QTimer.singleShot(20, run)
            return
        seen.append(dialog)
        try:
            act(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, run)
    return seen


def test_first_admin_sign_in_confirms_the_profile(qtbot, gui_app, team, msgs):
    controller = GuiController(gui_app)

    def confirm(dialog: CompanyProfileDialog) -> None:
        assert dialog.edits["company.name"].text() == "贵州燃气集团安顺市燃气有限责任公司"
        assert dialog.edits["company.service_phone"].text() == "96977"
        assert dialog.edits["hours.hall"].text() == ""  # no seed value: the administrator sets it
        click(qtbot, dialog.confirm_button)  # without hall hours: refused, the dialog stays
        assert dialog.isVisible() and "营业厅营业时间" in msgs.texts("warning")[-1]
        type_into(qtbot, dialog.edits["hours.hall"], "每日 8:30-17:30")
        type_into(qtbot, dialog.edits["company.short_name"], "安顺燃气公司")
        click(qtbot, dialog.confirm_button)

    seen = answer_dialog(qtbot, confirm)
    assert controller.confirm_profile(team.admin) and seen
    assert profile_confirmed(gui_app)
    values = SettingsService(gui_app, team.admin).all()
    assert values["hours.hall"] == "每日 8:30-17:30" and values["company.short_name"] == "安顺燃气公司"
    # Confirmed once: the next sign-in goes straight to work.
    assert controller.confirm_profile(team.admin)


def test_a_bad_value_keeps_the_dialog_open(qtbot, gui_app, team, msgs):
    def clear_name(dialog: CompanyProfileDialog) -> None:
        type_into(qtbot, dialog.edits["hours.hall"], "每日 9:00-17:00")
        dialog.edits["company.name"].clear()
        click(qtbot, dialog.confirm_button)
        assert dialog.isVisible() and "公司名称不能为空" in msgs.texts()[-1]
        click(qtbot, dialog.later_button)

    seen = answer_dialog(qtbot, clear_name)
    assert not GuiController(gui_app).confirm_profile(team.admin) and seen
    assert not profile_confirmed(gui_app)  # 稍后: asked again at the next sign-in


def test_clerk_never_sees_the_dialog(qtbot, gui_app, team, msgs):
    assert GuiController(gui_app).confirm_profile(team.clerk)
    assert not profile_confirmed(gui_app)
