"""The service order (业务受理单), its step log and its deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gasdesk.models.base import Base, JsonData


class ServiceOrder(Base):
    __tablename__ = "service_order"
    __table_args__ = (
        Index("ix_order_customer", "customer_id", "opened_at"),
        Index("ix_order_status_step", "status", "kind", "step"),
        Index("ix_order_opened", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    step: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    step_entered_at: Mapped[datetime]
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    channel: Mapped[str] = mapped_column(String(20), default="counter")
    summary: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[list[str]] = mapped_column(JsonData, default=list)
    # Everything the steps recorded, by field code: what forms print and what effects read.
    data: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    crew: Mapped[str] = mapped_column(String(60), default="")
    appointment_at: Mapped[datetime | None]
    rounds: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    steps: Mapped[list[OrderStep]] = relationship(
        back_populates="order", order_by="OrderStep.seq", cascade="save-update, merge"
    )
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="order", order_by="Deadline.id", cascade="save-update, merge"
    )

    __mapper_args__ = {"version_id_col": version}


class OrderStep(Base):
    """One line of the order's history: who moved it from which step to which, and with what."""

    __tablename__ = "order_step"
    __table_args__ = (Index("ix_order_step_order", "order_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"))
    seq: Mapped[int]
    from_step: Mapped[str | None] = mapped_column(String(40))
    to_step: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)

    order: Mapped[ServiceOrder] = relationship(back_populates="steps")


class Deadline(Base):
    """A commitment clock: one per limited step visit, and one for the whole order where the flow has one.

    `due_at` is kept current (moved on pause/resume) so the overdue list is one indexed query.
    While paused, `remaining` holds what was left (working days, or seconds for clock units).
    """

    __tablename__ = "deadline"
    __table_args__ = (
        Index("ix_deadline_status_due_order", "status", "due_at", "order_id"),
        Index("ix_deadline_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"))
    scope: Mapped[str] = mapped_column(String(10))
    step: Mapped[str | None] = mapped_column(String(40))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    amount: Mapped[int]
    unit: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str] = mapped_column(Text, default="")
    remaining: Mapped[int | None]
    finished_at: Mapped[datetime | None]

    order: Mapped[ServiceOrder] = relationship(back_populates="deadlines")
    pauses: Mapped[list[DeadlinePause]] = relationship(order_by="DeadlinePause.id")


class DeadlinePause(Base):
    __tablename__ = "deadline_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
