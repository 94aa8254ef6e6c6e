"""银行代收代扣对账: the bank reconciliation ledger.

* 按批次对账 — per debit run made in the period: sent, returned, paid, failed, taken as prepaid balance,
  the payments booked for it and the difference (returned paid − booked, which must be 0);
* 按日汇总 — per day, channel (代扣/代收) and source (run number or bank): the bank payments booked;
* 差异明细 — every line that needs a person: failed debits with the bank's reason, money taken as
  prepaid balance, lines still waiting for a return, withdrawn runs;
* 代收明细 — every bill paid at a bank's counter, from the collection files imported in the period.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select, type_coerce
from sqlalchemy.orm import aliased

from gasdesk.models import Account, BankCollection, BankFileImport, BankRun, BankRunLine, Bill, Payment
from gasdesk.models.base import Money
from gasdesk.services.ledgers.query import BANK_METHODS, ZERO, Query, count_where, in_period, sum_where
from gasdesk.services.ledgers.sheet import LedgerDef, SheetDef, T, column
from gasdesk.vocab import PaymentMethod

OUTCOME_LABELS = {"": "待回盘", "paid": "扣款成功", "failed": "扣款失败", "credited": "扣款成功，转预存"}
RUN_STATUS_LABELS = {"sent": "已送盘，待回盘", "returned": "已回盘", "withdrawn": "已撤回"}
OUTCOMES = ("paid", "failed", "credited")
MONEY, COUNT = T.MONEY, T.INT


def _money(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.01"))


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- 按批次对账 ----------------------------------------------------------------------------------------

def select_runs(q: Query) -> Select[*tuple[Any, ...]]:
    line = BankRunLine
    booked = aliased(Payment)
    per_outcome = [part for outcome in OUTCOMES for part in (
        count_where(line.outcome == outcome).label(f"{outcome}_n"),
        sum_where(line.outcome == outcome, line.amount).label(f"{outcome}_t"))]
    return (
        select(BankRun.number.label("number"), BankRun.bank_name.label("bank"), BankRun.month.label("month"),
               BankRun.status.label("status"), BankRun.created_at.label("created_at"), BankRun.count.label("sent"),
               BankRun.total.label("total"), *per_outcome, type_coerce(func.sum(booked.amount), Money()).label("booked"))
        .join(line, line.run_id == BankRun.id)
        .outerjoin(booked, booked.id == line.payment_id)
        .where(*in_period(BankRun.created_at, q))
        .group_by(BankRun.id, BankRun.number, BankRun.bank_name, BankRun.month, BankRun.status, BankRun.created_at,
                  BankRun.count, BankRun.total)
        .order_by(BankRun.created_at, BankRun.id)
    )


class Run:
    """A run's return as counted: a withdrawn run's failures are not failures (nothing was taken)."""

    def __init__(self, r: Any) -> None:
        self.r = r
        self.n = {o: int(getattr(r, f"{o}_n") or 0) for o in OUTCOMES}
        self.t = {o: _money(getattr(r, f"{o}_t")) for o in OUTCOMES}
        if r.status == "withdrawn":
            self.n["failed"], self.t["failed"] = 0, ZERO
        self.booked = _money(r.booked)
        self.returned_n, self.returned_t = sum(self.n.values()), sum(self.t.values(), ZERO)


def _outcome_columns(outcome: str, header: str) -> tuple[Any, ...]:
    return (column(f"{header}笔数", lambda q, run: run.n[outcome], COUNT, total=True),
            column(f"{header}金额", lambda q, run: run.t[outcome], MONEY, total=True))


RUNS = (
    column("批次号", "r.number", width=20), column("银行", "r.bank", width=16), column("账期", "r.month"),
    column("状态", lambda q, run: RUN_STATUS_LABELS.get(run.r.status, run.r.status), width=12),
    column("送盘时间", "r.created_at", T.DATETIME), column("送盘笔数", "r.sent", COUNT, total=True),
    column("送盘金额", lambda q, run: _money(run.r.total), MONEY, total=True),
    column("回盘笔数", "returned_n", COUNT, total=True), column("回盘金额", "returned_t", MONEY, total=True),
    *_outcome_columns("paid", "成功"), *_outcome_columns("failed", "失败"), *_outcome_columns("credited", "转预存"),
    column("已入账金额", "booked", MONEY, total=True),
    column("入账差额", lambda q, run: run.t["paid"] + run.t["credited"] - run.booked, MONEY, total=True),
    column("未回盘笔数", lambda q, run: run.r.sent - run.returned_n, COUNT, total=True),
)


# --- 按日汇总 ------------------------------------------------------------------------------------------

def select_days(q: Query) -> Select[*tuple[Any, ...]]:
    day = func.date(Payment.at)
    return (select(day.label("day"), Payment.method.label("method"), Payment.note.label("note"),
                   func.count().label("payments"), type_coerce(func.sum(Payment.amount), Money()).label("amount"))
            .where(Payment.method.in_(BANK_METHODS), *in_period(Payment.at, q))
            .group_by(day, Payment.method, Payment.note).order_by(day, Payment.method, Payment.note))


DAYS = (
    column("日期", lambda q, r: _day(r.day), T.DATE), column("渠道", lambda q, r: PaymentMethod(r.method).label),
    column("批次/来源", "note", width=22), column("笔数", lambda q, r: int(r.payments), COUNT, total=True),
    column("金额（元）", lambda q, r: _money(r.amount), MONEY, total=True),
)


# --- 差异明细 ------------------------------------------------------------------------------------------

def select_differences(q: Query) -> Select[*tuple[Any, ...]]:
    line = BankRunLine
    return (select(BankRun.number.label("run"), BankRun.bank_name.label("bank"), BankRun.status.label("status"),
                   line.seq.label("seq"), line.bill_number.label("bill"), line.account_number.label("account"),
                   line.amount.label("amount"), line.outcome.label("outcome"), line.result_code.label("code"),
                   line.reason.label("reason"))
            .join(line, line.run_id == BankRun.id)
            .where(*in_period(BankRun.created_at, q),
                   or_(line.outcome.in_(["failed", "credited"]), line.pending_bill_id.is_not(None)))
            .order_by(BankRun.id, line.seq))


def _what(q: Query, r: Any) -> str:
    return "批次撤回" if r.status == "withdrawn" else OUTCOME_LABELS.get(r.outcome, r.outcome)


DIFFERENCES = (
    column("批次号", "run", width=20), column("银行", "bank", width=16), column("序号", "seq", COUNT),
    column("账单号", "bill", width=18), column("户号", "account", width=12),
    column("金额（元）", lambda q, r: _money(r.amount), MONEY, total=True), column("结果", _what, width=14),
    column("银行返回码", "code"), column("原因/说明", "reason", width=30),
)


# --- 代收明细 ------------------------------------------------------------------------------------------

def select_collections(q: Query) -> Select[*tuple[Any, ...]]:
    return (select(BankFileImport.imported_at.label("imported_at"), BankFileImport.bank_code.label("bank"),
                   BankCollection.serial.label("serial"), BankCollection.paid_on.label("paid_on"),
                   BankCollection.branch.label("branch"), Bill.number.label("bill"), Account.number.label("account"),
                   BankCollection.amount.label("amount"), BankCollection.outcome.label("outcome"),
                   Payment.receipt_number.label("receipt"))
            .join(BankCollection, BankCollection.import_id == BankFileImport.id)
            .join(Bill, Bill.id == BankCollection.bill_id).join(Account, Account.id == Bill.account_id)
            .join(Payment, Payment.id == BankCollection.payment_id)
            .where(*in_period(BankFileImport.imported_at, q))
            .order_by(BankFileImport.id, BankCollection.id))


COLLECTIONS = (
    column("导入时间", "imported_at", T.DATETIME), column("银行代码", "bank"), column("银行流水号", "serial", width=20),
    column("缴费日期", lambda q, r: _day(r.paid_on), T.DATE), column("网点", "branch", width=14),
    column("账单号", "bill", width=18), column("户号", "account", width=12),
    column("金额（元）", lambda q, r: _money(r.amount), MONEY, total=True),
    column("结果", lambda q, r: OUTCOME_LABELS.get(r.outcome, r.outcome).replace("扣款", "代收"), width=14),
    column("收据号", "receipt", width=18),
)


LEDGER = LedgerDef(
    name="bank_reconciliation", title="银行代收代扣对账",
    description="按代扣批次核对送盘、回盘、成功、失败与入账；按日汇总银行渠道收款；列出差异与代收明细",
    date_basis="送盘/入账/导入日期", filters=frozenset({"date"}),
    sheets=(
        SheetDef(title="按批次对账", columns=RUNS, select=select_runs, prepare=lambda q, r: Run(r), totals=True,
                 note="入账差额 = 成功金额 + 转预存金额 − 已入账金额，应为 0；未回盘笔数 = 送盘笔数 − 回盘笔数"),
        SheetDef(title="按日汇总", columns=DAYS, select=select_days, totals=True),
        SheetDef(title="差异明细", columns=DIFFERENCES, select=select_differences, totals=True),
        SheetDef(title="代收明细", columns=COLLECTIONS, select=select_collections, totals=True),
    ),
)
