"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from gasdesk.models.account import Account, Meter
from gasdesk.models.audit import AuditEntry
from gasdesk.models.base import Base, Money, Quantity
from gasdesk.models.customer import Customer
from gasdesk.models.office import CalendarOverride, NumberSequence, Setting
from gasdesk.models.order import Deadline, DeadlinePause, OrderStep, ServiceOrder
from gasdesk.models.payment import Payment
from gasdesk.models.staff import Department, Staff

__all__ = [
    "Account", "AuditEntry", "Base", "CalendarOverride", "Customer", "Deadline", "DeadlinePause",
    "Department", "Meter", "Money", "NumberSequence", "OrderStep", "Payment", "Quantity",
    "ServiceOrder", "Setting", "Staff",
]
