"""Issue 18: every button, check box and radio button with a label has its Alt letter, and no two that
are on screen together in one window share one -- the buttons a window builds at run time too (the
current step's actions, the flows of 新建业务, the forms to print). Every page of every role, the
customer, order and bill windows of several flows in different steps, and the dialogs they open."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QMainWindow,
    QMenu,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QToolButton,
    QWidget,
)

from gasdesk.models import Account
from gasdesk.services.orders import OrderService
from gasdesk.ui import wizard as wz
from gasdesk.ui.keys import mnemonic_of, plain_label
from gasdesk.ui.main_window import DISPATCH
from gasdesk.vocab import Channel
from tests.helpers import active_resident, business, resident
from tests.ui import steps
from tests.ui.driver import click, click_row, row_of, type_into

KINDS = (QPushButton, QToolButton, QCheckBox, QRadioButton)


def labelled(window: QWidget) -> list[QAbstractButton]:
    """The window's buttons with a label that are on screen now (Qt's own parts, named qt_…, aside)."""
    return [b for b in window.findChildren(QAbstractButton)
            if isinstance(b, KINDS) and b.isVisible() and b.window() is window and b.text().strip()
            and not b.objectName().startswith("qt_")]


def problems(window: QWidget, where: str) -> list[str]:
    buttons = labelled(window)
    found = [f"{where}: “{b.text()}” has no Alt letter" for b in buttons if b.isEnabled() and not mnemonic_of(b.text())]
    letters = Counter(m for b in buttons if (m := mnemonic_of(b.text())))
    if isinstance(window, QMainWindow):
        letters.update(m for a in window.menuBar().actions() if (m := mnemonic_of(a.text())))
    for letter, n in letters.items():
        if n > 1:
            same = [b.text() for b in buttons if mnemonic_of(b.text()) == letter]
            found.append(f"{where}: Alt+{letter} on {n}: {same}")
    return found


def _outermost(tabs: QTabWidget, root: QWidget) -> bool:
    """No other tab widget between `tabs` and `root`."""
    parent = tabs.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QTabWidget):
            return False
        parent = parent.parentWidget()
    return parent is root


def tour(window: QWidget, where: str, root: QWidget | None = None) -> list[str]:
    """The window as it is, then with every tab of every tab widget in front, nested ones too."""
    QApplication.processEvents()  # a button added to a shown layout shows when the event loop runs
    root = root if root is not None else window
    found = problems(window, where)
    for tabs in [t for t in root.findChildren(QTabWidget) if t.isVisible() and _outermost(t, root)]:
        was = tabs.currentIndex()
        for i in range(tabs.count()):
            if tabs.isTabEnabled(i) and tabs.isTabVisible(i):
                tabs.setCurrentIndex(i)
                page = tabs.widget(i)
                assert page is not None
                found += tour(window, f"{where} › {tabs.tabText(i)}", page)
        tabs.setCurrentIndex(was)
    return found


def open_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and not isinstance(w, QMenu)]


def every_window(where: str) -> list[str]:
    QApplication.processEvents()
    return [p for w in open_windows() for p in problems(w, f"{where} [{w.windowTitle()}]")]


def close_dialog(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    dialog = page.dialog
    if dialog is not None and dialog.isVisible():
        dialog.reject()
        qtbot.waitUntil(lambda: not dialog.isVisible())


def each_action(qtbot, page, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every action button of an order page (or the dispatch page): its dialog, checked, closed."""
    found: list[str] = []
    for code in list(page.action_buttons):
        button = page.action_buttons[code]
        if not button.isEnabled():
            continue
        click(qtbot, button)
        dialog = page.dialog
        if dialog is None:
            continue
        qtbot.waitUntil(dialog.isVisible)
        found += every_window(f"{where} › {plain_label(button.text())}")
        close_dialog(qtbot, page)
    return found


# --- the main window ---------------------------------------------------------------------------------

def test_every_page_of_every_role_and_the_main_windows_dialogs(qtbot, gui_app, team, window, msgs):
    active_resident(gui_app, team, "字母户")
    found: list[str] = []
    for role in ("clerk", "manager", "account_manager", "dispatcher", "handler", "admin"):
        win = window(getattr(team, role))
        for i in range(win.stack.count()):
            win.show_page(i)
            found += tour(win, f"{role} › {win.page_titles[i]}")
        win.change_password()
        qtbot.waitUntil(lambda w=win: w.dialog is not None and w.dialog.isVisible())
        found += every_window(f"{role} › 修改密码")
        win.dialog.reject()
        win.close()
    assert found == []


def test_the_flow_buttons_of_new_business_have_letters_of_their_own(qtbot, gui_app, team, window, msgs):
    clerk = window(team.clerk)
    clerk.show_page(clerk.page_titles.index("新建业务"))
    buttons = list(clerk.new_page.buttons.values())
    letters = [mnemonic_of(b.text()) for b in buttons]
    assert None not in letters and len(set(letters)) == len(buttons)
    assert problems(clerk, "新建业务") == []
    # Alt+its letter opens the wizard with that flow, as a click would
    kind, button = next(iter(clerk.new_page.buttons.items()))
    clerk.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is clerk)
    letter = mnemonic_of(button.text())
    assert letter is not None
    qtbot.keyClick(clerk, Qt.Key(ord(letter)), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: clerk.wizard is not None and clerk.wizard.isVisible())
    assert clerk.wizard.flow_page.kind() == kind  # on its first page, with that flow chosen
    clerk.wizard.reject()


# --- order, customer and bill windows --------------------------------------------------------------

def test_order_pages_of_several_flows_in_different_steps_and_their_dialogs(qtbot, gui_app, team, window, msgs):
    clerk_svc, am_svc = OrderService(gui_app, team.clerk), OrderService(gui_app, team.account_manager)
    customer, activation = active_resident(gui_app, team, "多单户")
    complaint = clerk_svc.open("complaint", customer.id, data={
        "complaint_type": "complaint", "content": "抄表员态度差", "contact_phone": "13900001111"})
    referred = clerk_svc.open("complaint", customer.id, data={
        "complaint_type": "complaint", "content": "燃气费多收", "contact_phone": "13900001111"})
    referred = clerk_svc.perform(referred.id, "refer", {"department": "distribution", "summary": "核实"})
    company = business(gui_app, team.clerk, "字母餐饮有限公司")
    installation = clerk_svc.open("installation", company.id,
                                  documents=["business_license", "agent_id", "site_proof"],
                                  data={"project_name": "后厨改造", "expected_monthly_volume": "800"})
    installation = clerk_svc.perform(installation.id, "register")
    installation = am_svc.perform(installation.id, "survey_done", {
        "survey_date": "2026-11-27", "designer": "周工", "survey_notes": "具备条件"})
    called = resident(gui_app, team.clerk, "来电户")
    phoned = clerk_svc.open("activation", called.id, channel=Channel.PHONE, caller_phone="13985012345")
    suspension = clerk_svc.open("suspension", customer.id, account_id=activation.account_id,
                                documents=["owner_id"], data={"suspend_from": "2026-11-27"})
    cases = [(team.clerk, complaint.id, "投诉·受理"), (team.handler, referred.id, "投诉·办理"),
             (team.account_manager, installation.id, "报装·施工前"), (team.clerk, phoned.id, "来电开通·待到厅"),
             (team.clerk, suspension.id, "暂停用气·受理"), (team.clerk, activation.id, "开通·已办结"),
             (team.admin, installation.id, "报装·管理员")]
    found: list[str] = []
    windows = {}
    for actor, order_id, where in cases:
        win = windows.get(actor.login) or windows.setdefault(actor.login, window(actor))
        page = win.open_order(order_id)
        qtbot.waitUntil(page.isVisible)
        found += tour(page, where)
        found += each_action(qtbot, page, where)
        for name in ("documents_button", "correct_button", "pause_button", "permit_button"):
            button = getattr(page, name)
            if button.isVisible() and button.isEnabled():
                click(qtbot, button)
                qtbot.waitUntil(lambda p=page: p.dialog is not None and p.dialog.isVisible())
                found += every_window(f"{where} › {plain_label(button.text())}")
                close_dialog(qtbot, page)
        page.refresh()  # the step's buttons made again: the same letters, still one each
        before = {code: mnemonic_of(b.text()) for code, b in page.action_buttons.items()}
        page.refresh()
        QApplication.processEvents()
        assert {code: mnemonic_of(b.text()) for code, b in page.action_buttons.items()} == before, where
        found += tour(page, f"{where}（刷新后）")
        page.close()
    assert found == []


def test_an_inspection_order_and_its_result_dialog(qtbot, gui_app, gui_clock, team, window, msgs):
    from tests.ui.test_inspection import opened_plan

    _c, _a, order_id = opened_plan(gui_app, team, gui_clock, "安检户")
    win = window(team.clerk)
    page = win.open_order(order_id)
    qtbot.waitUntil(page.isVisible)
    found = tour(page, "安检单") + each_action(qtbot, page, "安检单")
    assert page.is_inspection and "result" in page.action_buttons
    assert found == []


def test_the_customer_and_bill_windows_and_their_dialogs(qtbot, gui_app, team, window, msgs):
    customer, _order = active_resident(gui_app, team, "账单户")
    for _ in range(2):
        OrderService(gui_app, team.clerk).open("complaint", customer.id, data={
            "complaint_type": "complaint", "content": "噪音", "contact_phone": "13900001111"})
    clerk = window(team.clerk)
    page = clerk.open_customer(customer.id)
    qtbot.waitUntil(page.isVisible)
    found = tour(page, "客户资料")
    bills = page.open_bills()
    qtbot.waitUntil(bills.isVisible)
    found += tour(bills, "燃气费")
    for name in ("prepay_button", "reading_button"):
        button = getattr(bills, name, None)
        if button is not None and button.isVisible() and button.isEnabled():
            click(qtbot, button)
            qtbot.waitUntil(lambda: bills.dialog is not None and bills.dialog.isVisible())
            found += every_window(f"燃气费 › {plain_label(button.text())}")
            close_dialog(qtbot, bills)
    assert found == []


# --- the pages' own dialogs and their run-time buttons -----------------------------------------------

def test_dispatch_bank_inspection_plans_settings_and_staff(qtbot, gui_app, team, window, msgs):
    activation, visit = steps.account_order(gui_app, team, "派工户", "meter_service",
                                            {"service_reason": "customer_request"})
    visit = OrderService(gui_app, team.clerk).perform(visit.id, "accept")
    found: list[str] = []

    dispatcher = window(team.dispatcher)
    steps.go(qtbot, dispatcher, DISPATCH)
    page = dispatcher.dispatch
    dispatcher.refresh()
    view = page.queue_view
    page.tabs.setCurrentWidget(view)
    click_row(qtbot, view, row_of(view, 0, visit.number))
    qtbot.waitUntil(lambda: page.order is not None and page.order.number == visit.number)
    assert page.action_buttons, "no visit actions on the dispatch page"
    found += tour(dispatcher, "派工（已选业务单）")
    found += each_action(qtbot, page, "派工")
    dispatcher.close()

    with gui_app.reading() as s:
        number = s.get(Account, activation.account_id).number
    clerk = window(team.clerk)
    clerk.show_page(clerk.page_titles.index("银行代收代扣"))
    bank = clerk.bank
    type_into(qtbot, bank.account_edit, number)
    click(qtbot, bank.find_button)
    qtbot.waitUntil(lambda: "派工户" in bank.account_label.text())
    found += tour(clerk, "银行代收代扣（已查到账户）")

    clerk.show_page(clerk.page_titles.index("安全检查"))
    plans = clerk.inspections
    click(qtbot, plans.new_button)
    qtbot.waitUntil(lambda: plans.dialog is not None and plans.dialog.isVisible())
    found += every_window("安全检查 › 新建计划")
    plans.dialog.reject()
    clerk.close()

    admin = window(team.admin)
    admin.show_page(admin.page_titles.index("系统设置"))
    staff = admin.settings_page.staff
    admin.settings_page.tabs.setCurrentWidget(staff)
    click(qtbot, staff.add_button)
    qtbot.waitUntil(lambda: staff.dialog is not None and staff.dialog.isVisible())
    found += every_window("系统设置 › 新增员工")
    staff.dialog.reject()
    assert found == []


def test_every_page_of_the_wizard_with_its_run_time_choices(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "向导户")
    clerk = window(team.clerk)
    found: list[str] = []
    wiz = steps.start_wizard(qtbot, clerk, "activation")
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CUSTOMER_PAGE)
    wiz.back()
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FLOW_PAGE)
    found += every_window("向导 › 选择业务")
    wiz.next()
    steps.pick_customer(qtbot, wiz, "向导户")
    qtbot.waitUntil(lambda: wiz.currentId() == wz.DOCUMENTS_PAGE)
    found += every_window("向导 › 资料")
    steps.tick_documents(qtbot, wiz, ["property_proof", "owner_id"])
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FORM_PAGE)
    found += every_window("向导 › 申请内容")
    steps.wizard_next(qtbot, wiz)
    steps.submit(qtbot, wiz)
    found += every_window("向导 › 第一个环节")
    radios = wiz.first_step_page.radios
    for radio in radios.values():  # each choice shows its own form (check boxes included)
        if radio.isEnabled():
            click(qtbot, radio)
            found += every_window(f"向导 › 第一个环节 › {plain_label(radio.text())}")
    click(qtbot, radios["accept"])
    steps.wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.DONE_PAGE)
    assert wiz.done_page.print_buttons, "no forms to print"
    found += every_window("向导 › 完成")
    steps.wizard_next(qtbot, wiz)
    assert found == []
