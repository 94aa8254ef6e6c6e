"""来电: the clerk takes an account opening by telephone, with the caller's number, and the documents
and signatures follow when the customer comes in (issue 17 item 1). A flow's 新建业务 button and the
customer page's 办理新业务 open the wizard on its first page, where 来电 is chosen with keys only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from gasdesk.services.orders import OrderService
from gasdesk.ui import wizard as wz
from gasdesk.ui.keys import mnemonic_of, plain_label
from gasdesk.ui.main_window import NEW
from gasdesk.vocab import Channel, OrderStatus
from tests.helpers import resident
from tests.ui import steps
from tests.ui.driver import click, type_into, wizard_next
from tests.ui.test_keyboard import choose_flow, fill_by_tab, focus, key, typed, wait_page


def test_a_call_is_taken_and_the_customer_comes_in_later(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "孙丽")
    clerk = window(team.clerk)
    clerk.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is clerk)
    qtbot.keyClick(clerk, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # 新建业务 from any page
    qtbot.waitUntil(lambda: clerk.wizard is not None)
    wiz = clerk.wizard
    assert wiz is not None
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FLOW_PAGE)
    page = wiz.flow_page
    page.select("transfer")
    assert not page.phone_radio.isEnabled()  # a transfer is signed by both owners at the counter
    page.select("activation")
    assert page.phone_radio.isEnabled() and page.counter_radio.isChecked() and not page.caller.isEnabled()
    click(qtbot, page.phone_radio)
    assert page.caller.isEnabled()
    type_into(qtbot, page.caller, "12345")
    wizard_next(qtbot, wiz)
    assert wiz.currentId() == wz.FLOW_PAGE  # refused beside the field, nothing written
    assert page.caller_error.isVisible() and "来电号码" in page.caller_error.text()
    type_into(qtbot, page.caller, "139 8501 2345")
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CUSTOMER_PAGE)
    assert not page.caller_error.isVisible()

    steps.pick_customer(qtbot, wiz, "孙丽")
    # The documents page is skipped: a call's documents are checked against the originals later.
    steps.fill_application(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CONFIRM_PAGE)
    summary = wiz.confirm_page.summary.text()
    assert "来电（13985012345）" in summary and "客户到厅" in summary and "缺少资料" not in summary
    order = steps.submit(qtbot, wiz)
    assert order.channel.label == "来电" and order.caller_phone == "13985012345" and order.awaiting_visit

    first = wiz.first_step_page
    assert not first.radios["accept"].isEnabled() and "待客户到厅核对" in first.radios["accept"].text()
    assert first.radios[wz.SKIP].isChecked() and not first.radios["refuse"].isChecked()
    assert "来电受理" in first.warning.text()
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.DONE_PAGE)
    slip = wiz.done_page.print_buttons["acceptance"]
    assert not slip.isEnabled() and "待客户到厅签字" in slip.text()  # nobody to sign it
    click(qtbot, wiz.done_page.open_button)

    qtbot.waitUntil(lambda: order.id in clerk.order_pages)
    order_page = clerk.order_pages[order.id]
    qtbot.waitUntil(lambda: order_page.isVisible())
    assert "来电（13985012345）" in order_page.info_labels["opened"].text()
    assert "来电受理" in order_page.info_labels["hold"].text()
    button = order_page.documents_button
    assert plain_label(button.text()) == "客户到厅…" and mnemonic_of(button.text())
    click(qtbot, button)
    dialog = order_page.dialog
    qtbot.waitUntil(dialog.isVisible)
    for code in ("property_proof", "owner_id"):
        click(qtbot, dialog.boxes[code])
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: order_page.order is not None and not order_page.order.awaiting_visit)
    assert plain_label(order_page.documents_button.text()) == "资料清单…"
    assert order_page.info_labels["hold"].text() == "计时中"
    steps.act(qtbot, order_page, "accept")
    final = steps.order(gui_app, team, order.id)
    assert final.step == "site_visit" and final.status is OrderStatus.OPEN
    assert [h.action for h in final.history] == ["open", "visit", "accept"]
    assert not msgs.texts("critical")


def _alt(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    """Press a button by its Alt+letter, as written in its label."""
    letter = mnemonic_of(button.text())
    assert letter is not None, f"{button.text()!r} has no Alt key"
    qtbot.keyClick(focus(qtbot), Qt.Key(ord(letter)), Qt.KeyboardModifier.AltModifier)


def _take_the_call(qtbot, wiz: wz.NewOrderWizard, customer_number: str, *, search: bool) -> int:  # type: ignore[no-untyped-def]
    """On the first page, with the flow chosen: 来电 (Alt+D), the caller's number, then Enter to the end
    (`search`: the customer is looked up by number; else the wizard came with the customer chosen)."""
    page = wiz.flow_page
    assert wiz.currentId() == wz.FLOW_PAGE and page.counter_radio.isChecked()
    _alt(qtbot, page.phone_radio)
    qtbot.waitUntil(lambda: page.phone_radio.isChecked() and QApplication.focusWidget() is page.caller)
    typed(qtbot, "139 8501 2345")
    key(qtbot, Qt.Key.Key_Return)
    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    if search:
        typed(qtbot, customer_number)
        key(qtbot, Qt.Key.Key_Return)  # search
    assert wiz.customer_page.search.current_hit().customer.number == customer_number
    key(qtbot, Qt.Key.Key_Return)  # 下一步; a call's documents wait for the customer: no documents page
    wait_page(qtbot, wiz, wz.FORM_PAGE)
    form = wiz.form_page.form
    assert form is not None
    fill_by_tab(qtbot, form)
    key(qtbot, Qt.Key.Key_Backtab)
    key(qtbot, Qt.Key.Key_Return)
    wait_page(qtbot, wiz, wz.CONFIRM_PAGE)
    assert "来电（13985012345）" in wiz.confirm_page.summary.text()
    key(qtbot, Qt.Key.Key_Return)  # 提交
    wait_page(qtbot, wiz, wz.FIRST_STEP_PAGE)
    assert wiz.order is not None
    order_id = wiz.order.id
    key(qtbot, Qt.Key.Key_Return)  # 受理 waits for the customer at the counter: nothing done now
    wait_page(qtbot, wiz, wz.DONE_PAGE)
    key(qtbot, Qt.Key.Key_Return)  # 完成
    qtbot.waitUntil(lambda: not wiz.isVisible())
    return order_id


def test_a_flows_button_opens_the_first_page_so_a_call_needs_no_going_back(qtbot, gui_app, team, window, msgs):
    customer = resident(gui_app, team.clerk, "周敏")
    clerk = window(team.clerk)
    clerk.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is clerk)
    qtbot.keyClick(clerk, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # 新建业务
    qtbot.waitUntil(lambda: clerk.stack.currentIndex() == NEW)
    assert "上一步" not in " ".join(label.text() for label in clerk.new_page.findChildren(QLabel))
    _alt(qtbot, clerk.new_page.buttons["activation"])
    qtbot.waitUntil(lambda: clerk.wizard is not None and clerk.wizard.isVisible())
    wiz = clerk.wizard
    wait_page(qtbot, wiz, wz.FLOW_PAGE)
    assert wiz.flow_page.kind() == "activation"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is wiz.flow_page.list)  # the wizard's window takes the focus

    order_id = _take_the_call(qtbot, wiz, customer.number, search=True)
    order = OrderService(gui_app, team.admin).get(order_id)
    assert order.kind == "activation" and order.customer_id == customer.id
    assert order.channel is Channel.PHONE and order.caller_phone == "13985012345" and order.awaiting_visit
    assert [h.action for h in order.history] == ["open"]
    assert not msgs.texts("critical")


def test_new_business_from_the_customer_page_takes_a_call_with_keys_only(qtbot, gui_app, team, window, msgs):
    customer = resident(gui_app, team.clerk, "吴刚")
    clerk = window(team.clerk)
    page = clerk.open_customer(customer.id)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    _alt(qtbot, page.new_button)
    qtbot.waitUntil(lambda: clerk.wizard is not None and clerk.wizard.isVisible())
    wiz = clerk.wizard
    choose_flow(qtbot, wiz, "activation", go_on=False)

    order_id = _take_the_call(qtbot, wiz, customer.number, search=False)  # chosen on the customer page
    order = OrderService(gui_app, team.admin).get(order_id)
    assert order.kind == "activation" and order.customer_id == customer.id
    assert order.channel is Channel.PHONE and order.caller_phone == "13985012345"
    assert not msgs.texts("critical")
