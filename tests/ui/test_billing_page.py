"""The billing page and the readings import, driven by clicks (offscreen)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from gasdesk.models import Payment, ReceiptPrint
from gasdesk.services.billing import BillingService, BillStatus
from gasdesk.ui.billing_page import BillingPage
from gasdesk.ui.readings_import import ReadingsImportPage
from gasdesk.ui.session import UiSession
from tests.helpers import active_resident, balance_of

pytestmark = pytest.mark.gui
D = Decimal


def click_row(qtbot, view, row):  # type: ignore[no-untyped-def]
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def press_ok(qtbot, dialog):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(dialog.isVisible)
    qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton)


@pytest.fixture
def billed(gui_app, gui_clock, team):  # type: ignore[no-untyped-def]
    """A household with two unpaid bills (265.00 in December, 26.50 in January)."""
    c, act = active_resident(gui_app, team, meter="M-UI")
    svc = BillingService(gui_app, team.clerk)
    gui_clock.set(datetime(2026, 12, 20, 9))
    svc.record_reading("M-UI", date(2026, 12, 20), "100")
    gui_clock.set(datetime(2027, 1, 5, 9))
    svc.record_reading("M-UI", date(2027, 1, 5), "110")
    return c, act


def open_page(qtbot, gui_app, actor, customer_id):  # type: ignore[no-untyped-def]
    page = BillingPage(UiSession(gui_app, actor), customer_id)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_pay_a_selected_bill_by_clicking(qtbot, gui_app, team, msgs, billed):  # type: ignore[no-untyped-def]
    c, act = billed
    page = open_page(qtbot, gui_app, team.clerk, c.id)
    assert "欠费 291.50" in page.balance.text()
    assert [b.number for b in page.bills_model.rows] == ["ZD-202701-000001", "ZD-202612-000001"]
    assert not page.pay_button.isEnabled() and not page.reverse_button.isEnabled()  # greyed, says who may
    click_row(qtbot, page.bills_view, 1)                     # the December bill
    assert page.pay_button.isEnabled() and "265.00" in page.selected_label.text()
    assert page.lines_model.rowCount() == 1                  # its tier lines
    qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert "265.00" in dialog.total_label.text()
    dialog.method.setCurrentIndex(dialog.method.findData("mobile"))
    dialog.print_receipt.setChecked(False)
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert balance_of(gui_app, act.account_id) == D("-26.50")
    assert "欠费 26.50" in page.balance.text()
    december = next(b for b in page.bills_model.rows if b.number == "ZD-202612-000001")
    assert december.status is BillStatus.PAID
    with gui_app.reading() as s:
        p = s.scalar(select(Payment).where(Payment.account_id == act.account_id))
        assert (p.kind, p.amount, p.method) == ("arrears", D("265.00"), "mobile")
    assert page.payments_model.rowCount() == 1 and msgs.texts("critical") == []


def test_prepay_prints_the_receipt_and_a_reprint_is_a_copy(qtbot, gui_app, team, msgs, billed):  # type: ignore[no-untyped-def]
    c, act = billed
    page = open_page(qtbot, gui_app, team.clerk, c.id)
    qtbot.mouseClick(page.prepay_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.keyClicks(dialog.amount, "300")
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=30_000)
    assert page.last_pdf is not None and page.last_pdf.startswith(b"%PDF")
    assert "预存 8.50" in page.balance.text()
    assert all(b.status is BillStatus.PAID for b in page.bills_model.rows)
    page.preview.close()
    page.preview = None
    page.tabs.setCurrentIndex(1)
    click_row(qtbot, page.payments_view, 0)
    qtbot.mouseClick(page.receipt_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=30_000)
    with gui_app.reading() as s:
        assert [r.copy for r in s.scalars(select(ReceiptPrint).order_by(ReceiptPrint.id))] == [False, True]
    page.preview.close()


def test_a_manager_reverses_a_payment_with_a_reason(qtbot, gui_app, team, msgs, billed):  # type: ignore[no-untyped-def]
    c, act = billed
    svc = BillingService(gui_app, team.clerk)
    svc.pay_bills(act.account_id, [b.id for b in svc.unpaid(act.account_id)], "cash")
    page = open_page(qtbot, gui_app, team.manager, c.id)
    assert not page.reverse_button.isHidden()
    page.tabs.setCurrentIndex(1)
    click_row(qtbot, page.payments_view, 0)
    qtbot.mouseClick(page.reverse_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "原因" in dialog.error.text()           # the reason is required
    dialog.reason.insertPlainText("客户要求退回，重复收费")  # QTest types ASCII only
    dialog.print_receipt.setChecked(False)  # the reversal receipt: tests/ui/test_defaults.py
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert balance_of(gui_app, act.account_id) == D("-291.50")
    assert all(b.status is BillStatus.UNPAID for b in page.bills_model.rows)
    assert [p.kind for p in page.payments_model.rows] == ["reversal", "arrears"]


def test_import_readings_shows_the_rejected_rows(qtbot, gui_app, gui_clock, team, msgs, tmp_path):  # type: ignore[no-untyped-def]
    active_resident(gui_app, team, meter="M-I1")
    gui_clock.set(datetime(2026, 12, 20, 9))
    wb = Workbook()
    ws = wb.active
    ws.append(["表号", "抄表日期", "读数"])
    ws.append(["M-I1", "2026-12-20", 12])
    ws.append(["M-404", "2026-12-20", 3])
    path = tmp_path / "抄表.xlsx"
    wb.save(path)
    page = ReadingsImportPage(UiSession(gui_app, team.clerk))
    qtbot.addWidget(page)
    page.show()
    assert not page.start_button.isEnabled()
    page.set_path(path)
    with qtbot.waitSignal(page.imported, timeout=30_000):
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert "导入 1 行" in page.summary.text() and "未导入 1 行" in page.summary.text()
    assert [(r.row, r.meter, r.reason) for r in page.rejected_model.rows] == [(3, "M-404", "表号不存在")]
    assert page.start_button.isEnabled()


def test_an_administrator_adds_a_price_in_the_tariff_panel(qtbot, gui_app, team, msgs):  # type: ignore[no-untyped-def]
    from gasdesk.ui.billing_page import TariffsPanel

    clerk_panel = TariffsPanel(UiSession(gui_app, team.clerk))
    qtbot.addWidget(clerk_panel)
    assert clerk_panel.add_button.isHidden()
    assert {r.gas_use_type for r in clerk_panel.model.rows} >= {"residential", "commercial"}  # illustrative defaults
    panel = TariffsPanel(UiSession(gui_app, team.admin))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    dialog.use.setCurrentIndex(dialog.use.findData("commercial"))
    assert not dialog.edits["price2"].isEnabled()
    qtbot.keyClicks(dialog.edits["price1"], "3.6")
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    added = [r for r in panel.model.rows if r.gas_use_type == "commercial" and r.price1 == D("3.6000")]
    assert len(added) == 1 and added[0].effective_from == date(2026, 11, 28)
