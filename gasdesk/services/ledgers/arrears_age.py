"""欠费账龄: each account's unpaid bills on the as-of day, by age (0-30, 31-90, over 90 days); closed
accounts that left owing come last, subtotalled apart."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select, type_coerce

from gasdesk.models import Account, Bill, Customer
from gasdesk.models.base import Money
from gasdesk.services.ledgers.query import SIGNED, ZERO, Query, account_status_label, as_date, sum_where
from gasdesk.services.ledgers.sheet import LedgerDef, SheetDef, T, column
from gasdesk.vocab import AccountStatus

CLOSED_NOTE = "已销户，欠费未结清"
MONEY = T.MONEY


def as_of(q: Query) -> date:
    return q.filter.date_to or q.now.date()


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    # Bills read on or after `recent` are 0-30 days old on the as-of day, on or after `older` 31-90.
    recent, older = as_of(q) - timedelta(days=30), as_of(q) - timedelta(days=90)
    owed = Bill.amount - Bill.paid
    as_of_end = datetime.combine(as_of(q) + timedelta(days=1), time.min)
    return (select(Account.number.label("account"), Customer.number.label("customer_number"),
                   Customer.name.label("name"), Customer.phone.label("phone"), Account.address.label("address"),
                   Account.status.label("status"), func.min(Bill.period_end).label("oldest"),
                   sum_where(Bill.period_end >= recent, owed).label("recent"),
                   sum_where(and_(Bill.period_end < recent, Bill.period_end >= older), owed).label("older"),
                   sum_where(Bill.period_end < older, owed).label("oldest_part"),
                   type_coerce(func.sum(owed), Money()).label("total"))
            .join(Account, Account.id == Bill.account_id).join(Customer, Customer.id == Account.customer_id)
            .where(Bill.status != "paid", Bill.issued_at < as_of_end)
            .group_by(Account.number, Customer.number, Customer.name, Customer.phone, Account.address,
                      Account.status))


def _owed(label: str) -> Any:
    return lambda q, r: getattr(r, label) or ZERO


def order(q: Query, r: Any) -> Any:
    """Accounts still supplied first, then closed ones; the largest debts first."""
    return (r.status == AccountStatus.CLOSED, -(r.total or ZERO), r.account)


LEDGER = LedgerDef(
    name="arrears_age", title="欠费账龄", description="截至日各户欠费按账单账龄分段：0-30天、31-90天、90天以上",
    date_basis="截至日（取“至”日期，默认今天）", filters=frozenset({"date"}),
    sheets=(SheetDef(
        title="欠费账龄", select=select_rows, totals=True, sort_key=order, unit="户", empty="截至日无欠费账户",
        signatures=SIGNED, group=("note", lambda note: "已销户账户" if note else "在用账户"),
        note="账龄自产生账单的抄表日起算；已缴清的账单不计；已销户账户列在后面，单独小计",
        columns=(
            column("户号", "account", width=12), column("客户编号", "customer_number", width=12),
            column("户名", "name", width=12), column("联系电话", "phone", T.PHONE), column("用气地址", "address", width=30),
            column("账户状态", lambda q, r: account_status_label(r.status), width=8),
            column("最早欠费账单抄表日", lambda q, r: as_date(r.oldest), T.DATE),
            column("0-30天（元）", _owed("recent"), MONEY, total=True),
            column("31-90天（元）", _owed("older"), MONEY, total=True),
            column("90天以上（元）", _owed("oldest_part"), MONEY, total=True),
            column("欠费合计（元）", _owed("total"), MONEY, total=True),
            column("备注", lambda q, r: CLOSED_NOTE if r.status == AccountStatus.CLOSED else "", width=12, key="note"),
        ),
    ),),
)
