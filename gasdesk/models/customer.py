"""The customer (客户): a person or an organisation supplied with gas at one set of premises."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, Quantity


class Customer(Base):
    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_name", "name", "id"),
        Index("ix_customer_initials", "name_initials", "id"),
        Index("ix_customer_phone", "phone"),
        Index("ix_customer_id_number", "id_number"),
        Index("ix_customer_address", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    name: Mapped[str] = mapped_column(String(100))
    name_initials: Mapped[str] = mapped_column(String(100), default="")
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(40))
    contact_person: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20))
    phone2: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(20))
    gas_use_type: Mapped[str] = mapped_column(String(20))
    yearly_allowance: Mapped[Decimal] = mapped_column(Quantity())
    household_size: Mapped[int | None]
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # A transfer closes this record and creates the new owner's: the chain stays readable.
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    # SHA-256 of the sealed fields (gasdesk.models.audit.SEALED), kept by the audit seal on every write.
    digest: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
