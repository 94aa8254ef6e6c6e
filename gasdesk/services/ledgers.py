"""Ledgers (台账) for managers, and the figures of the manager dashboard.

Each ledger is a `LedgerDef` in `LEDGERS`: its Chinese title, which filters apply, and one or more
sheets, each a SQL query plus a row converter. `LedgerService.export` checks the permission, counts
the rows for the progress bar, then streams the query (server-side cursor on PostgreSQL, `yield_per`
batches everywhere) into the write-only workbook writer of `gasdesk.reports.ledgers`. Memory does
not grow with the number of rows. ID and phone numbers are masked for roles without
Permission.VIEW_FULL_ID, and every export is written to the audit log.

Filters: the date range applies to the order's opening time (order ledgers), the payment time
(收费退费日结), the time a deadline finished (时限达标统计); the overdue list is "now" and may be narrowed
to orders opened in a range. Department means the department answering for the order: the one its
current step belongs to in the flow (for an ended order, its last step before the end), or, for a
step the flow leaves to whoever the order was handed to (a complaint's handling), that department.

Printing, totals and empty sheets are the writer's (gasdesk.reports.ledgers): a sheet says what its
empty first row reads, who signs it, and how its rows fall into subtotalled groups; `export` writes
a workbook, or a PDF when the file ends in .pdf.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from gasdesk import sla
from gasdesk.flows.registry import ALL_FLOWS, kinds_in_ledger
from gasdesk.models import (
    Account,
    Bill,
    Customer,
    Deadline,
    DeadlinePause,
    Department,
    EmergencyCall,
    Meter,
    OrderStep,
    Payment,
    ServiceOrder,
    Staff,
)
from gasdesk.models.base import Money
from gasdesk.permissions import Permission
from gasdesk.reports.fonts import FontNotFoundError
from gasdesk.reports.ledgers import (
    ChartSpec,
    ColumnType,
    ExportCancelled,
    LedgerColumn,
    SheetData,
    TitleBlock,
    write_workbook,
)
from gasdesk.reports.ledgers.pdf import PDF_ROW_LIMIT, write_pdf
from gasdesk.services import audit, bank_ledger, inspection_ledgers
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Actor, App
from gasdesk.services.deadlines import is_provisional
from gasdesk.services.errors import NotFound, Refused
from gasdesk.validation import mask_id, mask_phone
from gasdesk.vocab import (
    AccountStatus,
    DeadlineScope,
    DeadlineStatus,
    District,
    GasUseType,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    SiteWork,
    TimeUnit,
)
from gasdesk.workdays import PROVISIONAL_MARK, WorkCalendar

T = ColumnType
BATCH = 2000
FILTER_FIELDS = ("date", "kind", "status", "department", "clerk")
ORDER_FILTERS = frozenset(FILTER_FIELDS)
ZERO = Decimal("0.00")
SIGNED = ("制表", "审核")

Progress = Callable[[int, int], bool]


# --- filters and lookups ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerFilter:
    """What to include. Dates are inclusive; None means no bound / no restriction."""

    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    status: str | None = None
    department_id: int | None = None
    clerk_id: int | None = None

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
        """The department answering for an order: the one its current step belongs to in the flow
        (for an ended order, its last step before the end); for a step the flow leaves to whoever
        the order was handed to (a complaint's handling), that department."""
        code = _step_department(kind, _working_step(kind, step, status, last_step))
        if code:
            return self.department_by_code.get(code, "")
        if department_id is not None:
            return self.departments.get(department_id, "")
        return ""


@dataclass(frozen=True)
class Query:
    """Everything a sheet's query and converter may read."""

    filter: LedgerFilter
    now: datetime
    dialect: str
    lookups: Lookups
    calendar: WorkCalendar
    # The settings as read for this export (a sheet's rules that depend on them, e.g. intervals).
    settings: dict[str, Any] = field(default_factory=dict)


# --- definitions -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetDef:
    title: str
    columns: tuple[LedgerColumn, ...]
    select: Callable[[Query], Select[*tuple[Any, ...]]]
    convert: Callable[[Query, Any], tuple[Any, ...]]
    totals: bool = False
    chart: ChartSpec | None = None
    # Aggregated sheets (few rows) are read whole and sorted in Python by this key.
    sort_key: Callable[[Query, tuple[Any, ...]], Any] | None = None
    note: str = ""
    # The first row of the sheet when it has no rows: why it is empty.
    empty: str = "本期无记录"
    # Who signs the printed ledger (SIGNED: 制表, 审核); the overdue list, a snapshot, carries none.
    signatures: tuple[str, ...] = ()
    # Rows sorted into runs by this label get a subtotal each (see SheetData.group).
    group: Callable[[Sequence[Any]], str] | None = None
    unit: str = "条"


@dataclass(frozen=True)
class LedgerDef:
    name: str
    title: str
    description: str
    # What the date range applies to, as shown in the title block.
    date_basis: str
    sheets: tuple[SheetDef, ...]
    filters: frozenset[str] = ORDER_FILTERS
    # The flows this ledger covers (None: every flow, or not about orders).
    kinds: tuple[str, ...] | None = None

    @property
    def columns(self) -> tuple[LedgerColumn, ...]:
        return self.sheets[0].columns

    def count(self, s: Session, q: Query) -> int:
        """Rows of every sheet together (the progress bar's 100%)."""
        total = 0
        for sheet in self.sheets:
            stmt = sheet.select(q).order_by(None)
            total += int(s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
        return total

    def batches(self, s: Session, q: Query, sheet: int = 0) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of one sheet in batches, streamed from the database (server-side on PostgreSQL)."""
        spec = self.sheets[sheet]
        stmt = spec.select(q).execution_options(stream_results=True, yield_per=BATCH)
        result = s.execute(stmt)
        if spec.sort_key is not None:
            rows = [spec.convert(q, r) for r in result]
            rows.sort(key=lambda r: spec.sort_key(q, r))  # type: ignore[misc]
            for i in range(0, len(rows), BATCH):
                yield rows[i:i + BATCH]
            return
        convert = spec.convert
        for part in result.partitions():
            yield [convert(q, r) for r in part]

    def rows(self, s: Session, q: Query, sheet: int = 0) -> Iterator[tuple[Any, ...]]:
        for batch in self.batches(s, q, sheet):
            yield from batch


def _col(header: str, type_: ColumnType = T.TEXT, width: float | None = None, *, total: bool = False,
         ratio_of: tuple[int | tuple[int, ...], int | tuple[int, ...]] | None = None) -> LedgerColumn:
    return LedgerColumn(header, type_, width, total, ratio_of)


# --- helpers over orders ---------------------------------------------------------------------------

def _step_department(kind: str, step: str) -> str | None:
    flow = ALL_FLOWS.get(kind)
    if flow is None or not flow.has_step(step):
        return None
    return flow.step(step).department or None


def _working_step(kind: str, step: str, status: str, last_step: str | None) -> str:
    """The step an order is worked in: its current one while open, else the last before it ended
    (the flow's first step when the history has none)."""
    if status == OrderStatus.OPEN:
        return step
    flow = ALL_FLOWS.get(kind)
    return last_step or (flow.initial if flow is not None else step)


def _last_step_subquery() -> Any:
    """The step an ended order left for its end (the last transition's origin); NULL while open."""
    last = (select(OrderStep.from_step).where(OrderStep.order_id == ServiceOrder.id)
            .order_by(OrderStep.seq.desc()).limit(1).scalar_subquery())
    return case((ServiceOrder.status != OrderStatus.OPEN, last))


def _working_step_expr() -> Any:
    """_working_step in SQL."""
    initial = case({f.kind: f.initial for f in ALL_FLOWS.values()}, value=ServiceOrder.kind,
                   else_=ServiceOrder.step)
    return case((ServiceOrder.status == OrderStatus.OPEN, ServiceOrder.step),
                else_=func.coalesce(_last_step_subquery(), initial))


def _step_label(kind: str, step: str | None) -> str:
    if step is None:
        return "全程时限"
    flow = ALL_FLOWS.get(kind)
    return flow.step_label(step) if flow else step


def _kind_label(kind: str) -> str:
    flow = ALL_FLOWS.get(kind)
    return flow.label if flow else kind


def _status_label(status: str) -> str:
    try:
        return OrderStatus(status).label
    except ValueError:
        return status


def _choice_label(kind: str, code: str, value: Any) -> str:
    """The Chinese label of a recorded choice (e.g. fee_method 'cash' -> 现金)."""
    if value in (None, ""):
        return ""
    flow = ALL_FLOWS.get(kind)
    if flow is not None:
        for step in flow.steps:
            for action in step.actions:
                for f in action.fields:
                    if f.code == code and f.choices:
                        return dict(f.choices).get(str(value), str(value))
        for f in flow.open_fields:
            if f.code == code and f.choices:
                return dict(f.choices).get(str(value), str(value))
    return str(value)


def _method_label(value: Any) -> str:
    try:
        return PaymentMethod(str(value)).label
    except ValueError:
        return "" if value in (None, "") else str(value)


def _dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _money(value: Any) -> Decimal | None:
    d = _dec(value)
    return d.quantize(Decimal("0.01")) if d is not None else None


def _qty(value: Any) -> Decimal | None:
    d = _dec(value)
    return d.quantize(Decimal("0.001")) if d is not None else None


def _int(value: Any) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _month(value: Any) -> str:
    return str(value)[:7]


def _pairs_condition(pairs: Sequence[tuple[str, str]], step_column: Any = ServiceOrder.step) -> Any:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, step in pairs:
        by_kind[kind].append(step)
    if not by_kind:
        return false()
    return or_(*(and_(ServiceOrder.kind == k, step_column.in_(steps)) for k, steps in by_kind.items()))


def _department_condition(q: Query, department_column: Any = ServiceOrder.department_id) -> Any:
    """Orders answered for by the filtered department, as Lookups.responsible names it."""
    dept_id = q.filter.department_id
    code = q.lookups.department_codes.get(dept_id or -1)
    steps = [(f.kind, st) for f in ALL_FLOWS.values() for st in f.steps if not st.terminal]
    own = [(kind, st.code) for kind, st in steps if code and st.department == code]
    handed = [(kind, st.code) for kind, st in steps if not st.department]
    working = _working_step_expr()
    return or_(_pairs_condition(own, working),
               and_(department_column == dept_id, _pairs_condition(handed, working)))


def _kinds_condition(q: Query, kinds: Sequence[str] | None) -> Any | None:
    wanted = set(kinds) if kinds is not None else None
    if q.filter.kind:
        wanted = {q.filter.kind} if wanted is None else wanted & {q.filter.kind}
    if wanted is None:
        return None
    return ServiceOrder.kind.in_(sorted(wanted)) if wanted else false()


def _order_filters(stmt: Select[*tuple[Any, ...]], q: Query, kinds: Sequence[str] | None, *, dates: bool = True,
                   department_column: Any = ServiceOrder.department_id) -> Select[*tuple[Any, ...]]:
    f = q.filter
    start, end = f.bounds()
    if dates and start is not None:
        stmt = stmt.where(ServiceOrder.opened_at >= start)
    if dates and end is not None:
        stmt = stmt.where(ServiceOrder.opened_at < end)
    cond = _kinds_condition(q, kinds)
    if cond is not None:
        stmt = stmt.where(cond)
    if f.status:
        stmt = stmt.where(ServiceOrder.status == f.status)
    if f.department_id is not None:
        stmt = stmt.where(_department_condition(q, department_column))
    if f.clerk_id is not None:
        stmt = stmt.where(ServiceOrder.opened_by_id == f.clerk_id)
    return stmt


def _order_select(q: Query, kinds: Sequence[str] | None, *extra: Any) -> Select[*tuple[Any, ...]]:
    """The columns every order ledger shows, plus `extra`, filtered and in opening order."""
    stmt = (
        select(ServiceOrder.number, ServiceOrder.kind, ServiceOrder.opened_at, Customer.number, Customer.name,
               Customer.id_number, Customer.phone, Customer.address, ServiceOrder.step, ServiceOrder.status,
               ServiceOrder.department_id, ServiceOrder.opened_by_id, ServiceOrder.closed_at, ServiceOrder.data,
               *extra)
        .join(Customer, Customer.id == ServiceOrder.customer_id)
    )
    return _order_filters(stmt, q, kinds).order_by(ServiceOrder.opened_at, ServiceOrder.id)


# Positions in _order_select's rows.
(O_NUMBER, O_KIND, O_OPENED, O_CNUM, O_CNAME, O_ID, O_PHONE, O_ADDR, O_STEP, O_STATUS, O_DEPT, O_CLERK,
 O_CLOSED, O_DATA, O_EXTRA) = range(15)


# --- 1. 业务受理台账 ----------------------------------------------------------------------------------

def _order_clock_label(status: str | None, due: datetime | None, now: datetime) -> str:
    if status is None:
        return "无全程时限"
    if status == DeadlineStatus.RUNNING and due is not None and due < now:
        return "已超期"
    return DeadlineStatus(status).label


def _business_select(q: Query) -> Select[*tuple[Any, ...]]:
    clock = aliased(Deadline)
    stmt = _order_select(q, None, clock.status, clock.due_at, clock.unit, clock.started_at, _last_step_subquery())
    return stmt.outerjoin(clock, and_(clock.order_id == ServiceOrder.id, clock.scope == DeadlineScope.ORDER))


def _provisional_note(q: Query, status: str | None, unit: str | None, started: datetime | None,
                      due: datetime | None) -> str:
    """The mark of an open due date counted across a year whose holiday notice is not confirmed yet."""
    if status not in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED) or unit is None or started is None or due is None:
        return ""
    return f"（{PROVISIONAL_MARK}）" if is_provisional(unit, started, due, q.calendar) else ""


def _business_row(q: Query, r: Any) -> tuple[Any, ...]:
    lk = q.lookups
    return (r[O_NUMBER], _kind_label(r[O_KIND]), r[O_OPENED], r[O_CNUM], r[O_CNAME], r[O_ID], r[O_PHONE],
            r[O_ADDR], _step_label(r[O_KIND], r[O_STEP]), _status_label(r[O_STATUS]),
            lk.responsible(r[O_KIND], r[O_STEP], r[O_STATUS], r[O_DEPT], r[O_EXTRA + 4]),
            lk.staff.get(r[O_CLERK], ""),
            r[O_CLOSED], _order_clock_label(r[O_EXTRA], r[O_EXTRA + 1], q.now)
            + _provisional_note(q, r[O_EXTRA], r[O_EXTRA + 2], r[O_EXTRA + 3], r[O_EXTRA + 1]))


BUSINESS = LedgerDef(
    name="business", title="业务受理台账", description="全部业务受理单：客户、环节、状态、承办部门、时限",
    date_basis="受理日期",
    sheets=(SheetDef(
        title="业务受理台账",
        columns=(
            _col("业务单号", width=17), _col("业务类型", width=12), _col("受理时间", T.DATETIME),
            _col("客户编号", width=12), _col("客户名称", width=14), _col("证件号码", T.ID),
            _col("联系电话", T.PHONE), _col("用气地址", width=30), _col("当前环节", width=20),
            _col("办理状态"), _col("承办部门", width=10), _col("受理人"), _col("办结时间", T.DATETIME),
            _col("全程时限", width=10),
        ),
        select=_business_select, convert=_business_row, totals=True,
        empty="本期无业务受理记录", signatures=SIGNED,
    ),),
)


# --- 2. 封堵业务受理台账 ------------------------------------------------------------------------------

PLUGGING_KINDS = kinds_in_ledger("plugging")


def _work_steps(kinds: Sequence[str], *works: SiteWork) -> dict[str, SiteWork]:
    """Step code -> the site work done there, for the steps of `kinds` that do one of `works`."""
    return {s.code: s.work for k in kinds for s in ALL_FLOWS[k].steps if s.work is not None and s.work in works}


PLUGGING_STEPS = tuple(_work_steps(PLUGGING_KINDS, SiteWork.PLUGGING))


def _meter_number_subquery() -> Any:
    return (select(Meter.number).where(Meter.account_id == ServiceOrder.account_id)
            .order_by(Meter.installed_at.desc(), Meter.id.desc()).limit(1).scalar_subquery())


def _plugging_select(q: Query) -> Select[*tuple[Any, ...]]:
    done_at = (select(func.min(OrderStep.at)).where(OrderStep.order_id == ServiceOrder.id,
                                                     OrderStep.from_step.in_(PLUGGING_STEPS),
                                                     OrderStep.to_step == "archived").scalar_subquery())
    went = exists().where(OrderStep.order_id == ServiceOrder.id, OrderStep.to_step.in_(PLUGGING_STEPS))
    stmt = _order_select(q, PLUGGING_KINDS, Account.number, _meter_number_subquery(), ServiceOrder.crew,
                         ServiceOrder.appointment_at, done_at)
    return stmt.outerjoin(Account, Account.id == ServiceOrder.account_id).where(went)


def _plugging_row(q: Query, r: Any) -> tuple[Any, ...]:
    data = r[O_DATA] or {}
    kind = r[O_KIND]
    label = f"{ALL_FLOWS[kind].short_label}{SiteWork.PLUGGING.label}"
    account, meter, crew, appointment, done = r[O_EXTRA:O_EXTRA + 5]
    return (r[O_NUMBER], label, r[O_OPENED], r[O_CNUM], r[O_CNAME], r[O_PHONE], r[O_ADDR], account, meter,
            crew, appointment, done, _qty(data.get("final_reading")), _money(data.get("fee")),
            _method_label(data.get("fee_method")) if data.get("fee") else "", _status_label(r[O_STATUS]),
            q.lookups.staff.get(r[O_CLERK], ""))


PLUGGING = LedgerDef(
    name="plugging", title="封堵业务受理台账", description="暂停用气和销户中需要上门封堵的业务：派工、完成时间、读数、收费",
    date_basis="受理日期", kinds=PLUGGING_KINDS,
    sheets=(SheetDef(
        title="封堵业务受理台账",
        columns=(
            _col("业务单号", width=17), _col("封堵类别", width=12), _col("受理时间", T.DATETIME),
            _col("客户编号", width=12), _col("客户名称", width=14), _col("联系电话", T.PHONE),
            _col("用气地址", width=30), _col("燃气账户", width=12), _col("表号", width=12),
            _col("作业班组", width=10), _col("预约上门时间", T.DATETIME), _col("封堵完成时间", T.DATETIME),
            _col("封堵时表读数（m³）", T.QUANTITY), _col("封堵费（元）", T.MONEY, total=True),
            _col("收费方式"), _col("办理状态"), _col("受理人"),
        ),
        select=_plugging_select, convert=_plugging_row, totals=True,
        empty="本期无封堵业务记录", signatures=SIGNED,
    ),),
)


# --- 3. 气量变更台账 ----------------------------------------------------------------------------------

def _allowance_select(q: Query) -> Select[*tuple[Any, ...]]:
    return _order_select(q, kinds_in_ledger("allowance"), Customer.yearly_allowance, Customer.household_size)


def _allowance_row(q: Query, r: Any) -> tuple[Any, ...]:
    data = r[O_DATA] or {}
    current, household_now = r[O_EXTRA], r[O_EXTRA + 1]
    old = _qty(data.get("old_allowance"))
    if old is None and r[O_STATUS] == OrderStatus.OPEN:
        old = current
    new = _qty(data.get("new_allowance"))
    change = (new - old) if new is not None and old is not None else None
    household = _int(data.get("household_size"))
    return (r[O_NUMBER], r[O_OPENED], r[O_CNUM], r[O_CNAME], r[O_ID], r[O_PHONE], r[O_ADDR],
            household if household is not None else household_now, old, new, change,
            _step_label(r[O_KIND], r[O_STEP]), _status_label(r[O_STATUS]), r[O_CLOSED],
            q.lookups.staff.get(r[O_CLERK], ""))


ALLOWANCE = LedgerDef(
    name="allowance", title="气量变更台账", description="居民年用气基数变更：家庭人口、变更前后的气量",
    date_basis="受理日期", kinds=kinds_in_ledger("allowance"),
    sheets=(SheetDef(
        title="气量变更台账",
        columns=(
            _col("业务单号", width=17), _col("受理时间", T.DATETIME), _col("客户编号", width=12),
            _col("客户名称", width=12), _col("证件号码", T.ID), _col("联系电话", T.PHONE),
            _col("用气地址", width=30), _col("家庭人口（人）", T.INT), _col("原年用气基数（m³）", T.QUANTITY),
            _col("变更后年用气基数（m³）", T.QUANTITY), _col("变更量（m³）", T.QUANTITY, total=True),
            _col("当前环节", width=18), _col("办理状态"), _col("办结时间", T.DATETIME), _col("受理人"),
        ),
        select=_allowance_select, convert=_allowance_row, totals=True,
        empty="本期无气量变更记录", signatures=SIGNED,
    ),),
)


# --- 4. 投诉台账 --------------------------------------------------------------------------------------

def satisfaction(status: str, kind: str, step: str, rounds: int, data: dict[str, Any]) -> str:
    """The customer's verdict as far as the order shows it."""
    if status == OrderStatus.ARCHIVED:
        if data.get("callback_note"):
            return "回访满意"
        if data.get("explanation"):
            return "接受解释"
        if data.get("answer"):
            return "咨询已答复"
        return "已归档"
    if status == OrderStatus.CANCELLED:
        return "已撤销"
    if status != OrderStatus.OPEN:
        return ""
    flow = ALL_FLOWS.get(kind)
    here = flow.step(step) if flow is not None and flow.has_step(step) else None
    if here is not None and here.ledger_state:
        return here.ledger_state_repeat if rounds > 1 and here.ledger_state_repeat else here.ledger_state
    return "待受理"


def _complaint_select(q: Query) -> Select[*tuple[Any, ...]]:
    return _order_select(q, kinds_in_ledger("complaints"), ServiceOrder.rounds)


def _complaint_row(q: Query, r: Any) -> tuple[Any, ...]:
    data = r[O_DATA] or {}
    rounds = r[O_EXTRA] or 0
    department = q.lookups.departments.get(r[O_DEPT], "") if r[O_DEPT] is not None else ""
    content = data.get("content") or ""
    return (r[O_NUMBER], r[O_OPENED], _choice_label(r[O_KIND], "complaint_type", data.get("complaint_type")),
            r[O_CNAME], data.get("contact_phone") or r[O_PHONE], content,
            department or data.get("department_name") or "", data.get("summary") or "", data.get("result") or "",
            data.get("callback_note") or data.get("explanation") or data.get("answer") or "",
            satisfaction(r[O_STATUS], r[O_KIND], r[O_STEP], rounds, data), rounds, _step_label(r[O_KIND], r[O_STEP]),
            _status_label(r[O_STATUS]), r[O_CLOSED], q.lookups.staff.get(r[O_CLERK], ""))


COMPLAINTS = LedgerDef(
    name="complaints", title="投诉台账", description="投诉与咨询：转办部门、处理结果、电话回访、满意度、处理轮次",
    date_basis="受理日期", kinds=kinds_in_ledger("complaints"),
    sheets=(SheetDef(
        title="投诉台账",
        columns=(
            _col("业务单号", width=17), _col("受理时间", T.DATETIME), _col("类别", width=8),
            _col("客户名称", width=12), _col("联系电话", T.PHONE), _col("投诉/咨询内容", width=30),
            _col("转办部门", width=10), _col("转办事项", width=24), _col("处理结果", width=24),
            _col("回访/答复记录", width=24), _col("满意度", width=10), _col("处理轮次", T.INT),
            _col("当前环节", width=14), _col("办理状态"), _col("办结时间", T.DATETIME), _col("受理人"),
        ),
        select=_complaint_select, convert=_complaint_row, totals=True,
        empty="本期无投诉、咨询记录", signatures=SIGNED,
    ),),
)


# --- 5. 换表台账 --------------------------------------------------------------------------------------

def _meter_change_select(q: Query) -> Select[*tuple[Any, ...]]:
    current = (select(Meter.number).where(Meter.account_id == ServiceOrder.account_id,
                                          Meter.status == "in_service")
               .order_by(Meter.installed_at.desc()).limit(1).scalar_subquery())
    return _order_select(q, kinds_in_ledger("meter_change"), current)


def _meter_change_row(q: Query, r: Any) -> tuple[Any, ...]:
    data = r[O_DATA] or {}
    kind = r[O_KIND]
    changed = r[O_STATUS] == OrderStatus.ARCHIVED
    old_number = data.get("old_meter_number") or ("" if changed else r[O_EXTRA] or "")
    return (r[O_NUMBER], r[O_OPENED], r[O_CNUM], r[O_CNAME], r[O_PHONE], r[O_ADDR],
            _choice_label(kind, "direction", data.get("direction")), data.get("requested_rating") or "",
            old_number, data.get("old_meter_rating") or "", _qty(data.get("final_reading")),
            data.get("meter_number") or "", data.get("meter_model") or "", data.get("meter_rating") or "",
            _qty(data.get("initial_reading")), r[O_CLOSED] if changed else None, _money(data.get("fee")),
            _method_label(data.get("fee_method")) if data.get("fee") else "",
            _status_label(r[O_STATUS]), q.lookups.staff.get(r[O_CLERK], ""))


METER_CHANGE = LedgerDef(
    name="meter_change", title="换表台账", description="增/减容换表：新旧表号、规格、旧表止数、新表起始读数、收费",
    date_basis="受理日期", kinds=kinds_in_ledger("meter_change"),
    sheets=(SheetDef(
        title="换表台账",
        columns=(
            _col("业务单号", width=17), _col("受理时间", T.DATETIME), _col("客户编号", width=12),
            _col("客户名称", width=12), _col("联系电话", T.PHONE), _col("用气地址", width=30),
            _col("增/减容"), _col("申请规格"), _col("原表号", width=12), _col("原表规格"),
            _col("旧表止数（m³）", T.QUANTITY), _col("新表号", width=12), _col("新表型号", width=14),
            _col("新表规格"), _col("新表起始读数（m³）", T.QUANTITY), _col("换表时间", T.DATETIME),
            _col("换表费（元）", T.MONEY, total=True), _col("收费方式"), _col("办理状态"), _col("受理人"),
        ),
        select=_meter_change_select, convert=_meter_change_row, totals=True,
        empty="本期无换表记录", signatures=SIGNED,
    ),),
)


# --- 6. 过户/销户台账 ---------------------------------------------------------------------------------

TRANSFER_CLOSURE_KINDS = kinds_in_ledger("transfer_closure")
DISPOSAL_STEPS = _work_steps(TRANSFER_CLOSURE_KINDS, SiteWork.PLUGGING, SiteWork.REMOVAL)


def _transfer_closure_select(q: Query) -> Select[*tuple[Any, ...]]:
    disposal = (select(OrderStep.to_step).where(OrderStep.order_id == ServiceOrder.id,
                                                OrderStep.to_step.in_(tuple(DISPOSAL_STEPS)))
                .order_by(OrderStep.seq.desc()).limit(1).scalar_subquery())
    stmt = _order_select(q, TRANSFER_CLOSURE_KINDS, Account.number, disposal)
    return stmt.outerjoin(Account, Account.id == ServiceOrder.account_id)


def _transfer_closure_row(q: Query, r: Any) -> tuple[Any, ...]:
    data = r[O_DATA] or {}
    account, disposal = r[O_EXTRA], r[O_EXTRA + 1]
    work = DISPOSAL_STEPS.get(disposal or "")
    disposal_label = work.label if work is not None else ""
    balance = _money(data.get("settled_balance"))
    refund = balance if balance is not None and balance > 0 else None
    collected = -balance if balance is not None and balance < 0 else None
    return (r[O_NUMBER], _kind_label(r[O_KIND]), r[O_OPENED], r[O_CNUM], r[O_CNAME], r[O_ID], r[O_PHONE],
            r[O_ADDR], account, refund, collected, _method_label(data.get("settle_method")),
            data.get("settlement_receipt") or "", data.get("new_name") or "", data.get("new_customer_number") or "",
            data.get("new_id_number") or "", data.get("new_phone") or "", disposal_label,
            _qty(data.get("final_reading")), _step_label(r[O_KIND], r[O_STEP]), _status_label(r[O_STATUS]),
            r[O_CLOSED], q.lookups.staff.get(r[O_CLERK], ""))


TRANSFER_CLOSURE = LedgerDef(
    name="transfer_closure", title="过户/销户台账",
    description="过户与销户：费用结清（退还预存款、收取欠费分列合计）、新户主、设施处置",
    date_basis="受理日期", kinds=TRANSFER_CLOSURE_KINDS,
    sheets=(SheetDef(
        title="过户销户台账",
        columns=(
            _col("业务单号", width=17), _col("业务类型"), _col("受理时间", T.DATETIME), _col("客户编号", width=12),
            _col("原户名", width=12), _col("证件号码", T.ID), _col("联系电话", T.PHONE), _col("用气地址", width=30),
            _col("燃气账户", width=12), _col("退还预存款（元）", T.MONEY, total=True),
            _col("收取欠费（元）", T.MONEY, total=True), _col("收/退费方式"),
            _col("结算收据号", width=16), _col("新户名", width=10), _col("新客户编号", width=12),
            _col("新户主证件号码", T.ID), _col("新户主电话", T.PHONE), _col("设施处置"),
            _col("表止数（m³）", T.QUANTITY), _col("当前环节", width=16), _col("办理状态"),
            _col("办结时间", T.DATETIME), _col("受理人"),
        ),
        select=_transfer_closure_select, convert=_transfer_closure_row, totals=True,
        empty="本期无过户、销户记录", signatures=SIGNED,
        note="结清时退还客户的预存款与向客户收取的欠费分列，各自合计",
    ),),
)


# --- 7. 收费退费日结 ----------------------------------------------------------------------------------

def _payment_filters(stmt: Select[*tuple[Any, ...]], q: Query) -> Select[*tuple[Any, ...]]:
    start, end = q.filter.bounds()
    if start is not None:
        stmt = stmt.where(Payment.at >= start)
    if end is not None:
        stmt = stmt.where(Payment.at < end)
    if q.filter.clerk_id is not None:
        stmt = stmt.where(Payment.staff_id == q.filter.clerk_id)
    return stmt


def _sum_where(condition: Any, column: Any) -> Any:
    return func.sum(type_coerce(case((condition, column)), Money()))


def _cash_daily_select(q: Query) -> Select[*tuple[Any, ...]]:
    day = func.date(Payment.at)
    stmt = select(
        day.label("day"), Payment.staff_id, func.count(),
        _sum_where(Payment.kind == PaymentKind.FEE, Payment.amount),
        _sum_where(Payment.kind == PaymentKind.ARREARS, Payment.amount),
        _sum_where(Payment.kind == PaymentKind.PREPAY, Payment.amount),
        _sum_where(Payment.kind == PaymentKind.REFUND, Payment.amount),
        _sum_where(Payment.kind == PaymentKind.REVERSAL, Payment.cash_effect),
        func.sum(Payment.cash_effect),
        _sum_where(Payment.method == PaymentMethod.CASH, Payment.cash_effect),
        _sum_where(Payment.method.in_(bank_ledger.BANK_METHODS), Payment.cash_effect),
    ).group_by(day, Payment.staff_id)
    return _payment_filters(stmt, q)


def _cash_daily_row(q: Query, r: Any) -> tuple[Any, ...]:
    day, staff_id, n, fee, arrears, prepay, refund, reversal, net, cash, bank = r
    amounts = [v if v is not None else ZERO for v in (fee, arrears, prepay, refund, reversal, net, cash, bank)]
    fee, arrears, prepay, refund, reversal, net, cash, bank = amounts
    return (_as_date(day), q.lookups.staff.get(staff_id, str(staff_id)), n, fee, arrears, prepay, refund, reversal,
            net, cash, net - cash - bank, bank)


def _payment_detail_select(q: Query) -> Select[*tuple[Any, ...]]:
    original = aliased(Payment)
    stmt = (
        select(Payment.receipt_number, Payment.at, Payment.staff_id, Payment.kind, Payment.item, Payment.method,
               Payment.amount, Payment.cash_effect, Payment.balance_effect, Customer.number, Customer.name,
               ServiceOrder.number, original.receipt_number, Payment.note)
        .join(Customer, Customer.id == Payment.customer_id)
        .outerjoin(ServiceOrder, ServiceOrder.id == Payment.order_id)
        .outerjoin(original, original.id == Payment.reverses_id)
        .order_by(Payment.at, Payment.id)
    )
    return _payment_filters(stmt, q)


def _payment_detail_row(q: Query, r: Any) -> tuple[Any, ...]:
    (receipt, at, staff_id, kind, item, method, amount, cash, balance, cnum, cname, order, reverses, note) = r
    return (receipt, at, q.lookups.staff.get(staff_id, ""), PaymentKind(kind).label, item, _method_label(method),
            amount, cash, balance, cnum, cname, order or "", reverses or "", note)


CASH_DAILY = LedgerDef(
    name="cash_daily", title="收费退费日结", description="按收费员按日汇总收费、退费与冲正，附每笔收费明细；合计与收费记录一致",
    date_basis="收费日期", filters=frozenset({"date", "clerk"}),
    sheets=(
        SheetDef(
            title="日结汇总",
            columns=(
                _col("日期", T.DATE), _col("收费员", width=8), _col("笔数", T.INT, total=True),
                _col("业务收费", T.MONEY, total=True), _col("收取欠费", T.MONEY, total=True),
                _col("预存", T.MONEY, total=True), _col("预存款退费", T.MONEY, total=True),
                _col("冲正（净额）", T.MONEY, total=True), _col("收付净额", T.MONEY, total=True),
                _col("其中：现金", T.MONEY, total=True), _col("其中：非现金", T.MONEY, total=True),
                _col("其中：银行代收代扣", T.MONEY, total=True),
            ),
            select=_cash_daily_select, convert=_cash_daily_row, totals=True,
            empty="本期无收费、退费记录", signatures=("收费员", "复核", "制表", "审核"),
            sort_key=lambda q, r: (r[0], r[1]),
            note="收付净额 = 业务收费 + 收取欠费 + 预存 − 预存款退费 + 冲正（净额）；"
                 "非现金指柜台刷卡、移动支付、转账，银行代收代扣为导入银行文件入账（记在导入人名下）",
        ),
        SheetDef(
            title="收费明细",
            columns=(
                _col("收据号", width=17), _col("收费时间", T.DATETIME), _col("收费员"), _col("类别", width=10),
                _col("项目", width=16), _col("收费方式"), _col("金额（元）", T.MONEY),
                _col("现金收付（元）", T.MONEY, total=True), _col("账户余额变动（元）", T.MONEY, total=True),
                _col("客户编号", width=12), _col("客户名称", width=12), _col("业务单号", width=17),
                _col("被冲正收据号", width=17), _col("备注", width=16),
            ),
            select=_payment_detail_select, convert=_payment_detail_row, totals=True,
            empty="本期无收费、退费记录", signatures=SIGNED,
        ),
    ),
)


# --- 8. 时限达标统计 ----------------------------------------------------------------------------------

def _month_expr(q: Query, column: Any) -> Any:
    # Literal SQL, not bound parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    if q.dialect == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def _finished_filters(stmt: Select[*tuple[Any, ...]], q: Query) -> Select[*tuple[Any, ...]]:
    start, end = q.filter.bounds()
    stmt = stmt.where(Deadline.status.in_((DeadlineStatus.MET, DeadlineStatus.MISSED)))
    if start is not None:
        stmt = stmt.where(Deadline.finished_at >= start)
    if end is not None:
        stmt = stmt.where(Deadline.finished_at < end)
    cond = _kinds_condition(q, None)
    if cond is not None:
        stmt = stmt.where(cond)
    if q.filter.department_id is not None:
        stmt = stmt.where(Deadline.department_id == q.filter.department_id)
    return stmt


def _met_count() -> Any:
    return func.sum(case((Deadline.status == DeadlineStatus.MET, 1), else_=0))


def _compliance_select(q: Query) -> Select[*tuple[Any, ...]]:
    month = _month_expr(q, Deadline.finished_at)
    stmt = (
        select(month.label("month"), ServiceOrder.kind, Deadline.step, Deadline.department_id, func.count(),
               _met_count())
        .join(ServiceOrder, ServiceOrder.id == Deadline.order_id)
        .group_by(month, ServiceOrder.kind, Deadline.step, Deadline.department_id)
    )
    return _finished_filters(stmt, q)


def _rate(met: int, count: int) -> Decimal | None:
    return (Decimal(met) / Decimal(count)).quantize(Decimal("0.0001")) if count else None


def _compliance_row(q: Query, r: Any) -> tuple[Any, ...]:
    month, kind, step, dept, n, met = r
    met = int(met or 0)
    department = q.lookups.departments.get(dept, "") if dept is not None else "（全程）"
    return (_month(month), _kind_label(kind), _step_label(kind, step), department, n, met, n - met, _rate(met, n))


_FLOW_ORDER = {kind: i for i, kind in enumerate(ALL_FLOWS)}


def _compliance_key(q: Query, r: tuple[Any, ...]) -> Any:
    kind = next((k for k, f in ALL_FLOWS.items() if f.label == r[1]), r[1])
    flow = ALL_FLOWS.get(kind)
    step_order = 0
    if flow is not None:
        codes = [s.label for s in flow.steps]
        step_order = codes.index(r[2]) if r[2] in codes else -1
    return (r[0], _FLOW_ORDER.get(kind, 99), step_order, r[3])


def _compliance_month_select(q: Query) -> Select[*tuple[Any, ...]]:
    month = _month_expr(q, Deadline.finished_at)
    stmt = (select(month.label("month"), func.count(), _met_count())
            .join(ServiceOrder, ServiceOrder.id == Deadline.order_id).group_by(month))
    return _finished_filters(stmt, q)


def _compliance_month_row(q: Query, r: Any) -> tuple[Any, ...]:
    month, n, met = r
    met = int(met or 0)
    return (_month(month), n, met, n - met, _rate(met, n))


def _emergency_select(q: Query) -> Select[*tuple[Any, ...]]:
    month = _month_expr(q, EmergencyCall.called_at)
    outcome = EmergencyCall.arrival_outcome

    def count_of(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    stmt = (select(month.label("month"), EmergencyCall.kind, EmergencyCall.district, func.count(),
                   count_of(outcome == "on_time"), count_of(outcome == "excused"), count_of(outcome == "late"),
                   count_of(EmergencyCall.resolved_first_visit.is_(True)), count_of(EmergencyCall.status == "closed"))
            .group_by(month, EmergencyCall.kind, EmergencyCall.district))
    start, end = q.filter.bounds()
    if start is not None:
        stmt = stmt.where(EmergencyCall.called_at >= start)
    if end is not None:
        stmt = stmt.where(EmergencyCall.called_at < end)
    return stmt


def _emergency_row(q: Query, r: Any) -> tuple[Any, ...]:
    from gasdesk.services.emergency import CallKind

    month, kind, district, n, on_time, excused, late, first, closed = r
    on_time, excused, late, first, closed = (int(v or 0) for v in (on_time, excused, late, first, closed))
    return (month, CallKind(kind).label, District(district).label, n, on_time, excused, late,
            _rate(on_time + excused, on_time + excused + late), first, closed, _rate(first, closed))


def _pauses_text_expr(q: Query) -> Any:
    """Per deadline, its pauses as 'start/end;start/end' (read back by _compliance_detail_row)."""
    piece = (cast(DeadlinePause.started_at, String).concat(literal_column("'/'"))
             .concat(func.coalesce(cast(DeadlinePause.ended_at, String), literal_column("''"))))
    if q.dialect == "postgresql":
        agg = func.string_agg(piece, literal_column("';'"))
    else:
        agg = func.group_concat(piece, literal_column("';'"))
    return select(agg).where(DeadlinePause.deadline_id == Deadline.id).scalar_subquery()


def _compliance_detail_select(q: Query) -> Select[*tuple[Any, ...]]:
    stmt = (select(ServiceOrder.number, ServiceOrder.kind, Deadline.scope, Deadline.step, Deadline.department_id,
                   Deadline.started_at, Deadline.amount, Deadline.unit, _pauses_text_expr(q), Deadline.due_at,
                   Deadline.finished_at, Deadline.status)
            .join(ServiceOrder, ServiceOrder.id == Deadline.order_id))
    return _finished_filters(stmt, q).order_by(Deadline.finished_at, Deadline.id)


def _parse_pauses(text: str | None) -> list[tuple[datetime, datetime]]:
    pauses = []
    for piece in (text or "").split(";"):
        began, _, ended = piece.partition("/")
        if began and ended:
            pauses.append((datetime.fromisoformat(began.strip()), datetime.fromisoformat(ended.strip())))
    return sorted(pauses)


def _compliance_detail_row(q: Query, r: Any) -> tuple[Any, ...]:
    number, kind, scope, step, dept, started, amount, unit, pauses_text, due, finished, status = r
    pauses = _parse_pauses(pauses_text)
    working = TimeUnit(unit) is TimeUnit.WORKING_DAYS
    counted = [sla.paused_working_days(q.calendar, b, e) if working else None for b, e in pauses]
    record = "；".join(f"{b:%Y-%m-%d %H:%M} 至 {e:%Y-%m-%d %H:%M}" + (f"（{n}个工作日）" if n is not None else "")
                      for (b, e), n in zip(pauses, counted, strict=True))
    rule_due = sla.due_with_pauses(amount, unit, started, pauses, q.calendar)
    on_time = finished <= rule_due
    check = "" if on_time == (status == DeadlineStatus.MET) else (
        f"记录为{DeadlineStatus(status).label}，按现行日历核算为{'按时' if on_time else '超时'}（记录的应完成时间 {due:%Y-%m-%d %H:%M}）")
    department = q.lookups.departments.get(dept, "") if dept is not None else "（全程）"
    return (number, _kind_label(kind), _step_label(kind, step) if step else "全程时限", department, started,
            f"{amount}{TimeUnit(unit).label}", record, sum(n or 0 for n in counted) if working else None,
            rule_due, finished, "按时" if status == DeadlineStatus.MET else "超时", check)


COMPLIANCE = LedgerDef(
    name="compliance", title="时限达标统计",
    description="按月份、业务、环节、责任部门统计已完成时限的按时与超时数量及达标率，附按月趋势图",
    date_basis="完成日期", filters=frozenset({"date", "kind", "department"}),
    sheets=(
        SheetDef(
            title="达标明细",
            columns=(
                _col("月份", width=8), _col("业务类型", width=14), _col("环节", width=22), _col("责任部门", width=10),
                _col("完成数", T.INT, total=True), _col("按时完成", T.INT, total=True),
                _col("超时完成", T.INT, total=True), _col("达标率", T.RATE, ratio_of=(5, 4)),
            ),
            select=_compliance_select, convert=_compliance_row, totals=True, sort_key=_compliance_key,
            empty="本期无已完成的时限（没有按时或超时办结的环节）", signatures=SIGNED,
            note="“全程时限”为整单承诺时限（客户原因暂停的时间不计）",
        ),
        SheetDef(
            title="按月趋势",
            columns=(
                _col("月份", width=8), _col("完成数", T.INT, total=True), _col("按时完成", T.INT, total=True),
                _col("超时完成", T.INT, total=True), _col("达标率", T.RATE, ratio_of=(2, 1)),
            ),
            select=_compliance_month_select, convert=_compliance_month_row, totals=True,
            empty="本期无已完成的时限（没有按时或超时办结的环节）",
            sort_key=lambda q, r: r[0],
            chart=ChartSpec(title="时限达标趋势", category=0, bars=(2, 3), lines=(4,), stacked=True,
                            bar_axis_title="完成数", line_axis_title="达标率", line_is_rate=True),
        ),
        SheetDef(
            title="抢险抢修到场",
            columns=(
                _col("月份", width=8), _col("类别", width=14), _col("区域", width=6),
                _col("报修数", T.INT, total=True), _col("按时到场", T.INT, total=True),
                _col("超时可免责", T.INT, total=True), _col("超时", T.INT, total=True),
                _col("到场达标率", T.RATE, ratio_of=((4, 5), (4, 5, 6))), _col("一次修复", T.INT, total=True),
                _col("已结案", T.INT, total=True), _col("一次修复率", T.RATE, ratio_of=(8, 9)),
            ),
            select=_emergency_select, convert=_emergency_row, totals=True, sort_key=lambda q, r: (r[0], r[1], r[2]),
            empty="本期无抢险抢修记录（统计期间内没有抢险抢修报修）", signatures=SIGNED,
            note="泄漏着火中毒爆炸市区30分钟、郊区60分钟到场；低压/管网故障另计（默认当日）；交通拥堵、道路封闭、自然灾害超时可免责",
        ),
        SheetDef(
            title="时限明细",
            columns=(
                _col("业务单号", width=17), _col("业务类型", width=12), _col("时限", width=18),
                _col("责任部门", width=10), _col("开始时间", T.DATETIME), _col("承诺时限", width=9),
                _col("暂停记录", width=44), _col("暂停工作日", T.INT, total=True), _col("应完成时间", T.DATETIME),
                _col("完成时间", T.DATETIME), _col("结果", width=6), _col("核对", width=20),
            ),
            select=_compliance_detail_select, convert=_compliance_detail_row,
            note="应完成时间＝开始之日后第（承诺时限＋暂停工作日）个工作日的24时；每次暂停不计开始当天之后、"
                 "至恢复当天（含）的工作日；以小时计的时限加上暂停的时长。暂停与恢复的时间见业务单的办理记录",
        ),
    ),
)


# --- 9. 超期工单 --------------------------------------------------------------------------------------

def _overdue_parts(q: Query) -> tuple[Any, Any, Any]:
    """(late subquery, department of the running step clock, scope of the most overdue clock)."""
    late = (select(Deadline.order_id, func.min(Deadline.due_at).label("due_at"))
            .where(Deadline.status == DeadlineStatus.RUNNING, Deadline.due_at < q.now)
            .group_by(Deadline.order_id).subquery())
    step_dept = (select(Deadline.department_id)
                 .where(Deadline.order_id == ServiceOrder.id, Deadline.status == DeadlineStatus.RUNNING,
                        Deadline.scope == DeadlineScope.STEP)
                 .order_by(Deadline.due_at).limit(1).scalar_subquery())
    scope = (select(Deadline.scope)
             .where(Deadline.order_id == ServiceOrder.id, Deadline.status == DeadlineStatus.RUNNING,
                    Deadline.due_at == late.c.due_at)
             .order_by(Deadline.id).limit(1).scalar_subquery())
    return late, step_dept, scope


def _overdue_select(q: Query) -> Select[*tuple[Any, ...]]:
    late, step_dept, scope = _overdue_parts(q)
    dept = func.coalesce(step_dept, ServiceOrder.department_id)
    stmt = (
        select(ServiceOrder.id, ServiceOrder.number, ServiceOrder.kind, ServiceOrder.step, ServiceOrder.status,
               Customer.name, Customer.phone, Customer.address, ServiceOrder.opened_at, ServiceOrder.opened_by_id,
               scope, late.c.due_at, dept.label("dept"), ServiceOrder.crew)
        .join(late, late.c.order_id == ServiceOrder.id)
        .join(Customer, Customer.id == ServiceOrder.customer_id)
        .order_by(late.c.due_at, ServiceOrder.id)
    )
    return _order_filters(stmt, q, None, department_column=dept)


def _overdue_row(q: Query, r: Any) -> tuple[Any, ...]:
    (_, number, kind, step, status, cname, phone, address, opened, clerk, scope, due, dept, crew) = r
    days = Decimal((q.now - due).total_seconds() / 86400).quantize(Decimal("0.1"))
    working = q.calendar.count_working_days(due.date(), q.now.date())
    return (number, _kind_label(kind), _step_label(kind, step), cname, phone, address, opened,
            q.lookups.staff.get(clerk, ""), DeadlineScope(scope).label if scope else "", due, days, working,
            q.lookups.responsible(kind, step, status, dept) or "（未指定）", crew or "")


OVERDUE = LedgerDef(
    name="overdue", title="超期工单", description="当前已超过承诺时限仍在办理的业务：超期天数、责任部门",
    date_basis="受理日期", filters=frozenset({"date", "kind", "department", "clerk"}),
    sheets=(SheetDef(
        title="超期工单",
        columns=(
            _col("业务单号", width=17), _col("业务类型", width=12), _col("当前环节", width=20),
            _col("客户名称", width=12), _col("联系电话", T.PHONE), _col("用气地址", width=30),
            _col("受理时间", T.DATETIME), _col("受理人"), _col("超期时限"), _col("应完成时间", T.DATETIME),
            _col("超期天数", T.NUMBER), _col("超期工作日", T.INT), _col("责任部门", width=10),
            _col("作业班组", width=10),
        ),
        select=_overdue_select, convert=_overdue_row, totals=True,
        empty="当前没有超期工单",
        note="超期天数按自然日计；超期工作日按办公日历计",
    ),),
)


# --- 10. 账单台账 and 11. 欠费账龄 ----------------------------------------------------------------------

BILL_STATUS_LABELS = {"unpaid": "未缴", "partly_paid": "部分缴费", "paid": "已缴清"}


def _bills_select(q: Query) -> Select[*tuple[Any, ...]]:
    start, end = q.filter.bounds()
    stmt = (select(Bill.number, Bill.issued_at, Account.number, Customer.name, Customer.phone, Bill.gas_use_type,
                   Bill.period_start, Bill.period_end, Bill.volume, Bill.amount, Bill.paid, Bill.due_to, Bill.status,
                   bank_ledger.bank_paid(Bill.id))
            .join(Account, Account.id == Bill.account_id).join(Customer, Customer.id == Bill.customer_id)
            .order_by(Bill.issued_at, Bill.id))
    if start is not None:
        stmt = stmt.where(Bill.issued_at >= start)
    if end is not None:
        stmt = stmt.where(Bill.issued_at < end)
    return stmt


def _bills_row(q: Query, r: Any) -> tuple[Any, ...]:
    number, issued, account, name, phone, use, start, end, volume, amount, paid, due_to, status, bank = r
    return (number, issued, account, name, phone, _use_label(use), start, end, volume,
            amount, paid, amount - paid, due_to, BILL_STATUS_LABELS.get(status, status), bank or ZERO)


def _arrears_cuts(q: Query) -> tuple[date, date]:
    """Bills read on or after the first date are 0-30 days old on the as-of day, on or after the second 31-90."""
    as_of = q.filter.date_to or q.now.date()
    return as_of - timedelta(days=30), as_of - timedelta(days=90)


def _arrears_select(q: Query) -> Select[*tuple[Any, ...]]:
    recent, older = _arrears_cuts(q)
    owed = Bill.amount - Bill.paid
    as_of_end = datetime.combine((q.filter.date_to or q.now.date()) + timedelta(days=1), time.min)
    return (select(Account.number, Customer.number, Customer.name, Customer.phone, Account.address,
                   Account.status, func.min(Bill.period_end),
                   _sum_where(Bill.period_end >= recent, owed),
                   _sum_where(and_(Bill.period_end < recent, Bill.period_end >= older), owed),
                   _sum_where(Bill.period_end < older, owed),
                   type_coerce(func.sum(owed), Money()))
            .join(Account, Account.id == Bill.account_id).join(Customer, Customer.id == Account.customer_id)
            .where(Bill.status != "paid", Bill.issued_at < as_of_end)
            .group_by(Account.number, Customer.number, Customer.name, Customer.phone, Account.address,
                      Account.status))


ARREARS_CLOSED_NOTE = "已销户，欠费未结清"


def _arrears_row(q: Query, r: Any) -> tuple[Any, ...]:
    account, cnum, name, phone, address, status, oldest, a30, a90, older, total = r
    closed = status == AccountStatus.CLOSED
    return (account, cnum, name, phone, address, _account_status_label(status), _as_date(oldest),
            a30 or ZERO, a90 or ZERO, older or ZERO, total or ZERO, ARREARS_CLOSED_NOTE if closed else "")


def _arrears_group(row: Sequence[Any]) -> str:
    """Accounts still supplied, then closed accounts that left owing (subtotalled apart)."""
    return "已销户账户" if row[11] else "在用账户"


def _arrears_key(q: Query, row: tuple[Any, ...]) -> Any:
    return (bool(row[11]), -row[10], row[0])


def _use_label(code: str) -> str:
    try:
        return GasUseType(code).label
    except ValueError:
        return code


def _account_status_label(code: str) -> str:
    try:
        return AccountStatus(code).label
    except ValueError:
        return code


BILLS = LedgerDef(
    name="bills", title="账单台账", description="按期间列出开出的燃气费账单：用气量、金额、已缴与欠缴",
    date_basis="出账日期", filters=frozenset({"date"}),
    sheets=(SheetDef(
        title="账单", columns=(
            _col("账单号", width=18), _col("出账时间", T.DATETIME), _col("户号", width=12), _col("户名", width=12),
            _col("联系电话", T.PHONE), _col("用气性质", width=10), _col("起始日期", T.DATE), _col("抄表日期", T.DATE),
            _col("用气量（m³）", T.QUANTITY, total=True), _col("金额（元）", T.MONEY, total=True),
            _col("已缴（元）", T.MONEY, total=True), _col("欠缴（元）", T.MONEY, total=True),
            _col("缴费截止", T.DATE), _col("状态", width=8), _col("其中银行代收代扣（元）", T.MONEY, total=True),
        ),
        select=_bills_select, convert=_bills_row, totals=True,
        empty="本期未开出账单", signatures=SIGNED,
    ),),
)

ARREARS_AGE = LedgerDef(
    name="arrears_age", title="欠费账龄", description="截至日各户欠费按账单账龄分段：0-30天、31-90天、90天以上",
    date_basis="截至日（取“至”日期，默认今天）", filters=frozenset({"date"}),
    sheets=(SheetDef(
        title="欠费账龄", columns=(
            _col("户号", width=12), _col("客户编号", width=12), _col("户名", width=12), _col("联系电话", T.PHONE),
            _col("用气地址", width=30), _col("账户状态", width=8), _col("最早欠费账单抄表日", T.DATE),
            _col("0-30天（元）", T.MONEY, total=True), _col("31-90天（元）", T.MONEY, total=True),
            _col("90天以上（元）", T.MONEY, total=True), _col("欠费合计（元）", T.MONEY, total=True),
            _col("备注", width=12),
        ),
        select=_arrears_select, convert=_arrears_row, totals=True, sort_key=_arrears_key,
        group=_arrears_group, unit="户", empty="截至日无欠费账户", signatures=SIGNED,
        note="账龄自产生账单的抄表日起算；已缴清的账单不计；已销户账户列在后面，单独小计",
    ),),
)


# --- 坏账核销台账 -------------------------------------------------------------------------------------

def _write_off_select(q: Query) -> Select[*tuple[Any, ...]]:
    reversal = aliased(Payment)
    stmt = (
        select(Payment.receipt_number, Payment.at, Payment.staff_id, Payment.amount, Account.number,
               Account.status, Customer.number, Customer.name, Payment.note,
               reversal.receipt_number)
        .join(Customer, Customer.id == Payment.customer_id)
        .outerjoin(Account, Account.id == Payment.account_id)
        .outerjoin(reversal, reversal.reverses_id == Payment.id)
        .where(Payment.kind == PaymentKind.WRITE_OFF)
        .order_by(Payment.at, Payment.id)
    )
    return _payment_filters(stmt, q)


def _write_off_row(q: Query, r: Any) -> tuple[Any, ...]:
    receipt, at, staff_id, amount, account, status, cnum, cname, reason, reversed_by = r
    return (receipt, at, q.lookups.staff.get(staff_id, ""), amount, account or "",
            AccountStatus(status).label if status else "", cnum, cname, reason, reversed_by or "")


WRITE_OFFS = LedgerDef(
    name="write_offs", title="坏账核销台账", description="经理核销的无法收回欠费：账户、客户、金额、原因、核销人；已冲正的注明冲正收据号",
    date_basis="核销日期", filters=frozenset({"date", "clerk"}),
    sheets=(
        SheetDef(
            title="坏账核销",
            columns=(
                _col("核销单号", width=17), _col("核销时间", T.DATETIME), _col("核销人"),
                _col("核销金额（元）", T.MONEY, total=True), _col("燃气账户", width=14), _col("账户状态"),
                _col("客户编号", width=12), _col("客户名称", width=12), _col("核销原因", width=24),
                _col("冲正收据号", width=17),
            ),
            select=_write_off_select, convert=_write_off_row, totals=True,
        ),
    ),
)


LEDGERS: dict[str, LedgerDef] = {d.name: d for d in (
    BUSINESS, PLUGGING, ALLOWANCE, COMPLAINTS, METER_CHANGE, TRANSFER_CLOSURE, CASH_DAILY, COMPLIANCE, OVERDUE,
    BILLS, ARREARS_AGE, WRITE_OFFS,
    bank_ledger.reconciliation_ledger(LedgerDef, SheetDef),
    *inspection_ledgers.inspection_ledgers(LedgerDef, SheetDef),
)}


def list_ledgers() -> list[tuple[str, str]]:
    """(name, Chinese title) of every ledger, in menu order."""
    return [(d.name, d.title) for d in LEDGERS.values()]


def get_ledger(name: str) -> LedgerDef:
    try:
        return LEDGERS[name]
    except KeyError:
        raise NotFound(f"没有名为“{name}”的台账；可用：{'、'.join(LEDGERS)}") from None


# --- the export use case -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportResult:
    name: str
    path: Path | None
    rows: int
    sheet_rows: tuple[int, ...]
    masked: bool
    cancelled: bool = False


@dataclass(frozen=True)
class FilterChoices:
    """What the ledger page offers in its filter boxes."""

    kinds: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    departments: list[tuple[int, str]]
    clerks: list[tuple[int, str]]


class LedgerService:
    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app.acting(actor), actor

    def choices(self) -> FilterChoices:
        self.actor.require(Permission.EXPORT_LEDGERS)
        with self.app.reading() as s:
            depts = s.execute(select(Department.id, Department.name).where(Department.active.is_(True))
                              .order_by(Department.id)).all()
            clerks = s.execute(select(Staff.id, Staff.name).order_by(Staff.name, Staff.id)).all()
        return FilterChoices(kinds=[(f.kind, f.label) for f in ALL_FLOWS.values()],
                             statuses=OrderStatus.choices(), departments=list(depts), clerks=list(clerks))

    def filter_from_codes(self, *, date_from: date | None = None, date_to: date | None = None,
                          kind: str | None = None, status: str | None = None, department: str | None = None,
                          clerk: str | None = None) -> LedgerFilter:
        """A filter from what a command line names: flow kind, status code, department code, clerk login."""
        if kind and kind not in ALL_FLOWS:
            raise Refused(f"没有“{kind}”这种业务；可用：{'、'.join(ALL_FLOWS)}", field="kind")
        if status and status not in {code for code, _ in OrderStatus.choices()}:
            raise Refused(f"没有“{status}”这种办理状态；可用：{'、'.join(c for c, _ in OrderStatus.choices())}",
                          field="status")
        department_id = clerk_id = None
        with self.app.reading() as s:
            if department:
                department_id = s.scalar(select(Department.id).where(Department.code == department))
                if department_id is None:
                    raise Refused(f"没有代码为“{department}”的部门", field="department")
            if clerk:
                clerk_id = s.scalar(select(Staff.id).where(Staff.login == clerk))
                if clerk_id is None:
                    raise Refused(f"没有登录名为“{clerk}”的员工", field="clerk")
        return LedgerFilter(date_from=date_from, date_to=date_to, kind=kind or None, status=status or None,
                            department_id=department_id, clerk_id=clerk_id)

    def describe_filter(self, ledger: LedgerDef, f: LedgerFilter, lookups: Lookups) -> str:
        parts = []
        if f.kind and "kind" in ledger.filters:
            parts.append(f"业务类型={_kind_label(f.kind)}")
        if f.status and "status" in ledger.filters:
            parts.append(f"状态={_status_label(f.status)}")
        if f.department_id is not None and "department" in ledger.filters:
            parts.append(f"部门={lookups.departments.get(f.department_id, f.department_id)}")
        if f.clerk_id is not None and "clerk" in ledger.filters:
            parts.append(f"{'收费员' if ledger.name == 'cash_daily' else '受理人'}={lookups.staff.get(f.clerk_id, '')}")
        return "；".join(parts)

    def export(self, name: str, flt: LedgerFilter | None, path: str | os.PathLike[str], *,
               progress: Progress | None = None, tick_every: int = 500, pdf: bool | None = None) -> ExportResult:
        """Write the ledger to `path`: a workbook, or a PDF when `pdf` (default: the path ends in .pdf).
        `progress(done, total)` returning False cancels: no file remains."""
        self.actor.require(Permission.EXPORT_LEDGERS)
        ledger = get_ledger(name)
        flt = _only_supported(ledger, flt or LedgerFilter())
        if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
            raise Refused("开始日期不能晚于结束日期", field="date_from")
        target = Path(path)
        if not target.parent.is_dir():
            raise Refused(f"保存位置不存在：{target.parent}", field="path")
        as_pdf = target.suffix.lower() == ".pdf" if pdf is None else pdf
        masked = not self.actor.can(Permission.VIEW_FULL_ID)
        now = self.app.clock.now()
        with self.app.reading() as s:
            lookups = Lookups.load(s)
            company = str(settings_store.get(s, "company.name") or "")
            font_path = str(settings_store.get(s, "printing.font_path") or "") or None
            q = Query(filter=flt, now=now, dialect=s.get_bind().dialect.name, lookups=lookups,
                      calendar=self.app.calendar(), settings=settings_store.read_all(s))
            total = ledger.count(s, q)
            if as_pdf and total > PDF_ROW_LIMIT:
                raise Refused(f"“{ledger.title}”共 {total:,} 行，超过 PDF 的 {PDF_ROW_LIMIT:,} 行上限；"
                              "请缩小统计期间或筛选条件，或导出 Excel", field="date_from")
            if progress is not None and not progress(0, total):
                return ExportResult(name, None, 0, (), masked, cancelled=True)
            title = TitleBlock(
                company=company, title=ledger.title,
                period=(f"截至 {now:%Y-%m-%d %H:%M}；" if ledger.name == "overdue" else "")
                + flt.period_text(ledger.date_basis),
                exported_at=now, exported_by=f"{self.actor.name}（{self.actor.role.label}）",
                filters=self.describe_filter(ledger, flt, lookups),
                extra=("证件号码、电话已脱敏",) if masked and _has_personal(ledger) else (),
            )
            sheets = [
                SheetData(title=spec.title, columns=spec.columns,
                          rows=_masking(ledger.rows(s, q, i), spec.columns) if masked else ledger.rows(s, q, i),
                          totals=spec.totals, chart=spec.chart, note=spec.note, empty=spec.empty,
                          signatures=spec.signatures, group=spec.group, unit=spec.unit)
                for i, spec in enumerate(ledger.sheets)
            ]

            def tick(done: int) -> bool:
                return progress is None or bool(progress(min(done, max(total, done)), max(total, done)))

            try:
                if as_pdf:
                    counts = write_pdf(target, title, sheets, font_path=font_path, tick=tick, tick_every=tick_every)
                else:
                    counts = write_workbook(target, title, sheets, tick=tick, tick_every=tick_every)
            except ExportCancelled:
                return ExportResult(name, None, 0, (), masked, cancelled=True)
            except FontNotFoundError as exc:
                raise Refused("未找到可嵌入 PDF 的中文 TrueType 字体（.ttf/.ttc），无法生成 PDF；请在“系统设置”中"
                              "填写中文字体文件的路径，或安装宋体、黑体、文泉驿微米黑等字体") from exc
            except PermissionError as exc:
                opener = "PDF 阅读器" if as_pdf else "Excel"
                raise Refused(f"无法写入文件 {target.name}：文件可能正在被 {opener} 打开，请关闭后重试") from exc
        rows = sum(counts)
        self._audit(ledger, flt, target, rows, masked, now)
        return ExportResult(name, target, rows, tuple(counts), masked)

    def _audit(self, ledger: LedgerDef, flt: LedgerFilter, target: Path, rows: int, masked: bool,
               now: datetime) -> None:
        with self.app.unit_of_work() as s:
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="ledger", entity_id=ledger.name,
                         action="export", changes={
                             "file": [None, target.name], "rows": [None, rows], "masked": [None, masked],
                             "filter": [None, {k: v for k, v in flt.__dict__.items() if v not in (None, "")}],
                         })


def _only_supported(ledger: LedgerDef, f: LedgerFilter) -> LedgerFilter:
    """Drop filters the ledger does not have (so the title block never claims one)."""
    changes: dict[str, Any] = {}
    if "kind" not in ledger.filters:
        changes["kind"] = None
    if "status" not in ledger.filters:
        changes["status"] = None
    if "department" not in ledger.filters:
        changes["department_id"] = None
    if "clerk" not in ledger.filters:
        changes["clerk_id"] = None
    return replace(f, **changes) if changes else f


def _has_personal(ledger: LedgerDef) -> bool:
    return any(c.type in (T.ID, T.PHONE) for sheet in ledger.sheets for c in sheet.columns)


def _masking(rows: Iterator[tuple[Any, ...]], columns: Sequence[LedgerColumn]) -> Iterator[tuple[Any, ...]]:
    ids = [i for i, c in enumerate(columns) if c.type is T.ID]
    phones = [i for i, c in enumerate(columns) if c.type is T.PHONE]
    if not ids and not phones:
        yield from rows
        return
    for row in rows:
        out = list(row)
        for i in ids:
            if out[i]:
                out[i] = mask_id(str(out[i]))
        for i in phones:
            if out[i]:
                out[i] = mask_phone(str(out[i]))
        yield tuple(out)


# --- the manager dashboard -------------------------------------------------------------------------

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
        return self.met / self.count if self.count else None


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
    # Safety inspection: coverage within the interval now, households overdue, open hazards.
    inspection: inspection_ledgers.CoverageFigure | None = None

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


class DashboardData:
    """The figures of the manager dashboard; read-only, one short read per call."""

    LIST_LIMIT = 500

    def __init__(self, app: App, actor: Actor) -> None:
        actor.require(Permission.EXPORT_LEDGERS)
        self.app, self.actor = app.acting(actor), actor

    def _query(self, s: Session) -> Query:
        return Query(filter=LedgerFilter(), now=self.app.clock.now(), dialect=s.get_bind().dialect.name,
                     lookups=Lookups.load(s), calendar=self.app.calendar(), settings=settings_store.read_all(s))

    def snapshot(self, months: int = 12) -> DashboardSnapshot:
        with self.app.reading() as s:
            q = self._query(s)
            return DashboardSnapshot(at=q.now, by_flow=self._by_flow(s, q), trend=self._trend(s, q, months),
                                     overdue=self._overdue(s, q), workload=self._workload(s, q),
                                     inspection=inspection_ledgers.coverage_now(s, q.now, q.settings))

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
        return [FlowStates(kind, _kind_label(kind), c) for kind, c in counts.items()]

    def open_by_flow_state(self) -> list[FlowStates]:
        with self.app.reading() as s:
            return self._by_flow(s, self._query(s))

    # --- compliance trend -------------------------------------------------------------------------

    def _trend(self, s: Session, q: Query, months: int) -> list[MonthRate]:
        first = q.now.date().replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        q = replace(q, filter=LedgerFilter(date_from=first))
        found = {r[0]: r for r in (_compliance_month_row(q, row) for row in s.execute(_compliance_month_select(q)))}
        result = []
        month = first
        for _ in range(months):
            key = f"{month:%Y-%m}"
            row = found.get(key)
            result.append(MonthRate(key, row[1], row[2], row[3]) if row else MonthRate(key, 0, 0, 0))
            month = (month + timedelta(days=32)).replace(day=1)
        return result

    def inspection_coverage(self) -> inspection_ledgers.CoverageFigure:
        with self.app.reading() as s:
            q = self._query(s)
            return inspection_ledgers.coverage_now(s, q.now, q.settings)

    def compliance_trend(self, months: int = 12) -> list[MonthRate]:
        with self.app.reading() as s:
            return self._trend(s, self._query(s), months)

    # --- overdue by department --------------------------------------------------------------------

    def _overdue_rows(self, s: Session, q: Query) -> list[tuple[int, str]]:
        """(order id, responsible department name) of every order overdue now."""
        rows = s.execute(_overdue_select(q)).all()
        return [(r[0], q.lookups.responsible(r[2], r[3], r[4], r[12]) or "（未指定）") for r in rows]

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

    def _workload(self, s: Session, q: Query) -> list[ClerkLoad]:
        start, end = self._today(q.now)
        orders = dict(s.execute(
            select(ServiceOrder.opened_by_id, func.count())
            .where(ServiceOrder.opened_at >= start, ServiceOrder.opened_at < end)
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

    def today_workload(self) -> list[ClerkLoad]:
        with self.app.reading() as s:
            return self._workload(s, self._query(s))

    # --- the orders behind a bar ------------------------------------------------------------------

    def orders(self, selection: Selection) -> list[DashboardOrder]:
        with self.app.reading() as s:
            q = self._query(s)
            ids = self._selected_ids(s, q, selection)[: self.LIST_LIMIT]
            return self._order_rows(s, q, ids)

    def _selected_ids(self, s: Session, q: Query, sel: Selection) -> list[int]:
        if sel.chart == "flow_state":
            kind, state = sel.key
            return [o.order_id for o in self._open_orders(s, q.now) if o.kind == kind and o.state == state]
        if sel.chart == "overdue":
            return [oid for oid, dept in self._overdue_rows(s, q) if dept == sel.key]
        if sel.chart == "workload":
            start, end = self._today(q.now)
            return list(s.scalars(select(ServiceOrder.id).where(
                ServiceOrder.opened_by_id == sel.key, ServiceOrder.opened_at >= start,
                ServiceOrder.opened_at < end).order_by(ServiceOrder.opened_at, ServiceOrder.id)))
        if sel.chart == "month":
            key_month, status = sel.key if isinstance(sel.key, tuple) else (sel.key, DeadlineStatus.MISSED)
            month = _month_expr(q, Deadline.finished_at)
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
                   Customer.name, ServiceOrder.opened_at, ServiceOrder.opened_by_id, due.c.due,
                   ServiceOrder.department_id, _last_step_subquery())
            .join(Customer, Customer.id == ServiceOrder.customer_id)
            .outerjoin(due, due.c.order_id == ServiceOrder.id)
            .where(ServiceOrder.id.in_(ids))
        ).all()
        position = {oid: i for i, oid in enumerate(ids)}
        result = [
            DashboardOrder(order_id=r[0], number=r[1], kind_label=_kind_label(r[2]), step_label=_step_label(r[2], r[3]),
                           status_label=_status_label(r[4]), customer_name=r[5], opened_at=r[6],
                           opened_by=q.lookups.staff.get(r[7], ""), due_at=r[8],
                           department=q.lookups.responsible(r[2], r[3], r[4], r[9], r[10]))
            for r in rows
        ]
        result.sort(key=lambda o: position[o.order_id])
        return result


__all__ = [
    "LEDGERS", "OPEN_STATES", "ClerkLoad", "DashboardData", "DashboardOrder", "DashboardSnapshot", "DepartmentLoad",
    "ExportResult", "FilterChoices", "FlowStates", "LedgerDef", "LedgerFilter", "LedgerService", "MonthRate",
    "Selection", "SheetDef", "get_ledger", "list_ledgers", "satisfaction",
]
