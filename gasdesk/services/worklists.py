"""The lists people work from: overdue, due today, my queue, the dispatch queue, counts by state.

Each is one indexed query over `deadline` (due_at is kept current) or `service_order`, returning
plain rows a table can show. They page with limit/offset, so a view never loads a whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, func, select

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows.definition import FlowDef
from gasdesk.models import Customer, Deadline, Department, ServiceOrder
from gasdesk.services.context import Actor, App
from gasdesk.vocab import DeadlineScope, DeadlineStatus, OrderStatus, Role


@dataclass(frozen=True)
class WorkItem:
    order_id: int
    number: str
    kind: str
    kind_label: str
    step: str
    step_label: str
    customer_name: str
    address: str
    phone: str
    opened_at: datetime
    due_at: datetime | None
    deadline_scope: str | None
    department: str
    crew: str
    appointment_at: datetime | None


def _step_label(kind: str, step: str) -> str:
    flow = ALL_FLOWS.get(kind)
    return flow.step(step).label if flow and flow.has_step(step) else step


def visit_steps() -> list[tuple[str, str]]:
    return [(f.kind, s.code) for f in ALL_FLOWS.values() for s in f.steps if s.visit]


def steps_for_role(role: Role) -> list[tuple[str, str]]:
    """The (kind, step) pairs whose actions this role may take: the role's own queue."""
    pairs = []
    for flow in ALL_FLOWS.values():
        for step in flow.steps:
            if any(role in a.roles for a in step.actions) and not step.terminal:
                pairs.append((flow.kind, step.code))
    return pairs


class WorklistService:
    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app, actor

    def _base(self) -> Select:  # type: ignore[type-arg]
        nearest = (
            select(Deadline.order_id, func.min(Deadline.due_at).label("due_at"))
            .where(Deadline.status == DeadlineStatus.RUNNING).group_by(Deadline.order_id).subquery()
        )
        return (
            select(ServiceOrder, Customer.name, Customer.address, Customer.phone, nearest.c.due_at, Department.name)
            .join(Customer, Customer.id == ServiceOrder.customer_id)
            .outerjoin(nearest, nearest.c.order_id == ServiceOrder.id)
            .outerjoin(Department, Department.id == ServiceOrder.department_id)
        )

    def _items(self, stmt: Select, scope_of: dict[int, str] | None = None) -> list[WorkItem]:  # type: ignore[type-arg]
        with self.app.reading() as s:
            return [
                WorkItem(order_id=o.id, number=o.number, kind=o.kind, kind_label=ALL_FLOWS[o.kind].label, step=o.step,
                         step_label=_step_label(o.kind, o.step), customer_name=name, address=address, phone=phone,
                         opened_at=o.opened_at, due_at=due, deadline_scope=(scope_of or {}).get(o.id),
                         department=dept or "", crew=o.crew, appointment_at=o.appointment_at)
                for o, name, address, phone, due, dept in s.execute(stmt).all()
            ]

    def overdue(self, *, limit: int = 200, offset: int = 0) -> list[WorkItem]:
        """Orders with a running clock past its due time, most overdue first."""
        now = self.app.clock.now()
        late = (
            select(Deadline.order_id, func.min(Deadline.due_at).label("due_at"))
            .where(Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at < now)
            .group_by(Deadline.order_id).subquery()
        )
        stmt = (
            select(ServiceOrder, Customer.name, Customer.address, Customer.phone, late.c.due_at, Department.name)
            .join(late, late.c.order_id == ServiceOrder.id)
            .join(Customer, Customer.id == ServiceOrder.customer_id)
            .outerjoin(Department, Department.id == ServiceOrder.department_id)
            .order_by(late.c.due_at, ServiceOrder.id).offset(offset).limit(limit)
        )
        return self._items(stmt)

    def count_overdue(self) -> int:
        now = self.app.clock.now()
        with self.app.reading() as s:
            return int(s.scalar(select(func.count(func.distinct(Deadline.order_id))).where(
                Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at < now)) or 0)

    def due_today(self, *, limit: int = 200, offset: int = 0) -> list[WorkItem]:
        now = self.app.clock.now()
        end = datetime.combine(now.date(), time.max)
        due = (
            select(Deadline.order_id, func.min(Deadline.due_at).label("due_at"))
            .where(Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at >= now, Deadline.due_at <= end)
            .group_by(Deadline.order_id).subquery()
        )
        stmt = (
            select(ServiceOrder, Customer.name, Customer.address, Customer.phone, due.c.due_at, Department.name)
            .join(due, due.c.order_id == ServiceOrder.id)
            .join(Customer, Customer.id == ServiceOrder.customer_id)
            .outerjoin(Department, Department.id == ServiceOrder.department_id)
            .order_by(due.c.due_at).offset(offset).limit(limit)
        )
        return self._items(stmt)

    def my_queue(self, *, limit: int = 200, offset: int = 0) -> list[WorkItem]:
        """Open orders waiting in a step this role acts on; the handler sees its own department's."""
        pairs = steps_for_role(self.actor.role)
        if not pairs:
            return []
        cond = _pairs_condition(pairs)
        stmt = self._base().where(ServiceOrder.status == OrderStatus.OPEN, cond)
        if self.actor.role is Role.HANDLER and self.actor.department_id is not None:
            stmt = stmt.where(ServiceOrder.department_id == self.actor.department_id)
        stmt = stmt.order_by(func.coalesce(_due_col(stmt), ServiceOrder.opened_at), ServiceOrder.id)
        return self._items(stmt.offset(offset).limit(limit))

    def dispatch_queue(self, *, limit: int = 500, offset: int = 0) -> list[WorkItem]:
        """Orders waiting for a site visit: unbooked first, then by appointment."""
        stmt = self._base().where(ServiceOrder.status == OrderStatus.OPEN, _pairs_condition(visit_steps()))
        stmt = stmt.order_by(ServiceOrder.appointment_at.is_not(None), ServiceOrder.appointment_at,
                             ServiceOrder.opened_at).offset(offset).limit(limit)
        return self._items(stmt)

    def counts_by_state(self) -> list[tuple[str, str, int]]:
        """(flow label, step label, number of open orders) for the dashboard."""
        with self.app.reading() as s:
            rows = s.execute(
                select(ServiceOrder.kind, ServiceOrder.step, func.count())
                .where(ServiceOrder.status == OrderStatus.OPEN)
                .group_by(ServiceOrder.kind, ServiceOrder.step)
            ).all()
        order = {f.kind: i for i, f in enumerate(ALL_FLOWS.values())}
        result = [(ALL_FLOWS[k].label, _step_label(k, st), n) for k, st, n in rows]
        result.sort(key=lambda r: (order.get(_kind_of(r[0]), 99), r[1]))
        return result

    def counts_by_status(self, since: datetime | None = None) -> dict[str, int]:
        with self.app.reading() as s:
            stmt = select(ServiceOrder.status, func.count()).group_by(ServiceOrder.status)
            if since is not None:
                stmt = stmt.where(ServiceOrder.opened_at >= since)
            return {st: n for st, n in s.execute(stmt).all()}

    def opened_today(self) -> int:
        now = self.app.clock.now()
        start = datetime.combine(now.date(), time.min)
        with self.app.reading() as s:
            return int(s.scalar(select(func.count()).select_from(ServiceOrder).where(
                ServiceOrder.opened_at >= start, ServiceOrder.opened_at < start + timedelta(days=1))) or 0)

    def orders_of_customer(self, customer_id: int, *, limit: int = 500) -> list[WorkItem]:
        stmt = self._base().where(ServiceOrder.customer_id == customer_id).order_by(
            ServiceOrder.opened_at.desc(), ServiceOrder.id.desc()).limit(limit)
        return self._items(stmt)

    def order_status(self, order_ids: Sequence[int]) -> dict[int, str]:
        with self.app.reading() as s:
            return dict(s.execute(select(ServiceOrder.id, ServiceOrder.status)
                                  .where(ServiceOrder.id.in_(order_ids))).all())


def _pairs_condition(pairs: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    from sqlalchemy import or_, tuple_

    by_kind: dict[str, list[str]] = {}
    for kind, step in pairs:
        by_kind.setdefault(kind, []).append(step)
    del tuple_
    return or_(*(and_(ServiceOrder.kind == k, ServiceOrder.step.in_(steps)) for k, steps in by_kind.items()))


def _due_col(stmt: Select):  # type: ignore[type-arg, no-untyped-def]
    return stmt.selected_columns[4]


def _kind_of(label: str) -> str:
    for f in ALL_FLOWS.values():
        if f.label == label:
            return f.kind
    return ""


def flow_for(kind: str) -> FlowDef:
    return ALL_FLOWS[kind]


__all__ = ["DeadlineScope", "WorkItem", "WorklistService"]
