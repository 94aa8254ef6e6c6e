"""Money taken or paid out at the counter. Amounts are positive; the kind says which way it went."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, Money


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        Index("ix_payment_at", "at"),
        Index("ix_payment_account", "account_id", "at"),
        Index("ix_payment_staff_at", "staff_id", "at"),
        Index("ix_payment_customer_at", "customer_id", "at"),
        Index("ix_payment_order", "order_id"),
        # One reversal per payment, whatever two managers do at the same moment.
        Index("uq_payment_reverses", "reverses_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money())
    # Signed change of the cash drawer: + money in, - money out.
    cash_effect: Mapped[Decimal] = mapped_column(Money())
    # Signed change of the account balance.
    balance_effect: Mapped[Decimal] = mapped_column(Money())
    method: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("service_order.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]
    item: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    # SHA-256 of the sealed fields (gasdesk.models.audit.SEALED), kept by the audit seal on every write.
    digest: Mapped[str | None] = mapped_column(String(64))
