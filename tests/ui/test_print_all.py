"""打印全部: every form of the step in one PDF, one preview and one print job; the history names each
form printed; a receipt straight after payment when the clerk chose so."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtWidgets import QPushButton
from sqlalchemy import func, select

from gasdesk.flows.forms import FORMS
from gasdesk.models import ReceiptPrint
from gasdesk.services.orders import OrderService
from gasdesk.ui import local_settings, printing
from gasdesk.ui import wizard as wz
from gasdesk.ui.billing_page import BillingPage
from gasdesk.ui.session import UiSession
from tests.helpers import active_resident, resident
from tests.ui import steps
from tests.ui.driver import click, wizard_next


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_print_all_after_the_wizard_is_one_pdf_and_a_named_history_row_per_form(qtbot, gui_app, team, window, msgs):
    resident(gui_app, team.clerk, "房一")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "activation")
    steps.pick_customer(qtbot, wiz, "房一")
    steps.tick_documents(qtbot, wiz, ["property_proof", "owner_id"])
    steps.fill_application(qtbot, wiz)
    steps.submit(qtbot, wiz)
    click(qtbot, wiz.first_step_page.radios["accept"])
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.DONE_PAGE)
    done = wiz.done_page
    order = wiz.order
    assert order is not None
    expected = [f for f in printing.forms_for(clerk.session, order.id)]
    assert len(expected) >= 5  # 用户开通: acceptance slip, contract, reset agreement, safety notice, work sheet

    click(qtbot, done.findChild(QPushButton, "print_all"))
    chooser = done.printer.chooser
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)
    assert all(box.isChecked() for box in chooser.boxes)  # none printed yet: all ticked
    click(qtbot, chooser.ok_button)
    qtbot.waitUntil(lambda: done.printer.preview is not None and done.printer.preview.isVisible(), timeout=30000)
    preview = done.printer.preview
    assert preview is not None
    text = _squeeze(_text(preview.pdf))
    for f in expected:
        assert _squeeze(FORMS[f.code]) in text, f.title
    assert preview.page_count() >= len(expected)
    assert f"{len(expected)}份" in _squeeze(preview.windowTitle())

    history = OrderService(gui_app, team.admin).get(order.id).history
    printed = [h.action_label for h in history if h.action == "print"]
    assert printed == [f"打印：{f.title}" for f in expected]  # one row per form, each named
    assert "打印表单" not in printed
    preview.close()

    # 打印全部 again on the order page: everything printed already, so only the latest step's forms
    # are ticked; ticking none refuses with a message beside the list.
    page = clerk.open_order(order.id)
    chooser = page.print_all()
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)
    ticked = [f.code for f, box in zip(chooser.forms, chooser.boxes, strict=True) if box.isChecked()]
    latest = [f.code for f in printing.forms_for(clerk.session, order.id) if f.latest]
    assert ticked == latest and "acceptance" not in ticked
    click(qtbot, chooser.none_button)
    click(qtbot, chooser.ok_button)
    assert chooser.isVisible() and chooser.error.text() == "请至少勾选一张单据"
    chooser.reject()
    page.close()


def test_receipt_straight_to_the_printer_when_the_clerk_chose_so(qtbot, gui_app, gui_clock, team, window, msgs,
                                                                 monkeypatch, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    target = tmp_path / "printed.pdf"

    def printer():  # type: ignore[no-untyped-def]
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(target))
        return p

    monkeypatch.setattr(printing, "default_printer", printer)
    win = window(team.clerk)
    panel = win.settings_page.personal  # 系统设置 → 我的设置
    panel.receipt.setCurrentIndex(panel.receipt.findData(local_settings.RECEIPT_DIRECT))
    assert local_settings.receipt_mode(team.clerk.login) == local_settings.RECEIPT_DIRECT
    assert local_settings.receipt_mode(team.manager.login) == local_settings.RECEIPT_PREVIEW  # each clerk's own

    c, act = active_resident(gui_app, team, meter="M-PA")
    page = BillingPage(UiSession(gui_app, team.clerk), c.id)
    qtbot.addWidget(page)
    page.show()
    click(qtbot, page.prepay_button)
    dialog = page.dialog
    assert dialog.print_receipt.isChecked()
    qtbot.keyClicks(dialog.amount, "100")
    click(qtbot, dialog.findChild(QPushButton, "ok"))
    qtbot.waitUntil(lambda: target.exists() and target.stat().st_size > 0, timeout=30000)
    assert page.preview is None  # no preview and no dialog: straight to the printer
    assert len(PdfReader(str(target)).pages) == 1
    with gui_app.reading() as s:
        assert s.scalar(select(func.count()).select_from(ReceiptPrint)) == 1

    local_settings.set_receipt_mode(team.clerk.login, local_settings.RECEIPT_NONE)
    click(qtbot, page.prepay_button)
    assert not page.dialog.print_receipt.isChecked()
    page.dialog.reject()
