"""What every order ledger reads and shows: the order, its customer, its step and state, who took it.

`order_select` labels each column it reads (`r.number`, `r.customer_name`, `r.clerk_id`, `r.data`...),
keeps the orders of the ledger's flows that the filter keeps, in opening order; a ledger adds its own
labelled columns. The columns below show them; a ledger lists those it wants, in its own order
(`orders.NUMBER, orders.OPENED_AT, ...`), and `order_ledger` makes the one-sheet ledger of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, select

from gasdesk.models import Customer, ServiceOrder
from gasdesk.services.ledgers.query import (
    ORDER_FILTERS,
    SIGNED,
    Query,
    channel_label,
    kind_label,
    order_filters,
    status_label,
    step_label,
)
from gasdesk.services.ledgers.sheet import Column, LedgerDef, SheetDef, T, column


def order_select(q: Query, kinds: Sequence[str] | None, *extra: Any) -> Select[*tuple[Any, ...]]:
    """The columns every order ledger reads, plus `extra` (labelled), filtered and in opening order."""
    stmt = (
        select(ServiceOrder.number.label("number"), ServiceOrder.kind.label("kind"),
               ServiceOrder.opened_at.label("opened_at"), Customer.number.label("customer_number"),
               Customer.name.label("customer_name"), Customer.id_number.label("id_number"),
               Customer.phone.label("phone"), Customer.address.label("address"), ServiceOrder.step.label("step"),
               ServiceOrder.status.label("status"), ServiceOrder.department_id.label("department_id"),
               ServiceOrder.opened_by_id.label("clerk_id"), ServiceOrder.closed_at.label("closed_at"),
               ServiceOrder.data.label("data"), ServiceOrder.channel.label("channel"), *extra)
        .join(Customer, Customer.id == ServiceOrder.customer_id)
    )
    return order_filters(stmt, q, kinds).order_by(ServiceOrder.opened_at, ServiceOrder.id)


NUMBER = column("业务单号", "number", width=17)
KIND = column("业务类型", lambda q, r: kind_label(r.kind), width=12, key="kind")
OPENED_AT = column("受理时间", "opened_at", T.DATETIME)
CHANNEL = column("受理方式", lambda q, r: channel_label(r.channel), width=9, key="channel")
CUSTOMER_NUMBER = column("客户编号", "customer_number", width=12)
CUSTOMER_NAME = column("客户名称", "customer_name", width=12)
ID_NUMBER = column("证件号码", "id_number", T.ID)
PHONE = column("联系电话", "phone", T.PHONE)
ADDRESS = column("用气地址", "address", width=30)
STEP = column("当前环节", lambda q, r: step_label(r.kind, r.step), width=18, key="step")
STATUS = column("办理状态", lambda q, r: status_label(r.status), key="status")
CLOSED_AT = column("办结时间", "closed_at", T.DATETIME)
CLERK = column("受理人", lambda q, r: q.clerk(r.clerk_id), key="clerk")
# The order and its customer, as most order ledgers begin.
CUSTOMER = (NUMBER, OPENED_AT, CUSTOMER_NUMBER, CUSTOMER_NAME, ID_NUMBER, PHONE, ADDRESS)


def order_ledger(name: str, title: str, description: str, *, kinds: tuple[str, ...] | None,
                 select: Callable[[Query], Select[*tuple[Any, ...]]], columns: Sequence[Column], empty: str,
                 sheet_title: str = "", note: str = "", filters: frozenset[str] = ORDER_FILTERS) -> LedgerDef:
    """A ledger of the orders opened in the period (of `kinds`; None: every flow), on one totalled, signed sheet."""
    return LedgerDef(
        name=name, title=title, description=description, date_basis="受理日期", kinds=kinds, filters=filters,
        sheets=(SheetDef(title=sheet_title or title, select=select, columns=tuple(columns), totals=True, empty=empty,
                         signatures=SIGNED, note=note),),
    )
