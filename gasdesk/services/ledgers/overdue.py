"""超期工单: the orders past a committed time now, how late, and the department answering for them.

The dashboard's overdue chart reads the same query (`select_rows`) and department (`responsible`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

import gasdesk.services.ledgers.orders as orders
from gasdesk.models import Customer, Deadline, ServiceOrder
from gasdesk.services.ledgers.query import Query, order_filters
from gasdesk.services.ledgers.sheet import LedgerDef, SheetDef, T, column
from gasdesk.vocab import DeadlineScope, DeadlineStatus

UNASSIGNED = "（未指定）"


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    """Open orders with a running clock due before now, the most overdue first."""
    late = (select(Deadline.order_id, func.min(Deadline.due_at).label("due_at"))
            .where(Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at < q.now)
            .group_by(Deadline.order_id).subquery())
    # The department of the running step clock, and the scope of the most overdue clock.
    step_dept = (select(Deadline.department_id)
                 .where(Deadline.order_id == ServiceOrder.id, Deadline.status == DeadlineStatus.RUNNING,
                        Deadline.scope == DeadlineScope.STEP)
                 .order_by(Deadline.due_at).limit(1).scalar_subquery())
    scope = (select(Deadline.scope)
             .where(Deadline.order_id == ServiceOrder.id, Deadline.status == DeadlineStatus.RUNNING,
                    Deadline.due_at == late.c.due_at)
             .order_by(Deadline.id).limit(1).scalar_subquery())
    dept = func.coalesce(step_dept, ServiceOrder.department_id)
    stmt = (
        select(ServiceOrder.id.label("id"), ServiceOrder.number.label("number"), ServiceOrder.kind.label("kind"),
               ServiceOrder.step.label("step"), ServiceOrder.status.label("status"),
               Customer.name.label("customer_name"), Customer.phone.label("phone"), Customer.address.label("address"),
               ServiceOrder.opened_at.label("opened_at"), ServiceOrder.opened_by_id.label("clerk_id"),
               scope.label("scope"), late.c.due_at.label("due_at"), dept.label("dept"),
               ServiceOrder.crew.label("crew"))
        .join(late, late.c.order_id == ServiceOrder.id)
        .join(Customer, Customer.id == ServiceOrder.customer_id)
        .order_by(late.c.due_at, ServiceOrder.id)
    )
    return order_filters(stmt, q, None, department_column=dept)


def responsible(q: Query, r: Any) -> str:
    return q.lookups.responsible(r.kind, r.step, r.status, r.dept) or UNASSIGNED


def days_late(q: Query, r: Any) -> Decimal:
    return Decimal((q.now - r.due_at).total_seconds() / 86400).quantize(Decimal("0.1"))


LEDGER = LedgerDef(
    name="overdue", title="超期工单", description="当前已超过承诺时限仍在办理的业务：超期天数、责任部门",
    date_basis="受理日期", filters=frozenset({"date", "kind", "department", "clerk"}), snapshot=True,
    sheets=(SheetDef(
        title="超期工单", select=select_rows, totals=True, empty="当前没有超期工单",
        note="超期天数按自然日计；超期工作日按办公日历计",
        columns=(
            orders.NUMBER, orders.KIND, orders.STEP.but(width=20), orders.CUSTOMER_NAME, orders.PHONE, orders.ADDRESS,
            orders.OPENED_AT, orders.CLERK, column("超期时限", lambda q, r: DeadlineScope(r.scope).label if r.scope else ""),
            column("应完成时间", "due_at", T.DATETIME), column("超期天数", days_late, T.NUMBER),
            column("超期工作日", lambda q, r: q.calendar.count_working_days(r.due_at.date(), q.now.date()), T.INT),
            column("责任部门", responsible, width=10), column("作业班组", lambda q, r: r.crew or "", width=10),
        ),
    ),),
)
