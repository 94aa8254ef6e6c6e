"""收费退费日结: each cashier's day summed (fees, arrears, prepayments, refunds, reversals; cash, other and
bank money apart), and every payment beside it; the totals agree with the payments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from gasdesk.models import Customer, Payment, ServiceOrder
from gasdesk.services.ledgers.query import (
    BANK_METHODS,
    SIGNED,
    ZERO,
    Query,
    as_date,
    method_label,
    payment_columns,
    payment_filters,
    sum_where,
)
from gasdesk.services.ledgers.sheet import LedgerDef, SheetDef, T, column
from gasdesk.vocab import PaymentKind, PaymentMethod

# The day's sums by kind of payment: label in the query -> column header.
BY_KIND = {"fees": (PaymentKind.FEE, "业务收费"), "arrears": (PaymentKind.ARREARS, "收取欠费"),
           "prepaid": (PaymentKind.PREPAY, "预存"), "refunded": (PaymentKind.REFUND, "预存款退费")}


def select_days(q: Query) -> Select[*tuple[Any, ...]]:
    day = func.date(Payment.at)
    stmt = select(
        day.label("day"), Payment.staff_id.label("staff_id"), func.count().label("payments"),
        *(sum_where(Payment.kind == kind, Payment.amount).label(label) for label, (kind, _) in BY_KIND.items()),
        sum_where(Payment.kind == PaymentKind.REVERSAL, Payment.cash_effect).label("reversed"),
        func.sum(Payment.cash_effect).label("net"),
        sum_where(Payment.method == PaymentMethod.CASH, Payment.cash_effect).label("cash"),
        sum_where(Payment.method.in_(BANK_METHODS), Payment.cash_effect).label("bank"),
    ).group_by(day, Payment.staff_id)
    return payment_filters(stmt, q)


def _zero(value: Any) -> Any:
    """A sum of no payments (NULL) as 0.00."""
    return value if value is not None else ZERO


def _sum(label: str) -> Any:
    return lambda q, r: _zero(getattr(r, label))


def _cashier(q: Query, r: Any) -> str:
    return q.clerk(r.staff_id, str(r.staff_id))


def _other(q: Query, r: Any) -> Any:
    return _zero(r.net) - _zero(r.cash) - _zero(r.bank)


def select_payments(q: Query) -> Select[*tuple[Any, ...]]:
    original = aliased(Payment)
    stmt = (
        select(*payment_columns(), Payment.kind.label("kind"), Payment.item.label("item"),
               Payment.method.label("method"), Payment.cash_effect.label("cash"),
               Payment.balance_effect.label("balance"), ServiceOrder.number.label("order"),
               original.receipt_number.label("reverses"))
        .join(Customer, Customer.id == Payment.customer_id)
        .outerjoin(ServiceOrder, ServiceOrder.id == Payment.order_id)
        .outerjoin(original, original.id == Payment.reverses_id)
        .order_by(Payment.at, Payment.id)
    )
    return payment_filters(stmt, q)


MONEY = T.MONEY

LEDGER = LedgerDef(
    name="cash_daily", title="收费退费日结", description="按收费员按日汇总收费、退费与冲正，附每笔收费明细；合计与收费记录一致",
    date_basis="收费日期", filters=frozenset({"date", "clerk"}), clerk_label="收费员",
    sheets=(
        SheetDef(
            title="日结汇总", select=select_days, totals=True, sort_key=lambda q, r: (as_date(r.day), _cashier(q, r)),
            empty="本期无收费、退费记录", signatures=("收费员", "复核", "制表", "审核"),
            note="收付净额 = 业务收费 + 收取欠费 + 预存 − 预存款退费 + 冲正（净额）；"
                 "非现金指柜台刷卡、移动支付、转账，银行代收代扣为导入银行文件入账（记在导入人名下）",
            columns=(
                column("日期", lambda q, r: as_date(r.day), T.DATE), column("收费员", _cashier, width=8),
                column("笔数", "payments", T.INT, total=True),
                *(column(header, _sum(label), MONEY, total=True) for label, (_, header) in BY_KIND.items()),
                column("冲正（净额）", _sum("reversed"), MONEY, total=True),
                column("收付净额", _sum("net"), MONEY, total=True),
                column("其中：现金", _sum("cash"), MONEY, total=True),
                column("其中：非现金", _other, MONEY, total=True),
                column("其中：银行代收代扣", _sum("bank"), MONEY, total=True),
            ),
        ),
        SheetDef(
            title="收费明细", select=select_payments, totals=True, empty="本期无收费、退费记录", signatures=SIGNED,
            columns=(
                column("收据号", "receipt", width=17), column("收费时间", "at", T.DATETIME),
                column("收费员", lambda q, r: q.clerk(r.staff_id)),
                column("类别", lambda q, r: PaymentKind(r.kind).label, width=10), column("项目", "item", width=16),
                column("收费方式", lambda q, r: method_label(r.method)), column("金额（元）", "amount", MONEY),
                column("现金收付（元）", "cash", MONEY, total=True),
                column("账户余额变动（元）", "balance", MONEY, total=True),
                column("客户编号", "customer_number", width=12), column("客户名称", "customer_name", width=12),
                column("业务单号", lambda q, r: r.order or "", width=17),
                column("被冲正收据号", lambda q, r: r.reverses or "", width=17), column("备注", "note", width=16),
            ),
        ),
    ),
)
