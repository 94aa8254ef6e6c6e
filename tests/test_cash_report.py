"""The printed daily cash report (收费日结单): a cashier's day, signed, with the audit chain's head."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from pypdf import PdfReader

from gasdesk.cli import main
from gasdesk.services import anchors
from gasdesk.services.cash_report import CashReportService
from gasdesk.services.errors import NotAllowed
from gasdesk.services.payments import PaymentService
from tests.helpers import active_resident, make_team


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_cashiers_day_with_its_audit_head(app, tmp_path, clock):
    team = make_team(app)
    _c, o = active_resident(app, team)
    payments = PaymentService(app, team.clerk)
    p1 = payments.prepay(o.account_id, Decimal("200.00"), "cash")
    payments.prepay(o.account_id, Decimal("50.50"), "mobile")
    PaymentService(app, team.manager).reverse(p1.id, "收错金额")
    clock.advance(days=1)
    payments.prepay(o.account_id, Decimal("9.00"), "cash")  # the next day: not on this report
    folder = tmp_path / "anchors"
    pdf, data = CashReportService(app, team.clerk).print_day(p1.at.date(), anchor_folder=folder)
    assert data.net == Decimal("250.50") and len(data.receipts) == 2
    text = pdf_text(pdf)
    assert "收费日结单" in text and "李娜" in text and p1.receipt_number in text
    assert "250.50" in text and "200.00" in text and "50.50" in text and "9.00" not in text
    assert data.anchor in text.replace("\n", "")
    assert "收费员签字" in text and "复核人签字" in text
    line = json.loads((folder / anchors.ANCHOR_FILE).read_text(encoding="utf-8").splitlines()[-1])
    assert (line["kind"], line["entry_id"], line["hash"]) == ("cash_report", data.audit_entry_id, data.audit_head)
    # the manager's reversal is on the manager's own report
    _pdf, managers = CashReportService(app, team.manager).print_day(p1.at.date(), team.manager.staff_id,
                                                                    anchor_folder=folder)
    assert managers.net == Decimal("-200.00")


def test_only_managers_print_another_cashiers_day(app, tmp_path):
    team = make_team(app)
    day = app.clock.now().date()
    with pytest.raises(NotAllowed):
        CashReportService(app, team.clerk).print_day(day, team.manager.staff_id, anchor_folder=tmp_path)
    with pytest.raises(NotAllowed):
        CashReportService(app, team.dispatcher).print_day(day, anchor_folder=tmp_path)
    _pdf, data = CashReportService(app, team.manager).print_day(day, team.clerk.staff_id, anchor_folder=tmp_path)
    assert data.receipts == [] and data.net == 0


def test_cli_cash_report(app, tmp_path, capsys):
    team = make_team(app)
    _c, o = active_resident(app, team)
    PaymentService(app, team.clerk).prepay(o.account_id, Decimal("30.00"), "card")
    out = tmp_path / "日结.pdf"
    assert main(["--db", app.url, "cashreport", "--day", app.clock.now().date().isoformat(), "--user", "clerk",
                 "--out", str(out), "--anchors", str(tmp_path / "a")]) == 0
    printed = capsys.readouterr().out
    anchor = printed.rsplit("审计链锚点：", 1)[1].strip()
    assert anchor in pdf_text(out.read_bytes()).replace("\n", "")
    assert main(["--db", app.url, "audit", "verify", "--backups", str(tmp_path / "a"), "--anchor", anchor]) == 0
