"""The bank's money decisions with real concurrency (processes; on PostgreSQL they truly overlap)."""

from __future__ import annotations

import multiprocessing as mp
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gasdesk.clock import FixedClock
from gasdesk.models import Account, BankCollection, BankFileImport, BankRunLine, Bill, Payment
from gasdesk.services.bank import BankService
from gasdesk.services.billing import BillingService
from gasdesk.services.context import App
from gasdesk.services.errors import Refused
from tests.bank_helpers import CARD_19, CARD_19B, agree, answer, billed
from tests.helpers import make_team
from tests.test_bank import audit_ok
from tests.test_billing import books_balance
from tests.test_concurrency import run_at_once

WHEN = datetime(2026, 12, 21, 9, 0)


def run_both(jobs) -> None:  # type: ignore[no-untyped-def]
    """Two different jobs in two processes started together; each must finish cleanly."""
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=fn, args=args) for fn, args in jobs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
        assert p.exitcode == 0


@pytest.fixture
def team(app):
    return make_team(app)


def _make_run(url: str, manager, out: str) -> None:
    app = App(url, FixedClock(WHEN), migrate=False)
    try:
        run, _ = BankService(app, manager).create_run("GH", "2026-12")
        Path(out).write_text(f"run {run.count}")
    except Refused as exc:
        Path(out).write_text(f"refused {exc.message}")
    finally:
        app.dispose()


def test_two_managers_making_the_same_run_at_once_send_each_bill_once(app, team, clock, tmp_path):
    accounts = []
    for i in range(6):
        _, o, _ = billed(app, team, clock, f"并发户{i}", f"M-CC-{i}", str(20 + i))
        agree(app, team, o.account_id, "GH", CARD_19 if i % 2 else CARD_19B, f"并发户{i}")
        accounts.append(o.account_id)
    outs = [str(tmp_path / f"out{i}") for i in range(2)]
    run_at_once(_make_run, [(app.url, team.manager, out) for out in outs])
    results = sorted(Path(o).read_text() for o in outs)
    assert results[0].startswith("refused") and results[1] == "run 6", results
    with app.reading() as s:
        lines = s.scalars(select(BankRunLine.bill_id)).all()
        assert len(lines) == 6 == len(set(lines))


def _import(url: str, manager, run_id: int, data: bytes) -> None:
    app = App(url, FixedClock(datetime(2026, 12, 27, 15, 0)), migrate=False)
    try:
        BankService(app, manager).import_return(run_id, data)
    finally:
        app.dispose()


def _counter(url: str, clerk, pairs: list[tuple[int, int]]) -> None:
    app = App(url, FixedClock(datetime(2026, 12, 27, 15, 0)), migrate=False)
    try:
        for account_id, bill_id in pairs:
            try:
                BillingService(app, clerk).pay_bills(account_id, [bill_id], "cash")
            except Refused:
                pass  # the bank got there first: the bill is paid
    finally:
        app.dispose()


def sent_run(app, team, clock, who: str):  # type: ignore[no-untyped-def]
    """Eight households with a bill and an agreement, their run sent to the bank, and its return (all paid)."""
    pairs = []
    for i in range(8):
        _, o, bill = billed(app, team, clock, f"{who}{i}", f"M-{who}-{i}", str(30 + i))
        agree(app, team, o.account_id, "GH", CARD_19, f"{who}{i}")
        pairs.append((o.account_id, bill.id))
    clock.set(WHEN)
    svc = BankService(app, team.manager)
    run, data = svc.create_run("GH", "2026-12")
    return pairs, run, answer(svc.layout("GH"), data, {})


def test_a_return_and_the_counter_paying_the_same_bills_at_once_never_pay_a_bill_twice(app, team, clock):
    pairs, run, back = sent_run(app, team, clock, "赛跑户")
    run_both([(_import, (app.url, team.manager, run.id, back)), (_counter, (app.url, team.clerk, pairs))])
    total_bank = Decimal("0.00")
    with app.reading() as s:
        for account_id, bill_id in pairs:
            bill = s.get(Bill, bill_id)
            assert bill.status == "paid" and bill.paid == bill.amount
            total_bank += s.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
                Payment.account_id == account_id, Payment.method == "bank_debit")) or 0
    for account_id, _ in pairs:
        books_balance(app, account_id)  # every account's books agree: a bill paid twice is prepaid credit
    assert total_bank == run.total  # the bank's money is all entered, once


def _import_once(url: str, manager, run_id: int | None, data: bytes, start, out: str) -> None:
    """One counter taking in a bank file (a run's return, or a collection file with run_id None)."""
    app = App(url, FixedClock(datetime(2026, 12, 27, 15, 0)), migrate=False)
    try:
        svc = BankService(app, manager)
        start.wait()
        try:
            done = (svc.import_return(run_id, data, "return.txt") if run_id is not None
                    else svc.import_collection("NH", data, "collection.txt"))
            Path(out).write_text(f"imported {done.paid_count} {done.paid_total}")
        except Refused as exc:
            Path(out).write_text(f"refused {exc.message}")
    finally:
        app.dispose()


def _two_at_once(url: str, manager, run_id: int | None, data: bytes, tmp_path: Path) -> list[str]:
    start = mp.get_context("spawn").Barrier(2)
    outs = [str(tmp_path / f"import{i}") for i in range(2)]
    run_at_once(_import_once, [(url, manager, run_id, data, start, out) for out in outs])
    return sorted(Path(o).read_text() for o in outs)


def test_two_counters_importing_the_same_return_at_once_enter_the_money_once(app, team, clock, tmp_path):
    pairs, run, back = sent_run(app, team, clock, "同盘户")
    results = _two_at_once(app.url, team.manager, run.id, back, tmp_path)
    # The run's lock lets one in; the other, let in after it, finds the file taken in and the run closed.
    assert results[0] == f"imported 8 {run.total}" and results[1] == "refused 这个文件已经导入过", results
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.method == "bank_debit")) == 8
        assert s.scalar(select(func.sum(Payment.amount)).where(Payment.method == "bank_debit")) == run.total
        assert s.scalar(select(func.count()).select_from(BankFileImport)) == 1
        for _account_id, bill_id in pairs:
            bill = s.get(Bill, bill_id)
            assert bill.status == "paid" and bill.paid == bill.amount
    for account_id, _ in pairs:
        assert books_balance(app, account_id) == Decimal("0.00")
    audit_ok(app)


def test_two_counters_importing_the_same_collection_file_at_once_enter_the_money_once(app, team, clock, tmp_path):
    bills = []
    for i in range(6):
        _, o, bill = billed(app, team, clock, f"代收户{i}", f"M-SC-{i}", str(40 + i))
        with app.reading() as s:
            bills.append((o.account_id, bill, s.get(Account, o.account_id).number))
    clock.set(datetime(2026, 12, 23, 9, 0))
    layout = BankService(app, team.manager).layout("NH")
    data = layout.write("collection", [
        {"serial": f"S{i}", "bill_number": bill.number, "account_number": number, "amount": bill.amount,
         "paid_date": date(2026, 12, 22), "branch": "南明支行"} for i, (_a, bill, number) in enumerate(bills)],
        batch="", file_date=date(2026, 12, 22))
    total = sum((bill.amount for _a, bill, _n in bills), Decimal("0.00"))
    results = _two_at_once(app.url, team.manager, None, data, tmp_path)
    # No lock is taken before the money is worked out: the file's unique SHA-256 stops the second.
    assert results[0] == f"imported 6 {total}" and results[1] == "refused 这个文件已经导入过", results
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.method == "bank_collection")) == 6
        assert s.scalar(select(func.count()).select_from(BankCollection)) == 6
    for account_id, _bill, _n in bills:
        assert books_balance(app, account_id) == Decimal("0.00")
    audit_ok(app)
