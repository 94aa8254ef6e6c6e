"""Plain data handed to the printed forms: no ORM objects, no database.

The services build a FormContext from an order (see gasdesk/services/printing.py); the reports layer
turns it into PDF bytes. Values are already display text unless typed otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class CompanyProfile:
    name: str
    hall_address: str
    service_phone: str
    emergency_phone: str
    complaint_phone: str
    hall_hours: str
    complaint_hours: str
    service_line_hours: str = ""
    short_name: str = ""
    seal_text: str = ""


@dataclass(frozen=True)
class PartyInfo:
    """The customer as printed: category, name, ID document, phones, premises."""

    number: str
    category_label: str
    name: str
    id_type_label: str
    id_number: str
    contact_person: str
    phone: str
    address: str
    district_label: str
    gas_use_type_label: str
    yearly_allowance: Decimal
    household_size: int | None = None
    # The category's code ('residential' / 'non_residential'): which supply contract the party signs.
    category: str = ""


@dataclass(frozen=True)
class AccountInfo:
    number: str
    status_label: str
    balance: Decimal
    address: str


@dataclass(frozen=True)
class MeterInfo:
    number: str
    model: str
    rating: str
    last_reading: Decimal


@dataclass(frozen=True)
class StepRecord:
    at: datetime
    step_label: str
    action_label: str
    actor_name: str
    note: str


@dataclass(frozen=True)
class PaymentInfo:
    receipt_number: str
    kind_label: str
    item: str
    amount: Decimal
    method_label: str
    at: datetime
    staff_name: str
    # 'in' for money the customer paid, 'out' for money paid back to the customer.
    direction: str
    note: str = ""


@dataclass(frozen=True)
class FieldValue:
    label: str
    value: str


@dataclass(frozen=True)
class FormContext:
    form: str
    form_title: str
    company: CompanyProfile
    order_number: str
    flow_kind: str
    flow_label: str
    order_status_label: str
    opened_at: datetime
    opened_by: str
    current_step_label: str
    customer: PartyInfo
    account: AccountInfo | None
    meter: MeterInfo | None
    # Documents the flow asks for, with whether the clerk ticked each: (label, checked).
    documents: list[tuple[str, bool]]
    # Everything the steps recorded, by field code (raw JSON-safe values) ...
    data: dict[str, Any]
    # ... and the same as (label, display value) pairs, in the order they were recorded.
    fields: list[FieldValue]
    reason: str
    crew: str
    appointment_at: datetime | None
    history: list[StepRecord]
    payments: list[PaymentInfo]
    # For a receipt: the one payment it is for.
    payment: PaymentInfo | None = None
    # The text blocks of contracts and notices, editable in the settings (key -> text).
    texts: dict[str, str] = field(default_factory=dict)
    printed_at: datetime | None = None
    printed_by: str = ""
    copy: bool = False
    commitment: str = ""
    # The flow's fields: code -> label, and code -> display text of the recorded value (choices by
    # their labels, money and readings formatted), given by the printing service.
    field_labels: dict[str, str] = field(default_factory=dict)
    field_text: dict[str, str] = field(default_factory=dict)
    # The blocks of a form that a flow prints alone (its package's FormDef); shared forms leave it
    # empty and render.py takes their blocks from catalog.py.
    blocks: tuple[Any, ...] = ()
    # The labels of coded values (choices, departments) by field code: how a raw value prints.
    field_choices: dict[str, dict[str, str]] = field(default_factory=dict)
    # The step the form belongs to: when it was taken and by whom (the clerk who accepted, the
    # decider of a refusal, the clerk who referred a complaint), never the printer or the print time.
    step_at: datetime | None = None
    step_by: str = ""
    # How the request came in (来访, or 来电 with the caller's number); '' for the counter's default.
    channel_text: str = ""
