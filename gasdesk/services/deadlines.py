"""Starting, pausing, resuming and closing an order's commitment clocks (rows of `deadline`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk import sla
from gasdesk.flows.definition import StepDef, TimeLimit
from gasdesk.models import Deadline, DeadlinePause, ServiceOrder
from gasdesk.services import audit
from gasdesk.services import settings as settings_store
from gasdesk.services.context import calendar_revision, load_calendar
from gasdesk.vocab import DeadlineScope, DeadlineStatus, TimeUnit
from gasdesk.workdays import WorkCalendar

OPEN = (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED)


def limit_amount(session: Session, limit: TimeLimit) -> int:
    if limit.setting:
        value = settings_store.get(session, limit.setting)
        if value not in (None, ""):
            return int(value)
    return limit.amount


def current_calendar(session: Session, calendar: WorkCalendar) -> WorkCalendar:
    """The calendar to count with inside this transaction: `calendar` (the process's cached one) unless
    the office calendar changed since it was loaded. The audit chain's lock is taken first (every order
    operation takes it anyway, after locking its order; a calendar change holds it until it commits), so
    a clock is never counted on a calendar being replaced."""
    audit.lock_chain(session)
    with session.no_autoflush:  # the caller's objects may be half made
        if calendar_revision(session) == calendar.revision:
            return calendar
        return load_calendar(session)


def start(session: Session, order: ServiceOrder, *, scope: DeadlineScope, step: StepDef | None,
          limit: TimeLimit, at: datetime, calendar: WorkCalendar, department_id: int | None) -> Deadline:
    calendar = current_calendar(session, calendar)
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
    calendar = current_calendar(session, calendar)
    deadline.remaining = sla.remaining(deadline.unit, deadline.due_at, at, calendar)
    deadline.status = DeadlineStatus.PAUSED
    deadline.paused_at = at
    deadline.pause_reason = reason
    session.add(DeadlinePause(deadline_id=deadline.id, started_at=at, reason=reason))


def resume(session: Session, deadline: Deadline, at: datetime, calendar: WorkCalendar) -> None:
    if deadline.status != DeadlineStatus.PAUSED:
        return
    calendar = current_calendar(session, calendar)
    if deadline.paused_at is not None:  # the pause rule (gasdesk.sla): due_at is still the pre-pause due
        deadline.due_at = sla.due_after_pause(deadline.unit, deadline.due_at, deadline.paused_at, at, calendar)
    else:
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


# --- the calendar changed: open clocks follow it ------------------------------------------------------

@dataclass(frozen=True)
class MovedDeadline:
    """One open clock whose due time moved because the calendar changed."""

    order_id: int
    order_number: str
    kind: str
    deadline_id: int
    scope: str
    step: str | None
    status: str
    old_due: datetime
    new_due: datetime
    old_remaining: int | None
    new_remaining: int | None


def closed_pauses(deadline: Deadline) -> list[tuple[datetime, datetime]]:
    return [(p.started_at, p.ended_at) for p in deadline.pauses if p.ended_at is not None]


def paused_working_days(deadline: Deadline, calendar: WorkCalendar) -> int:
    """Working days taken out of a working-day clock by its finished pauses (the pause rule, gasdesk.sla)."""
    return sum(sla.paused_working_days(calendar, began, ended) for began, ended in closed_pauses(deadline))


def is_provisional(unit: str, started_at: datetime, due_at: datetime, calendar: WorkCalendar) -> bool:
    """A working-day due date counted across a year whose notice is not yet confirmed."""
    return TimeUnit(unit) is TimeUnit.WORKING_DAYS and calendar.is_provisional(started_at.date(), due_at.date())


def _due_under(deadline: Deadline, old: WorkCalendar, new: WorkCalendar) -> datetime:
    """The clock's due time (before any pause still running) under the `new` calendar."""
    pauses = closed_pauses(deadline)
    on_new = sla.due_with_pauses(deadline.amount, deadline.unit, deadline.started_at, pauses, new)
    if on_new == deadline.due_at:  # already counted on the new calendar (or not touched by the change)
        return on_new
    if sla.due_with_pauses(deadline.amount, deadline.unit, deadline.started_at, pauses, old) == deadline.due_at:
        return on_new
    # Not reproducible from its pauses (kept before the rule was exact): keep the working days it had left
    # at its last resumption and count them again on the new calendar.
    anchor = max([ended for _b, ended in pauses] + [deadline.started_at]).date()
    left = old.count_working_days(anchor, deadline.due_at.date())
    return datetime.combine(new.add_working_days(anchor, left), sla.END_OF_DAY)


def affected_candidates(session: Session, changed: set[date]) -> list[int]:
    """Ids of the orders with an open working-day clock that counts across one of the `changed` days."""
    if not changed:
        return []
    first, last = min(changed), max(changed)
    rows = session.scalars(
        select(Deadline.order_id).where(
            Deadline.status.in_(OPEN), Deadline.unit == TimeUnit.WORKING_DAYS,
            Deadline.started_at < datetime.combine(last, time.min), Deadline.due_at >= datetime.combine(first, time.min),
        ).distinct()
    ).all()
    return sorted(set(rows))


def lock_orders(session: Session, order_ids: Iterable[int], *, skip_locked: bool = False) -> list[int]:
    """Lock the orders in id order (as every order operation locks its order); the ids locked."""
    ids = sorted(set(order_ids))
    if not ids:
        return []
    return list(session.scalars(select(ServiceOrder.id).where(ServiceOrder.id.in_(ids)).order_by(ServiceOrder.id)
                                .with_for_update(skip_locked=skip_locked)).all())


def follow_calendar(session: Session, old: WorkCalendar, new: WorkCalendar, changed: set[date],
                    locked: Iterable[int] = ()) -> tuple[list[MovedDeadline], list[int]]:
    """Recompute the open working-day clocks that count across a changed day, in the caller's transaction.

    The caller locked the orders it expected (`locked`) before locking the calendar; any further order is
    taken only if nobody holds it (never waiting while holding the calendar). Returns the clocks moved and
    the orders left for later (busy at a counter, which then counts on the new calendar; see
    CalendarService._catch_up).
    """
    wanted = affected_candidates(session, changed)
    if not wanted:
        return [], []
    already = set(locked)
    extra = [i for i in wanted if i not in already]
    got = set(lock_orders(session, extra, skip_locked=True))
    busy = sorted(set(extra) - got)
    ids = sorted((set(wanted) & already) | got)
    orders = session.scalars(
        select(ServiceOrder).where(ServiceOrder.id.in_(ids)).order_by(ServiceOrder.id)
        .execution_options(populate_existing=True)
    ).all() if ids else []
    moved: list[MovedDeadline] = []
    for order in orders:
        session.refresh(order, ["deadlines"])
        for d in sorted(order.deadlines, key=lambda x: x.id):
            if d.status not in OPEN or TimeUnit(d.unit) is not TimeUnit.WORKING_DAYS:
                continue
            new_due = _due_under(d, old, new)
            new_left = (sla.remaining(d.unit, new_due, d.paused_at, new)
                        if d.status == DeadlineStatus.PAUSED and d.paused_at is not None else d.remaining)
            if new_due == d.due_at and new_left == d.remaining:
                continue
            moved.append(MovedDeadline(order.id, order.number, order.kind, d.id, d.scope, d.step, d.status,
                                       d.due_at, new_due, d.remaining, new_left))
            d.due_at, d.remaining = new_due, new_left
    return moved, busy


def changed_days(old: WorkCalendar, new: WorkCalendar, days: Iterable[date]) -> set[date]:
    return {d for d in days if old.is_working_day(d) != new.is_working_day(d)}
