"""Everything a flow definition is written with, in one import: `from gasdesk.flows.prelude import *`.

The vocabulary of definitions (definition.py), the shared shapes (shapes.py) and the enums of
gasdesk.vocab that definitions name.
"""

from gasdesk.flows.definition import (
    ROLES,
    AccountLock,
    ActionDef,
    DocumentDef,
    Effect,
    FieldDef,
    FieldKind,
    FlowDef,
    Guard,
    OrderLedger,
    Personal,
    StepDef,
    TimeLimit,
    terminal_steps,
)
from gasdesk.flows.shapes import (
    ID_COPY,
    METHODS,
    NON_RESIDENTIAL_USES,
    OWNER_ID,
    PROPERTY_MGMT,
    PROPERTY_PROOF,
    RATINGS,
    WD,
    accept_then_visit,
    counter_accept,
    counter_step,
    documents_step,
    fee_fields,
    new_meter_fields,
    opens_account,
    refuse,
    simple_step,
    visit_steps,
)
from gasdesk.vocab import IdDocType, PauseKind, SiteWork

__all__ = [
    "ID_COPY", "METHODS", "NON_RESIDENTIAL_USES", "OWNER_ID", "PROPERTY_MGMT", "PROPERTY_PROOF", "RATINGS",
    "ROLES", "WD", "AccountLock", "ActionDef", "DocumentDef", "Effect", "FieldDef", "FieldKind", "FlowDef",
    "Guard", "IdDocType", "OrderLedger", "PauseKind", "Personal", "SiteWork", "StepDef", "TimeLimit",
    "accept_then_visit", "counter_accept", "counter_step", "documents_step", "fee_fields",
    "new_meter_fields", "opens_account", "refuse", "simple_step", "terminal_steps", "visit_steps",
]
