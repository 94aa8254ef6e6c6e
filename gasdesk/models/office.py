"""Office configuration: calendar overrides, settings, and the number sequences of orders and receipts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, JsonData


class CalendarOverride(Base):
    """The office's word on one date: a working day or not. Beats the statutory schedule."""

    __tablename__ = "calendar_override"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    set_at: Mapped[datetime]


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonData)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class NumberSequence(Base):
    """The last number handed out per series and day (e.g. 'KT-20261127'); rows are locked to hand one out."""

    __tablename__ = "number_sequence"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
