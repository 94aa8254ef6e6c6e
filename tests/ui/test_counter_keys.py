"""Issue 18 at the counter: Enter never goes back, every button has its Alt key, the shortcuts work from
every window and F1 lists exactly those that exist; typed work is never lost (Esc asks, drafts resume);
every error at once beside its field."""

from __future__ import annotations

import os
import stat

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget, QWizard

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows.engine import REQUIRED
from gasdesk.ui import wizard as wz
from gasdesk.ui.main_window import DASHBOARD, FORM_KEYS, SEARCH
from gasdesk.ui.session import UiSession
from tests.helpers import active_resident, resident
from tests.ui import steps
from tests.ui.test_keyboard import CTRL, choose_flow, focus, key, open_wizard_by_keys, typed, wait_page
from tests.ui.test_mnemonics import problems


def chain(qtbot, start: QWidget, n: int) -> list[QWidget]:  # type: ignore[no-untyped-def]
    """The widgets Tab visits from `start`, n presses."""
    start.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    seen = [start]
    for _ in range(n):
        key(qtbot, Qt.Key.Key_Tab)
        seen.append(focus(qtbot))
    return seen


def position(widget: QWidget, top: QWidget) -> tuple[int, int]:
    p = widget.mapTo(top, QPoint(0, 0))
    return p.y(), p.x()


# --- 1. keyboard first -----------------------------------------------------------------------------

def test_tab_never_reaches_back_and_enter_never_goes_back(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "回车户")
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    choose_flow(qtbot, wiz, "complaint")
    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    back, cancel = wiz.button(QWizard.WizardButton.BackButton), wiz.button(QWizard.WizardButton.CancelButton)
    assert back.text() == "‹ 上一步(&B)" and back.isVisible()
    visited = chain(qtbot, wiz.customer_page.search.edit, 15)
    assert back not in visited and cancel not in visited
    assert not back.isDefault() and not back.autoDefault()
    assert wiz.button(QWizard.WizardButton.NextButton).isDefault()
    # every button of the wizard has its Alt key, one letter each
    assert problems(wiz, "向导") == []
    # Alt+B is the way back
    qtbot.keyClick(wiz, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FLOW_PAGE)


def test_tab_follows_the_new_customer_form_top_to_bottom(qtbot, gui_app, team, window, msgs):
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    choose_flow(qtbot, wiz, "activation")
    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    qtbot.keyClick(wiz, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)  # 新建客户(&X)
    form = wiz.customer_page.form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.category)
    visited = chain(qtbot, form.category, 9)
    assert all(w in form.widgets.values() for w in visited), [w.objectName() for w in visited]
    places = [position(w, wiz) for w in visited]
    assert places == sorted(places), [w.objectName() for w in visited]


def test_the_first_step_tabs_from_the_choices_into_the_chosen_form(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "投诉户")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "complaint")
    steps.pick_customer(qtbot, wiz, "投诉户")
    steps.fill_application(qtbot, wiz, {"content": "燃气费多收", "contact_phone": "13900001111"})
    steps.submit(qtbot, wiz)
    page = wiz.first_step_page
    form = page.forms[page.chosen()].form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is next(iter(form.editors.values())).widget)
    key(qtbot, Qt.Key.Key_Backtab)
    assert focus(qtbot) in page.radios.values()
    places = [position(w, wiz) for w in chain(qtbot, page.radios[page.chosen()], 2)]
    assert places == sorted(places)


def test_f1_lists_exactly_the_shortcuts_there_are(qtbot, gui_app, team, window, msgs):
    for actor in (team.clerk, team.manager):
        win = window(actor)
        win.activateWindow()
        qtbot.waitUntil(lambda w=win: QApplication.activeWindow() is w)
        msgs.clear()
        qtbot.keyClick(win, Qt.Key.Key_F1)
        text = msgs.texts("information")[-1]
        keys_block = text.split("\n\n")[0]  # then the colour rule of the time left
        listed = [line.split("\u3000")[0] for line in keys_block.splitlines()]
        bound = {a.shortcut().toString(QKeySequence.SequenceFormat.PortableText) for a in win.actions()
                 if not a.shortcut().isEmpty()}
        menu_keys = [k for k in listed if k not in {k2 for k2, _ in FORM_KEYS}]
        assert set(menu_keys) == bound, (set(menu_keys) ^ bound)
        pages = win.stack.count()
        for i in range(pages):
            tip = win.nav.item(i).toolTip()
            key_text = win.page_keys[i]
            assert (key_text in tip) if key_text else ("Alt" not in tip)
        assert "Alt+10" not in text and "Alt+11" not in text
        status = win.statusBar().currentMessage()
        assert "Alt+10" not in status and "Alt+11" not in status and win.status_keys() in status
        assert pages > 9 and "Alt+0" in text  # the tenth page has Alt+0; any further one none


def test_shortcuts_work_from_order_and_customer_windows(qtbot, gui_app, team, window, msgs):
    c, order = active_resident(gui_app, team, "快捷户")
    clerk = window(team.clerk)
    page = clerk.open_order(order.id)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    assert problems(page, "业务单") == []
    qtbot.keyClick(page, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: clerk.stack.currentIndex() == DASHBOARD and QApplication.activeWindow() is clerk)
    customer = clerk.open_customer(c.id)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is customer)
    assert problems(customer, "客户资料") == []
    qtbot.keyClick(customer, Qt.Key.Key_F, CTRL)
    qtbot.waitUntil(lambda: clerk.stack.currentIndex() == SEARCH)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is clerk.search.edit)
    customer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is customer)
    qtbot.keyClick(customer, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: clerk.wizard is not None and clerk.wizard.isVisible())
    clerk.wizard.reject()


def test_an_action_dialog_has_keys_for_its_buttons_and_enter_confirms(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "转办户")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "complaint")
    steps.pick_customer(qtbot, wiz, "转办户")
    steps.fill_application(qtbot, wiz, {"content": "抄表员态度差", "contact_phone": "13900001111"})
    steps.submit(qtbot, wiz)
    order = steps.first_step(qtbot, wiz, "refer", {"department": "distribution", "summary": "核实"})
    handler = window(team.handler)
    page = steps.open_from_queue(qtbot, handler, order.number)
    page.start_action(page.order.flow.step("handling").actions[0])
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert problems(dialog, "办理") == []
    result = dialog.form.editor("result")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is result)
    typed(qtbot, "first")
    key(qtbot, Qt.Key.Key_Return, CTRL)
    typed(qtbot, "second")
    key(qtbot, Qt.Key.Key_Return)  # Enter in the multi-line field: 确定办理
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert page.order.step == "review"  # customer service checks the result (是否通过) before the call back
    assert page.order.history[-1].data["result"] == "first\nsecond"


# --- 2. typed work is never lost -------------------------------------------------------------------

def test_esc_in_an_action_dialog_asks_before_throwing_typing_away(qtbot, gui_app, team, window, msgs):
    c, order = active_resident(gui_app, team, "暂停户")
    clerk = window(team.clerk)
    page = clerk.open_order(order.id)
    page.ask_pause()
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    key(qtbot, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert msgs.texts("question") == []
    page.ask_pause()
    dialog = page.dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.edit)
    typed(qtbot, "客户外出")
    msgs.answer = False
    key(qtbot, Qt.Key.Key_Escape)
    assert dialog.isVisible() and "放弃" in msgs.texts("question")[-1]
    dialog.close()  # the close box asks too
    assert dialog.isVisible() and len(msgs.texts("question")) == 2
    msgs.answer = True
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_an_interrupted_wizard_is_a_draft_only_its_clerk_is_offered(qtbot, gui_app, team, window, msgs):
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    choose_flow(qtbot, wiz, "activation")
    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    qtbot.keyClick(wiz, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    form = wiz.customer_page.form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.category)
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)
    assert focus(qtbot) is form.edit("name")
    typed(qtbot, "草稿户")
    msgs.answer = False
    key(qtbot, Qt.Key.Key_Escape)
    assert wiz.isVisible() and "草稿" in msgs.texts("question")[-1]
    msgs.answer = True
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not wiz.isVisible())

    store = clerk.session.drafts
    assert store.path.exists()
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.path.parent).st_mode) == 0o700
    assert "草稿户" in store.path.read_text(encoding="utf-8")
    # another clerk on the same PC has no draft
    assert UiSession(gui_app, team.manager).drafts.load() is None

    msgs.clear()
    wiz = open_wizard_by_keys(qtbot, clerk)  # Ctrl+N again: offered, and resumed where it was
    assert "草稿户" in msgs.texts("question")[-1] and "用户开通" in msgs.texts("question")[-1]
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CUSTOMER_PAGE)
    assert wiz.flow is not None and wiz.flow.kind == "activation"
    assert wiz.customer_page.new_radio.isChecked() and wiz.customer_page.form.edit("name").text() == "草稿户"
    wiz.customer_page.form.edit("name").setFocus()
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not wiz.isVisible())

    msgs.answer = False  # offered again: 否 discards it
    wiz = open_wizard_by_keys(qtbot, clerk)
    assert not store.path.exists()
    assert wiz.currentId() == wz.FLOW_PAGE and wiz.customer_page.form.edit("name").text() == ""
    wiz.reject()


def test_a_submitted_wizard_leaves_no_draft(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "提交户")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "complaint")
    steps.pick_customer(qtbot, wiz, "提交户")
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FORM_PAGE)
    steps.fill(qtbot, wiz.form_page.form, {"content": "噪音"})
    wiz.save_draft()
    assert clerk.session.drafts.load() is not None
    steps.wizard_next(qtbot, wiz)
    steps.submit(qtbot, wiz)
    assert clerk.session.drafts.load() is None


# --- 3. every error at once, where it is -----------------------------------------------------------

def test_an_empty_new_customer_shows_every_missing_field_at_once(qtbot, gui_app, team, window, msgs):
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    choose_flow(qtbot, wiz, "activation")
    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    qtbot.keyClick(wiz, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    form = wiz.customer_page.form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.category)
    key(qtbot, Qt.Key.Key_Return)
    assert wiz.currentId() == wz.CUSTOMER_PAGE
    shown = {code: label.text() for code, label in form.errors.items() if label.isVisible()}
    assert set(shown) == {"name", "id_number", "phone", "address"}
    assert all(text == REQUIRED for text in shown.values()), shown  # no field name repeated beside it
    assert form.general_error.text() == "请修改标红的 4 项：户名、证件号码、联系电话、用气地址"
    assert focus(qtbot) is form.edit("name")  # the first wrong field
    assert msgs.shown == []  # no box repeating the red lines


def test_each_field_is_checked_as_it_is_left(qtbot, gui_app, team, window, msgs):
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    choose_flow(qtbot, wiz, "activation")
    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    qtbot.keyClick(wiz, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    form = wiz.customer_page.form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.category)
    form.edit("name").setFocus()
    key(qtbot, Qt.Key.Key_Tab)  # leaving an empty field says nothing yet
    assert not form.errors["name"].isVisible()
    assert focus(qtbot) is form.edit("id_number")
    typed(qtbot, "520102198001011234")  # wrong check digit
    key(qtbot, Qt.Key.Key_Tab)
    assert form.errors["id_number"].isVisible() and "校验位" in form.errors["id_number"].text()
    typed(qtbot, "12345")  # a mobile too short
    key(qtbot, Qt.Key.Key_Tab)
    assert "手机" in form.errors["phone"].text() or "电话" in form.errors["phone"].text()
    form.edit("id_number").setFocus()
    form.edit("id_number").selectAll()
    typed(qtbot, "52010219800101123X")
    key(qtbot, Qt.Key.Key_Tab)
    ok = form.errors["id_number"].text()
    assert ok == "" or "校验位" in ok  # corrected or still wrong, never a stale message
    credit = form.category.findData("non_residential")
    form.category.setCurrentIndex(credit)
    form.edit("id_number").setFocus()
    form.edit("id_number").selectAll()
    typed(qtbot, "91520100MA6DKXXX11")
    key(qtbot, Qt.Key.Key_Tab)
    assert "统一社会信用代码" in form.errors["id_number"].text()


def test_the_application_form_lists_all_its_errors_and_goes_to_the_first(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "表单户")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "complaint")
    steps.pick_customer(qtbot, wiz, "表单户")
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FORM_PAGE)
    form = wiz.form_page.form
    phone = form.editor("contact_phone")
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wiz)
    phone.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is phone)
    typed(qtbot, "12")
    key(qtbot, Qt.Key.Key_Tab)  # left wrong: said at once
    assert form.editors["contact_phone"].error.isVisible()
    key(qtbot, Qt.Key.Key_Return)
    assert wiz.currentId() == wz.FORM_PAGE
    assert form.editors["content"].error.text() == REQUIRED
    assert "联系电话" not in form.editors["contact_phone"].error.text()  # the message, not the name again
    assert wiz.form_page.general_error.text() == "请修改标红的 2 项：投诉/咨询内容、联系电话"
    assert focus(qtbot) is form.editor("content")
    assert msgs.shown == []


def test_an_action_refused_beside_its_fields_without_a_box(qtbot, gui_app, team, window, msgs):
    c, order = active_resident(gui_app, team, "动作户")
    clerk = window(team.clerk)
    from gasdesk.services.orders import OrderService

    o = OrderService(gui_app, team.clerk).open("complaint", c.id, data={"complaint_type": "complaint", "content": "x", "contact_phone": "13900001111"})
    page = clerk.open_order(o.id)
    refer = next(a for a in page.order.actions if a.code == "refer")
    page.start_action(refer)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.form.editors["summary"].error.text() == REQUIRED
    assert "转办事项" in dialog.action_form.general_error.text()
    assert msgs.shown == []
    dialog.reject()


def test_chinese_input_committed_counts_as_typing(qtbot, gui_app, team, window, msgs):
    """The input method's commit is how Chinese reaches a field: the wizard knows it was typed."""
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    choose_flow(qtbot, wiz, "activation")
    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    qtbot.keyClick(wiz, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    name = wiz.customer_page.form.edit("name")
    name.setFocus()
    event = QInputMethodEvent()
    event.setCommitString("李")
    QApplication.sendEvent(name, event)
    assert wiz.edited
    msgs.answer = True
    wiz.reject()
    assert any("草稿" in t for t in msgs.texts("question"))


def test_every_flow_listed_in_the_flow_page(qtbot, gui_app, team, window, msgs):
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    assert [wiz.flow_page.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(wiz.flow_page.list.count())] == list(ALL_FLOWS)
    wiz.reject()
