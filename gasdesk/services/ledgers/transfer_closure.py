"""过户/销户台账: transfers and closures, how the account was settled (refunds and arrears apart), the new
owner, what became of the facilities (FlowDef.ledgers "transfer_closure")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

import gasdesk.services.ledgers.orders as orders
from gasdesk.flows.registry import kinds_in_ledger
from gasdesk.models import Account, OrderStep, ServiceOrder
from gasdesk.services.ledgers.query import Query, method_label, money, work_steps
from gasdesk.services.ledgers.sheet import T, column, recorded
from gasdesk.vocab import SiteWork

KINDS = kinds_in_ledger("transfer_closure")
DISPOSAL_STEPS = work_steps(KINDS, SiteWork.PLUGGING, SiteWork.REMOVAL)


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    disposal = (select(OrderStep.to_step).where(OrderStep.order_id == ServiceOrder.id,
                                                OrderStep.to_step.in_(tuple(DISPOSAL_STEPS)))
                .order_by(OrderStep.seq.desc()).limit(1).scalar_subquery())
    stmt = orders.order_select(q, KINDS, Account.number.label("account"), disposal.label("disposal"))
    return stmt.outerjoin(Account, Account.id == ServiceOrder.account_id)


def settled(r: Any) -> Decimal | None:
    """What the settlement left on the account: positive refunded to the customer, negative collected."""
    return money((r.data or {}).get("settled_balance"))


def refund(q: Query, r: Any) -> Decimal | None:
    balance = settled(r)
    return balance if balance is not None and balance > 0 else None


def collected(q: Query, r: Any) -> Decimal | None:
    balance = settled(r)
    return -balance if balance is not None and balance < 0 else None


def disposal(q: Query, r: Any) -> str:
    work = DISPOSAL_STEPS.get(r.disposal or "")
    return work.label if work is not None else ""


def _data(code: str) -> Any:
    return lambda q, r: (r.data or {}).get(code) or ""


LEDGER = orders.order_ledger(
    "transfer_closure", "过户/销户台账", "过户与销户：费用结清（退还预存款、收取欠费分列合计）、新户主、设施处置",
    kinds=KINDS, select=select_rows, empty="本期无过户、销户记录", sheet_title="过户销户台账",
    note="结清时退还客户的预存款与向客户收取的欠费分列，各自合计",
    columns=(
        orders.NUMBER, orders.KIND.but(width=None), orders.OPENED_AT, orders.CUSTOMER_NUMBER,
        orders.CUSTOMER_NAME.but(header="原户名"), orders.ID_NUMBER, orders.PHONE, orders.ADDRESS,
        column("燃气账户", "account", width=12), column("退还预存款（元）", refund, T.MONEY, total=True),
        column("收取欠费（元）", collected, T.MONEY, total=True),
        column("收/退费方式", lambda q, r: method_label((r.data or {}).get("settle_method"))),
        column("结算收据号", _data("settlement_receipt"), width=16), recorded(KINDS, "new_name", width=10),
        column("新客户编号", _data("new_customer_number"), width=12), recorded(KINDS, "new_id_number", type_=T.ID),
        recorded(KINDS, "new_phone", "新户主电话"), column("设施处置", disposal),
        recorded(KINDS, "final_reading", "表止数（m³）"), orders.STEP.but(width=16), orders.STATUS, orders.CLOSED_AT,
        orders.CLERK,
    ),
)
