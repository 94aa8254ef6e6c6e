"""坏账核销台账: arrears a manager wrote off as lost, with the reason; a reversed write-off names its reversal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from gasdesk.models import Account, Customer, Payment
from gasdesk.services.ledgers.query import Query, account_status_label, payment_columns, payment_filters
from gasdesk.services.ledgers.sheet import LedgerDef, SheetDef, T, column
from gasdesk.vocab import PaymentKind


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    reversal = aliased(Payment)
    stmt = (
        select(*payment_columns(), Account.number.label("account"), Account.status.label("status"),
               reversal.receipt_number.label("reversed_by"))
        .join(Customer, Customer.id == Payment.customer_id)
        .outerjoin(Account, Account.id == Payment.account_id)
        .outerjoin(reversal, reversal.reverses_id == Payment.id)
        .where(Payment.kind == PaymentKind.WRITE_OFF)
        .order_by(Payment.at, Payment.id)
    )
    return payment_filters(stmt, q)


LEDGER = LedgerDef(
    name="write_offs", title="坏账核销台账",
    description="经理核销的无法收回欠费：账户、客户、金额、原因、核销人；已冲正的注明冲正收据号",
    date_basis="核销日期", filters=frozenset({"date", "clerk"}),
    sheets=(SheetDef(
        title="坏账核销", select=select_rows, totals=True,
        columns=(
            column("核销单号", "receipt", width=17), column("核销时间", "at", T.DATETIME),
            column("核销人", lambda q, r: q.clerk(r.staff_id)), column("核销金额（元）", "amount", T.MONEY, total=True),
            column("燃气账户", lambda q, r: r.account or "", width=14),
            column("账户状态", lambda q, r: account_status_label(r.status) if r.status else ""),
            column("客户编号", "customer_number", width=12), column("客户名称", "customer_name", width=12),
            column("核销原因", "note", width=24), column("冲正收据号", lambda q, r: r.reversed_by or "", width=17),
        ),
    ),),
)
