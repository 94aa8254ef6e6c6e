"""SQLAlchemy models, one module per aggregate. Importing this package registers them all, and the
session hooks that record domain events (events.py)."""

from gasdesk.models.account import Account, Meter
from gasdesk.models.audit import AuditEntry
from gasdesk.models.bank import (
    ArrearsNotice,
    BankAgreement,
    BankCollection,
    BankFileImport,
    BankRun,
    BankRunLine,
)
from gasdesk.models.base import Base, Money, Quantity
from gasdesk.models.billing import Bill, BillAllocation, MeterReading, Price, ReceiptPrint, Tariff
from gasdesk.models.customer import Customer
from gasdesk.models.emergency import EmergencyCall
from gasdesk.models.events import BalanceMoved, Event
from gasdesk.models.inspection import (
    InspectionAccount,
    InspectionClearance,
    InspectionHazard,
    InspectionOrder,
    InspectionPlan,
    InspectionVisit,
    OrderAttachment,
)
from gasdesk.models.office import CalendarOverride, NumberSequence, Setting
from gasdesk.models.order import Deadline, DeadlinePause, OrderStep, ServiceOrder
from gasdesk.models.payment import Payment
from gasdesk.models.planned_work import PlannedWork
from gasdesk.models.staff import Department, Staff

__all__ = [
    "Account", "ArrearsNotice", "AuditEntry", "BalanceMoved", "BankAgreement", "BankCollection",
    "BankFileImport", "BankRun", "BankRunLine", "Base", "Bill", "BillAllocation", "CalendarOverride",
    "Customer", "Deadline", "DeadlinePause", "Department", "EmergencyCall", "Event", "InspectionAccount",
    "InspectionClearance", "InspectionHazard", "InspectionOrder", "InspectionPlan", "InspectionVisit", "Meter",
    "MeterReading", "Money", "NumberSequence", "OrderAttachment", "OrderStep", "Payment", "PlannedWork",
    "Price", "Quantity", "ReceiptPrint", "ServiceOrder", "Setting", "Staff", "Tariff",
]
