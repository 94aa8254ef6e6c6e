"""系统设置: fees saved through SettingsService (and used as action defaults), staff created, reset, disabled."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gasdesk.services import staff as staff_service
from gasdesk.services.settings import SettingsService
from gasdesk.ui.main_window import SETTINGS
from tests.ui import steps
from tests.ui.driver import choose, click, type_into


def test_fee_schedule_saved(qtbot, gui_app, team, window, msgs):
    win = window(team.admin)
    steps.go(qtbot, win, SETTINGS)
    profile = win.settings_page.profile
    type_into(qtbot, profile.edits["fees.plugging"], "60")
    type_into(qtbot, profile.edits["company.name"], "黔南燃气有限公司")
    click(qtbot, profile.save_button)
    assert msgs.texts("information")[-1] == "设置已保存"
    values = SettingsService(gui_app, team.admin).all()
    assert values["fees.plugging"] == "60.00" and values["company.name"] == "黔南燃气有限公司"
    assert win.session.settings()["fees.plugging"] == "60.00"


def test_clerk_cannot_save_settings(qtbot, gui_app, team, window, msgs):
    win = window(team.clerk)
    profile = win.settings_page.profile
    assert not profile.save_button.isEnabled() and profile.edits["fees.plugging"].isReadOnly()
    assert not win.settings_page.staff.add_button.isEnabled()


def test_staff_created_reset_and_disabled(qtbot, gui_app, team, window, msgs):
    win = window(team.admin)
    steps.go(qtbot, win, SETTINGS)
    page = win.settings_page.staff
    tabs = win.settings_page.tabs
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(1).center())
    qtbot.waitUntil(lambda: tabs.currentWidget() is page)
    click(qtbot, page.add_button)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog.login, "clerk")
    type_into(qtbot, dialog.name, "孙丽")
    type_into(qtbot, dialog.password, "first-pass")
    ok = dialog.findChild(type(page.add_button), "ok")
    click(qtbot, ok)
    assert "已被使用" in dialog.errors["login"].text()
    type_into(qtbot, dialog.login, "clerk2")
    choose(dialog.role, "clerk")
    choose(dialog.department, "customer_service")
    click(qtbot, ok)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    actor, must_change = staff_service.sign_in(gui_app, "clerk2", "first-pass")
    assert actor.name == "孙丽" and must_change

    page.select_login("clerk2")
    click(qtbot, page.reset_button)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog.password, "temp-pass-9")
    click(qtbot, dialog.findChild(type(page.add_button), "ok"))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert staff_service.sign_in(gui_app, "clerk2", "temp-pass-9")[1]

    page.select_login("clerk2")
    click(qtbot, page.toggle_button)
    row = next(i for i, s in enumerate(page.model.rows) if s.login == "clerk2")
    assert page.model.index(row, 4).data() == "已停用"
    try:
        staff_service.sign_in(gui_app, "clerk2", "temp-pass-9")
        raise AssertionError("a disabled account signed in")
    except Exception as exc:  # noqa: BLE001
        assert getattr(exc, "message", "") == "用户名或密码错误"


def test_contract_texts_are_edited_in_the_settings_and_printed(qtbot, window, gui_app, team, msgs):  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    from gasdesk.reports.texts import DEFAULT_TEXTS
    from gasdesk.services.orders import OrderService
    from gasdesk.services.printing import PrintService
    from tests.helpers import resident

    win = window(team.admin)
    page = win.settings_page
    page.tabs.setCurrentWidget(page.texts)
    editor = page.texts
    row = list(DEFAULT_TEXTS).index("safety_notice")
    editor.keys.setCurrentRow(row)
    editor.editor.setPlainText("第一条 本店自定义的安全须知：闻到燃气味请拨打{emergency_phone}。")
    editor.save_button.click()
    assert "已保存" in msgs.texts()[-1]
    clerk = OrderService(gui_app, team.clerk)
    o = clerk.open("activation", resident(gui_app, team.clerk).id, documents=["property_proof", "owner_id"])
    clerk.perform(o.id, "accept")
    pdf = PrintService(gui_app, team.clerk).render(o.id, "safety_notice")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "本店自定义的安全须知" in text and "96977" in text

