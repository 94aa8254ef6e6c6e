"""Paying at the bank: agreements, debit files in both example layouts (byte-exact GBK fixtures), the
return (paid, failed, unknown, changed, twice), a bill paid at the counter meanwhile, collection files,
reconciliation and its ledger, the daily cash report's bank column, arrears notices."""

from __future__ import annotations

import io
import os
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from gasdesk.bankfiles import EXAMPLE_FIXED, Layout
from gasdesk.models import Account, AuditEntry, BankRunLine, Bill, Customer, Payment
from gasdesk.services import audit
from gasdesk.services.bank import BankService, Cancelled, FileRefused, RunStatus
from gasdesk.services.billing import BillingService
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.ledgers import LedgerFilter, LedgerService, list_ledgers
from tests.bank_helpers import CARD_16, CARD_19, CARD_19B, agree, answer, billed
from tests.helpers import make_team, snapshot
from tests.test_billing import books_balance

D = Decimal
FIXTURES = Path(__file__).parent / "fixtures" / "bank"
RUN_DAY = datetime(2026, 12, 21, 9, 30)
RETURN_DAY = datetime(2026, 12, 27, 15, 0)


@pytest.fixture
def team(app):
    return make_team(app)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def two_households(app, team, clock, bank="GH", cards=(CARD_19, CARD_19B)):
    _, o1, b1 = billed(app, team, clock, "张伟", "M-BANK-1", "30")
    _, o2, b2 = billed(app, team, clock, "欧阳娜娜", "M-BANK-2", "45")
    agree(app, team, o1.account_id, bank, cards[0], "张伟")
    agree(app, team, o2.account_id, bank, cards[1], "欧阳娜娜")
    return (o1, b1), (o2, b2)


def audit_ok(app) -> None:
    """`gasdesk audit verify` passes: the bulk-written payments, bills and balances are sealed in the chain."""
    with app.reading() as s:
        report = audit.check(s)
    assert report.ok, report.lines()


def make_run(app, team, clock, bank="GH", month="2026-12"):
    clock.set(RUN_DAY)
    return BankService(app, team.manager).create_run(bank, month)


# --- agreements ---------------------------------------------------------------------------------------

def test_agreement_is_validated_masked_audited_and_printed(app, team, clock):
    _, o, _ = billed(app, team, clock, "张伟", "M-AG-1", "20")
    svc = BankService(app, team.clerk)
    bad = [
        ("6222021000000000012", "校验位"),  # Luhn wrong
        ("62220210000001", "16、19 位"),  # length
        ("6222-0210-abcd", "数字"),
    ]
    before = snapshot(app)
    for card, message in bad:
        with pytest.raises(Refused, match=message) as exc:
            svc.open_agreement(o.account_id, bank="GH", branch="人民路支行", holder="张伟", bank_account=card)
        assert exc.value.field == "bank_account"
    with pytest.raises(Refused, match="19 位"):  # the fixed-layout bank takes 19-digit cards only
        svc.open_agreement(o.account_id, bank="NH", branch="人民路支行", holder="张伟", bank_account=CARD_16)
    with pytest.raises(Refused, match="不能表示"):
        svc.open_agreement(o.account_id, bank="GH", branch="人民路支行", holder="张\U00020bb7", bank_account=CARD_19)
    with pytest.raises(Refused, match="15 个汉字"):  # the fixed layout's holder field is 30 bytes
        svc.open_agreement(o.account_id, bank="NH", branch="人民路支行", holder="张" * 16, bank_account=CARD_19)
    with pytest.raises(Refused, match="签约银行"):
        svc.open_agreement(o.account_id, bank="XX", branch="人民路支行", holder="张伟", bank_account=CARD_19)
    assert snapshot(app) == before

    a = svc.open_agreement(o.account_id, bank="GH", branch="人民路支行", holder="张伟",
                           bank_account=" ".join([CARD_16[:4], CARD_16[4:8], CARD_16[8:12], CARD_16[12:]]))
    assert a.masked_account == f"{CARD_16[:4]} **** **** {CARD_16[-4:]}"
    assert CARD_16 not in repr(a)
    with pytest.raises(Refused, match="已有代扣协议"):
        svc.open_agreement(o.account_id, bank="NH", branch="x", holder="张伟", bank_account=CARD_19)
    with app.reading() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "bank_agreement"))
        assert CARD_16 not in str(entry.changes) and CARD_16[-4:] in str(entry.changes)

    with app.unit_of_work() as s:  # a later detail change does not change the signed agreement
        s.get(Customer, s.get(Account, o.account_id).customer_id).name = "张伟改"
    text = pdf_text(svc.render_agreement(a.id))
    assert "张伟改" not in text and "张伟" in text
    assert "委托银行代扣燃气费协议书" in text and a.number in text and CARD_16 in text and "人民路支行" in text
    assert "副" not in text
    assert "副" in pdf_text(svc.render_agreement(a.id))  # the second print is a copy

    a = svc.set_status(a.id, "suspended", "客户要求暂停")
    assert a.status.label == "暂停代扣"
    a = svc.set_status(a.id, "active")
    a = svc.change_agreement(a.id, branch="中华路支行", holder="张伟", bank_account=CARD_19, version=a.version)
    assert a.masked_account.endswith(CARD_19[-4:])
    with pytest.raises(Refused, match="原因"):
        svc.set_status(a.id, "cancelled")
    a = svc.set_status(a.id, "cancelled", "客户销卡")
    # cancelled: a new agreement may be opened on the account
    agree(app, team, o.account_id, "NH", CARD_19B)
    with pytest.raises(NotAllowed):
        BankService(app, team.handler).open_agreement(o.account_id, bank="GH", branch="x", holder="张伟",
                                                      bank_account=CARD_19)


# --- debit files ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bank,fixture", [("GH", "GH_debit.txt"), ("NH", "NH_debit.txt")])
def test_debit_file_in_each_example_layout_is_byte_exact(app, team, clock, bank, fixture):
    two_households(app, team, clock, bank)
    svc = BankService(app, team.manager)
    clock.set(RUN_DAY)
    preview = svc.preview_run(bank, "2026-12")
    run, data = svc.create_run(bank, "2026-12")
    assert (run.count, run.total) == (preview.count, preview.total) == (2, preview.total)
    if os.environ.get("GASDESK_WRITE_BANK_FIXTURES"):  # regenerate after a deliberate layout change
        (FIXTURES / fixture).write_bytes(data)
    expected = (FIXTURES / fixture).read_bytes()
    assert data == expected
    assert "欧阳娜娜".encode("gbk") in data and b"\r\n" in data
    assert svc.run_file(run.id) == (run.file_name, data)
    sheet = pdf_text(svc.render_transmittal(run.id))
    assert run.number in sheet and "2 笔" in sheet and f"{run.total:,.2f}" in sheet


def test_a_bill_is_in_at_most_one_open_run_and_only_active_agreements_count(app, team, clock):
    (o1, b1), (o2, b2) = two_households(app, team, clock)
    svc = BankService(app, team.manager)
    suspended = BankService(app, team.clerk).agreements_of(o2.account_id)[0]
    BankService(app, team.clerk).set_status(suspended.id, "suspended", "客户要求")
    run, _ = make_run(app, team, clock)
    assert run.count == 1 and run.total == b1.amount
    with pytest.raises(Refused, match="没有可代扣的账单"):
        svc.create_run("GH", "2026-12")
    with pytest.raises(Refused, match="尚未回盘"):
        BankService(app, team.clerk).set_status(BankService(app, team.clerk).agreements_of(o1.account_id)[0].id,
                                                "cancelled", "销卡")
    with pytest.raises(Refused, match="账期"):
        svc.create_run("GH", "2026-13")
    with pytest.raises(NotAllowed):
        BankService(app, team.clerk).create_run("GH", "2026-12")
    svc.withdraw_run(run.id, "银行退回整个文件")
    again, _ = svc.create_run("GH", "2026-12")
    assert again.count == 1


# --- the return -------------------------------------------------------------------------------------------

def test_return_settles_paid_lines_keeps_failed_ones_and_closes_the_run(app, team, clock):
    (o1, b1), (o2, b2) = two_households(app, team, clock)
    run, data = make_run(app, team, clock)
    layout = BankService(app, team.manager).layout("GH")
    back = answer(layout, data, {b2.number: "3001"})
    clock.set(RETURN_DAY)
    before = snapshot(app)
    seen = BankService(app, team.manager).import_return(run.id, back, "return.txt", preview=True)
    assert (seen.paid_count, seen.paid_total, seen.failed_count) == (1, b1.amount, 1)
    assert snapshot(app) == before  # the amounts are shown before the money moves
    result = BankService(app, team.manager).import_return(run.id, back, "return.txt")
    assert (result.paid_count, result.paid_total) == (1, b1.amount)
    assert (result.failed_count, result.failed_total) == (1, b2.amount)
    assert result.credited_count == 0
    assert [r.note for r in result.report] == ["余额不足"]
    assert result.first_receipt.startswith("SJ-20261227-")
    with app.reading() as s:
        bill1, bill2 = s.get(Bill, b1.id), s.get(Bill, b2.id)
        assert (bill1.status, bill1.paid) == ("paid", b1.amount)
        assert (bill2.status, bill2.paid) == ("unpaid", D("0.00"))
        pay = s.scalar(select(Payment).where(Payment.account_id == o1.account_id, Payment.method == "bank_debit"))
        assert pay.receipt_number == result.first_receipt and pay.amount == b1.amount
        assert s.scalar(select(func.count()).select_from(BankRunLine)
                        .where(BankRunLine.pending_bill_id.is_not(None))) == 0
        line = s.scalar(select(BankRunLine).where(BankRunLine.bill_id == b2.id))
        assert (line.outcome, line.result_code, line.reason) == ("failed", "3001", "余额不足")
    assert books_balance(app, o1.account_id) == D("0.00")
    assert books_balance(app, o2.account_id) == -b2.amount
    runs = BankService(app, team.manager).runs()
    assert runs[0].status is RunStatus.RETURNED and runs[0].paid_count == 1
    audit_ok(app)
    # the failed bill may go to the bank again in a later run
    clock.set(datetime(2026, 12, 28, 9, 0))
    later, _ = BankService(app, team.manager).create_run("GH", "2026-12")
    assert later.count == 1 and later.total == b2.amount
    # the receipt prints like a counter payment's
    from gasdesk.services.receipts import ReceiptService
    with app.reading() as s:
        pid = s.scalar(select(Payment.id).where(Payment.receipt_number == result.first_receipt))
    assert result.first_receipt in pdf_text(ReceiptService(app, team.clerk).render(pid))


def test_a_bad_return_is_refused_whole_with_a_report_and_nothing_written(app, team, clock):
    (o1, b1), (o2, b2) = two_households(app, team, clock)
    run, data = make_run(app, team, clock)
    svc = BankService(app, team.manager)
    layout = svc.layout("GH")
    clock.set(RETURN_DAY)
    before = snapshot(app)
    stranger = {"seq": 3, "bill_number": "ZD-209901-999999", "account_number": "A0", "bank_account": CARD_19,
                "holder": "某人", "amount": D("1.00"), "month": "2026-12", "result": "0000", "message": ""}
    cases = [
        (answer(layout, data, {}, extra=[stranger]), "ZD-209901-999999 不在本批次"),
        (answer(layout, data, {}, amounts={b1.number: b1.amount + 1}), "与送盘金额"),
        (answer(layout, data, {}, drop={b2.number}), "没有回盘"),
        (answer(layout, data, {}, batch="DKPC-20261221-9999"), "不是 " + run.number),
        (data.replace(b"|", b",", 3), "字段"),
    ]
    for back, problem in cases:
        with pytest.raises(FileRefused) as exc:
            svc.import_return(run.id, back)
        assert any(problem in text for _, text in exc.value.problems), exc.value.problems
        assert snapshot(app) == before
    good = answer(layout, data, {})
    svc.import_return(run.id, good)
    after = snapshot(app)
    with pytest.raises(FileRefused, match="已经导入过"):
        svc.import_return(run.id, good)
    assert snapshot(app) == after
    with pytest.raises(FileRefused, match="已回盘"):
        svc.import_return(run.id, answer(layout, data, {b1.number: "3002"}))


def test_a_bill_paid_at_the_counter_after_it_went_to_the_bank_becomes_prepaid_credit(app, team, clock):
    """Rule: the bank's paid line is never refused (the money is in the company's account): it pays what
    the bill still owes and the rest becomes prepaid balance, listed in the report; no bill is paid twice."""
    (o1, b1), (o2, b2) = two_households(app, team, clock)
    run, data = make_run(app, team, clock)
    clock.set(datetime(2026, 12, 22, 11, 0))
    BillingService(app, team.clerk).pay_bills(o1.account_id, [b1.id], "cash")
    svc = BankService(app, team.manager)
    layout = svc.layout("GH")
    clock.set(RETURN_DAY)
    result = svc.import_return(run.id, answer(layout, data, {}))
    assert (result.paid_count, result.credited_count, result.credited_total) == (1, 1, b1.amount)
    assert [(r.bill_number, r.outcome) for r in result.report] == [(b1.number, "扣款成功，转预存")]
    assert "转为预存款" in result.report[0].note
    assert books_balance(app, o1.account_id) == b1.amount  # prepaid credit, the bill paid once
    with app.reading() as s:
        assert s.get(Bill, b1.id).paid == b1.amount
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.account_id == o1.account_id)) == 2
    assert books_balance(app, o2.account_id) == D("0.00")
    audit_ok(app)
    diffs = svc.differences(date(2026, 12, 1), date(2026, 12, 31))
    assert [(d.bill_number, d.what.split("：")[0]) for d in diffs] == [(b1.number, "扣款成功，转预存")]


# --- collection files ------------------------------------------------------------------------------------

def test_collection_file_pays_bills_and_refuses_unknown_changed_and_repeated_lines(app, team, clock):
    _, o1, b1 = billed(app, team, clock, "张伟", "M-COL-1", "30")
    _, o2, b2 = billed(app, team, clock, "李娜", "M-COL-2", "40")
    svc = BankService(app, team.manager)
    layout = Layout.from_dict(EXAMPLE_FIXED)
    clock.set(datetime(2026, 12, 23, 9, 0))

    def file(*rows):
        return layout.write("collection", [
            {"serial": serial, "bill_number": bill, "account_number": acc, "amount": amount,
             "paid_date": date(2026, 12, 22), "branch": "南明支行"} for serial, bill, acc, amount in rows],
            batch="", file_date=date(2026, 12, 22))

    with app.reading() as s:
        acc1, acc2 = (s.get(Bill, b).account_id for b in (b1.id, b2.id))
    with app.reading() as s:
        n1, n2 = s.get(Account, acc1).number, s.get(Account, acc2).number
    before = snapshot(app)
    for rows, problem in [
        ([("S1", "ZD-000000-000000", n1, b1.amount)], "不存在"),
        ([("S1", b1.number, n2, b1.amount)], "不属于"),
        ([("S1", b1.number, n1, b1.amount - D("0.01"))], "不符"),
        ([("S1", b1.number, n1, b1.amount), ("S1", b2.number, n2, b2.amount)], "重复"),
    ]:
        with pytest.raises(FileRefused) as exc:
            svc.import_collection("NH", file(*rows))
        assert any(problem in t for _, t in exc.value.problems), exc.value.problems
        assert snapshot(app) == before
    both = file(("S1", b1.number, n1, b1.amount), ("S2", b2.number, n2, b2.amount))
    seen = svc.import_collection("NH", both, preview=True)
    assert (seen.paid_count, seen.paid_total) == (2, b1.amount + b2.amount) and snapshot(app) == before
    result = svc.import_collection("NH", both)
    assert (result.paid_count, result.paid_total) == (2, b1.amount + b2.amount)
    assert books_balance(app, acc1) == D("0.00") == books_balance(app, acc2)
    with pytest.raises(FileRefused, match="已经导入过"):
        svc.import_collection("NH", file(("S1", b1.number, n1, b1.amount), ("S2", b2.number, n2, b2.amount)))
    with pytest.raises(FileRefused) as exc:
        svc.import_collection("NH", file(("S1", b1.number, n1, b1.amount)))
    assert "以前的代收文件" in exc.value.problems[0][1]
    # paid twice (at a bank counter for a bill already paid): the money becomes prepaid balance
    again = svc.import_collection("NH", file(("S3", b2.number, n2, b2.amount)))
    assert again.credited_count == 1 and books_balance(app, acc2) == b2.amount
    audit_ok(app)


# --- reconciliation, the ledgers --------------------------------------------------------------------------

def test_reconciliation_totals_and_the_ledgers_show_the_bank_apart(app, team, clock, tmp_path):
    (o1, b1), (o2, b2) = two_households(app, team, clock)
    run, data = make_run(app, team, clock)
    svc = BankService(app, team.manager)
    layout = svc.layout("GH")
    clock.set(RETURN_DAY)
    svc.import_return(run.id, answer(layout, data, {b2.number: "3002"}))
    BillingService(app, team.clerk).pay_bills(o2.account_id, [b2.id], "cash")
    [rec] = svc.reconcile_runs(date(2026, 12, 1), date(2026, 12, 31))
    assert (rec.sent_count, rec.sent_total) == (2, b1.amount + b2.amount)
    assert (rec.returned_count, rec.paid_count, rec.failed_count) == (2, 1, 1)
    assert (rec.paid_total, rec.failed_total, rec.booked_total, rec.difference) == (b1.amount, b2.amount, b1.amount, 0)
    [day] = svc.reconcile_days(date(2026, 12, 27), date(2026, 12, 27))
    assert (day.channel, day.count, day.total, day.to_bills, day.to_balance) == ("银行代扣", 1, b1.amount, b1.amount, 0)

    assert ("bank_reconciliation", "银行代收代扣对账") in list_ledgers()
    ledgers = LedgerService(app, team.manager)
    period = LedgerFilter(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    ledgers.export("bank_reconciliation", period, tmp_path / "rec.xlsx")
    wb = load_workbook(tmp_path / "rec.xlsx")
    values = [c.value for row in wb["按批次对账"].iter_rows() for c in row]
    assert run.number in values and float(b1.amount + b2.amount) in values
    assert any(v == "扣款失败" for row in wb["差异明细"].iter_rows() for v in [c.value for c in row])

    ledgers.export("cash_daily", LedgerFilter(date_from=date(2026, 12, 27), date_to=date(2026, 12, 27)),
                   tmp_path / "cash.xlsx")
    sheet = load_workbook(tmp_path / "cash.xlsx")["日结汇总"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "日期")
    col_bank, col_cash, col_other = header.index("其中：银行代收代扣"), header.index("其中：现金"), header.index("其中：非现金")
    by_clerk = {r[1]: r for r in rows if r and isinstance(r[1], str) and r[1] in ("王强", "李娜")}
    assert by_clerk["王强"][col_bank] == float(b1.amount) and by_clerk["王强"][col_other] == 0
    assert by_clerk["李娜"][col_cash] == float(b2.amount) and by_clerk["李娜"][col_bank] == 0

    ledgers.export("bills", LedgerFilter(date_from=date(2026, 12, 20), date_to=date(2026, 12, 20)),
                   tmp_path / "bills.xlsx")
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "bills.xlsx")["账单"].iter_rows()]
    header = next(r for r in rows if r and r[0] == "账单号")
    bank_col = header.index("其中银行代收代扣（元）")
    got = {r[0]: r[bank_col] for r in rows if r and r[0] in (b1.number, b2.number)}
    assert got == {b1.number: float(b1.amount), b2.number: 0}


# --- arrears notices ----------------------------------------------------------------------------------------

def test_arrears_notices_after_the_payment_window_printed_and_listed(app, team, clock):
    (o1, b1), (o2, b2) = two_households(app, team, clock)
    svc = BankService(app, team.clerk)
    clock.set(datetime(2027, 1, 20, 18, 0))
    with pytest.raises(Refused, match="没有"):
        svc.print_arrears_notices("urban")
    clock.set(datetime(2027, 1, 21, 9, 0))
    BillingService(app, team.clerk).pay_bills(o2.account_id, [b2.id], "cash")
    assert [c.owed for c in svc.arrears_candidates("urban")] == [b1.amount]
    batch, count, pdf = svc.print_arrears_notices("urban")
    text = pdf_text(pdf)
    assert count == 1 and "欠费催缴通知单" in text and b1.number in text and b2.number not in text
    assert "96977" in text and "示例工商银行" in text  # hotline; the agreement's bank
    printed = svc.notices_printed()
    assert [(p.batch, p.owed, p.bills) for p in printed] == [(batch, b1.amount, 1)]
    with pytest.raises(Refused, match="没有"):
        svc.print_arrears_notices("suburban")


def test_cancelled_work_writes_nothing(app, team, clock):
    (o1, b1), (o2, b2) = two_households(app, team, clock)
    svc = BankService(app, team.manager)
    clock.set(RUN_DAY)
    stop = threading.Event()
    stop.set()
    before = snapshot(app)
    with pytest.raises(Cancelled):
        svc.create_run("GH", "2026-12", cancel=stop)
    assert snapshot(app) == before
    run, data = svc.create_run("GH", "2026-12")
    back = answer(svc.layout("GH"), data, {})
    before = snapshot(app)
    with pytest.raises(Cancelled):
        svc.import_return(run.id, back, cancel=stop)
    clock.set(datetime(2027, 1, 21, 9, 0))
    with pytest.raises(Cancelled):
        BankService(app, team.clerk).print_arrears_notices(cancel=stop)
    assert snapshot(app) == before
