"""The emergency repair register (抢险抢修): every call, its crew, arrival and result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base


class EmergencyCall(Base):
    __tablename__ = "emergency_call"
    __table_args__ = (
        Index("ix_emergency_open_due", "status", "due_at"),
        Index("ix_emergency_called", "called_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    called_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20))
    caller_name: Mapped[str] = mapped_column(String(60))
    caller_phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # Minutes allowed to be on site; None for 'same day' repairs (due at the end of the day).
    limit_minutes: Mapped[int | None]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    crew: Mapped[str] = mapped_column(String(60), default="")
    dispatched_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    excuse: Mapped[str] = mapped_column(String(20), default="")
    excuse_note: Mapped[str] = mapped_column(Text, default="")
    # on_time / late / excused, decided when the crew arrives.
    arrival_outcome: Mapped[str] = mapped_column(String(20), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    resolved_first_visit: Mapped[bool | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
