"""Safety inspection (安全检查): plans, inspectors' results, hazards and their rectification, photos,
and the counter's warning. The stable API the ledgers, the Excel route sheet and the demo build on.

* **Plans.** `create_plan` records a scope (district, address fragment, category, or "due" by the
  interval of each category: `inspection.interval_months.residential` / `.non_residential`,
  default 12 / 6), the inspector or crew and the period. `open_plan` opens one inspection order per
  account in scope, in bulk (chunks of `CHUNK` accounts, each chunk one transaction: numbers
  reserved as one block, orders, first log rows, inspection rows and one audit entry per order,
  exactly as `OrderService.open` writes them), with a progress callback and a cancel event; an
  account that already has an open inspection is skipped and counted. A cancelled opening keeps
  the chunks already committed and can be continued by opening again.
* **Results.** `record_entered` / `record_not_home` / `record_refused` take the inspector's sheet
  through the inspection flow (OrderService.perform: one transaction with its visit row, hazards,
  account flags, step log and audit). Not home below `inspection.max_attempts` leaves the order
  waiting for the re-visit; at the limit it ends as unreachable and flags the account.
* **Rectification.** Every hazard graded 一级 or 二级 is on the visit's 隐患整改通知书 with its
  deadline (`limits.hazard_grade1_days` / `limits.hazard_grade2_days` working days on the office
  calendar); `close_hazards` closes them (re-inspection or the customer's report); `stop_supply`
  opens a suspension order for an 一级 hazard and links it.
* **The counter.** `warnings` lists an account's (or a customer's accounts') open hazards,
  refusal, unreachable and overdue inspection; `grant_clearance` records a manager's second sign-in
  that lets one sale of gas or one new order through on an account with an open 一级 hazard
  (services/hazard_gate.py checks and uses it inside the payment or order's own transaction).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from gasdesk import sla
from gasdesk.flows.definition import FieldKind, FlowDef
from gasdesk.flows.inspection import flow as spec
from gasdesk.flows.inspection.rules import ADVICE, CLOSED, HAZARD_STATUS, MAX_ATTEMPTS, OPEN
from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.models import (
    Account,
    Customer,
    Deadline,
    DeadlinePause,
    Department,
    InspectionAccount,
    InspectionClearance,
    InspectionHazard,
    InspectionOrder,
    InspectionPlan,
    InspectionVisit,
    Meter,
    OrderStep,
    ServiceOrder,
    Staff,
)
from gasdesk.permissions import Permission
from gasdesk.services import audit, deadlines, hazard_gate, numbering
from gasdesk.services import settings as settings_store
from gasdesk.services import staff as staff_store
from gasdesk.services.as_of import PLACE_KEY
from gasdesk.services.attachments import AttachmentService, AttachmentView
from gasdesk.services.context import Service, must_get, name_of
from gasdesk.services.errors import Conflict, NotFound, Refused, refusing
from gasdesk.services.flow_context import FACTS_KEY, PARTY_FIELDS
from gasdesk.services.orders import OrderService, OrderView
from gasdesk.validation import check_required, clean_text
from gasdesk.vocab import (
    AccountStatus,
    Channel,
    CustomerCategory,
    DeadlineScope,
    DeadlineStatus,
    District,
    MeterStatus,
    OrderStatus,
    Role,
)

Progress = Callable[[int, str], None]
CHUNK = 2000


KIND = spec.FLOW.kind
PLAN_PREFIX = "AJJH"
INTERVAL = {CustomerCategory.RESIDENTIAL: "inspection.interval_months.residential",
            CustomerCategory.NON_RESIDENTIAL: "inspection.interval_months.non_residential"}


class PlanStatus:
    DRAFT = "draft"  # 未开单
    OPENING = "opening"  # 开单中（可继续）
    OPEN = "open"  # 执行中
    CLOSED = "closed"  # 已结束


PLAN_STATUS = {PlanStatus.DRAFT: "未开单", PlanStatus.OPENING: "开单未完成", PlanStatus.OPEN: "执行中",
               PlanStatus.CLOSED: "已结束"}
WARNING_KINDS = {"grade1_hazard": "一级隐患未整改", "open_hazard": "隐患未整改", "refused": "拒绝安检",
                 "unreachable": "多次到访不遇", "overdue": "超过安检周期"}


class OpeningCancelled(Refused):
    """The person opening a plan pressed 取消: the chunks already opened stay, the plan can go on later."""

    def __init__(self, opened: int) -> None:
        super().__init__(f"已取消：本次已开 {opened} 张安检单，其余可稍后继续开单")
        self.opened = opened


@dataclass(frozen=True)
class PlanSpec:
    """What a plan covers; '' means any. `due_only` keeps accounts whose last entry is older than
    their category's interval (or that were never inspected)."""

    title: str
    inspector: str
    starts_on: date
    ends_on: date
    district: str = ""
    address: str = ""
    category: str = ""
    due_only: bool = False
    note: str = ""


@dataclass(frozen=True)
class PlanView:
    id: int
    number: str
    title: str
    district: str
    address: str
    category: str
    due_only: bool
    scope_text: str
    inspector: str
    starts_on: date
    ends_on: date
    status: str
    status_label: str
    planned: int
    opened: int
    skipped: int
    created_at: datetime
    created_by: str
    # Progress of its orders: visited at least once, entered, not home (still open), refused,
    # unreachable, hazards found, hazards still open; `pending` orders not visited yet.
    visited: int = 0
    entered: int = 0
    not_home: int = 0
    refused: int = 0
    unreachable: int = 0
    pending: int = 0
    hazards: int = 0
    open_hazards: int = 0
    version: int = 1


@dataclass(frozen=True)
class PlanPreview:
    """How many accounts opening now would cover, and how many are skipped (already open)."""

    in_scope: int
    already_open: int

    @property
    def to_open(self) -> int:
        return self.in_scope - self.already_open


@dataclass(frozen=True)
class PlanOpening:
    plan: PlanView
    opened: int
    skipped: int
    first_number: str
    last_number: str


@dataclass(frozen=True)
class PlanOrderRow:
    order_id: int
    number: str
    status: str
    step_label: str
    account_id: int
    account_number: str
    customer_name: str
    address: str
    outcome: str
    outcome_label: str
    attempts: int
    last_visit_at: datetime | None
    hazards: int
    open_hazards: int


@dataclass(frozen=True)
class InspectionState:
    """The inspection state of one inspection order."""

    order_id: int
    plan_id: int | None
    account_id: int
    is_open: bool
    outcome: str
    outcome_label: str
    attempts: int
    last_visit_at: datetime | None
    entered_at: datetime | None
    inspector: str
    hazards: int
    open_hazards: int


@dataclass(frozen=True)
class ChecklistMark:
    """One checklist item as the inspector marked it: `grade` is ok / grade1 / grade2 / grade3."""

    item: str
    grade: str
    note: str = ""


@dataclass(frozen=True)
class EnteredResult:
    """The inspector's sheet for a visit that got in."""

    visited_at: datetime
    inspector: str
    marks: Sequence[ChecklistMark]
    left_at: datetime | None = None
    alarm_due: date | None = None
    hose_due: date | None = None
    cooker_due: date | None = None
    heater_due: date | None = None
    note: str = ""
    photos: Sequence[Path] = ()


@dataclass(frozen=True)
class VisitView:
    id: int
    order_id: int
    attempt: int
    outcome: str
    outcome_label: str
    visited_at: datetime
    left_at: datetime | None
    inspector: str
    card_left: bool
    refusal_reason: str
    checklist: dict[str, str]
    alarm_due: date | None
    hose_due: date | None
    cooker_due: date | None
    heater_due: date | None
    note: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class HazardView:
    id: int
    order_id: int
    order_number: str
    account_id: int
    item: str
    label: str
    grade: str
    grade_label: str
    note: str
    found_at: datetime
    due_at: datetime | None
    notice_number: str | None
    status: str
    status_label: str
    closed_at: datetime | None
    closed_how: str
    closed_note: str
    suspension_order_id: int | None
    overdue: bool


@dataclass(frozen=True)
class InspectionWarning:
    """One reason the counter is warned about an account. `kind`: grade1_hazard, open_hazard,
    refused, unreachable, overdue; `blocking` when selling gas or new business needs a manager."""

    account_id: int
    account_number: str
    kind: str
    text: str
    blocking: bool = False


@dataclass(frozen=True)
class ClearanceView:
    id: int
    account_id: int
    purpose: str
    detail: str
    reason: str
    manager: str
    clerk: str
    granted_at: datetime
    used_at: datetime | None
    used_ref: str


# --- helpers -----------------------------------------------------------------------------------------

def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError(day)


def interval_months(session: Session) -> dict[str, int]:
    """Per category: months between inspections (one read for all)."""
    values = settings_store.get_many(session, list(INTERVAL.values()))
    return {str(cat): int(values[key] or 12) for cat, key in INTERVAL.items()}


def interval_cutoffs(session: Session, today: date, months: dict[str, int] | None = None) -> dict[str, date]:
    """Per category: an inspection that got in before this day is older than the interval."""
    return {cat: months_before(today, n) for cat, n in (months or interval_months(session)).items()}


def scope_text(plan: InspectionPlan | PlanSpec) -> str:
    parts = []
    if plan.district:
        parts.append(District(plan.district).label)
    if plan.address:
        parts.append(f"地址含“{plan.address}”")
    if plan.category:
        parts.append(f"{CustomerCategory(plan.category).label}用户")
    if plan.due_only:
        parts.append("已到安检周期")
    return "，".join(parts) or "全部用户"


def _load_plan(s: Session, plan_id: int, *, closed: str | None = None, lock: bool = False) -> InspectionPlan:
    """The plan (row-locked with `lock`), or NotFound; with `closed`, Refused with that message when
    the plan has ended."""
    plan = s.get(InspectionPlan, plan_id, with_for_update=True if lock else None)
    if plan is None:
        raise NotFound("安检计划不存在")
    if closed is not None and plan.status == PlanStatus.CLOSED:
        raise Refused(closed)
    return plan


def _plan_view(p: InspectionPlan, by: str, counts: dict[str, int] | None = None) -> PlanView:
    return PlanView(id=p.id, number=p.number, title=p.title, district=p.district, address=p.address,
                    category=p.category, due_only=p.due_only, scope_text=scope_text(p), inspector=p.inspector,
                    starts_on=p.starts_on, ends_on=p.ends_on, status=p.status,
                    status_label=PLAN_STATUS.get(p.status, p.status), planned=p.planned, opened=p.opened,
                    skipped=p.skipped, created_at=p.created_at, created_by=by, version=p.version,
                    **(counts or {}))


def _hazard_view(h: InspectionHazard, number: str, now: datetime) -> HazardView:
    return HazardView(
        id=h.id, order_id=h.order_id, order_number=number, account_id=h.account_id, item=h.item, label=h.label,
        grade=h.grade, grade_label=spec.GRADE_SHORT.get(h.grade, h.grade), note=h.note, found_at=h.found_at,
        due_at=h.due_at, notice_number=h.notice_number, status=h.status,
        status_label=HAZARD_STATUS.get(h.status, h.status), closed_at=h.closed_at, closed_how=h.closed_how,
        closed_note=h.closed_note, suspension_order_id=h.suspension_order_id,
        overdue=h.status == OPEN and h.due_at is not None and h.due_at < now)


def _visit_view(v: InspectionVisit, by: str) -> VisitView:
    return VisitView(id=v.id, order_id=v.order_id, attempt=v.attempt, outcome=v.outcome,
                     outcome_label=spec.OUTCOMES.get(v.outcome, v.outcome), visited_at=v.visited_at,
                     left_at=v.left_at, inspector=v.inspector, card_left=v.card_left,
                     refusal_reason=v.refusal_reason, checklist=dict(v.checklist or {}), alarm_due=v.alarm_due,
                     hose_due=v.hose_due, cooker_due=v.cooker_due, heater_due=v.heater_due, note=v.note,
                     recorded_by=by, recorded_at=v.recorded_at)


def _stamp(value: datetime | None) -> str | None:
    return value.replace(second=0, microsecond=0).isoformat(timespec="minutes") if value else None


def suspension_flow() -> FlowDef:
    """The flow whose visit or counter step suspends the account (found by its effect, not its name)."""
    for f in ALL_FLOWS.values():
        if any(a.has_effect("suspend_account") for a in f.actions()):
            return f
    raise NotFound("系统中没有暂停用气业务")


def _facts(customer: Any, account: Any, meter: Any, actor_name: str) -> dict[str, Any]:
    """The facts of an opening step as services/flow_context.step_facts keeps them."""
    return audit.render({
        "party": {f: getattr(customer, f) for f in PARTY_FIELDS},
        "account": {"number": account.number, "status": account.status, "balance": account.balance,
                    "address": account.address},
        "meter": {"number": meter.number, "model": meter.model, "rating": meter.rating,
                  "last_reading": meter.last_reading} if meter is not None else None,
        "actor": actor_name,
        "rounds": 0,
    })


# --- the service ---------------------------------------------------------------------------------------

class InspectionService(Service):
    def _require_planner(self) -> None:
        self.actor.require(Permission.OPEN_ORDER, Permission.DISPATCH, doing="安排安检计划")

    # --- plans ------------------------------------------------------------------------------
    def create_plan(self, spec_: PlanSpec) -> PlanView:
        """Record a plan (status draft); checked: title, inspector, period (end not before start)."""
        self._require_planner()
        title = clean_text(spec_.title)
        inspector = clean_text(spec_.inspector)
        address = clean_text(spec_.address)
        if not title:
            raise Refused("请填写计划名称", field="title")
        if len(title) > 100:
            raise Refused("计划名称最多100字", field="title")
        if not inspector:
            raise Refused("请填写安检员或班组", field="inspector")
        if len(inspector) > 60:
            raise Refused("安检员或班组最多60字", field="inspector")
        if len(address) > 100:
            raise Refused("地址关键字最多100字", field="address")
        if spec_.district and spec_.district not in {d.value for d in District}:
            raise Refused("请选择片区", field="district")
        if spec_.category and spec_.category not in {c.value for c in CustomerCategory}:
            raise Refused("请选择客户类别", field="category")
        if spec_.ends_on < spec_.starts_on:
            raise Refused("计划结束日期不能早于开始日期", field="ends_on")
        today = self.app.clock.now().date()
        if spec_.ends_on < today:
            raise Refused("计划结束日期已过，请核对", field="ends_on")
        if (spec_.ends_on - spec_.starts_on).days > 366:
            raise Refused("计划期限不能超过一年", field="ends_on")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            plan = InspectionPlan(
                number=numbering.order_number(s, PLAN_PREFIX, now.date()), title=title, district=spec_.district,
                address=address, category=spec_.category, due_only=spec_.due_only, inspector=inspector,
                starts_on=spec_.starts_on, ends_on=spec_.ends_on, status=PlanStatus.DRAFT, planned=0, opened=0,
                skipped=0, note=clean_text(spec_.note)[:2000], created_at=now, created_by_id=self.actor.staff_id)
            s.add(plan)
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="inspection_plan", entity_id=plan.id,
                         action="create", changes=audit.snapshot(plan, [
                             "number", "title", "district", "address", "category", "due_only", "inspector",
                             "starts_on", "ends_on"]))
            return _plan_view(plan, name_of(s, self.actor))

    def _scope(self, s: Session, plan: InspectionPlan, today: date) -> Any:
        """The accounts a plan covers now, in id order: held accounts (active or suspended) of active
        customers in its district, address and category; with `due_only`, those whose last entry is
        older than their category's interval or that were never inspected."""
        statuses = spec.FLOW.account_statuses or (AccountStatus.ACTIVE,)
        stmt = (select(Account.id, Account.customer_id).join(Customer, Customer.id == Account.customer_id)
                .where(Account.status.in_(statuses), Customer.status == "active"))
        if plan.district:
            stmt = stmt.where(Customer.district == plan.district)
        if plan.address:
            stmt = stmt.where(Account.address.contains(plan.address, autoescape=True))
        if plan.category:
            stmt = stmt.where(Customer.category == plan.category)
        if plan.due_only:
            cutoffs = interval_cutoffs(s, today)
            last = (select(InspectionAccount.last_entered_at).where(InspectionAccount.account_id == Account.id)
                    .scalar_subquery())
            stmt = stmt.where(or_(last.is_(None), *(
                and_(Customer.category == cat, last < datetime.combine(cut, time.min)) for cat, cut in cutoffs.items())))
        return stmt.order_by(Account.id)

    @staticmethod
    def _has_open(account_id: Any) -> Any:
        return exists().where(InspectionOrder.open_account_id == account_id)

    def _scope_counts(self, s: Session, plan: InspectionPlan, today: date) -> tuple[int, int]:
        """The accounts in the plan's scope on `today`, and how many of them have an open inspection."""
        sub = self._scope(s, plan, today).subquery()
        total, busy = s.execute(select(func.count(), func.count(case((self._has_open(sub.c.id), 1))))
                                .select_from(sub)).one()
        return int(total or 0), int(busy or 0)

    def preview_plan(self, plan_id: int) -> PlanPreview:
        """The accounts the plan's scope covers now, and how many of them already have an open
        inspection (skipped). Writes nothing."""
        today = self.app.clock.now().date()
        with self.app.reading() as s:
            return PlanPreview(*self._scope_counts(s, _load_plan(s, plan_id), today))

    def open_plan(self, plan_id: int, *, progress: Progress | None = None,
                  cancel: threading.Event | None = None, chunk: int = CHUNK) -> PlanOpening:
        """Open one inspection order per account in scope, in bulk (see the module's docstring).
        Each chunk is one transaction; an account with an open inspection is skipped."""
        self._require_planner()
        report = progress or (lambda _p, _t: None)
        flow = spec.FLOW
        first_step = flow.step(flow.initial)
        now = self.app.clock.now()
        with self.app.reading() as s:
            plan = _load_plan(s, plan_id, closed="计划已结束，不能再开单")
            total, busy = self._scope_counts(s, plan, now.date())
        if total == 0:
            raise Refused(f"计划范围（{scope_text(plan)}）内没有正常用气的账户")
        report(1, f"范围内 {total} 户，其中 {busy} 户已有未完成的安检单")
        opened, cursor, first_no, last_no = 0, 0, "", ""
        while True:
            if cancel is not None and cancel.is_set():
                raise OpeningCancelled(opened)
            try:
                n, following, numbers = self._open_chunk(plan_id, cursor, chunk, flow, first_step.code, total)
            except Conflict:  # a counter opened an inspection for one of them meanwhile: once more
                n, following, numbers = self._open_chunk(plan_id, cursor, chunk, flow, first_step.code, total)
            if numbers:
                first_no = first_no or numbers[0]
                last_no = numbers[-1]
            opened += n
            report(min(99, 2 + int(97 * (opened + busy) / max(total, 1))), f"已开 {opened} 张安检单")
            if following is None:
                break
            cursor = following
        with self.app.unit_of_work() as s:
            plan = _load_plan(s, plan_id, lock=True)
            scope = self._scope(s, plan, now.date()).subquery()
            mine = exists().where(InspectionOrder.plan_id == plan.id, InspectionOrder.account_id == scope.c.id)
            plan.status, plan.planned = PlanStatus.OPEN, total
            plan.skipped = int(s.scalar(select(func.count()).select_from(scope).where(~mine)) or 0)
            plan.opened_at = plan.opened_at or now
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="inspection_plan", entity_id=plan.id,
                         action="opened", changes={"planned": [None, total], "opened": [None, plan.opened],
                                                   "skipped": [None, plan.skipped]})
            skipped = plan.skipped
        report(100, f"完成：开单 {opened} 张，跳过 {skipped} 户（已有未完成的安检单）")
        return PlanOpening(plan=self.plan(plan_id), opened=opened, skipped=skipped, first_number=first_no,
                           last_number=last_no)

    def _open_chunk(self, plan_id: int, after: int, size: int, flow: FlowDef, first_code: str,
                    total: int) -> tuple[int, int | None, list[str]]:
        """One transaction: the next `size` accounts of the scope after account id `after`, each given
        its inspection order as OrderService.open would write it. Returns (orders opened, the last
        account id seen or None at the end, their numbers)."""
        now = self.app.clock.now()
        actor = self.actor
        with self.app.unit_of_work() as s:
            plan = _load_plan(s, plan_id, closed="计划已结束，不能再开单", lock=True)
            rows = s.execute(self._scope(s, plan, now.date()).where(Account.id > after).limit(size)).all()
            next_after = int(rows[-1][0]) if len(rows) == size else None
            ids = [int(r[0]) for r in rows]
            if not ids:
                return 0, None, []
            # The customers are locked as OrderService.open locks one before its duplicate check, in id
            # order; then an account with an open inspection, or already in this plan, is skipped.
            customer_ids = sorted({int(r[1]) for r in rows})
            s.execute(select(Customer.id).where(Customer.id.in_(customer_ids)).order_by(Customer.id)
                      .with_for_update()).all()
            busy = set(s.scalars(select(InspectionOrder.open_account_id).where(InspectionOrder.open_account_id.in_(ids))))
            done = set(s.scalars(select(InspectionOrder.account_id).where(InspectionOrder.plan_id == plan.id,
                                                                          InspectionOrder.account_id.in_(ids))))
            todo = [i for i in ids if i not in busy and i not in done]
            if not todo:
                return 0, next_after, []
            accounts = {a.id: a for a in s.scalars(select(Account).where(Account.id.in_(todo)))}
            customers = {c.id: c for c in s.scalars(select(Customer).where(
                Customer.id.in_({a.customer_id for a in accounts.values()})))}
            meters = {m.account_id: m for m in s.scalars(select(Meter).where(
                Meter.account_id.in_(todo), Meter.status == MeterStatus.IN_SERVICE))}
            stamp = now.strftime("%Y%m%d")
            first = numbering.reserve(s, f"{flow.number_prefix}-{stamp}", len(todo))
            numbers = [f"{flow.number_prefix}-{stamp}-{v:04d}" for v in range(first, first + len(todo))]
            data = {"plan_id": plan.id, "plan_number": plan.number, "plan_title": plan.title,
                    "plan_ends_on": plan.ends_on.isoformat(), "crew": plan.inspector}
            summary = f"安检计划 {plan.number}：{plan.title}"[:200]
            s.execute(insert(ServiceOrder), [
                {"number": no, "kind": flow.kind, "customer_id": accounts[aid].customer_id, "account_id": aid,
                 "step": first_code, "status": OrderStatus.OPEN, "step_entered_at": now, "opened_by_id": actor.staff_id,
                 "opened_at": now, "channel": Channel.PLAN.value, "summary": summary, "documents": [], "data": data, "reason": "",
                 "department_id": None, "crew": plan.inspector, "appointment_at": None, "rounds": 0, "version": 1}
                for no, aid in zip(numbers, todo, strict=True)])
            order_ids = dict(s.execute(select(ServiceOrder.number, ServiceOrder.id)
                                       .where(ServiceOrder.number.in_(numbers))).all())
            place, name = audit.place(s), name_of(s, actor)
            s.execute(insert(OrderStep), [
                {"order_id": order_ids[no], "seq": 1, "from_step": None, "to_step": first_code, "action": "open",
                 "actor_id": actor.staff_id, "at": now, "note": summary,
                 "data": {"documents": [], **data, FACTS_KEY: _facts(
                     customers[accounts[aid].customer_id], accounts[aid], meters.get(aid), name),
                          PLACE_KEY: place}}
                for no, aid in zip(numbers, todo, strict=True)])
            s.execute(insert(InspectionOrder), [
                {"order_id": order_ids[no], "plan_id": plan.id, "account_id": aid, "open_account_id": aid,
                 "outcome": "", "attempts": 0, "inspector": plan.inspector, "hazards": 0, "open_hazards": 0}
                for no, aid in zip(numbers, todo, strict=True)])
            self._deadlines(s, flow, [order_ids[no] for no in numbers], now)
            for no, aid in zip(numbers, todo, strict=True):
                audit.append(s, at=now, staff_id=actor.staff_id, entity="service_order", entity_id=order_ids[no],
                             action="open", changes={"number": [None, no], "kind": [None, flow.kind],
                                                     "customer_id": [None, accounts[aid].customer_id],
                                                     "account_id": [None, aid], "step": [None, first_code],
                                                     "documents": [None, []]})
            plan.opened += len(todo)
            plan.status = PlanStatus.OPENING
            plan.planned = total
            audit.append(s, at=now, staff_id=actor.staff_id, entity="inspection_plan", entity_id=plan.id,
                         action="open_orders", changes={"count": [None, len(todo)], "first": [None, numbers[0]],
                                                        "last": [None, numbers[-1]]})
            return len(todo), next_after, numbers

    def _deadlines(self, s: Session, flow: FlowDef, order_ids: list[int], now: datetime) -> None:
        """The clocks OrderService.open starts for an order of this flow (its first step's limit, the
        whole order's), due alike for every order opened at the same moment."""
        first = flow.step(flow.initial)
        wanted: list[tuple[DeadlineScope, str | None, int, str, int | None]] = []
        calendar = deadlines.current_calendar(s, self.app.calendar())
        department = (s.scalar(select(Department.id).where(Department.code == first.department))
                      if first.department else None)
        if first.limit is not None:
            amount = deadlines.limit_amount(s, first.limit)
            wanted.append((DeadlineScope.STEP, first.code, amount, first.limit.unit, department))
        if flow.total_limit is not None:
            if first.customer_wait or not first.counted:
                raise Refused("该业务的首个环节暂停计时，不能批量开单")
            wanted.append((DeadlineScope.ORDER, None, deadlines.limit_amount(s, flow.total_limit),
                           flow.total_limit.unit, None))
        for scope, step, amount, unit, department_id in wanted:
            due = sla.due_at(amount, unit, now, calendar)
            s.execute(insert(Deadline), [
                {"order_id": oid, "scope": scope, "step": step, "department_id": department_id, "amount": amount,
                 "unit": unit, "started_at": now, "due_at": due, "status": DeadlineStatus.RUNNING,
                 "pause_reason": ""} for oid in order_ids])

    def close_plan(self, plan_id: int, reason: str = "", *, progress: Progress | None = None,
                   chunk: int = CHUNK) -> PlanView:
        """End a plan: its orders never visited are cancelled with the reason, in bulk (chunks, each one
        transaction: the order cancelled, its log row, its clocks ended, the account let go, one audit
        entry per order, as the cancel action writes them); visited ones stay open until they end."""
        self._require_planner()
        why = clean_text(reason) or "安检计划结束，未上门"
        if len(why) > 2000:
            raise Refused("原因过长（最多2000字）", field="reason")
        report = progress or (lambda _p, _t: None)
        with self.app.reading() as s:
            _load_plan(s, plan_id, closed="计划已结束")
        cancelled, cursor = 0, 0
        while True:
            n, following = self._cancel_chunk(plan_id, cursor, chunk, why)
            cancelled += n
            report(min(99, 5 + cancelled // max(chunk, 1)), f"已撤销未上门的安检单 {cancelled} 张")
            if following is None:
                break
            cursor = following
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            plan = s.get(InspectionPlan, plan_id, with_for_update=True)
            assert plan is not None
            if plan.status == PlanStatus.CLOSED:
                raise Refused("计划已结束")
            plan.status, plan.closed_at, plan.closed_by_id = PlanStatus.CLOSED, now, self.actor.staff_id
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="inspection_plan", entity_id=plan.id,
                         action="close", changes={"cancelled": [None, cancelled], "reason": [None, why]})
        report(100, f"计划已结束，撤销未上门的安检单 {cancelled} 张")
        return self.plan(plan_id)

    def _cancel_chunk(self, plan_id: int, after: int, size: int, why: str) -> tuple[int, int | None]:
        now = self.app.clock.now()
        target = spec.FLOW.step("cancelled")
        with self.app.unit_of_work() as s:
            rows = s.execute(
                select(ServiceOrder.id, ServiceOrder.step).join(InspectionOrder, InspectionOrder.order_id == ServiceOrder.id)
                .where(InspectionOrder.plan_id == plan_id, InspectionOrder.attempts == 0,
                       ServiceOrder.status == OrderStatus.OPEN, ServiceOrder.id > after)
                .order_by(ServiceOrder.id).limit(size).with_for_update(of=ServiceOrder)).all()
            if not rows:
                return 0, None
            ids = [int(r[0]) for r in rows]
            place = audit.place(s)
            seqs = dict(s.execute(select(OrderStep.order_id, func.max(OrderStep.seq))
                                  .where(OrderStep.order_id.in_(ids)).group_by(OrderStep.order_id)).all())
            s.execute(update(ServiceOrder).where(ServiceOrder.id.in_(ids)).values(
                status=target.terminal, step=target.code, step_entered_at=now, closed_at=now, reason=why,
                version=ServiceOrder.version + 1))
            s.execute(insert(OrderStep), [
                {"order_id": oid, "seq": int(seqs.get(oid) or 0) + 1, "from_step": step, "to_step": target.code,
                 "action": "cancel", "actor_id": self.actor.staff_id, "at": now, "note": "安检计划结束",
                 "data": {"reason": why, PLACE_KEY: place}} for oid, step in rows])
            open_clocks = select(Deadline.id).where(Deadline.order_id.in_(ids),
                                                    Deadline.status.in_(deadlines.OPEN)).scalar_subquery()
            s.execute(update(DeadlinePause).where(DeadlinePause.deadline_id.in_(open_clocks),
                                                  DeadlinePause.ended_at.is_(None)).values(ended_at=now))
            s.execute(update(Deadline).where(Deadline.order_id.in_(ids), Deadline.status.in_(deadlines.OPEN))
                      .values(status=DeadlineStatus.CANCELLED, finished_at=now))
            s.execute(update(InspectionOrder).where(InspectionOrder.order_id.in_(ids)).values(open_account_id=None))
            for oid, step in rows:
                audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=oid,
                             action="cancel", changes={"step": [step, target.code],
                                                       "status": [OrderStatus.OPEN, target.terminal],
                                                       "reason": [None, why]})
            return len(ids), (ids[-1] if len(ids) == size else None)

    def _counts(self, s: Session, plan_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        if not plan_ids:
            return {}
        io = InspectionOrder
        rows = s.execute(select(
            io.plan_id, func.count(case((io.attempts > 0, 1))), func.count(case((io.outcome == spec.ENTERED, 1))),
            func.count(case((io.outcome == spec.NOT_HOME, 1))), func.count(case((io.outcome == spec.REFUSED, 1))),
            func.count(case((io.outcome == spec.UNREACHABLE, 1))),
            func.count(case((and_(io.attempts == 0, ServiceOrder.status == OrderStatus.OPEN), 1))),
            func.coalesce(func.sum(io.hazards), 0), func.coalesce(func.sum(io.open_hazards), 0),
        ).join(ServiceOrder, ServiceOrder.id == io.order_id).where(io.plan_id.in_(plan_ids)).group_by(io.plan_id)).all()
        keys = ("visited", "entered", "not_home", "refused", "unreachable", "pending", "hazards", "open_hazards")
        return {int(r[0] or 0): {k: int(v or 0) for k, v in zip(keys, r[1:], strict=True)} for r in rows}

    def plans(self, limit: int = 200) -> list[PlanView]:
        with self.app.reading() as s:
            rows = s.execute(select(InspectionPlan, Staff.name).join(Staff, Staff.id == InspectionPlan.created_by_id)
                             .order_by(InspectionPlan.id.desc()).limit(limit)).all()
            counts = self._counts(s, [p.id for p, _ in rows])
            return [_plan_view(p, name, counts.get(p.id)) for p, name in rows]

    def plan(self, plan_id: int) -> PlanView:
        with self.app.reading() as s:
            row = s.execute(select(InspectionPlan, Staff.name).join(Staff, Staff.id == InspectionPlan.created_by_id)
                            .where(InspectionPlan.id == plan_id)).first()
            if row is None:
                raise NotFound("安检计划不存在")
            return _plan_view(row[0], row[1], self._counts(s, [plan_id]).get(plan_id))

    def plan_orders(self, plan_id: int, *, outcome: str | None = None, limit: int = 500,
                    offset: int = 0) -> list[PlanOrderRow]:
        """The plan's orders in number order; `outcome` '' for not yet visited."""
        with self.app.reading() as s:
            stmt = (select(ServiceOrder.id, ServiceOrder.number, ServiceOrder.status, ServiceOrder.step,
                           Account.id, Account.number, Customer.name, Account.address, InspectionOrder.outcome,
                           InspectionOrder.attempts, InspectionOrder.last_visit_at, InspectionOrder.hazards,
                           InspectionOrder.open_hazards)
                    .join(ServiceOrder, ServiceOrder.id == InspectionOrder.order_id)
                    .join(Account, Account.id == InspectionOrder.account_id)
                    .join(Customer, Customer.id == ServiceOrder.customer_id)
                    .where(InspectionOrder.plan_id == plan_id))
            if outcome is not None:
                stmt = stmt.where(InspectionOrder.outcome == outcome)
            rows = s.execute(stmt.order_by(ServiceOrder.id).limit(limit).offset(offset)).all()
            flow = spec.FLOW
            return [PlanOrderRow(order_id=r[0], number=r[1], status=r[2], step_label=flow.step_label(r[3]),
                                 account_id=r[4], account_number=r[5], customer_name=r[6], address=r[7],
                                 outcome=r[8], outcome_label=spec.OUTCOMES.get(r[8], "待上门"), attempts=r[9],
                                 last_visit_at=r[10], hazards=r[11], open_hazards=r[12]) for r in rows]

    # --- results ----------------------------------------------------------------------------
    def _orders(self) -> OrderService:
        return OrderService(self.app, self.actor)

    def record_entered(self, order_id: int, result: EnteredResult, *,
                       expected_version: int | None = None) -> OrderView:
        """The inspector got in: the checklist with grades; the flow's action follows the worst grade
        (none or advice: archived; 二级: rectification within its days; 一级: at once). Photos given
        are attached after the result is written."""
        marks = {m.item: m for m in result.marks}
        unknown = [m.item for m in result.marks if m.item not in spec.ITEMS]
        if unknown:
            raise Refused("没有这一检查项目：" + "、".join(unknown))
        payload: dict[str, Any] = {
            "visited_at": _stamp(result.visited_at), "left_at": _stamp(result.left_at), "inspector": result.inspector,
            "alarm_due": result.alarm_due, "hose_due": result.hose_due, "cooker_due": result.cooker_due,
            "heater_due": result.heater_due, "visit_note": result.note,
        }
        for item in spec.CHECKLIST:
            mark = marks.get(item.code)
            if mark is not None:
                payload[item.field] = mark.grade
                payload[item.note_field] = mark.note
        grades = {m.grade for m in result.marks}
        action = (spec.URGENT_HAZARDS if spec.GRADE1 in grades else spec.HAZARDS if spec.GRADE2 in grades
                  else spec.PASSED)
        view = self._orders().perform(order_id, action, payload, expected_version=expected_version)
        for path in result.photos:
            self.attach_photo(order_id, Path(path))
        return view

    def _visit_count(self, order_id: int) -> int:
        with self.app.reading() as s:
            row = must_get(s, InspectionOrder, order_id, "该业务单不是安全检查单")
            return row.attempts

    def record_not_home(self, order_id: int, visited_at: datetime, inspector: str, *, card_left: bool = True,
                        note: str = "", expected_version: int | None = None) -> OrderView:
        """Nobody home: below the attempts limit the order waits for the re-visit; at the limit it ends
        as unreachable and the account is flagged."""
        with self.app.reading() as s:
            limit = max(1, int(settings_store.get(s, MAX_ATTEMPTS) or 3))
        last = self._visit_count(order_id) + 1 >= limit
        return self._orders().perform(
            order_id, spec.UNREACHABLE_ACTION if last else spec.NOT_HOME_ACTION,
            {"visited_at": _stamp(visited_at), "inspector": inspector, "card_left": card_left, "visit_note": note},
            expected_version=expected_version)

    def record_refused(self, order_id: int, visited_at: datetime, inspector: str, reason: str, *,
                       note: str = "", expected_version: int | None = None) -> OrderView:
        """The customer refused the inspection: the reason is kept and the account flagged."""
        return self._orders().perform(
            order_id, spec.REFUSED_ACTION,
            {"visited_at": _stamp(visited_at), "inspector": inspector, "refusal_reason": reason, "visit_note": note},
            expected_version=expected_version)

    def visits(self, order_id: int) -> list[VisitView]:
        with self.app.reading() as s:
            rows = s.execute(select(InspectionVisit, Staff.name).join(Staff, Staff.id == InspectionVisit.staff_id)
                             .where(InspectionVisit.order_id == order_id).order_by(InspectionVisit.attempt)).all()
            return [_visit_view(v, name) for v, name in rows]

    def account_visits(self, account_id: int, limit: int = 50) -> list[VisitView]:
        with self.app.reading() as s:
            rows = s.execute(select(InspectionVisit, Staff.name).join(Staff, Staff.id == InspectionVisit.staff_id)
                             .where(InspectionVisit.account_id == account_id)
                             .order_by(InspectionVisit.visited_at.desc(), InspectionVisit.id.desc()).limit(limit)).all()
            return [_visit_view(v, name) for v, name in rows]

    def inspection_of(self, order_id: int) -> InspectionState | None:
        """The order's inspection state (plan, attempts, outcome); None for another flow's order."""
        with self.app.reading() as s:
            r = s.get(InspectionOrder, order_id)
            if r is None:
                return None
            return InspectionState(order_id=r.order_id, plan_id=r.plan_id, account_id=r.account_id,
                                   is_open=r.open_account_id is not None, outcome=r.outcome,
                                   outcome_label=spec.OUTCOMES.get(r.outcome, "待上门"), attempts=r.attempts,
                                   last_visit_at=r.last_visit_at, entered_at=r.entered_at, inspector=r.inspector,
                                   hazards=r.hazards, open_hazards=r.open_hazards)

    # --- hazards ----------------------------------------------------------------------------
    def hazards(self, *, order_id: int | None = None, account_id: int | None = None,
                open_only: bool = False) -> list[HazardView]:
        if order_id is None and account_id is None:
            raise Refused("请指定业务单或账户")
        now = self.app.clock.now()
        with self.app.reading() as s:
            stmt = select(InspectionHazard, ServiceOrder.number).join(
                ServiceOrder, ServiceOrder.id == InspectionHazard.order_id)
            if order_id is not None:
                stmt = stmt.where(InspectionHazard.order_id == order_id)
            if account_id is not None:
                stmt = stmt.where(InspectionHazard.account_id == account_id)
            if open_only:
                stmt = stmt.where(InspectionHazard.status == OPEN)
            rows = s.execute(stmt.order_by(InspectionHazard.found_at.desc(), InspectionHazard.id)).all()
            return [_hazard_view(h, number, now) for h, number in rows]

    def close_hazards(self, order_id: int, how: str, note: str, checked_at: datetime, *,
                      items: Sequence[str] = (), expected_version: int | None = None) -> OrderView:
        """Close the order's open hazards (all, or those of `items`, checklist codes); all closed ends
        the order, some leave it waiting for the rest."""
        open_items = {h.item for h in self.hazards(order_id=order_id, open_only=True)}
        partial = bool(items) and set(items) != open_items
        payload = {"closed_how": how, "checked_at": _stamp(checked_at), "rectify_note": note,
                   "closing_items": ",".join(items)}
        return self._orders().perform(order_id, spec.PARTLY if partial else spec.RECTIFIED, payload,
                                      expected_version=expected_version)

    def stop_supply(self, order_id: int, reason: str) -> tuple[OrderView, OrderView]:
        """An 一级 hazard not rectified: open a suspension order for the account (the flow whose actions
        suspend the account, found in the registry) and link it on the order and its 一级 hazards.
        Returns (the inspection order, the suspension order). Two transactions: the suspension order
        first (its note names the inspection), then the link; should the second fail, calling again
        links the suspension order already open instead of opening another."""
        with refusing():
            why = check_required(reason, "停止供气的原因", field="reason")
        order = self._orders().get(order_id)
        if order.kind != KIND:
            raise Refused("该业务单不是安全检查单")
        if order.step != spec.URGENT:
            raise Refused("只有一级隐患待整改的安检单可以据此停止供气")
        urgent = [h for h in self.hazards(order_id=order_id, open_only=True) if h.grade == spec.GRADE1]
        if not urgent:
            raise Refused("本单没有未整改的一级隐患")
        stop = suspension_flow()
        with self.app.reading() as s:
            existing = s.scalar(select(ServiceOrder.id).where(
                ServiceOrder.account_id == order.account_id, ServiceOrder.kind == stop.kind,
                ServiceOrder.status == OrderStatus.OPEN).limit(1))
        orders = self._orders()
        if existing is not None:
            suspension = orders.get(existing)
        else:
            today = self.app.clock.now().date()
            data = {f.code: today for f in stop.open_fields if f.kind is FieldKind.DATE}
            suspension = orders.open(stop.kind, order.customer_id, account_id=order.account_id, data=data,
                                     note=f"安全检查 {order.number} 发现一级隐患未整改，依照供用气合同停止供气：{why}"[:500],
                                     channel=Channel.HAZARD_STOP.value)
        view = orders.perform(order_id, spec.SUPPLY_STOPPED, {"suspension_order": suspension.number}, note=why)
        return view, suspension

    # --- photos -----------------------------------------------------------------------------
    def attach_photo(self, order_id: int, path: Path, *, caption: str = "",
                     hazard_id: int | None = None) -> AttachmentView:
        """A photo from disk attached to the inspection order (optionally to one of its hazards)."""
        return AttachmentService(self.app, self.actor).attach(order_id, path, caption=caption, hazard_id=hazard_id)

    def attachments(self, order_id: int) -> list[AttachmentView]:
        return AttachmentService(self.app, self.actor).for_order(order_id)

    # --- the counter ------------------------------------------------------------------------
    def warnings(self, *, account_id: int | None = None, customer_id: int | None = None) -> list[InspectionWarning]:
        """Why the counter should be warned about an account (or each of a customer's held accounts):
        an open 一级 hazard (blocking: selling gas and new business need a manager), other open
        hazards (overdue ones said so), the last inspection refused, unreachable, or the interval
        passed since the last inspection that got in (or none since the account was opened)."""
        if account_id is None and customer_id is None:
            raise Refused("请指定账户或客户")
        now = self.app.clock.now()
        with self.app.reading() as s:
            stmt = (select(Account, Customer.category, InspectionAccount)
                    .join(Customer, Customer.id == Account.customer_id)
                    .outerjoin(InspectionAccount, InspectionAccount.account_id == Account.id)
                    .where(Account.status.in_((AccountStatus.ACTIVE, AccountStatus.SUSPENDED))))
            if account_id is not None:
                stmt = stmt.where(Account.id == account_id)
            if customer_id is not None:
                stmt = stmt.where(Account.customer_id == customer_id)
            rows = s.execute(stmt.order_by(Account.id)).all()
            if not rows:
                return []
            months = interval_months(s)
            cutoffs = interval_cutoffs(s, now.date(), months)
            due = dict(s.execute(select(InspectionHazard.account_id, func.min(InspectionHazard.due_at)).where(
                InspectionHazard.account_id.in_([a.id for a, _, _ in rows]), InspectionHazard.status == OPEN)
                .group_by(InspectionHazard.account_id)).all())
            out: list[InspectionWarning] = []
            for account, category, state in rows:
                def warn(kind: str, text: str, blocking: bool = False, a: Account = account) -> None:
                    out.append(InspectionWarning(a.id, a.number, kind, text, blocking))
                earliest = due.get(account.id)
                late = "，已逾期" if earliest is not None and earliest < now else ""
                by = f"（整改期限 {earliest:%Y-%m-%d}{late}）" if earliest is not None else ""
                if state is not None and state.open_grade1:
                    warn("grade1_hazard", f"安全检查发现一级隐患 {state.open_grade1} 项未整改{by}；售气、办理新业务须管理人员确认",
                         blocking=True)
                elif state is not None and state.open_hazards:
                    warn("open_hazard", f"有 {state.open_hazards} 项安全隐患未整改{by}，请提醒客户按期整改")
                if state is not None and state.refused:
                    warn("refused", f"客户拒绝入户安全检查（{state.last_visit_at:%Y-%m-%d}），请劝导客户预约安检")
                if state is not None and state.unreachable:
                    warn("unreachable", f"多次上门到访不遇，未能入户安检（最近 {state.last_visit_at:%Y-%m-%d}），请客户预约安检")
                entered = state.last_entered_at if state is not None else None
                cutoff = cutoffs.get(str(category))
                started = account.activated_at or account.opened_at
                if cutoff is not None and (entered or started) is not None:
                    since = entered or started
                    if since.date() < cutoff:
                        what = f"上次入户安检 {entered:%Y-%m-%d}" if entered else "开户以来从未入户安检"
                        warn("overdue", f"{what}，已超过 {months[str(category)]} 个月的安检周期，请客户预约安检")
            return out

    def grant_clearance(self, account_id: int, purpose: str, manager_login: str, manager_password: str,
                        reason: str, detail: str = "") -> ClearanceView:
        """A manager confirms, with their own login and password at this counter, that this clerk may
        sell gas or open new business once today on an account with an open 一级 hazard. A wrong
        password counts towards the manager's lock-out as at sign-in. Recorded and audited."""
        if purpose not in hazard_gate.PURPOSES:
            raise Refused("确认事项无效")
        with refusing():
            why = check_required(reason, "确认原因", field="reason")
        if len(why) > 500:
            raise Refused("确认原因最多500字", field="reason")
        login = clean_text(manager_login)
        if not login or len(login) > 40 or len(manager_password) > 128:
            raise Refused("管理人员用户名或密码错误", field="login")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            manager = s.scalar(select(Staff).where(Staff.login == login).with_for_update(of=Staff))
            if manager is None or not manager.active:
                raise Refused("管理人员用户名或密码错误", field="login")
            try:
                staff_store._check_password(s, manager, manager_password, now)
            except staff_store.SignInFailed as exc:
                raise Refused(exc.message, field="password") from None
            if manager.role not in (Role.MANAGER, Role.ADMIN):
                raise Refused(f"{manager.name}不是管理人员，不能确认", field="login")
            must_get(s, Account, account_id, "账户不存在")  # the account must exist
            if not hazard_gate.open_grade1(s, account_id):
                raise Refused("该账户没有未整改的一级隐患，无需确认")
            row = InspectionClearance(account_id=account_id, purpose=purpose, detail=clean_text(detail)[:100],
                                      reason=why, manager_id=manager.id, clerk_id=self.actor.staff_id,
                                      granted_at=now, used_at=None, used_ref="")
            s.add(row)
            s.flush()
            audit.append(s, at=now, staff_id=manager.id, entity="inspection_clearance", entity_id=row.id,
                         action="grant", changes={"account_id": [None, account_id], "purpose": [None, purpose],
                                                  "clerk_id": [None, self.actor.staff_id], "reason": [None, why],
                                                  "detail": [None, row.detail]})
            return ClearanceView(row.id, account_id, purpose, row.detail, why, manager.name,
                                 name_of(s, self.actor), now, None, "")

    def clearances(self, account_id: int, limit: int = 50) -> list[ClearanceView]:
        with self.app.reading() as s:
            manager = Staff.__table__.alias("manager")
            clerk = Staff.__table__.alias("clerk")
            rows = s.execute(select(InspectionClearance, manager.c.name, clerk.c.name)
                             .join(manager, manager.c.id == InspectionClearance.manager_id)
                             .join(clerk, clerk.c.id == InspectionClearance.clerk_id)
                             .where(InspectionClearance.account_id == account_id)
                             .order_by(InspectionClearance.id.desc()).limit(limit)).all()
            return [ClearanceView(c.id, c.account_id, c.purpose, c.detail, c.reason, m, k, c.granted_at, c.used_at,
                                  c.used_ref) for c, m, k in rows]


__all__ = [
    "ADVICE", "CHUNK", "CLOSED", "OPEN", "AttachmentView", "ChecklistMark", "ClearanceView", "EnteredResult",
    "HazardView", "InspectionService", "InspectionState", "InspectionWarning", "OpeningCancelled", "PlanOpening", "PlanOrderRow",
    "PlanPreview", "PlanSpec", "PlanStatus", "PlanView", "VisitView", "months_before",
]
