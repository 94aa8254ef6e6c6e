"""The lists people work from: overdue, due today, my queue, the dispatch queue, counts by state.

Each is one indexed query over `deadline` (due_at is kept current) or `service_order`, returning
plain rows a table can show. They page with limit/offset, so a view never loads a whole table.

The dispatch queues and today's intake are counter business: the orders safety-inspection plans open
by the thousand (受理方式 安检计划) are left out unless `plan_orders` asks for them, and a `Tally` says
how many there are, so a view can say what it leaves out. Orders raised from a hazard (隐患停气) are
never left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select

from gasdesk.flows import ALL_FLOWS
from gasdesk.models import Customer, Deadline, Department, ServiceOrder
from gasdesk.services.context import Service
from gasdesk.services.deadlines import is_provisional
from gasdesk.vocab import Channel, DeadlineStatus, OrderStatus, Role


@dataclass(frozen=True)
class WorkItem:
    order_id: int
    number: str
    kind: str
    kind_label: str
    step: str
    step_label: str
    status: str
    customer_name: str
    address: str
    phone: str
    opened_at: datetime
    # The nearest running clock of the order: when it falls due and when it last started.
    due_at: datetime | None
    deadline_started_at: datetime | None
    department: str
    crew: str
    appointment_at: datetime | None
    # The shown due date counts working days across a year whose notice is not confirmed yet.
    provisional: bool = False
    # The unit of the clock that falls due at due_at (working days, hours...): how time left reads.
    due_unit: str | None = None


@dataclass(frozen=True)
class Tally:
    """How many orders a list holds, and how many of them a safety-inspection plan opened."""

    total: int
    plan: int

    def shown(self, plan_orders: bool) -> int:
        """What the list shows: every order, or without the plans' orders."""
        return self.total if plan_orders else self.total - self.plan


def from_plan() -> ColumnElement[bool]:
    """Opened by a safety-inspection plan (受理方式 安检计划)."""
    return ServiceOrder.channel == Channel.PLAN


def _step_label(kind: str, step: str) -> str:
    flow = ALL_FLOWS.get(kind)
    return flow.step_label(step) if flow else step


def visit_steps() -> list[tuple[str, str]]:
    return [(f.kind, s.code) for f in ALL_FLOWS.values() for s in f.steps if s.visit]


def rebooking_steps() -> list[tuple[str, str]]:
    """Customer-wait steps whose way out is a new visit (等待客户重新预约)."""
    return [(f.kind, s.code) for f in ALL_FLOWS.values() for s in f.steps
            if s.customer_wait and any(f.has_step(a.target) and f.step(a.target).visit for a in s.actions)]


def steps_for_role(role: Role) -> list[tuple[str, str]]:
    """The (kind, step) pairs whose actions this role may take: the role's own queue."""
    return [(flow.kind, step.code) for flow in ALL_FLOWS.values() for step in flow.steps
            if not step.terminal and any(role in a.roles for a in step.actions)]


def _in_steps(pairs: list[tuple[str, str]]) -> ColumnElement[bool]:
    by_kind: dict[str, list[str]] = {}
    for kind, step in pairs:
        by_kind.setdefault(kind, []).append(step)
    return or_(*(and_(ServiceOrder.kind == k, ServiceOrder.step.in_(steps)) for k, steps in by_kind.items()))


def _nearest_clock(*conditions: ColumnElement[bool]) -> Any:
    """Per order, the earliest due time of its running clocks (and the latest start among them)."""
    return (
        select(Deadline.order_id, func.min(Deadline.due_at).label("due_at"),
               func.max(Deadline.started_at).label("started_at"))
        .where(Deadline.status == DeadlineStatus.RUNNING, *conditions)
        .group_by(Deadline.order_id).subquery()
    )


class WorklistService(Service):
    def _select(self, clock: Any, *, only_with_clock: bool = False) -> Select[Any]:
        join = select(ServiceOrder, Customer.name, Customer.address, Customer.phone, clock.c.due_at,
                      clock.c.started_at, Department.name)
        join = (join.join(clock, clock.c.order_id == ServiceOrder.id) if only_with_clock
                else join.outerjoin(clock, clock.c.order_id == ServiceOrder.id))
        return (join.join(Customer, Customer.id == ServiceOrder.customer_id)
                .outerjoin(Department, Department.id == ServiceOrder.department_id))

    def _items(self, stmt: Select[Any]) -> list[WorkItem]:
        with self.app.reading() as s:
            items = [
                WorkItem(order_id=o.id, number=o.number, kind=o.kind, kind_label=ALL_FLOWS[o.kind].label,
                         step=o.step, step_label=_step_label(o.kind, o.step), status=o.status,
                         customer_name=name, address=address, phone=phone, opened_at=o.opened_at, due_at=due,
                         deadline_started_at=started, department=dept or "", crew=o.crew,
                         appointment_at=o.appointment_at)
                for o, name, address, phone, due, started, dept in s.execute(stmt).all()
            ]
            return self._mark_provisional(s, items)

    def _mark_provisional(self, s: Any, items: list[WorkItem]) -> list[WorkItem]:
        """Each row's clock unit, and a mark on the rows whose shown due date is counted across a year
        not yet confirmed. One query over the page's running clocks (by the order_id index)."""
        dated = [i for i in items if i.due_at is not None]
        if not dated:
            return items
        cal = self.app.calendar()
        first = min(i.opened_at for i in dated).date()
        last = max(i.due_at for i in dated if i.due_at is not None).date()
        check = cal.is_provisional(first, last)
        clocks: dict[int, list[tuple[str, datetime, datetime]]] = {}
        for order_id, unit, started, due in s.execute(
                select(Deadline.order_id, Deadline.unit, Deadline.started_at, Deadline.due_at).where(
                    Deadline.order_id.in_([i.order_id for i in dated]), Deadline.status == DeadlineStatus.RUNNING)):
            clocks.setdefault(order_id, []).append((unit, started, due))

        def marked(i: WorkItem) -> WorkItem:
            mine = [(unit, started, due) for unit, started, due in clocks.get(i.order_id, []) if due == i.due_at]
            return replace(i, due_unit=mine[0][0] if mine else None,
                           provisional=check and any(is_provisional(u, st, d, cal) for u, st, d in mine))

        return [marked(i) if i.due_at is not None else i for i in items]

    def overdue(self, *, limit: int = 200, offset: int = 0) -> list[WorkItem]:
        """Orders with a running clock past its due time, most overdue first.

        The page is cut from the (status, due_at, order_id) index before anything is joined, so the
        cost follows the page, not the number of overdue orders.
        """
        page = (
            select(Deadline.order_id, func.min(Deadline.due_at).label("due_at"),
                   literal(None).label("started_at"))
            .where(Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at < self.app.clock.now())
            .group_by(Deadline.order_id).order_by(func.min(Deadline.due_at), Deadline.order_id)
            .offset(offset).limit(limit).subquery()
        )
        stmt = self._select(page, only_with_clock=True).order_by(page.c.due_at, ServiceOrder.id)
        return self._items(stmt)

    def count_overdue(self) -> int:
        with self.app.reading() as s:
            return int(s.scalar(select(func.count(func.distinct(Deadline.order_id))).where(
                Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at < self.app.clock.now())) or 0)

    def due_today(self, *, limit: int = 200, offset: int = 0) -> list[WorkItem]:
        now = self.app.clock.now()
        clock = _nearest_clock(Deadline.due_at >= now, Deadline.due_at <= datetime.combine(now.date(), time.max))
        stmt = self._select(clock, only_with_clock=True).order_by(clock.c.due_at, ServiceOrder.id)
        return self._items(stmt.offset(offset).limit(limit))

    def my_queue(self, *, limit: int = 200, offset: int = 0) -> list[WorkItem]:
        """Open orders waiting in a step this role acts on (a handler: its own department's), the
        most urgent first."""
        pairs = steps_for_role(self.actor.role)
        if not pairs:
            return []
        clock = _nearest_clock()
        stmt = self._select(clock).where(ServiceOrder.status == OrderStatus.OPEN, _in_steps(pairs))
        if self.actor.role is Role.HANDLER and self.actor.department_id is not None:
            stmt = stmt.where(ServiceOrder.department_id == self.actor.department_id)
        stmt = stmt.order_by(clock.c.due_at.is_(None), clock.c.due_at, ServiceOrder.opened_at, ServiceOrder.id)
        return self._items(stmt.offset(offset).limit(limit))

    def count_due_today(self) -> int:
        now = self.app.clock.now()
        with self.app.reading() as s:
            return int(s.scalar(select(func.count(func.distinct(Deadline.order_id))).where(
                Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at >= now,
                Deadline.due_at <= datetime.combine(now.date(), time.max))) or 0)

    def count_my_queue(self) -> int:
        pairs = steps_for_role(self.actor.role)
        if not pairs:
            return 0
        stmt = select(func.count()).select_from(ServiceOrder).where(ServiceOrder.status == OrderStatus.OPEN,
                                                                     _in_steps(pairs))
        if self.actor.role is Role.HANDLER and self.actor.department_id is not None:
            stmt = stmt.where(ServiceOrder.department_id == self.actor.department_id)
        with self.app.reading() as s:
            return int(s.scalar(stmt) or 0)

    def _visits(self) -> Select[Any]:
        return self._select(_nearest_clock()).where(ServiceOrder.status == OrderStatus.OPEN,
                                                    _in_steps(visit_steps()))

    def dispatch_queue(self, *, limit: int = 200, offset: int = 0, plan_orders: bool = False) -> list[WorkItem]:
        """Orders waiting for a site visit: unbooked first, then by appointment (the plans' orders only
        with `plan_orders`)."""
        stmt = self._visits().order_by(ServiceOrder.appointment_at.is_not(None), ServiceOrder.appointment_at,
                                       ServiceOrder.opened_at, ServiceOrder.id)
        if not plan_orders:
            stmt = stmt.where(~from_plan())
        return self._items(stmt.offset(offset).limit(limit))

    def count_dispatch_queue(self, *, plan_orders: bool = False) -> int:
        return self.tally_dispatch_queue().shown(plan_orders)

    def tally_dispatch_queue(self) -> Tally:
        return self._tally(ServiceOrder.status == OrderStatus.OPEN, _in_steps(visit_steps()))

    def visits_booked_on(self, day: date) -> list[WorkItem]:
        """Every visit booked for one day, by appointment time (a day's work: printed as one batch)."""
        start = datetime.combine(day, time.min)
        stmt = self._visits().where(ServiceOrder.appointment_at >= start,
                                    ServiceOrder.appointment_at < start + timedelta(days=1))
        return self._items(stmt.order_by(ServiceOrder.appointment_at, ServiceOrder.id))

    def _rebooking_pairs(self) -> list[tuple[str, str]]:
        mine = set(steps_for_role(self.actor.role))
        return [pair for pair in rebooking_steps() if pair in mine]

    def rebooking_queue(self, *, limit: int = 200, offset: int = 0, plan_orders: bool = False) -> list[WorkItem]:
        """Orders this role rebooks once the customer names a new time, in the order of my_queue (the
        plans' orders only with `plan_orders`)."""
        pairs = self._rebooking_pairs()
        if not pairs:
            return []
        clock = _nearest_clock()
        stmt = self._select(clock).where(ServiceOrder.status == OrderStatus.OPEN, _in_steps(pairs)).order_by(
            clock.c.due_at.is_(None), clock.c.due_at, ServiceOrder.opened_at, ServiceOrder.id)
        if not plan_orders:
            stmt = stmt.where(~from_plan())
        return self._items(stmt.offset(offset).limit(limit))

    def count_rebooking_queue(self, *, plan_orders: bool = False) -> int:
        return self.tally_rebooking_queue().shown(plan_orders)

    def tally_rebooking_queue(self) -> Tally:
        pairs = self._rebooking_pairs()
        return self._tally(ServiceOrder.status == OrderStatus.OPEN, _in_steps(pairs)) if pairs else Tally(0, 0)

    def _tally(self, *conditions: ColumnElement[bool]) -> Tally:
        """The orders meeting `conditions`, and those of them the plans opened, in one read."""
        stmt = select(func.count(), func.sum(case((from_plan(), 1), else_=0))).select_from(ServiceOrder).where(
            *conditions)
        with self.app.reading() as s:
            total, plan = s.execute(stmt).one()
        return Tally(int(total or 0), int(plan or 0))

    def orders_of_customer(self, customer_id: int, *, limit: int = 500, offset: int = 0) -> list[WorkItem]:
        """A customer's orders, the latest first, one page at a time."""
        own = select(ServiceOrder.id).where(ServiceOrder.customer_id == customer_id)
        stmt = self._select(_nearest_clock(Deadline.order_id.in_(own))).where(
            ServiceOrder.customer_id == customer_id).order_by(ServiceOrder.opened_at.desc(), ServiceOrder.id.desc())
        return self._items(stmt.offset(offset).limit(limit))

    def count_orders_of_customer(self, customer_id: int) -> int:
        with self.app.reading() as s:
            return int(s.scalar(select(func.count()).select_from(ServiceOrder)
                                .where(ServiceOrder.customer_id == customer_id)) or 0)

    def counts_by_state(self) -> list[tuple[str, str, int]]:
        """(flow label, step label, number of open orders), in the order of the flows and their steps."""
        with self.app.reading() as s:
            rows = s.execute(
                select(ServiceOrder.kind, ServiceOrder.step, func.count())
                .where(ServiceOrder.status == OrderStatus.OPEN).group_by(ServiceOrder.kind, ServiceOrder.step)
            ).all()
        flow_rank = {kind: i for i, kind in enumerate(ALL_FLOWS)}

        def rank(kind: str, step: str) -> tuple[int, int]:
            steps = [st.code for st in ALL_FLOWS[kind].steps] if kind in ALL_FLOWS else []
            return flow_rank.get(kind, 99), steps.index(step) if step in steps else 99

        return [(ALL_FLOWS[k].label if k in ALL_FLOWS else k, _step_label(k, st), n)
                for k, st, n in sorted(rows, key=lambda r: rank(r[0], r[1]))]

    def counts_by_status(self, since: datetime | None = None) -> dict[str, int]:
        with self.app.reading() as s:
            stmt = select(ServiceOrder.status, func.count()).group_by(ServiceOrder.status)
            if since is not None:
                stmt = stmt.where(ServiceOrder.opened_at >= since)
            return {status: n for status, n in s.execute(stmt).all()}

    def opened_today(self, *, plan_orders: bool = False) -> int:
        """今日受理: the orders opened today (the plans' orders only with `plan_orders`)."""
        return self.tally_opened_today().shown(plan_orders)

    def tally_opened_today(self) -> Tally:
        start = datetime.combine(self.app.clock.now().date(), time.min)
        return self._tally(ServiceOrder.opened_at >= start, ServiceOrder.opened_at < start + timedelta(days=1))

    def order_status(self, order_ids: Sequence[int]) -> dict[int, str]:
        with self.app.reading() as s:
            return dict(s.execute(select(ServiceOrder.id, ServiceOrder.status)
                                  .where(ServiceOrder.id.in_(order_ids))).all())
