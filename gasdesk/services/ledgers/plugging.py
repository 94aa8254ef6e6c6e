"""封堵业务受理台账: the orders whose crew plugs the supply at the premises (FlowDef.ledgers "plugging")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, func, select

import gasdesk.services.ledgers.orders as orders
from gasdesk.flows.registry import ALL_FLOWS, kinds_in_ledger
from gasdesk.models import Account, OrderStep, ServiceOrder
from gasdesk.services.ledgers.query import Query, fee_method, meter_number_subquery, work_steps
from gasdesk.services.ledgers.sheet import T, column, recorded
from gasdesk.vocab import SiteWork

KINDS = kinds_in_ledger("plugging")
STEPS = tuple(work_steps(KINDS, SiteWork.PLUGGING))


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    done_at = (select(func.min(OrderStep.at)).where(OrderStep.order_id == ServiceOrder.id,
                                                     OrderStep.from_step.in_(STEPS),
                                                     OrderStep.to_step == "archived").scalar_subquery())
    went = exists().where(OrderStep.order_id == ServiceOrder.id, OrderStep.to_step.in_(STEPS))
    stmt = orders.order_select(q, KINDS, Account.number.label("account"), meter_number_subquery().label("meter"),
                        ServiceOrder.crew.label("crew"), ServiceOrder.appointment_at.label("appointment_at"),
                        done_at.label("done_at"))
    return stmt.outerjoin(Account, Account.id == ServiceOrder.account_id).where(went)


LEDGER = orders.order_ledger(
    "plugging", "封堵业务受理台账", "暂停用气和销户中需要上门封堵的业务：派工、完成时间、读数、收费", kinds=KINDS,
    select=select_rows, empty="本期无封堵业务记录",
    columns=(
        orders.NUMBER,
        column("封堵类别", lambda q, r: f"{ALL_FLOWS[r.kind].short_label}{SiteWork.PLUGGING.label}", width=12),
        orders.OPENED_AT, orders.CUSTOMER_NUMBER, orders.CUSTOMER_NAME.but(width=14), orders.PHONE, orders.ADDRESS,
        column("燃气账户", "account", width=12), column("表号", "meter", width=12), column("作业班组", "crew", width=10),
        column("预约上门时间", "appointment_at", T.DATETIME), column("封堵完成时间", "done_at", T.DATETIME),
        recorded(KINDS, "final_reading", "封堵时表读数（m³）"), recorded(KINDS, "fee", "封堵费（元）", total=True),
        column("收费方式", fee_method), orders.STATUS, orders.CLERK,
    ),
)
