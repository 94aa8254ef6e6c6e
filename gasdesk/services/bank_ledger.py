"""The bank reconciliation ledger (银行代收代扣对账): its sheets, queries and columns.

Registered in gasdesk.services.ledgers' list by one line, which hands in that module's LedgerDef and
SheetDef (this module does not import it, so the two stay free of a cycle):

* 按批次对账 — per debit run made in the period: sent, returned, paid, failed, taken as prepaid balance,
  the payments booked for it and the difference (returned paid − booked, which must be 0);
* 按日汇总 — per day, channel (代扣/代收) and source (run number or bank): the bank payments booked;
* 差异明细 — every line that needs a person: failed debits with the bank's reason, money taken as
  prepaid balance, lines still waiting for a return, withdrawn runs;
* 代收明细 — every bill paid at a bank's counter, from the collection files imported in the period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, or_, select, type_coerce
from sqlalchemy.orm import aliased

from gasdesk.models import (
    Account,
    BankCollection,
    BankFileImport,
    BankRun,
    BankRunLine,
    Bill,
    BillAllocation,
    Payment,
)
from gasdesk.models.base import Money
from gasdesk.reports.ledgers import ColumnType, LedgerColumn
from gasdesk.vocab import PaymentMethod

T = ColumnType
ZERO = Decimal("0.00")
BANK_METHODS = (PaymentMethod.BANK_DEBIT, PaymentMethod.BANK_COLLECTION)
OUTCOME_LABELS = {"": "待回盘", "paid": "扣款成功", "failed": "扣款失败", "credited": "扣款成功，转预存"}
RUN_STATUS_LABELS = {"sent": "已送盘，待回盘", "returned": "已回盘", "withdrawn": "已撤回"}

L = TypeVar("L")


def _col(header: str, type_: ColumnType = T.TEXT, width: float | None = None, *, total: bool = False) -> LedgerColumn:
    return LedgerColumn(header, type_, width, total)


def _in_period(column: Any, q: Any) -> list[Any]:
    start, end = q.filter.bounds()
    out = []
    if start is not None:
        out.append(column >= start)
    if end is not None:
        out.append(column < end)
    return out


def _sum_if(condition: Any, column: Any) -> Any:
    return func.sum(type_coerce(case((condition, column)), Money()))


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _money(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.01"))


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- 按批次对账 ----------------------------------------------------------------------------------------

def _runs_select(q: Any) -> Select[*tuple[Any, ...]]:
    line = BankRunLine
    booked = aliased(Payment)
    return (
        select(BankRun.number, BankRun.bank_name, BankRun.month, BankRun.status, BankRun.created_at, BankRun.count,
               BankRun.total,
               _count_if(line.outcome == "paid"), _sum_if(line.outcome == "paid", line.amount),
               _count_if(line.outcome == "failed"), _sum_if(line.outcome == "failed", line.amount),
               _count_if(line.outcome == "credited"), _sum_if(line.outcome == "credited", line.amount),
               type_coerce(func.sum(booked.amount), Money()))
        .join(line, line.run_id == BankRun.id)
        .outerjoin(booked, booked.id == line.payment_id)
        .where(*_in_period(BankRun.created_at, q))
        .group_by(BankRun.id, BankRun.number, BankRun.bank_name, BankRun.month, BankRun.status, BankRun.created_at,
                  BankRun.count, BankRun.total)
        .order_by(BankRun.created_at, BankRun.id)
    )


def _runs_row(q: Any, r: Any) -> tuple[Any, ...]:
    number, bank, month, status, created, count, total, pn, pt, fn, ft, cn, ct, booked = r
    pn, fn, cn = int(pn or 0), int(fn or 0), int(cn or 0)
    pt, ft, ct, booked = _money(pt), _money(ft), _money(ct), _money(booked)
    if status == "withdrawn":
        fn, ft = 0, ZERO
    returned_n, returned_t = pn + fn + cn, pt + ft + ct
    return (number, bank, month, RUN_STATUS_LABELS.get(status, status), created, count, _money(total), returned_n,
            returned_t, pn, pt, fn, ft, cn, ct, booked, pt + ct - booked, count - returned_n)


RUN_COLUMNS = (
    _col("批次号", width=20), _col("银行", width=16), _col("账期"), _col("状态", width=12), _col("送盘时间", T.DATETIME),
    _col("送盘笔数", T.INT, total=True), _col("送盘金额", T.MONEY, total=True),
    _col("回盘笔数", T.INT, total=True), _col("回盘金额", T.MONEY, total=True),
    _col("成功笔数", T.INT, total=True), _col("成功金额", T.MONEY, total=True),
    _col("失败笔数", T.INT, total=True), _col("失败金额", T.MONEY, total=True),
    _col("转预存笔数", T.INT, total=True), _col("转预存金额", T.MONEY, total=True),
    _col("已入账金额", T.MONEY, total=True), _col("入账差额", T.MONEY, total=True),
    _col("未回盘笔数", T.INT, total=True),
)


# --- 按日汇总 ------------------------------------------------------------------------------------------

def _days_select(q: Any) -> Select[*tuple[Any, ...]]:
    day = func.date(Payment.at)
    return (select(day, Payment.method, Payment.note, func.count(), type_coerce(func.sum(Payment.amount), Money()))
            .where(Payment.method.in_(BANK_METHODS), *_in_period(Payment.at, q))
            .group_by(day, Payment.method, Payment.note).order_by(day, Payment.method, Payment.note))


def _days_row(q: Any, r: Any) -> tuple[Any, ...]:
    day, method, note, n, total = r
    return (_day(day), PaymentMethod(method).label, note, int(n), _money(total))


DAY_COLUMNS = (
    _col("日期", T.DATE), _col("渠道"), _col("批次/来源", width=22), _col("笔数", T.INT, total=True),
    _col("金额（元）", T.MONEY, total=True),
)


# --- 差异明细 ------------------------------------------------------------------------------------------

def _diff_select(q: Any) -> Select[*tuple[Any, ...]]:
    line = BankRunLine
    return (select(BankRun.number, BankRun.bank_name, BankRun.status, line.seq, line.bill_number, line.account_number,
                   line.amount, line.outcome, line.result_code, line.reason)
            .join(line, line.run_id == BankRun.id)
            .where(*_in_period(BankRun.created_at, q),
                   or_(line.outcome.in_(["failed", "credited"]), line.pending_bill_id.is_not(None)))
            .order_by(BankRun.id, line.seq))


def _diff_row(q: Any, r: Any) -> tuple[Any, ...]:
    run, bank, status, seq, bill, account, amount, outcome, code, reason = r
    what = "批次撤回" if status == "withdrawn" else OUTCOME_LABELS.get(outcome, outcome)
    return (run, bank, seq, bill, account, _money(amount), what, code, reason)


DIFF_COLUMNS = (
    _col("批次号", width=20), _col("银行", width=16), _col("序号", T.INT), _col("账单号", width=18),
    _col("户号", width=12), _col("金额（元）", T.MONEY, total=True), _col("结果", width=14), _col("银行返回码"),
    _col("原因/说明", width=30),
)


# --- 代收明细 ------------------------------------------------------------------------------------------

def _collection_select(q: Any) -> Select[*tuple[Any, ...]]:
    return (select(BankFileImport.imported_at, BankFileImport.bank_code, BankCollection.serial, BankCollection.paid_on,
                   BankCollection.branch, Bill.number, Account.number, BankCollection.amount, BankCollection.outcome,
                   Payment.receipt_number)
            .join(BankCollection, BankCollection.import_id == BankFileImport.id)
            .join(Bill, Bill.id == BankCollection.bill_id).join(Account, Account.id == Bill.account_id)
            .join(Payment, Payment.id == BankCollection.payment_id)
            .where(*_in_period(BankFileImport.imported_at, q))
            .order_by(BankFileImport.id, BankCollection.id))


def _collection_row(q: Any, r: Any) -> tuple[Any, ...]:
    imported, bank, serial, paid_on, branch, bill, account, amount, outcome, receipt = r
    return (imported if isinstance(imported, datetime) else imported, bank, serial, _day(paid_on), branch, bill, account,
            _money(amount), OUTCOME_LABELS.get(outcome, outcome).replace("扣款", "代收"), receipt)


COLLECTION_COLUMNS = (
    _col("导入时间", T.DATETIME), _col("银行代码"), _col("银行流水号", width=20), _col("缴费日期", T.DATE),
    _col("网点", width=14), _col("账单号", width=18), _col("户号", width=12), _col("金额（元）", T.MONEY, total=True),
    _col("结果", width=14), _col("收据号", width=18),
)


def bank_paid(bill_id: Any) -> Any:
    """What bank money (代扣/代收) paid of a bill: a correlated column for the bill ledgers."""
    return (select(type_coerce(func.sum(BillAllocation.amount), Money()))
            .join(Payment, Payment.id == BillAllocation.payment_id)
            .where(BillAllocation.bill_id == bill_id, Payment.method.in_(BANK_METHODS))
            .scalar_subquery())


def reconciliation_ledger(ledger: Callable[..., L], sheet: Callable[..., Any]) -> L:
    """The ledger definition, built with gasdesk.services.ledgers' LedgerDef and SheetDef."""
    return ledger(
        name="bank_reconciliation", title="银行代收代扣对账",
        description="按代扣批次核对送盘、回盘、成功、失败与入账；按日汇总银行渠道收款；列出差异与代收明细",
        date_basis="送盘/入账/导入日期", filters=frozenset({"date"}),
        sheets=(
            sheet(title="按批次对账", columns=RUN_COLUMNS, select=_runs_select, convert=_runs_row, totals=True,
                  note="入账差额 = 成功金额 + 转预存金额 − 已入账金额，应为 0；未回盘笔数 = 送盘笔数 − 回盘笔数"),
            sheet(title="按日汇总", columns=DAY_COLUMNS, select=_days_select, convert=_days_row, totals=True),
            sheet(title="差异明细", columns=DIFF_COLUMNS, select=_diff_select, convert=_diff_row, totals=True),
            sheet(title="代收明细", columns=COLLECTION_COLUMNS, select=_collection_select, convert=_collection_row,
                  totals=True),
        ),
    )
