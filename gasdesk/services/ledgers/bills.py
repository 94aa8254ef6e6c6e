"""账单台账: the gas bills issued in the period, their volume, amount, what is paid and what is owed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from gasdesk.models import Account, Bill, Customer
from gasdesk.services.ledgers.query import SIGNED, ZERO, Query, bank_paid, in_period, use_label
from gasdesk.services.ledgers.sheet import LedgerDef, SheetDef, T, column

STATUS_LABELS = {"unpaid": "未缴", "partly_paid": "部分缴费", "paid": "已缴清"}
MONEY = T.MONEY


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    return (select(Bill.number.label("number"), Bill.issued_at.label("issued_at"), Account.number.label("account"),
                   Customer.name.label("name"), Customer.phone.label("phone"), Bill.gas_use_type.label("use"),
                   Bill.period_start.label("period_start"), Bill.period_end.label("period_end"),
                   Bill.volume.label("volume"), Bill.amount.label("amount"), Bill.paid.label("paid"),
                   Bill.due_to.label("due_to"), Bill.status.label("status"), bank_paid(Bill.id).label("bank"))
            .join(Account, Account.id == Bill.account_id).join(Customer, Customer.id == Bill.customer_id)
            .where(*in_period(Bill.issued_at, q))
            .order_by(Bill.issued_at, Bill.id))


LEDGER = LedgerDef(
    name="bills", title="账单台账", description="按期间列出开出的燃气费账单：用气量、金额、已缴与欠缴",
    date_basis="出账日期", filters=frozenset({"date"}),
    sheets=(SheetDef(
        title="账单", select=select_rows, totals=True, empty="本期未开出账单", signatures=SIGNED,
        columns=(
            column("账单号", "number", width=18), column("出账时间", "issued_at", T.DATETIME),
            column("户号", "account", width=12), column("户名", "name", width=12), column("联系电话", "phone", T.PHONE),
            column("用气性质", lambda q, r: use_label(r.use), width=10), column("起始日期", "period_start", T.DATE),
            column("抄表日期", "period_end", T.DATE), column("用气量（m³）", "volume", T.QUANTITY, total=True),
            column("金额（元）", "amount", MONEY, total=True), column("已缴（元）", "paid", MONEY, total=True),
            column("欠缴（元）", lambda q, r: r.amount - r.paid, MONEY, total=True),
            column("缴费截止", "due_to", T.DATE),
            column("状态", lambda q, r: STATUS_LABELS.get(r.status, r.status), width=8),
            column("其中银行代收代扣（元）", lambda q, r: r.bank or ZERO, MONEY, total=True),
        ),
    ),),
)
