"""Issue 18 item 8: defaults that fit what was registered, states that look like what they are, search
that ignores spaces and full width and says how many, and a reversal a clerk understands."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from gasdesk.services.billing import BillingService
from gasdesk.services.orders import OrderService
from gasdesk.ui import wizard as wz
from gasdesk.ui.billing_page import BillingPage
from gasdesk.ui.main_window import SEARCH
from gasdesk.ui.order_page import current_reason
from gasdesk.ui.session import UiSession
from gasdesk.ui.settings_page import ProfilePage
from tests.helpers import active_resident, resident
from tests.ui import steps
from tests.ui.driver import choose, click_row
from tests.ui.test_keyboard import key, typed

COMPLAINT = {"content": "抄表员态度差"}


def complaint_first_step(qtbot, gui_app, team, window, actor, complaint_type):  # type: ignore[no-untyped-def]
    c = resident(gui_app, team.clerk, "默认户")
    win = window(actor)
    wiz = steps.start_wizard(qtbot, win, "complaint")
    steps.pick_customer(qtbot, wiz, "默认户")
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FORM_PAGE)
    return c, win, wiz


def test_a_complaint_is_not_preselected_as_an_enquiry_answered(qtbot, gui_app, team, window, msgs):
    c, _win, wiz = complaint_first_step(qtbot, gui_app, team, window, team.clerk, "complaint")
    steps.fill(qtbot, wiz.form_page.form, {"complaint_type": "complaint", **COMPLAINT})
    steps.wizard_next(qtbot, wiz)
    steps.submit(qtbot, wiz)
    page = wiz.first_step_page
    assert page.chosen() == "explanation_accepted"
    assert not page.radios["enquiry_answered"].isChecked()


def test_an_enquiry_is_preselected_as_answered(qtbot, gui_app, team, window, msgs):
    c, _win, wiz = complaint_first_step(qtbot, gui_app, team, window, team.clerk, "enquiry")
    steps.fill(qtbot, wiz.form_page.form, {"complaint_type": "enquiry", **COMPLAINT})
    steps.wizard_next(qtbot, wiz)
    steps.submit(qtbot, wiz)
    assert wiz.first_step_page.chosen() == "enquiry_answered"


def test_the_contact_phone_comes_from_the_customer(qtbot, gui_app, team, window, msgs):
    # a clerk sees the phone masked: it is named, and left empty the order takes the customer's own
    c, _win, wiz = complaint_first_step(qtbot, gui_app, team, window, team.clerk, "complaint")
    phone = wiz.form_page.form.editor("contact_phone")
    assert isinstance(phone, QLineEdit) and phone.text() == ""
    assert c.phone[-4:] in phone.placeholderText() and "留空" in phone.placeholderText()
    steps.fill(qtbot, wiz.form_page.form, COMPLAINT)
    steps.wizard_next(qtbot, wiz)
    order = steps.submit(qtbot, wiz)
    assert order.data["contact_phone"] == c.phone
    wiz.reject()


def test_a_manager_sees_the_phone_filled_in(qtbot, gui_app, team, window, msgs):
    c, _win, wiz = complaint_first_step(qtbot, gui_app, team, window, team.manager, "complaint")
    assert wiz.form_page.form.editors["contact_phone"].value() == c.phone
    wiz.reject()


def test_the_meter_rating_follows_the_meter_model(qtbot, gui_app, team, window, msgs):
    c = resident(gui_app, team.clerk, "表型户")
    orders = OrderService(gui_app, team.clerk)
    o = orders.open("activation", c.id, documents=["property_proof", "owner_id"])
    o = orders.perform(o.id, "accept")
    dispatcher = window(team.dispatcher)
    page = dispatcher.open_order(o.id)
    page.start_action(page.order.flow.step(o.step).action("work_done"))
    form = page.dialog.form
    assert form.editors["meter_model"].value() == "JBD2.5膜式燃气表"
    assert form.editors["meter_rating"].value() == "G2.5"  # not G1.6 beside a JBD2.5
    model = form.editor("meter_model")
    model.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is model)
    model.selectAll()
    typed(qtbot, "JBD4")
    assert form.editors["meter_rating"].value() == "G4"
    choose(form.editor("meter_rating"), "G6")  # picked by hand: the model no longer moves it
    model.setFocus()
    typed(qtbot, "X")
    assert form.editors["meter_rating"].value() == "G6"
    page.dialog.reject()


@pytest.mark.parametrize(("work", "shown", "hidden"), [("removal", "拆除", "封堵"), ("plugging", "封堵", "拆除"),
                                                       (None, "拆除", None)])
def test_the_closure_confirm_page_lists_the_fee_of_the_chosen_work(qtbot, gui_app, team, window, msgs,
                                                                  work, shown, hidden):
    active_resident(gui_app, team, "销户户")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "closure")
    steps.pick_customer(qtbot, wiz, "销户户")
    steps.tick_documents(qtbot, wiz, ["id_copy", "property_proof", "property_mgmt"])
    steps.fill_application(qtbot, wiz, {"facilities": work} if work else {})
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CONFIRM_PAGE)
    text = wiz.confirm_page.summary.text()
    fees = [line for line in text.split("<br>") if "按收费标准" in line]
    assert any(shown in line for line in fees), fees
    if hidden:
        assert not any(hidden in line for line in fees), fees
    else:
        assert len(fees) == 2  # not chosen yet: both, each with its own step
    wiz.reject()


def test_the_latest_reason_is_not_an_old_one_on_an_archived_order(qtbot, gui_app, team, window, msgs):
    c = resident(gui_app, team.clerk, "原因户")
    clerk_orders, dispatch = OrderService(gui_app, team.clerk), OrderService(gui_app, team.dispatcher)
    o = clerk_orders.open("activation", c.id, documents=["property_proof", "owner_id"])
    o = clerk_orders.perform(o.id, "accept")
    o = dispatch.perform(o.id, "conditions_not_met", reason="厨房未安装燃气报警器")
    assert current_reason(o) == "厨房未安装燃气报警器"  # waiting for the customer: that is why
    o = dispatch.perform(o.id, "rebook", {"appointment_at": "2026-12-01T10:00"})
    assert current_reason(o) == ""
    o = dispatch.perform(o.id, "work_done", {"meter_number": "M-R1", "meter_model": "JBD2.5", "meter_rating": "G2.5",
                                             "initial_reading": "0"})
    page = window(team.clerk).open_order(o.id)
    assert page.order.status.value == "archived" and page.order.reason == "厨房未安装燃气报警器"
    assert page.info_labels["reason"].text() == "—"
    refused = clerk_orders.open("activation", resident(gui_app, team.clerk, "拒绝户").id)
    refused = clerk_orders.perform(refused.id, "refuse", reason="资料不齐全")
    assert current_reason(refused) == "资料不齐全"


def test_settings_a_clerk_cannot_save_look_read_only(qtbot, gui_app, team, msgs):
    clerk = ProfilePage(UiSession(gui_app, team.clerk))
    qtbot.addWidget(clerk)
    edit = next(iter(clerk.edits.values()))
    assert all(e.isReadOnly() for e in clerk.edits.values()) and not clerk.save_button.isEnabled()
    assert ":read-only" in clerk.styleSheet() and "只读" in edit.toolTip()
    clerk.show()
    qtbot.waitExposed(clerk)
    editable_bg = ProfilePage(UiSession(gui_app, team.admin))
    qtbot.addWidget(editable_bg)
    editable_bg.show()
    qtbot.waitExposed(editable_bg)
    admin_edit = next(iter(editable_bg.edits.values()))
    assert not admin_edit.isReadOnly() and editable_bg.save_button.isEnabled()
    # what the eye sees: the read-only field is painted grey, the editable one white
    grey = edit.grab().toImage().pixelColor(edit.width() // 2, 3)
    white = admin_edit.grab().toImage().pixelColor(admin_edit.width() // 2, 3)
    assert grey.lightness() < white.lightness()


def find(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+F: the search page with the cursor in its box."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.stack.currentIndex() == SEARCH and QApplication.focusWidget() is win.search.edit)


def test_search_ignores_spaces_and_full_width_and_says_how_many(qtbot, gui_app, team, window, msgs):
    for i in range(3):
        resident(gui_app, team.clerk, "张伟" if i < 2 else "张伟明")
    win = window(team.clerk)
    find(qtbot, win)
    box = win.search.box
    typed(qtbot, "张 伟")
    key(qtbot, Qt.Key.Key_Return)
    assert [h.customer.name for h in box.model.hits] == ["张伟", "张伟", "张伟明"]
    assert box.count_label.text() == "共 3 位客户"
    box.edit.selectAll()
    typed(qtbot, "ＺＷ")
    key(qtbot, Qt.Key.Key_Return)
    assert box.model.rowCount() == 3


def test_a_long_list_says_how_many_or_more_than(qtbot, gui_app, team, window, msgs, monkeypatch):
    from gasdesk.ui import customer_search

    for _ in range(7):
        resident(gui_app, team.clerk, "李娜")
    win = window(team.clerk)
    box = win.search.box
    box.model.page_size = 3
    find(qtbot, win)
    typed(qtbot, "李娜")
    key(qtbot, Qt.Key.Key_Return)
    assert box.count_label.text().startswith("共 7 位客户，已显示 3 位")
    monkeypatch.setattr(customer_search, "COUNT_CAP", 5)
    box.search_now()
    assert box.count_label.text().startswith("超过 5 位客户")


@pytest.fixture
def paid(gui_app, gui_clock, team):  # type: ignore[no-untyped-def]
    c, act = active_resident(gui_app, team, meter="M-RV")
    svc = BillingService(gui_app, team.clerk)
    gui_clock.set(datetime(2026, 12, 20, 9))
    svc.record_reading("M-RV", date(2026, 12, 20), "100")
    payment = svc.pay_bills(act.account_id, [b.id for b in svc.unpaid(act.account_id)], "cash")
    return c, act, payment


def billing(qtbot, gui_app, actor, customer_id):  # type: ignore[no-untyped-def]
    page = BillingPage(UiSession(gui_app, actor), customer_id)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_a_clerk_is_told_who_may_reverse(qtbot, gui_app, team, msgs, paid):
    c, _act, _payment = paid
    page = billing(qtbot, gui_app, team.clerk, c.id)
    page.tabs.setCurrentIndex(1)
    assert page.reverse_button.isVisible() and not page.reverse_button.isEnabled()
    assert page.reverse_button.toolTip() == "冲正需由管理人员或系统管理员办理"
    assert page.reverse_hint.isVisible() and page.reverse_hint.text() == page.reverse_button.toolTip()


def test_a_managers_reversal_prints_a_reversal_receipt(qtbot, gui_app, team, msgs, paid):
    c, _act, payment = paid
    page = billing(qtbot, gui_app, team.manager, c.id)
    assert not page.reverse_hint.isVisible() and page.reverse_button.isEnabled()
    page.tabs.setCurrentIndex(1)
    click_row(qtbot, page.payments_view, 0)
    page.reverse_selected()
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.print_receipt.isChecked()
    dialog.reason.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    typed(qtbot, "重复收费")
    key(qtbot, Qt.Key.Key_Return)  # Enter in the reason: 冲正
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: getattr(page, "preview", None) is not None, timeout=30_000)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(page.last_pdf)).pages)
    assert "冲正收据" in text and "被冲正的原收费" in text
    assert payment.receipt_number in text and "重复收费" in text
    assert f"{payment.amount:,.2f}".replace(",", "") in text.replace(",", "")
    assert Decimal(payment.amount) > 0
    page.preview.close()
