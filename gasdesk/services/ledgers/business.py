"""业务受理台账: every order of every flow, how it came in (受理方式), its customer, step, state, department
and whole-order clock. The counter's ledger: what safety-inspection plans opened in bulk may be left out
(the "plan" filter; the ledger page leaves them out unless asked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_
from sqlalchemy.orm import aliased

import gasdesk.services.ledgers.orders as orders
from gasdesk.models import Deadline, ServiceOrder
from gasdesk.services.deadlines import is_provisional
from gasdesk.services.ledgers.query import ORDER_FILTERS, PLAN_FILTER, Query, last_step_subquery
from gasdesk.services.ledgers.sheet import column
from gasdesk.vocab import DeadlineScope, DeadlineStatus
from gasdesk.workdays import PROVISIONAL_MARK


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    clock = aliased(Deadline)
    stmt = orders.order_select(q, None, clock.status.label("clock_status"), clock.due_at.label("due_at"),
                        clock.unit.label("unit"), clock.started_at.label("started_at"),
                        last_step_subquery().label("last_step"))
    return stmt.outerjoin(clock, and_(clock.order_id == ServiceOrder.id, clock.scope == DeadlineScope.ORDER))


def clock_label(status: str | None, due: datetime | None, now: datetime) -> str:
    if status is None:
        return "无全程时限"
    if status == DeadlineStatus.RUNNING and due is not None and due < now:
        return "已超期"
    return DeadlineStatus(status).label


def provisional_note(q: Query, r: Any) -> str:
    """The mark of an open due date counted across a year whose holiday notice is not confirmed yet."""
    if r.clock_status not in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED) or None in (r.unit, r.started_at, r.due_at):
        return ""
    return f"（{PROVISIONAL_MARK}）" if is_provisional(r.unit, r.started_at, r.due_at, q.calendar) else ""


LEDGER = orders.order_ledger(
    "business", "业务受理台账", "全部业务受理单：客户、环节、状态、承办部门、时限", kinds=None, select=select_rows,
    empty="本期无业务受理记录", filters=ORDER_FILTERS | {PLAN_FILTER},
    columns=(
        orders.NUMBER, orders.KIND, orders.OPENED_AT, orders.CHANNEL, orders.CUSTOMER_NUMBER,
        orders.CUSTOMER_NAME.but(width=14), orders.ID_NUMBER, orders.PHONE, orders.ADDRESS, orders.STEP.but(width=20),
        orders.STATUS,
        column("承办部门", lambda q, r: q.lookups.responsible(r.kind, r.step, r.status, r.department_id, r.last_step),
               width=10),
        orders.CLERK, orders.CLOSED_AT,
        column("全程时限", lambda q, r: clock_label(r.clock_status, r.due_at, q.now) + provisional_note(q, r), width=10),
    ),
)
