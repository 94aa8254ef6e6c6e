"""The gas account (燃气账户) of a customer at its premises, and the meter installed there."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, Money, Quantity


class Account(Base):
    """Balance: positive is prepaid (预存款), negative is arrears (欠费)."""

    __tablename__ = "account"
    __table_args__ = (Index("ix_account_customer", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    status: Mapped[str] = mapped_column(String(20))
    balance: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    address: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # A transfer ends this account and opens the new owner's on the same premises.
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # SHA-256 of the sealed fields (gasdesk.models.audit.SEALED), kept by the audit seal on every write.
    digest: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Meter(Base):
    __tablename__ = "meter"
    __table_args__ = (Index("ix_meter_account", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    model: Mapped[str] = mapped_column(String(40))
    rating: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    status: Mapped[str] = mapped_column(String(20))
    initial_reading: Mapped[Decimal] = mapped_column(Quantity())
    last_reading: Mapped[Decimal] = mapped_column(Quantity())
    last_read_at: Mapped[datetime | None]
    installed_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    final_reading: Mapped[Decimal | None] = mapped_column(Quantity())
