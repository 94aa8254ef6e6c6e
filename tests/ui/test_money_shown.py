"""Money at the counter as the clerk types it (issue 14): a minus sign is refused beside the field and
takes nothing; the settle dialog shows the breakdown that the receipt then prints."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from gasdesk.models import Payment
from gasdesk.services.orders import OrderService
from gasdesk.services.printing import PrintService
from gasdesk.ui.action_form import ActionDialog
from gasdesk.ui.billing_page import PrepayDialog
from gasdesk.ui.session import UiSession
from gasdesk.validation import make_resident_id, mask_id
from tests.helpers import active_resident, balance_of, snapshot

pytestmark = pytest.mark.gui
D = Decimal


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_typing_minus_50_in_a_money_field_shows_the_refusal_and_takes_nothing(qtbot, gui_app, team):
    from gasdesk.services.customers import CustomerService

    _, act = active_resident(gui_app, team, meter="M-NEG", balance=D("10"))
    account = next(a for a in CustomerService(gui_app, team.clerk).accounts(_.id) if a.id == act.account_id)
    dialog = PrepayDialog(UiSession(gui_app, team.clerk), account)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = snapshot(gui_app)
    dialog.amount.setFocus()
    qtbot.keyClicks(dialog.amount, "-50")
    assert dialog.amount.text() == "-50"                       # the sign is kept, never dropped
    assert dialog.amount_error.isVisible() and "不能为负数" in dialog.amount_error.text()
    qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "不能为负数" in dialog.error.text()
    assert snapshot(gui_app) == before and balance_of(gui_app, act.account_id) == D("10.00")
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, "12.345")
    assert "两位小数" in dialog.amount_error.text()
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, "50")
    assert not dialog.amount_error.isVisible()


def test_the_settle_dialog_shows_the_breakdown_that_the_receipt_prints(qtbot, gui_app, gui_clock, team):
    from datetime import datetime

    c, act = active_resident(gui_app, team, meter="M-SHOW", balance=D("800"))
    clerk = OrderService(gui_app, team.clerk)
    o = clerk.open("transfer", c.id, documents=["both_ids", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {
        "new_name": "王芳", "new_id_type": "resident_id", "new_phone": "13700000001",
        "new_id_number": make_resident_id("520103", __import__("datetime").date(1990, 5, 6), 12)})
    gui_clock.set(datetime(2026, 12, 20, 10))
    session = UiSession(gui_app, team.clerk)
    action = next(a for a in o.actions if a.code == "settled")
    dialog = ActionDialog(session, o, action)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    reading = dialog.form.editor("final_reading")
    reading.setFocus()
    qtbot.keyClicks(reading, "35.3")
    money = dialog.findChild(QLabel, "settlement")
    qtbot.waitUntil(lambda: money.isVisible() and "93.55" in money.text())
    shown = re.sub(r"<[^>]+>", " ", money.text())
    for fact in ("结算前账户余额", "800.00", "35.3", "第1阶梯气量", "35.300 m³ × 2.65 元 = 93.55 元", "本次气费",
                 "退还预存款", "706.45", "应退客户 706.45 元", "结算后账户余额"):
        assert fact in shown, fact
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_app.reading() as s:
        paid = s.execute(select(Payment.id, Payment.kind, Payment.amount).where(Payment.order_id == o.id)).all()
    assert [(k, a) for _, k, a in paid] == [("refund", D("706.45"))]     # what the screen promised
    pdf = PrintService(gui_app, team.clerk).render(o.id, "receipt", payment_id=paid[0][0])
    text = _pdf_text(pdf)
    for fact in ("结算明细", "结算前账户余额", "800.00", "35.300m³×2.65元=93.55元", "退还预存款", "应退客户706.45元"):
        assert fact in text, fact


def test_a_clerk_corrects_a_recorded_field_on_the_order_page(qtbot, gui_app, team):
    from datetime import date

    from gasdesk.ui.order_page import OrderPage

    c, act = active_resident(gui_app, team, meter="M-COR")
    clerk = OrderService(gui_app, team.clerk)
    o = clerk.open("transfer", c.id, documents=["both_ids", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    wrong = make_resident_id("520103", date(1991, 6, 7), 21)
    right = make_resident_id("520103", date(1990, 5, 6), 12)
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": wrong, "new_phone": "13700000001"})
    page = OrderPage(UiSession(gui_app, team.clerk), o.id)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    assert page.correct_button.isVisible()
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.which.setCurrentIndex(dialog.which.findData("new_id_number"))
    assert dialog.old.text() == mask_id(wrong)  # the clerk may not see ID numbers whole
    edit = dialog.editor.widget
    edit.clear()
    qtbot.keyClicks(edit, right)
    qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "原因" in dialog.error.text()        # a correction needs a reason
    dialog.reason.setText("证件号码抄错")  # Chinese comes from the IME, not key by key
    qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert OrderService(gui_app, team.manager).get(o.id).data["new_id_number"] == right
    assert page.history_model.rows[-1].action == "correct"
