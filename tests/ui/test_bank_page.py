"""The bank page driven by keys and clicks (offscreen): a clerk signs an agreement and prints it; a
manager makes the debit file, imports the bank's return and sees the reconciliation."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt

from gasdesk.models import Account
from gasdesk.services.bank import BankService
from tests.bank_helpers import CARD_19, agree, answer, billed
from tests.helpers import active_resident

pytestmark = pytest.mark.gui


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def bank_page(qtbot, window, actor):  # type: ignore[no-untyped-def]
    win = window(actor)
    win.show_page(win.page_titles.index("银行代收代扣"))
    return win, win.bank


def test_a_clerk_records_an_agreement_and_prints_it(qtbot, gui_app, team, window, msgs):  # type: ignore[no-untyped-def]
    _, o = active_resident(gui_app, team, "张伟", meter="M-UI-BANK")
    with gui_app.reading() as s:
        number = s.get(Account, o.account_id).number
    win, page = bank_page(qtbot, window, team.clerk)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["代扣协议", "欠费催缴"]  # no bank files
    qtbot.keyClicks(page.account_edit, number)
    qtbot.keyClick(page.account_edit, Qt.Key.Key_Return)
    assert "张伟" in page.account_label.text() and page.holder_edit.text() == "张伟"
    page.bank_combo.setCurrentIndex(page.bank_combo.findData("NH"))
    page.branch_edit.setText("人民路支行")  # typed through the input method
    qtbot.keyClicks(page.card_edit, CARD_19[:-1] + str((int(CARD_19[-1]) + 1) % 10))  # a mistyped last digit
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert any("校验位" in t for t in msgs.texts("warning"))
    assert page.agreements_model.rowCount() == 0
    page.card_edit.clear()
    qtbot.keyClicks(page.card_edit, CARD_19)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert any("已签订代扣协议" in t for t in msgs.texts("information"))
    [row] = page.agreements_model.rows
    assert row.masked_account == f"{CARD_19[:4]} **** **** {CARD_19[-4:]}" and row.status.label == "有效"
    shown = [page.agreements_model.data(page.agreements_model.index(0, c)) for c in range(8)]
    assert CARD_19 not in "".join(str(x) for x in shown)
    qtbot.mouseClick(page.print_agreement_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.preview is not None and page.preview.isVisible())
    text = pdf_text(page.preview.pdf)
    assert "委托银行代扣燃气费协议书" in text and row.number in text and CARD_19 in text
    assert page.preview.page_count() == 1
    page.preview.close()


def test_a_manager_runs_a_debit_file_imports_its_return_and_sees_the_reconciliation(  # type: ignore[no-untyped-def]
        qtbot, gui_app, gui_clock, team, window, msgs, tmp_path, monkeypatch):
    _, o1, b1 = billed(gui_app, team, gui_clock, "张伟", "M-UI-B1", "30")
    _, o2, b2 = billed(gui_app, team, gui_clock, "李娜", "M-UI-B2", "40")
    agree(gui_app, team, o1.account_id, "GH", CARD_19, "张伟")
    agree(gui_app, team, o2.account_id, "GH", CARD_19, "李娜")
    gui_clock.set(datetime(2026, 12, 21, 9, 0))
    win, page = bank_page(qtbot, window, team.manager)
    page.tabs.setCurrentWidget(page.runs_tab)
    page.run_bank.setCurrentIndex(page.run_bank.findData("GH"))
    page.month_edit.clear()
    qtbot.keyClicks(page.month_edit, "2026-12")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    total = b1.amount + b2.amount
    assert f"可代扣 2 笔，合计 {total:,.2f} 元" in page.preview_label.text()
    debit = tmp_path / "debit.txt"
    monkeypatch.setattr(page, "ask_save_path", lambda title, name: str(debit))
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(debit.exists, timeout=20000)
    assert any("生成代扣文件" in t for t in msgs.texts("question"))
    [run] = page.runs_model.rows
    assert (run.count, run.total, run.status.label) == (2, total, "已送盘，待回盘")

    gui_clock.set(datetime(2026, 12, 27, 15, 0))
    back = tmp_path / "return.txt"
    back.write_bytes(answer(BankService(gui_app, team.manager).layout("GH"), debit.read_bytes(), {b2.number: "3001"}))
    monkeypatch.setattr(page, "ask_open_path", lambda title: str(back))
    page.runs_view.selectRow(0)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_import is not None, timeout=20000)
    assert page.summary.isVisible()
    assert any(f"扣款成功 1 笔 {b1.amount:,.2f} 元" in t and "确认入账" in t for t in msgs.texts("question"))
    assert f"成功 1 笔 {b1.amount:,.2f} 元" in page.summary.text() and "失败 1 笔" in page.summary.text()
    assert [(r.bill_number, r.note) for r in page.report_model.rows] == [(b2.number, "余额不足")]
    assert page.runs_model.rows[0].status.label == "已回盘"

    # the same file again: refused with the report, nothing imported
    page.runs_view.selectRow(0)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any("已经导入过" in t for t in msgs.texts("warning")), timeout=20000)
    assert page.report_model.rows[0].outcome == "拒收"

    page.tabs.setCurrentWidget(page.reconcile_tab)
    page.recon_from.setDate(QDate(2026, 12, 1))
    page.recon_to.setDate(QDate(2026, 12, 31))
    qtbot.mouseClick(page.recon_button, Qt.MouseButton.LeftButton)
    [rec] = page.recon_model.rows
    assert (rec.sent_count, rec.paid_count, rec.failed_count, rec.difference) == (2, 1, 1, 0)
    assert [d.channel for d in page.day_model.rows] == ["银行代扣"]
    assert [d.bill_number for d in page.diff_model.rows] == [b2.number]
    assert msgs.texts("critical") == []
