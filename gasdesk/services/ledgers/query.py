"""What every ledger's query and row converter share: the filter, the lookups, the order query, labels.

`Query` is everything a sheet's query and cells may read: the filter, the time, the dialect, the
names of staff and departments, the working calendar.

Department means the department answering for an order: the one its current step belongs to in the
flow (for an ended order, its last step before the end), or, for a step the flow leaves to whoever
the order was handed to (a complaint's handling), that department.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, and_, case, false, func, literal_column, or_, select, type_coerce
from sqlalchemy.orm import Session

from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.models import (
    BillAllocation,
    Customer,
    Department,
    Meter,
    OrderStep,
    Payment,
    ServiceOrder,
    Staff,
)
from gasdesk.models.base import Money
from gasdesk.vocab import AccountStatus, Channel, GasUseType, OrderStatus, PaymentMethod, SiteWork
from gasdesk.workdays import WorkCalendar

FILTER_FIELDS = ("date", "kind", "status", "department", "clerk", "channel")
ORDER_FILTERS = frozenset(FILTER_FIELDS)
# A ledger of every order may leave out what safety-inspection plans opened (thousands a year).
PLAN_FILTER = "plan"
ZERO = Decimal("0.00")
# Who signs a printed ledger.
SIGNED = ("制表", "审核")
BANK_METHODS = (PaymentMethod.BANK_DEBIT, PaymentMethod.BANK_COLLECTION)


# --- the filter, the lookups, the query ------------------------------------------------------------

@dataclass(frozen=True)
class LedgerFilter:
    """What to include. Dates are inclusive; None means no bound / no restriction."""

    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    status: str | None = None
    department_id: int | None = None
    clerk_id: int | None = None
    # 受理方式 (a Channel code).
    channel: str | None = None
    # False: leave out the orders a safety-inspection plan opened (受理方式 安检计划), unless `channel`
    # asks for one; only in ledgers with the "plan" filter (业务受理台账).
    plan_orders: bool = True

    @property
    def leaves_out_plan_orders(self) -> bool:
        return not self.plan_orders and not self.channel

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        start = datetime.combine(self.date_from, time.min) if self.date_from else None
        end = datetime.combine(self.date_to + timedelta(days=1), time.min) if self.date_to else None
        return start, end

    def period_text(self, basis: str) -> str:
        if self.date_from and self.date_to:
            text = f"{self.date_from:%Y-%m-%d} 至 {self.date_to:%Y-%m-%d}"
        elif self.date_from:
            text = f"{self.date_from:%Y-%m-%d} 起"
        elif self.date_to:
            text = f"截至 {self.date_to:%Y-%m-%d}"
        else:
            text = "全部"
        return f"{text}（按{basis}）" if basis else text


@dataclass(frozen=True)
class Lookups:
    """Small tables read once per export: names of staff and departments."""

    staff: dict[int, str]
    departments: dict[int, str]
    department_codes: dict[int, str]
    department_by_code: dict[str, str]

    @classmethod
    def load(cls, s: Session) -> Lookups:
        depts = s.execute(select(Department.id, Department.code, Department.name)).all()
        return cls(
            staff=dict(s.execute(select(Staff.id, Staff.name)).all()),
            departments={i: name for i, _, name in depts},
            department_codes={i: code for i, code, _ in depts},
            department_by_code={code: name for _, code, name in depts},
        )

    def responsible(self, kind: str, step: str, status: str, department_id: int | None,
                    last_step: str | None = None) -> str:
        """The department answering for an order (see the module's docstring)."""
        code = step_department(kind, working_step(kind, step, status, last_step))
        if code:
            return self.department_by_code.get(code, "")
        if department_id is not None:
            return self.departments.get(department_id, "")
        return ""

    def department(self, department_id: int | None, whole: str = "") -> str:
        """A department's name; `whole` where there is none (a whole-order clock has no department)."""
        return self.departments.get(department_id, "") if department_id is not None else whole


@dataclass(frozen=True)
class Query:
    """Everything a sheet's query and converter may read."""

    filter: LedgerFilter
    now: datetime
    dialect: str
    lookups: Lookups
    calendar: WorkCalendar
    # The settings as read for this export (rules of a sheet that depend on them: intervals).
    settings: Mapping[str, Any] = field(default_factory=dict)

    def clerk(self, staff_id: int | None, unknown: str = "") -> str:
        return self.lookups.staff.get(staff_id, unknown) if staff_id is not None else unknown


# --- orders and their flows --------------------------------------------------------------------------

def step_department(kind: str, step: str) -> str | None:
    flow = ALL_FLOWS.get(kind)
    if flow is None or not flow.has_step(step):
        return None
    return flow.step(step).department or None


def working_step(kind: str, step: str, status: str, last_step: str | None) -> str:
    """The step an order is worked in: its current one while open, else the last before it ended
    (the flow's first step when the history has none)."""
    if status == OrderStatus.OPEN:
        return step
    flow = ALL_FLOWS.get(kind)
    return last_step or (flow.initial if flow is not None else step)


def last_step_subquery() -> Any:
    """The step an ended order left for its end (the last transition's origin); NULL while open."""
    last = (select(OrderStep.from_step).where(OrderStep.order_id == ServiceOrder.id)
            .order_by(OrderStep.seq.desc()).limit(1).scalar_subquery())
    return case((ServiceOrder.status != OrderStatus.OPEN, last))


def working_step_expr() -> Any:
    """working_step in SQL."""
    initial = case({f.kind: f.initial for f in ALL_FLOWS.values()}, value=ServiceOrder.kind,
                   else_=ServiceOrder.step)
    return case((ServiceOrder.status == OrderStatus.OPEN, ServiceOrder.step),
                else_=func.coalesce(last_step_subquery(), initial))


def work_steps(kinds: Sequence[str], *works: SiteWork) -> dict[str, SiteWork]:
    """Step code -> the site work done there, for the steps of `kinds` that do one of `works`."""
    return {s.code: s.work for k in kinds for s in ALL_FLOWS[k].steps if s.work is not None and s.work in works}


def meter_number_subquery(*, in_service: bool = False) -> Any:
    """The number of the account's latest meter (only one still in service, with `in_service`)."""
    stmt = select(Meter.number).where(Meter.account_id == ServiceOrder.account_id)
    if in_service:
        return (stmt.where(Meter.status == "in_service").order_by(Meter.installed_at.desc())
                .limit(1).scalar_subquery())
    return stmt.order_by(Meter.installed_at.desc(), Meter.id.desc()).limit(1).scalar_subquery()


def bank_paid(bill_id: Any) -> Any:
    """What bank money (代扣/代收) paid of a bill: a correlated column for the bill ledgers."""
    return (select(type_coerce(func.sum(BillAllocation.amount), Money()))
            .join(Payment, Payment.id == BillAllocation.payment_id)
            .where(BillAllocation.bill_id == bill_id, Payment.method.in_(BANK_METHODS))
            .scalar_subquery())


# --- labels ------------------------------------------------------------------------------------------

def step_label(kind: str, step: str | None) -> str:
    if step is None:
        return "全程时限"
    flow = ALL_FLOWS.get(kind)
    return flow.step_label(step) if flow else step


def kind_label(kind: str) -> str:
    flow = ALL_FLOWS.get(kind)
    return flow.label if flow else kind


def _enum_label(enum: Any, code: Any) -> str:
    try:
        return str(enum(code).label)
    except ValueError:
        return str(code)


def status_label(status: str) -> str:
    return _enum_label(OrderStatus, status)


def channel_label(code: str) -> str:
    return _enum_label(Channel, code)


def use_label(code: str) -> str:
    return _enum_label(GasUseType, code)


def account_status_label(code: str) -> str:
    return _enum_label(AccountStatus, code)


def method_label(value: Any) -> str:
    if value in (None, ""):
        return ""
    return _enum_label(PaymentMethod, str(value))


def fee_method(q: Query, r: Any) -> str:
    """How a fee the order charged was paid (nothing where it charged none)."""
    data = r.data or {}
    return method_label(data.get("fee_method")) if data.get("fee") else ""


# --- values ------------------------------------------------------------------------------------------

def dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value: Any) -> Decimal | None:
    d = dec(value)
    return d.quantize(Decimal("0.01")) if d is not None else None


def qty(value: Any) -> Decimal | None:
    d = dec(value)
    return d.quantize(Decimal("0.001")) if d is not None else None


def as_int(value: Any) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def month(value: Any) -> str:
    return str(value)[:7]


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def share(part: int, whole: int) -> float | None:
    """part / whole for a chart or a line of text, None when there is nothing to divide by."""
    return part / whole if whole else None


# --- SQL pieces --------------------------------------------------------------------------------------

def sum_where(condition: Any, column: Any) -> Any:
    return func.sum(type_coerce(case((condition, column)), Money()))


def count_where(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def month_expr(q: Query, column: Any) -> Any:
    # Literal SQL, not bound parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    if q.dialect == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def in_period(column: Any, q: Query) -> list[Any]:
    """Conditions keeping `column` within the filter's dates."""
    start, stop = q.filter.bounds()
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if stop is not None:
        conditions.append(column < stop)
    return conditions


def payment_columns() -> tuple[Any, ...]:
    """What every payment ledger reads of a payment and its customer (join Customer on the payment's)."""
    return (Payment.receipt_number.label("receipt"), Payment.at.label("at"), Payment.staff_id.label("staff_id"),
            Payment.amount.label("amount"), Payment.note.label("note"), Customer.number.label("customer_number"),
            Customer.name.label("customer_name"))


def payment_filters(stmt: Select[*tuple[Any, ...]], q: Query) -> Select[*tuple[Any, ...]]:
    """Payments made in the period (by the filtered clerk)."""
    stmt = stmt.where(*in_period(Payment.at, q))
    if q.filter.clerk_id is not None:
        stmt = stmt.where(Payment.staff_id == q.filter.clerk_id)
    return stmt


def _pairs_condition(pairs: Sequence[tuple[str, str]], step_column: Any = ServiceOrder.step) -> Any:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, step in pairs:
        by_kind[kind].append(step)
    if not by_kind:
        return false()
    return or_(*(and_(ServiceOrder.kind == k, step_column.in_(steps)) for k, steps in by_kind.items()))


def department_condition(q: Query, department_column: Any = ServiceOrder.department_id) -> Any:
    """Orders answered for by the filtered department, as Lookups.responsible names it."""
    dept_id = q.filter.department_id
    code = q.lookups.department_codes.get(dept_id or -1)
    steps = [(f.kind, st) for f in ALL_FLOWS.values() for st in f.steps if not st.terminal]
    own = [(kind, st.code) for kind, st in steps if code and st.department == code]
    handed = [(kind, st.code) for kind, st in steps if not st.department]
    working = working_step_expr()
    return or_(_pairs_condition(own, working),
               and_(department_column == dept_id, _pairs_condition(handed, working)))


def kinds_condition(q: Query, kinds: Sequence[str] | None) -> Any | None:
    wanted = set(kinds) if kinds is not None else None
    if q.filter.kind:
        wanted = {q.filter.kind} if wanted is None else wanted & {q.filter.kind}
    if wanted is None:
        return None
    return ServiceOrder.kind.in_(sorted(wanted)) if wanted else false()


def order_filters(stmt: Select[*tuple[Any, ...]], q: Query, kinds: Sequence[str] | None, *, dates: bool = True,
                  department_column: Any = ServiceOrder.department_id) -> Select[*tuple[Any, ...]]:
    """Orders of `kinds` (None: every flow) that the filter keeps; `dates` by their opening time."""
    f = q.filter
    if dates:
        stmt = stmt.where(*in_period(ServiceOrder.opened_at, q))
    cond = kinds_condition(q, kinds)
    if cond is not None:
        stmt = stmt.where(cond)
    if f.status:
        stmt = stmt.where(ServiceOrder.status == f.status)
    if f.department_id is not None:
        stmt = stmt.where(department_condition(q, department_column))
    if f.clerk_id is not None:
        stmt = stmt.where(ServiceOrder.opened_by_id == f.clerk_id)
    if f.channel:
        stmt = stmt.where(ServiceOrder.channel == f.channel)
    elif not f.plan_orders:
        stmt = stmt.where(ServiceOrder.channel != Channel.PLAN)
    return stmt
