"""业务 → 打印今日收费日结单 previews the signed-in cashier's day, with the audit head printed on it."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader
from PySide6.QtGui import QAction

from gasdesk.services.payments import PaymentService
from tests.helpers import active_resident


def _menu_action(win, text):  # type: ignore[no-untyped-def]
    return next(a for a in win.findChildren(QAction) if a.text() == text)


def test_a_cashier_prints_todays_cash_report(qtbot, window, gui_app, team, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _c, o = active_resident(gui_app, team)
    paid = PaymentService(gui_app, team.clerk).prepay(o.account_id, Decimal("66.00"), "cash")
    win = window(team.clerk)
    _menu_action(win, "打印今日收费日结单…").trigger()
    qtbot.waitUntil(lambda: getattr(win, "cash_report_preview", None) is not None, timeout=30_000)
    preview = win.cash_report_preview
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(preview.pdf)).pages)
    assert "收费日结单" in text and paid.receipt_number in text and "66.00" in text and "审计锚点" in text
    preview.close()
    assert list((tmp_path / "data").rglob("audit-anchors.jsonl"))


def test_the_menu_item_is_for_those_who_take_payments(window, team):
    win = window(team.dispatcher)
    assert not [a for a in win.findChildren(QAction) if a.text() == "打印今日收费日结单…"]
