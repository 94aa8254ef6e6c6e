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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from gasdesk.services.context import Actor, App
from gasdesk.services.orders import OrderView

Progress = Callable[[int, str], None]
CHUNK = 2000


class PlanStatus:
    DRAFT = "draft"  # 未开单
    OPENING = "opening"  # 开单中（可继续）
    OPEN = "open"  # 执行中
    CLOSED = "closed"  # 已结束
    CANCELLED = "cancelled"  # 已撤销


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


@dataclass(frozen=True)
class AttachmentView:
    id: int
    order_id: int
    hazard_id: int | None
    file_name: str
    sha256: str
    size: int
    content_type: str
    caption: str
    added_at: datetime
    added_by: str


@dataclass
class _Counts:
    values: dict[str, int] = field(default_factory=dict)


class InspectionService:
    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app.acting(actor), actor

    # --- plans ------------------------------------------------------------------------------
    def create_plan(self, spec: PlanSpec) -> PlanView:
        """Record a plan (status draft); checked: title, inspector, period (end not before start)."""
        raise NotImplementedError

    def preview_plan(self, plan_id: int) -> PlanPreview:
        """The accounts the plan's scope covers now (active or suspended accounts), and how many of
        them already have an open inspection (skipped). Writes nothing."""
        raise NotImplementedError

    def open_plan(self, plan_id: int, *, progress: Progress | None = None,
                  cancel: threading.Event | None = None, chunk: int = CHUNK) -> PlanOpening:
        """Open one inspection order per account in scope, in bulk (see the module's docstring)."""
        raise NotImplementedError

    def close_plan(self, plan_id: int, reason: str = "") -> PlanView:
        """End a plan: its orders not yet visited are cancelled with the reason; visited ones stay."""
        raise NotImplementedError

    def plans(self, limit: int = 200) -> list[PlanView]:
        raise NotImplementedError

    def plan(self, plan_id: int) -> PlanView:
        raise NotImplementedError

    def plan_orders(self, plan_id: int, *, outcome: str | None = None, limit: int = 500,
                    offset: int = 0) -> list[PlanOrderRow]:
        """The plan's orders in number order; `outcome` '' for not yet visited."""
        raise NotImplementedError

    # --- results ----------------------------------------------------------------------------
    def record_entered(self, order_id: int, result: EnteredResult, *,
                       expected_version: int | None = None) -> OrderView:
        """The inspector got in: the checklist with grades; the flow's action follows the worst grade."""
        raise NotImplementedError

    def record_not_home(self, order_id: int, visited_at: datetime, inspector: str, *, card_left: bool = True,
                        note: str = "", expected_version: int | None = None) -> OrderView:
        """Nobody home: below the attempts limit the order waits for the re-visit; at the limit it ends
        as unreachable and the account is flagged."""
        raise NotImplementedError

    def record_refused(self, order_id: int, visited_at: datetime, inspector: str, reason: str, *,
                       note: str = "", expected_version: int | None = None) -> OrderView:
        """The customer refused the inspection: the reason is kept and the account flagged."""
        raise NotImplementedError

    def visits(self, order_id: int) -> list[VisitView]:
        raise NotImplementedError

    def account_visits(self, account_id: int, limit: int = 50) -> list[VisitView]:
        raise NotImplementedError

    # --- hazards ----------------------------------------------------------------------------
    def hazards(self, *, order_id: int | None = None, account_id: int | None = None,
                open_only: bool = False) -> list[HazardView]:
        raise NotImplementedError

    def close_hazards(self, order_id: int, how: str, note: str, checked_at: datetime, *,
                      items: Sequence[str] = (), expected_version: int | None = None) -> OrderView:
        """Close the order's open hazards (all, or those of `items`); all closed ends the order."""
        raise NotImplementedError

    def stop_supply(self, order_id: int, reason: str) -> tuple[OrderView, OrderView]:
        """An 一级 hazard not rectified: open a suspension order for the account (the flow whose visit
        suspends the account, found in the registry) and link it on the order and its 一级 hazards.
        Returns (the inspection order, the suspension order)."""
        raise NotImplementedError

    # --- photos -----------------------------------------------------------------------------
    def attach_photo(self, order_id: int, path: Path, *, caption: str = "",
                     hazard_id: int | None = None) -> AttachmentView:
        raise NotImplementedError

    # --- the counter ------------------------------------------------------------------------
    def warnings(self, *, account_id: int | None = None, customer_id: int | None = None) -> list[InspectionWarning]:
        raise NotImplementedError

    def grant_clearance(self, account_id: int, purpose: str, manager_login: str, manager_password: str,
                        reason: str, detail: str = "") -> ClearanceView:
        raise NotImplementedError
