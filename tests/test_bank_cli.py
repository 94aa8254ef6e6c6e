"""`gasdesk bank`: what the finance office scripts each night — the debit file out, the bank's return
and collection files in, reconciliation, arrears notices — with Chinese output and exit codes a
script can act on (0 done, 1 refused with nothing written, 2 usage, 3 the books differ from the bank).

The command line runs on the real clock (as a nightly script does); the data is made on the tests'."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from gasdesk.bankfiles import EXAMPLE_FIXED, Layout
from gasdesk.cli import main
from gasdesk.models import Account, Payment
from gasdesk.services.bank import BankService
from gasdesk.services.billing import BillingService
from tests.bank_helpers import CARD_19, CARD_19B, agree, answer, billed
from tests.helpers import active_resident, make_team, snapshot
from tests.test_billing import books_balance


@pytest.fixture
def team(app):
    return make_team(app)


def bank(app, *args: str) -> int:
    return main(["--db", app.url, "bank", *args, "--user", "manager"])


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_debit_file_out_return_in_and_reconciled_from_the_command_line(app, team, clock, tmp_path, capsys):
    _, o1, b1 = billed(app, team, clock, "张伟", "M-CLI-1", "30")
    _, o2, b2 = billed(app, team, clock, "欧阳娜娜", "M-CLI-2", "45")
    agree(app, team, o1.account_id, "GH", CARD_19, "张伟")
    agree(app, team, o2.account_id, "GH", CARD_19B, "欧阳娜娜")
    total = b1.amount + b2.amount

    assert bank(app, "banks") == 0
    out = capsys.readouterr().out
    assert "GH\t示例工商银行（分隔符格式）" in out and "NH\t示例农业银行（定长格式）" in out

    assert bank(app, "run", "--bank", "GH", "--month", "2026-12", "--check") == 0
    assert f"可送盘 2 笔，合计 {total:,.2f} 元（未生成批次）" in capsys.readouterr().out
    outbox = tmp_path / "out"
    outbox.mkdir()
    sheet = tmp_path / "送盘单.pdf"
    assert bank(app, "run", "--bank", "GH", "--month", "2026-12", "--out", str(outbox),
                "--transmittal", str(sheet)) == 0
    printed = capsys.readouterr().out
    [run] = BankService(app, team.manager).runs()
    name, data = BankService(app, team.manager).run_file(run.id)
    assert (outbox / name).read_bytes() == data  # the file as sent, under the bank's own file name
    assert f"批次 {run.number}" in printed and "2 笔" in printed and str(outbox / name) in printed
    assert run.number in pdf_text(sheet.read_bytes())
    assert bank(app, "run", "--bank", "GH", "--month", "2026-12", "--out", str(outbox)) == 1
    assert "没有可代扣的账单" in capsys.readouterr().err
    assert bank(app, "run", "--bank", "GH", "--month", "2026-12") == 2  # no --out
    capsys.readouterr()

    layout = BankService(app, team.manager).layout("GH")
    inbox = tmp_path / "in"
    inbox.mkdir()
    changed = inbox / "changed.txt"
    changed.write_bytes(answer(layout, data, {}, amounts={b1.number: b1.amount + 1}))
    before = snapshot(app)
    assert bank(app, "import", "--bank", "GH", str(changed)) == 1
    err = capsys.readouterr().err
    assert "未导入任何数据" in err and f"账单 {b1.number} 回盘金额" in err and "第 2 行" in err
    assert snapshot(app) == before

    back = inbox / layout.name_of("return", run.number)
    back.write_bytes(answer(layout, data, {b2.number: "3001"}))
    assert bank(app, "import", "--bank", "GH", str(back), "--check") == 0
    assert f"成功 1 笔 {b1.amount:,.2f} 元，失败 1 笔 {b2.amount:,.2f} 元（未写入）" in capsys.readouterr().out
    assert snapshot(app) == before
    # the run is found from the batch number in the file's first line
    assert bank(app, "import", "--bank", "GH", str(back)) == 0
    out = capsys.readouterr().out
    assert f"已导入批次 {run.number}" in out and "收据号 SJ-" in out
    assert f"账单 {b2.number}" in out and "扣款失败：余额不足" in out
    assert books_balance(app, o1.account_id) == Decimal("0.00")
    assert books_balance(app, o2.account_id) == -b2.amount
    # several files at once (a nightly folder): each on its own, a refused one listed, the exit code 1
    assert bank(app, "import", "--bank", "GH", str(back), str(changed)) == 1
    err = capsys.readouterr().err
    assert f"{back.name}：这个文件已经导入过" in err and f"{changed.name}：批次 {run.number} 已回盘" in err
    assert bank(app, "import", "--bank", "GH", str(back), str(inbox / "missing.txt")) == 2
    assert "找不到文件" in capsys.readouterr().err
    capsys.readouterr()

    assert bank(app, "runs") == 0
    assert run.number in (listed := capsys.readouterr().out) and "已回盘" in listed
    today = date.today().isoformat()
    assert bank(app, "reconcile", "--day", today) == 0
    out = capsys.readouterr().out
    assert run.number in out and f"送盘 2 笔 {total:,.2f} 元" in out and "差额 0.00 元" in out
    assert f"银行代扣\t{run.bank_name}\t1 笔 {b1.amount:,.2f} 元" in out
    assert f"账单 {b2.number}" in out and "余额不足" in out
    assert bank(app, "reconcile", "--run", run.number) == 0
    assert run.number in capsys.readouterr().out
    assert bank(app, "reconcile") == 2
    assert bank(app, "reconcile", "--run", "DKPC-20000101-0001") == 1
    capsys.readouterr()

    # the books no longer match what the bank paid (a payment edited in the table): exit 3
    with app.unit_of_work() as s:
        s.execute(update(Payment).where(Payment.method == "bank_debit").values(amount=Payment.amount + 1))
    assert bank(app, "reconcile", "--day", today) == 3
    assert f"账实不符：{run.number} 差额 -1.00 元" in capsys.readouterr().err


def test_collection_file_and_arrears_notices_from_the_command_line(app, team, clock, tmp_path, capsys):
    # Read in September: the payment window (to 20 October) has ended by the real clock's today.
    clock.set(datetime(2026, 8, 3, 10, 0))
    _, o1 = active_resident(app, team, "张伟", meter="M-CLN-1")
    _, o2 = active_resident(app, team, "李娜", meter="M-CLN-2")
    clock.set(datetime(2026, 9, 20, 10, 0))
    billing = BillingService(app, team.clerk)
    b1 = billing.record_reading("M-CLN-1", date(2026, 9, 20), "30").bill
    b2 = billing.record_reading("M-CLN-2", date(2026, 9, 20), "40").bill
    with app.reading() as s:
        n1 = s.scalar(select(Account.number).where(Account.id == o1.account_id))
    layout = Layout.from_dict(EXAMPLE_FIXED)
    file = tmp_path / "collection.txt"
    file.write_bytes(layout.write("collection", [
        {"serial": "NH20261001001", "bill_number": b1.number, "account_number": n1, "amount": b1.amount,
         "paid_date": date(2026, 10, 8), "branch": "西秀支行"}], batch="", file_date=date(2026, 10, 8)))
    assert bank(app, "import", "--bank", "NH", "--collection", str(file), "--run", "X") == 2
    assert bank(app, "import", "--bank", "NH", "--collection", str(file)) == 0
    assert f"成功 1 笔 {b1.amount:,.2f} 元" in capsys.readouterr().out
    assert books_balance(app, o1.account_id) == Decimal("0.00")
    assert bank(app, "import", "--bank", "NH", "--collection", str(file)) == 1
    assert "已经导入过" in capsys.readouterr().err

    assert bank(app, "notices", "--list") == 0
    listed = capsys.readouterr().out
    assert "欠费的账户 1 户" in listed and f"{b2.amount:,.2f} 元" in listed and n1 not in listed
    pdf = tmp_path / "催缴.pdf"
    assert bank(app, "notices", "--district", "urban", "--out", str(pdf)) == 0
    assert "已打印欠费催缴通知单 1 份" in capsys.readouterr().out
    text = pdf_text(pdf.read_bytes())
    assert "欠费催缴通知单" in text and b2.number in text and b1.number not in text
    assert bank(app, "notices", "--out", str(tmp_path / "x.txt")) == 2
    assert bank(app, "notices", "--district", "suburban", "--out", str(tmp_path / "y.pdf")) == 1
    assert "没有" in capsys.readouterr().err
