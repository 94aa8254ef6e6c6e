"""Planned maintenance and live-gas work notices (计划检修 / 带气作业 停气通知)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, JsonData


class PlannedWork(Base):
    __tablename__ = "planned_work"
    __table_args__ = (Index("ix_planned_work_starts", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    area: Mapped[str] = mapped_column(String(200))
    # Address fragments (street, estate, building) that pick the affected customers.
    address_terms: Mapped[list[Any]] = mapped_column(JsonData, default=list)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    noticed_at: Mapped[datetime]
    emergency: Mapped[bool] = mapped_column(default=False)
    peak_warning: Mapped[str] = mapped_column(Text, default="")
    affected_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text, default="")
