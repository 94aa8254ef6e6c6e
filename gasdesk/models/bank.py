"""Paying at the bank (委托银行代收代扣): debit agreements, debit runs and their lines, imported files,
and the arrears notices printed.

A bill is in at most one open run: `BankRunLine.pending_bill_id` holds the bill's id while the run
waits for its return and is cleared when the return is imported (or the run is withdrawn); a unique
constraint on it lets the database decide between two counters making runs at once. Likewise an
account has at most one agreement that is not cancelled (`BankAgreement.current_account_id`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, JsonData, Money


class BankAgreement(Base):
    """A customer's direct-debit agreement (委托代扣协议) for one gas account at one bank."""

    __tablename__ = "bank_agreement"
    __table_args__ = (
        Index("ix_bank_agreement_account", "account_id"),
        Index("ix_bank_agreement_bank_status", "bank_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    # The account's id while the agreement is not cancelled: one live agreement per account.
    current_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), unique=True)
    # The customer and premises as they were at signing: the printed agreement shows these.
    customer_number: Mapped[str] = mapped_column(String(20))
    customer_name: Mapped[str] = mapped_column(String(100))
    account_number: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    bank_code: Mapped[str] = mapped_column(String(20))
    bank_name: Mapped[str] = mapped_column(String(60))
    branch: Mapped[str] = mapped_column(String(60))
    holder: Mapped[str] = mapped_column(String(60))
    bank_account: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(30), default="")
    signed_on: Mapped[date]
    # active | suspended | cancelled
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class BankRun(Base):
    """One debit file sent to one bank for one billing month (代扣批次)."""

    __tablename__ = "bank_run"
    __table_args__ = (Index("ix_bank_run_bank_month", "bank_code", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    bank_name: Mapped[str] = mapped_column(String(60))
    month: Mapped[str] = mapped_column(String(7))
    # sent | returned | withdrawn
    status: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(120))
    file_sha256: Mapped[str] = mapped_column(String(64))
    # The layout the file was written in, as it was then (a later change of the settings does not
    # change how this run's return is read).
    layout: Mapped[dict[str, Any]] = mapped_column(JsonData)
    count: Mapped[int]
    total: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class BankRunLine(Base):
    """One bill in a debit file, with what the bank answered."""

    __tablename__ = "bank_run_line"
    __table_args__ = (
        UniqueConstraint("run_id", "seq", name="uq_bank_run_line_run_seq"),
        Index("ix_bank_run_line_bill", "bill_id"),
        Index("ix_bank_run_line_run_account", "run_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("bank_run.id"))
    seq: Mapped[int]
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"))
    # The bill's id while the run is open: a bill is in at most one open run.
    pending_bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("bank_agreement.id"))
    bill_number: Mapped[str] = mapped_column(String(30))
    account_number: Mapped[str] = mapped_column(String(20))
    bank_account: Mapped[str] = mapped_column(String(32))
    holder: Mapped[str] = mapped_column(String(60))
    amount: Mapped[Decimal] = mapped_column(Money())
    # '' (waiting) | paid | failed | credited (paid by the bank after the counter: prepaid credit)
    outcome: Mapped[str] = mapped_column(String(20), default="")
    result_code: Mapped[str] = mapped_column(String(10), default="")
    reason: Mapped[str] = mapped_column(String(60), default="")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))


class BankFileImport(Base):
    """A return or collection file taken in; its SHA-256 is unique, so the same file twice is refused."""

    __tablename__ = "bank_file_import"
    __table_args__ = (Index("ix_bank_file_import_at", "imported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # return | collection
    kind: Mapped[str] = mapped_column(String(20))
    bank_code: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("bank_run.id"), unique=True)
    lines: Mapped[int]
    paid_count: Mapped[int]
    paid_total: Mapped[Decimal] = mapped_column(Money())
    failed_count: Mapped[int]
    failed_total: Mapped[Decimal] = mapped_column(Money())
    credited_count: Mapped[int]
    credited_total: Mapped[Decimal] = mapped_column(Money())
    imported_at: Mapped[datetime]
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class BankCollection(Base):
    """One bill paid at a bank's counter (代收), from a collection file; the bank's serial number is
    unique per bank, so the same payment in two files is refused."""

    __tablename__ = "bank_collection"
    __table_args__ = (
        UniqueConstraint("bank_code", "serial", name="uq_bank_collection_serial"),
        Index("ix_bank_collection_import", "import_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("bank_file_import.id"))
    bank_code: Mapped[str] = mapped_column(String(20))
    serial: Mapped[str] = mapped_column(String(40))
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    paid_on: Mapped[date]
    branch: Mapped[str] = mapped_column(String(60), default="")
    # paid | credited
    outcome: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))


class ArrearsNotice(Base):
    """One arrears notice (欠费催缴通知单) printed: the bills and amounts as printed."""

    __tablename__ = "arrears_notice"
    __table_args__ = (Index("ix_arrears_notice_batch", "batch"), Index("ix_arrears_notice_account", "account_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(30))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    area: Mapped[str] = mapped_column(String(60))
    owed: Mapped[Decimal] = mapped_column(Money())
    # [{"number", "period", "amount", "owed", "due_to"}] as text
    bills: Mapped[list[dict[str, Any]]] = mapped_column(JsonData, default=list)
    printed_at: Mapped[datetime]
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
