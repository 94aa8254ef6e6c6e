"""Safety inspection (安全检查): plans, the inspection state of each order and account, every visit,
the hazards found and their rectification, and the manager's confirmations at the counter.

The inspection *order* itself is an ordinary `service_order` of the inspection flow (its steps, log,
deadlines and audit as every flow's). These tables hold what the flow records beside it:

* `inspection_plan`: a set of accounts (district, address fragment, category, or "due" by the
  interval), an inspector or crew and a period; opening it opens one order per account.
* `inspection_order`: one row per inspection order (its plan, account, attempts, outcome).
  `open_account_id` holds the account's id while the order is open: a unique constraint keeps one
  open inspection per account, whoever opens it (a plan, a counter) at the same moment.
* `inspection_visit`: one row per visit (入户 / 到访不遇 / 拒绝安检), with the checklist as recorded.
* `inspection_hazard`: one row per hazard found, with its grade, deadline, closure and the
  suspension order it led to.
* `inspection_account`: the latest inspection facts per account, kept by the flow's effects, so the
  counter's warning and a plan's "due" selection are one indexed lookup.
* `inspection_clearance`: a manager's recorded confirmation to sell gas or open new business on an
  account with an open 一级 hazard; used once.
* `order_attachment`: files (photos) attached to any order, kept in a folder beside the database,
  named by their SHA-256.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, JsonData


class InspectionPlan(Base):
    """An inspection plan (安检计划)."""

    __tablename__ = "inspection_plan"
    __table_args__ = (Index("ix_inspection_plan_status", "status", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    # Scope ('' = any): the customer's district code, an address fragment (estate, street, county),
    # the customer category; `due_only` keeps the accounts whose last inspection is older than the
    # interval of their category (or that were never inspected).
    district: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(20), default="")
    due_only: Mapped[bool] = mapped_column(default=False)
    # The inspector or crew that visits (安检员/安检班组), as it will stand on the orders.
    inspector: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # draft | opening | open | closed | cancelled
    status: Mapped[str] = mapped_column(String(20))
    # Accounts the last opening found in scope, orders opened so far, accounts skipped (an
    # inspection already open for them).
    planned: Mapped[int] = mapped_column(default=0)
    opened: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class InspectionOrder(Base):
    """The inspection state of one inspection order."""

    __tablename__ = "inspection_order"
    __table_args__ = (
        Index("ix_inspection_order_plan", "plan_id", "outcome"),
        Index("ix_inspection_order_account", "account_id", "order_id"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"), primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plan.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    # The account's id while the order is open: one open inspection per account.
    open_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), unique=True)
    # '' (not visited yet) | entered | not_home | refused | unreachable
    outcome: Mapped[str] = mapped_column(String(20), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_visit_at: Mapped[datetime | None]
    entered_at: Mapped[datetime | None]
    inspector: Mapped[str] = mapped_column(String(60), default="")
    hazards: Mapped[int] = mapped_column(default=0)
    open_hazards: Mapped[int] = mapped_column(default=0)


class InspectionVisit(Base):
    """One visit of an inspector to the premises, as recorded from the inspector's sheet."""

    __tablename__ = "inspection_visit"
    __table_args__ = (
        UniqueConstraint("order_id", "attempt", name="uq_inspection_visit_order_attempt"),
        Index("ix_inspection_visit_account", "account_id", "visited_at"),
        Index("ix_inspection_visit_at", "visited_at"),
        Index("ix_inspection_visit_plan", "plan_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plan.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    # 1 for the first visit of the order, 2 for the re-visit after a 到访不遇, ...
    attempt: Mapped[int]
    # entered | not_home | refused
    outcome: Mapped[str] = mapped_column(String(20))
    visited_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    inspector: Mapped[str] = mapped_column(String(60))
    # A 到访不遇卡 was left at the door.
    card_left: Mapped[bool] = mapped_column(default=False)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    # Every checklist item as recorded: {item code: 'ok' | 'grade1' | 'grade2' | 'grade3'}; an item
    # not checked is absent.
    checklist: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    # Due dates of the customer's equipment (报警器、胶管、灶具、热水器), when recorded.
    alarm_due: Mapped[date | None]
    hose_due: Mapped[date | None]
    cooker_due: Mapped[date | None]
    heater_due: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # Who typed it in, and when.
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime]


class InspectionHazard(Base):
    """A hazard found at a visit: its grade, deadline and how it was closed."""

    __tablename__ = "inspection_hazard"
    __table_args__ = (
        Index("ix_inspection_hazard_account", "account_id", "status"),
        Index("ix_inspection_hazard_status_due", "status", "due_at"),
        Index("ix_inspection_hazard_order", "order_id"),
        Index("ix_inspection_hazard_found", "found_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    # The checklist item's code and its label as recorded.
    item: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    # grade1 (一级，立即整改) | grade2 (二级，限期整改) | grade3 (三级，整改建议)
    grade: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    found_at: Mapped[datetime]
    # End of the last working day allowed (None for advice).
    due_at: Mapped[datetime | None]
    # The 隐患整改通知书 that gave notice of it (None for advice).
    notice_number: Mapped[str | None] = mapped_column(String(30))
    # open | closed | advice
    status: Mapped[str] = mapped_column(String(10))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # reinspection (复查合格) | report (整改报告)
    closed_how: Mapped[str] = mapped_column(String(20), default="")
    closed_note: Mapped[str] = mapped_column(Text, default="")
    # The suspension order an 一级 hazard led to (stopping the supply).
    suspension_order_id: Mapped[int | None] = mapped_column(ForeignKey("service_order.id"))


class InspectionAccount(Base):
    """The latest inspection facts of one account (kept by the inspection flow's effects)."""

    __tablename__ = "inspection_account"
    __table_args__ = (Index("ix_inspection_account_entered", "last_entered_at"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    last_order_id: Mapped[int | None] = mapped_column(ForeignKey("service_order.id"))
    last_visit_at: Mapped[datetime | None]
    # entered | not_home | refused | unreachable: how the latest visit or order ended
    last_outcome: Mapped[str] = mapped_column(String(20), default="")
    # When an inspector last got in: the interval ("due", "overdue") counts from here.
    last_entered_at: Mapped[datetime | None]
    # Flags: the latest inspection was refused / ended unreachable (cleared by a later entry).
    refused: Mapped[bool] = mapped_column(default=False)
    unreachable: Mapped[bool] = mapped_column(default=False)
    open_hazards: Mapped[int] = mapped_column(default=0)
    open_grade1: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class InspectionClearance(Base):
    """A manager's confirmation (second sign-in) to sell gas or open new business on an account with
    an open 一级 hazard. Used once: `used_at` and `used_ref` (receipt or order number) are set when
    the payment or order it allowed is written."""

    __tablename__ = "inspection_clearance"
    __table_args__ = (Index("ix_inspection_clearance_account", "account_id", "purpose", "used_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    # sell_gas | new_business
    purpose: Mapped[str] = mapped_column(String(20))
    # What it was asked for (a flow's label, an amount), as shown to the manager.
    detail: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)
    manager_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    granted_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_ref: Mapped[str] = mapped_column(String(40), default="")


class OrderAttachment(Base):
    """A file attached to an order (an inspector's photo): kept in the files folder beside the
    database under its SHA-256, which is checked again whenever it is read."""

    __tablename__ = "order_attachment"
    __table_args__ = (
        UniqueConstraint("order_id", "sha256", name="uq_order_attachment_order_sha"),
        Index("ix_order_attachment_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_hazard.id"))
    # The file's name on the disk it came from (shown), and where it is kept (relative to the files
    # folder).
    file_name: Mapped[str] = mapped_column(String(200))
    stored_path: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(60), default="")
    caption: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime]
    added_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
