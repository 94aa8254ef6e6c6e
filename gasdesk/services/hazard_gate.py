"""The counter's stop for an account with an open 一级 (immediate) safety hazard.

Selling gas (a prepayment beyond what the account owes) or opening new business on such an account
needs a manager's confirmation: a second sign-in recorded as an `inspection_clearance`
(InspectionService.grant_clearance) for this account, this purpose and this clerk, the same day.
`require()` runs inside the payment's or the order's own transaction: it uses the confirmation
(marks it with the receipt or order number, audited) or refuses with `NeedsClearance`, and then
nothing of the payment or order is written.

Paying what the account owes is never stopped (the gas was used; the debt is the company's), nor
are the orders that make the premises safer: those whose flow suspends or closes the account, the
inspection flow itself, and those that need no account (complaints, enquiries).
"""

from __future__ import annotations

from datetime import datetime, time
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.flows.definition import FlowDef
from gasdesk.flows.inspection.flow import FLOW as INSPECTION
from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.models import InspectionAccount, InspectionClearance
from gasdesk.services import audit
from gasdesk.services.errors import Refused

SELL_GAS, NEW_BUSINESS = "sell_gas", "new_business"
PURPOSES = {SELL_GAS: "售气（预存气费）", NEW_BUSINESS: "办理新业务"}
# Effects that stop the supply or end the account: their flows make the premises safer.
STOPPING_EFFECTS = ("suspend_account", "close_account")


class NeedsClearance(Refused):
    """Refused until a manager confirms (a second sign-in); carries what the dialog asks for."""

    def __init__(self, account_id: int, purpose: str, count: int) -> None:
        super().__init__(f"该账户有 {count} 项一级安全隐患未整改，{PURPOSES[purpose]}须经管理人员确认（管理人员登录授权）")
        self.account_id = account_id
        self.purpose = purpose
        self.count = count


def stops_supply(flow: FlowDef) -> bool:
    return any(a.has_effect(name) for a in flow.actions() for name in STOPPING_EFFECTS)


@cache
def exempt_kinds() -> frozenset[str]:
    """Flows opened without a confirmation on such an account."""
    return frozenset(k for k, f in ALL_FLOWS.items()
                     if f.account_statuses is None or k == INSPECTION.kind or stops_supply(f))


def open_grade1(session: Session, account_id: int) -> int:
    return int(session.scalar(select(InspectionAccount.open_grade1)
                              .where(InspectionAccount.account_id == account_id)) or 0)


def require(session: Session, *, account_id: int, purpose: str, staff_id: int, at: datetime, ref: str) -> None:
    """Within the caller's transaction: pass when the account has no open 一级 hazard; else use the
    clerk's unused confirmation of today for this account and purpose, or refuse."""
    count = open_grade1(session, account_id)
    if not count:
        return
    clearance = session.scalar(
        select(InspectionClearance).where(
            InspectionClearance.account_id == account_id, InspectionClearance.purpose == purpose,
            InspectionClearance.clerk_id == staff_id, InspectionClearance.used_at.is_(None),
            InspectionClearance.granted_at >= datetime.combine(at.date(), time.min))
        .order_by(InspectionClearance.id).limit(1).with_for_update())
    if clearance is None:
        raise NeedsClearance(account_id, purpose, count)
    clearance.used_at, clearance.used_ref = at, ref[:40]
    audit.append(session, at=at, staff_id=staff_id, entity="inspection_clearance", entity_id=clearance.id,
                 action="use", changes={"used_ref": [None, ref], "account_id": [None, account_id]})
