"""Starting, pausing, resuming and closing an order's commitment clocks (rows of `deadline`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gasdesk import sla
from gasdesk.flows.definition import StepDef, TimeLimit
from gasdesk.models import Deadline, DeadlinePause, ServiceOrder
from gasdesk.services import settings as settings_store
from gasdesk.vocab import DeadlineScope, DeadlineStatus, TimeUnit
from gasdesk.workdays import WorkCalendar

OPEN = (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED)


def limit_amount(session: Session, limit: TimeLimit) -> int:
    if limit.setting:
        value = settings_store.get(session, limit.setting)
        if value not in (None, ""):
            return int(value)
    return limit.amount


def start(session: Session, order: ServiceOrder, *, scope: DeadlineScope, step: StepDef | None,
          limit: TimeLimit, at: datetime, calendar: WorkCalendar, department_id: int | None) -> Deadline:
    amount = limit_amount(session, limit)
    deadline = Deadline(
        order=order, scope=scope, step=step.code if step else None, department_id=department_id,
        amount=amount, unit=limit.unit, started_at=at, due_at=sla.due_at(amount, limit.unit, at, calendar),
        status=DeadlineStatus.RUNNING, pause_reason="",
    )
    session.add(deadline)
    return deadline


def open_deadlines(order: ServiceOrder, scope: DeadlineScope | None = None) -> list[Deadline]:
    return [d for d in order.deadlines if d.status in OPEN and (scope is None or d.scope == scope)]


def pause(session: Session, deadline: Deadline, at: datetime, reason: str, calendar: WorkCalendar) -> None:
    if deadline.status != DeadlineStatus.RUNNING:
        return
    deadline.remaining = sla.remaining(deadline.unit, deadline.due_at, at, calendar)
    deadline.status = DeadlineStatus.PAUSED
    deadline.paused_at = at
    deadline.pause_reason = reason
    session.add(DeadlinePause(deadline_id=deadline.id, started_at=at, reason=reason))


def resume(session: Session, deadline: Deadline, at: datetime, calendar: WorkCalendar) -> None:
    if deadline.status != DeadlineStatus.PAUSED:
        return
    deadline.due_at = sla.resumed_due(deadline.unit, deadline.remaining or 0, at, calendar)
    deadline.status = DeadlineStatus.RUNNING
    deadline.paused_at = None
    deadline.pause_reason = ""
    deadline.remaining = None
    for p in deadline.pauses:
        if p.ended_at is None:
            p.ended_at = at


def finish(deadline: Deadline, at: datetime, *, cancelled: bool = False) -> None:
    if deadline.status not in OPEN:
        return
    if cancelled:
        deadline.status = DeadlineStatus.CANCELLED
    elif deadline.status == DeadlineStatus.PAUSED:
        deadline.status = DeadlineStatus.MET if (deadline.remaining or 0) >= 0 else DeadlineStatus.MISSED
    else:
        deadline.status = DeadlineStatus.MET if at <= deadline.due_at else DeadlineStatus.MISSED
    deadline.finished_at = at
    for p in deadline.pauses:
        if p.ended_at is None:
            p.ended_at = at


def is_clock_unit(unit: str) -> bool:
    return TimeUnit(unit) is not TimeUnit.WORKING_DAYS
