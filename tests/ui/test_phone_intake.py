"""来电: the clerk takes an account opening by telephone, with the caller's number, and the documents
and signatures follow when the customer comes in (issue 17 item 1)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gasdesk.ui import wizard as wz
from gasdesk.vocab import OrderStatus
from tests.helpers import resident
from tests.ui import steps
from tests.ui.driver import click, type_into, wizard_next


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
    assert button.text() == "客户到厅…"
    click(qtbot, button)
    dialog = order_page.dialog
    qtbot.waitUntil(dialog.isVisible)
    for code in ("property_proof", "owner_id"):
        click(qtbot, dialog.boxes[code])
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: order_page.order is not None and not order_page.order.awaiting_visit)
    assert order_page.documents_button.text() == "资料清单…"
    assert order_page.info_labels["hold"].text() == "计时中"
    steps.act(qtbot, order_page, "accept")
    final = steps.order(gui_app, team, order.id)
    assert final.step == "site_visit" and final.status is OrderStatus.OPEN
    assert [h.action for h in final.history] == ["open", "visit", "accept"]
    assert not msgs.texts("critical")
