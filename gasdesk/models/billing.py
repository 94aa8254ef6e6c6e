"""Gas prices, meter readings, bills and how payments paid them.

Nothing here is edited after it is written, except a bill's running `paid` sum and `status`, which
always equal the sum of its allocation rows. A price change is a new tariff row with a later
effective date; a payment taken back adds negative allocation rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, Exact, JsonData, Money, Quantity


class Price(Exact, precision=10, scale=4):
    """Yuan per m³ with four places (gas prices are published to 0.0001 yuan); on SQLite an integer number
    of 1/10000 yuan, as `Money` does with fen."""


class Tariff(Base):
    """The price of one gas-use type from a date on. Residential rows carry the yearly tier limits
    (m³ per household and calendar year) and three prices; the others one price (price1)."""

    __tablename__ = "tariff"
    __table_args__ = (UniqueConstraint("gas_use_type", "effective_from", name="uq_tariff_use_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gas_use_type: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date]
    tier1_limit: Mapped[Decimal | None] = mapped_column(Quantity())
    tier2_limit: Mapped[Decimal | None] = mapped_column(Quantity())
    price1: Mapped[Decimal] = mapped_column(Price())
    price2: Mapped[Decimal | None] = mapped_column(Price())
    price3: Mapped[Decimal | None] = mapped_column(Price())
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime]


class MeterReading(Base):
    """One reading of one meter. `previous`/`previous_on` are the reading it follows (or the meter's
    first reading); `volume` = reading - previous.

    One reading per meter, day and source: a meter change, suspension or closure visit may read a meter
    the reader already read that day, but the counter and the import refuse a second reading of a day.
    """

    __tablename__ = "meter_reading"
    __table_args__ = (
        UniqueConstraint("meter_id", "read_on", "source", name="uq_meter_reading_day"),
        Index("ix_meter_reading_account", "account_id", "read_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meter.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    read_on: Mapped[date]
    reading: Mapped[Decimal] = mapped_column(Quantity())
    previous: Mapped[Decimal] = mapped_column(Quantity())
    previous_on: Mapped[date]
    volume: Mapped[Decimal] = mapped_column(Quantity())
    # counter | import | meter_change | suspension | closure
    source: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("service_order.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime]


class Bill(Base):
    """The gas used between two readings, priced by tier. `amount` is the sum of the lines' amounts;
    `paid` the sum of the bill's allocations; the account balance went down by `amount` when issued."""

    __tablename__ = "bill"
    __table_args__ = (
        Index("ix_bill_account", "account_id", "period_end"),
        Index("ix_bill_status_due", "status", "due_to"),
        Index("ix_bill_issued_at", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    reading_id: Mapped[int] = mapped_column(ForeignKey("meter_reading.id"), unique=True)
    gas_use_type: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date]
    period_end: Mapped[date]
    volume: Mapped[Decimal] = mapped_column(Quantity())
    amount: Mapped[Decimal] = mapped_column(Money())
    # [{"tier", "volume", "price", "amount", "from", "to"}] with decimals and dates as text.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JsonData, default=list)
    issued_at: Mapped[datetime]
    due_from: Mapped[date]
    due_to: Mapped[date]
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    # unpaid | partly_paid | paid
    status: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # SHA-256 of the sealed fields (gasdesk.models.audit.SEALED), kept by the audit seal on every write.
    digest: Mapped[str | None] = mapped_column(String(64))


class BillAllocation(Base):
    """Money put on (positive) or taken back from (negative) a bill. `payment_id` NULL: the account's
    prepaid balance paid it (预存款抵扣) or, negative, that balance no longer covers it."""

    __tablename__ = "bill_allocation"
    __table_args__ = (
        Index("ix_bill_allocation_bill", "bill_id"),
        Index("ix_bill_allocation_payment", "payment_id"),
        Index("ix_bill_allocation_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    at: Mapped[datetime]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(String(40), default="")


class ReceiptPrint(Base):
    """Each print of the receipt of a counter payment (one without a service order): the second and
    later ones are copies (副本). Receipts of an order's payments are logged on the order instead."""

    __tablename__ = "receipt_print"
    __table_args__ = (Index("ix_receipt_print_payment", "payment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]
    copy: Mapped[bool]
