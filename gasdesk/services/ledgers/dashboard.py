"""The figures of the manager dashboard: open orders by flow and state, the compliance trend, overdue
orders by department, today's counter workload, and the orders behind any bar.

Today's workload is the counter's: the orders safety-inspection plans opened today (受理方式 安检计划,
thousands at once) count only with `plan_orders`; the snapshot says how many it left out.

It reads the ledgers' own queries (the overdue list, the compliance trend), so a bar and the ledger it
opens always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.models import Customer, Deadline, Payment, ServiceOrder
from gasdesk.permissions import Permission
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Actor, App, Service
from gasdesk.services.errors import Refused
from gasdesk.services.ledgers.compliance import finished_months
from gasdesk.services.ledgers.inspection_coverage import CoverageFigure, coverage_now
from gasdesk.services.ledgers.overdue import responsible
from gasdesk.services.ledgers.overdue import select_rows as overdue_rows
from gasdesk.services.ledgers.query import (
    ZERO,
    LedgerFilter,
    Lookups,
    Query,
    kind_label,
    last_step_subquery,
    month_expr,
    share,
    status_label,
    step_label,
)
from gasdesk.services.ledgers.rates import MonthRates, month_rates, select_rates
from gasdesk.services.worklists import from_plan
from gasdesk.vocab import DeadlineStatus, OrderStatus

OPEN_STATES: dict[str, str] = {
    "overdue": "已超期",
    "due_today": "今日到期",
    "waiting": "等待客户/暂停",
    "normal": "正常办理",
}


@dataclass(frozen=True)
class FlowStates:
    kind: str
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class MonthRate:
    month: str
    count: int
    met: int
    missed: int

    @property
    def rate(self) -> float | None:
        return share(self.met, self.count)


@dataclass(frozen=True)
class DepartmentLoad:
    name: str
    count: int


@dataclass(frozen=True)
class ClerkLoad:
    staff_id: int
    name: str
    orders: int
    payments: int
    cash: Decimal


@dataclass(frozen=True)
class DashboardSnapshot:
    at: datetime
    by_flow: list[FlowStates]
    trend: list[MonthRate]
    overdue: list[DepartmentLoad]
    workload: list[ClerkLoad]
    # The published rates (一次处结率, 表具合格率) of the same months as `trend`.
    rates: list[MonthRates] = field(default_factory=list)
    # Safety inspection: coverage within the interval now, households overdue, open hazards.
    inspection: CoverageFigure | None = None
    # Orders inspection plans opened today that `workload` leaves out (0 when it counts them).
    plan_left_out: int = 0

    @property
    def open_total(self) -> int:
        return sum(f.total for f in self.by_flow)

    @property
    def overdue_total(self) -> int:
        return sum(d.count for d in self.overdue)


@dataclass(frozen=True)
class Selection:
    """What a bar stands for. chart: 'flow_state' (key (kind, state)), 'overdue' (department name),
    'workload' (staff id: orders opened today), 'month' ((YYYY-MM, 'met' | 'missed'): orders with a clock
    finished that month on time / late)."""

    chart: str
    key: Any
    title: str = ""


@dataclass(frozen=True)
class DashboardOrder:
    order_id: int
    number: str
    kind_label: str
    step_label: str
    status_label: str
    customer_name: str
    opened_at: datetime
    opened_by: str
    due_at: datetime | None
    department: str


@dataclass
class _OpenOrder:
    order_id: int
    kind: str
    state: str
    extra: dict[str, Any] = field(default_factory=dict)


def _first_of_months(today: date, months: int) -> date:
    """The first day of the month `months - 1` months before today's."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


class DashboardData(Service):
    """The figures of the manager dashboard; read-only, one short read per call."""

    LIST_LIMIT = 500

    def __init__(self, app: App, actor: Actor) -> None:
        actor.require(Permission.EXPORT_LEDGERS)
        super().__init__(app, actor)

    def _query(self, s: Session) -> Query:
        return Query(filter=LedgerFilter(), now=self.app.clock.now(), dialect=s.get_bind().dialect.name,
                     lookups=Lookups.load(s), calendar=self.app.calendar(), settings=settings_store.read_all(s))

    def snapshot(self, months: int = 12, *, plan_orders: bool = False) -> DashboardSnapshot:
        with self.app.reading() as s:
            q = self._query(s)
            return DashboardSnapshot(at=q.now, by_flow=self._by_flow(s, q), trend=self._trend(s, q, months),
                                     overdue=self._overdue(s, q), workload=self._workload(s, q, plan_orders),
                                     rates=self._rates(s, q, months),
                                     inspection=coverage_now(s, q.now, q.settings),
                                     plan_left_out=0 if plan_orders else self._plan_today(s, q))

    def inspection_coverage(self) -> CoverageFigure:
        with self.app.reading() as s:
            q = self._query(s)
            return coverage_now(s, q.now, q.settings)

    # --- open orders by flow and state ------------------------------------------------------------

    def _open_orders(self, s: Session, now: datetime) -> list[_OpenOrder]:
        running = (select(Deadline.order_id, func.min(Deadline.due_at).label("due"))
                   .where(Deadline.status == DeadlineStatus.RUNNING).group_by(Deadline.order_id).subquery())
        paused = (select(Deadline.order_id, func.count().label("n"))
                  .where(Deadline.status == DeadlineStatus.PAUSED).group_by(Deadline.order_id).subquery())
        rows = s.execute(
            select(ServiceOrder.id, ServiceOrder.kind, ServiceOrder.step, running.c.due, paused.c.n)
            .outerjoin(running, running.c.order_id == ServiceOrder.id)
            .outerjoin(paused, paused.c.order_id == ServiceOrder.id)
            .where(ServiceOrder.status == OrderStatus.OPEN)
        ).all()
        today = now.date()
        result = []
        for order_id, kind, step, due, n_paused in rows:
            flow = ALL_FLOWS.get(kind)
            waiting_step = bool(flow and flow.has_step(step) and flow.step(step).customer_wait)
            if due is not None and due < now:
                state = "overdue"
            elif waiting_step or (due is None and n_paused):
                state = "waiting"
            elif due is not None and due.date() == today:
                state = "due_today"
            else:
                state = "normal"
            result.append(_OpenOrder(order_id, kind, state))
        return result

    def _by_flow(self, s: Session, q: Query) -> list[FlowStates]:
        counts: dict[str, dict[str, int]] = {k: dict.fromkeys(OPEN_STATES, 0) for k in ALL_FLOWS}
        for o in self._open_orders(s, q.now):
            counts.setdefault(o.kind, dict.fromkeys(OPEN_STATES, 0))[o.state] += 1
        return [FlowStates(kind, kind_label(kind), c) for kind, c in counts.items()]

    def open_by_flow_state(self) -> list[FlowStates]:
        with self.app.reading() as s:
            return self._by_flow(s, self._query(s))

    # --- compliance trend -------------------------------------------------------------------------

    def _trend(self, s: Session, q: Query, months: int) -> list[MonthRate]:
        first = _first_of_months(q.now.date(), months)
        q = replace(q, filter=LedgerFilter(date_from=first))
        found = {str(r.month)[:7]: (r.finished, int(r.met or 0)) for r in s.execute(finished_months(q))}
        result = []
        month = first
        for _ in range(months):
            key = f"{month:%Y-%m}"
            n, met = found.get(key, (0, 0))
            result.append(MonthRate(key, n, met, n - met))
            month = (month + timedelta(days=32)).replace(day=1)
        return result

    def compliance_trend(self, months: int = 12) -> list[MonthRate]:
        with self.app.reading() as s:
            return self._trend(s, self._query(s), months)

    # --- the published rates ----------------------------------------------------------------------

    def _rates(self, s: Session, q: Query, months: int) -> list[MonthRates]:
        first = _first_of_months(q.now.date(), months)
        q = replace(q, filter=LedgerFilter(date_from=first))
        found = {m.month: m for m in (month_rates(q, r) for r in s.execute(select_rates(q)))}
        result, month = [], first
        for _ in range(months):
            key = f"{month:%Y-%m}"
            result.append(found.get(key) or MonthRates(key))
            month = (month + timedelta(days=32)).replace(day=1)
        return result

    def rates_by_month(self, months: int = 12) -> list[MonthRates]:
        """一次处结率 and 表具校验、更换合格率 of the last `months` months (the current one last)."""
        with self.app.reading() as s:
            return self._rates(s, self._query(s), months)

    # --- overdue by department --------------------------------------------------------------------

    def _overdue_rows(self, s: Session, q: Query) -> list[tuple[int, str]]:
        """(order id, responsible department name) of every order overdue now."""
        return [(r.id, responsible(q, r)) for r in s.execute(overdue_rows(q))]

    def _overdue(self, s: Session, q: Query) -> list[DepartmentLoad]:
        counts: dict[str, int] = defaultdict(int)
        for _, dept in self._overdue_rows(s, q):
            counts[dept] += 1
        return sorted((DepartmentLoad(k, v) for k, v in counts.items()), key=lambda d: (-d.count, d.name))

    def overdue_by_department(self) -> list[DepartmentLoad]:
        with self.app.reading() as s:
            return self._overdue(s, self._query(s))

    # --- today's counter workload -----------------------------------------------------------------

    def _today(self, now: datetime) -> tuple[datetime, datetime]:
        start = datetime.combine(now.date(), time.min)
        return start, start + timedelta(days=1)

    def _opened_today(self, q: Query, plan_orders: bool) -> list[ColumnElement[bool]]:
        start, end = self._today(q.now)
        return [ServiceOrder.opened_at >= start, ServiceOrder.opened_at < end,
                *(() if plan_orders else (~from_plan(),))]

    def _plan_today(self, s: Session, q: Query) -> int:
        return int(s.scalar(select(func.count()).select_from(ServiceOrder).where(
            *self._opened_today(q, True), from_plan())) or 0)

    def _workload(self, s: Session, q: Query, plan_orders: bool = False) -> list[ClerkLoad]:
        start, end = self._today(q.now)
        orders = dict(s.execute(
            select(ServiceOrder.opened_by_id, func.count())
            .where(*self._opened_today(q, plan_orders))
            .group_by(ServiceOrder.opened_by_id)).all())
        pays = {sid: (n, cash) for sid, n, cash in s.execute(
            select(Payment.staff_id, func.count(), func.sum(Payment.cash_effect))
            .where(Payment.at >= start, Payment.at < end).group_by(Payment.staff_id)).all()}
        result = []
        for sid in sorted(set(orders) | set(pays), key=lambda i: q.lookups.staff.get(i, "")):
            n_pay, cash = pays.get(sid, (0, ZERO))
            result.append(ClerkLoad(sid, q.lookups.staff.get(sid, str(sid)), int(orders.get(sid, 0)), int(n_pay),
                                    cash if cash is not None else ZERO))
        return result

    def today_workload(self, *, plan_orders: bool = False) -> list[ClerkLoad]:
        with self.app.reading() as s:
            return self._workload(s, self._query(s), plan_orders)

    # --- the orders behind a bar ------------------------------------------------------------------

    def orders(self, selection: Selection, *, plan_orders: bool = False) -> list[DashboardOrder]:
        """The orders behind a bar; today's workload without the inspection plans' orders unless
        `plan_orders`, as the chart counted them."""
        with self.app.reading() as s:
            q = self._query(s)
            ids = self._selected_ids(s, q, selection, plan_orders)[: self.LIST_LIMIT]
            return self._order_rows(s, q, ids)

    def _selected_ids(self, s: Session, q: Query, sel: Selection, plan_orders: bool = False) -> list[int]:
        if sel.chart == "flow_state":
            kind, state = sel.key
            return [o.order_id for o in self._open_orders(s, q.now) if o.kind == kind and o.state == state]
        if sel.chart == "overdue":
            return [oid for oid, dept in self._overdue_rows(s, q) if dept == sel.key]
        if sel.chart == "workload":
            return list(s.scalars(select(ServiceOrder.id).where(
                ServiceOrder.opened_by_id == sel.key, *self._opened_today(q, plan_orders))
                .order_by(ServiceOrder.opened_at, ServiceOrder.id)))
        if sel.chart == "month":
            key_month, status = sel.key if isinstance(sel.key, tuple) else (sel.key, DeadlineStatus.MISSED)
            month = month_expr(q, Deadline.finished_at)
            return list(s.scalars(select(Deadline.order_id).where(
                Deadline.status == status, month == literal(str(key_month)))
                .group_by(Deadline.order_id).order_by(Deadline.order_id)))
        raise Refused(f"未知的图表：{sel.chart}")

    def _order_rows(self, s: Session, q: Query, ids: list[int]) -> list[DashboardOrder]:
        if not ids:
            return []
        due = (select(Deadline.order_id, func.min(Deadline.due_at).label("due"))
               .where(Deadline.status == DeadlineStatus.RUNNING, Deadline.order_id.in_(ids))
               .group_by(Deadline.order_id).subquery())
        rows = s.execute(
            select(ServiceOrder.id, ServiceOrder.number, ServiceOrder.kind, ServiceOrder.step, ServiceOrder.status,
                   Customer.name.label("customer_name"), ServiceOrder.opened_at, ServiceOrder.opened_by_id,
                   due.c.due, ServiceOrder.department_id, last_step_subquery().label("last_step"))
            .join(Customer, Customer.id == ServiceOrder.customer_id)
            .outerjoin(due, due.c.order_id == ServiceOrder.id)
            .where(ServiceOrder.id.in_(ids))
        ).all()
        position = {oid: i for i, oid in enumerate(ids)}
        result = [
            DashboardOrder(order_id=r.id, number=r.number, kind_label=kind_label(r.kind),
                           step_label=step_label(r.kind, r.step), status_label=status_label(r.status),
                           customer_name=r.customer_name, opened_at=r.opened_at, opened_by=q.clerk(r.opened_by_id),
                           due_at=r.due, department=q.lookups.responsible(r.kind, r.step, r.status,
                                                                          r.department_id, r.last_step))
            for r in rows
        ]
        result.sort(key=lambda o: position[o.order_id])
        return result
