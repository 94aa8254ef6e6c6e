"""投诉台账: complaints and enquiries, where they were referred, the result, the call back, the rounds
(FlowDef.ledgers "complaints")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

import gasdesk.services.ledgers.orders as orders
from gasdesk.flows.registry import ALL_FLOWS, kinds_in_ledger
from gasdesk.models import ServiceOrder
from gasdesk.services.ledgers.query import Query
from gasdesk.services.ledgers.sheet import T, column, recorded
from gasdesk.vocab import OrderStatus

KINDS = kinds_in_ledger("complaints")
# How the order was closed with the customer: the first of these recorded, and what it means.
REPLIES = {"callback_note": "回访满意", "explanation": "接受解释", "answer": "咨询已答复"}


def satisfaction(status: str, kind: str, step: str, rounds: int, data: dict[str, Any]) -> str:
    """The customer's verdict as far as the order shows it."""
    if status == OrderStatus.ARCHIVED:
        return next((verdict for code, verdict in REPLIES.items() if data.get(code)), "已归档")
    if status == OrderStatus.CANCELLED:
        return "已撤销"
    if status != OrderStatus.OPEN:
        return ""
    flow = ALL_FLOWS.get(kind)
    here = flow.step(step) if flow is not None and flow.has_step(step) else None
    if here is not None and here.ledger_state:
        return here.ledger_state_repeat if rounds > 1 and here.ledger_state_repeat else here.ledger_state
    return "待受理"


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    return orders.order_select(q, KINDS, ServiceOrder.rounds.label("rounds"))


def reply(q: Query, r: Any) -> str:
    data = r.data or {}
    return next((data[code] for code in REPLIES if data.get(code)), "")


CONTACT = recorded(KINDS, "contact_phone")

LEDGER = orders.order_ledger(
    "complaints", "投诉台账", "投诉与咨询：转办部门、处理结果、电话回访、满意度、处理轮次", kinds=KINDS,
    select=select_rows, empty="本期无投诉、咨询记录",
    columns=(
        orders.NUMBER, orders.OPENED_AT, recorded(KINDS, "complaint_type", width=8), orders.CUSTOMER_NAME,
        CONTACT.but(cell=lambda q, r: CONTACT.cell(q, r) or r.phone), recorded(KINDS, "content", width=30),
        column("转办部门", lambda q, r: q.lookups.department(r.department_id)
               or (r.data or {}).get("department_name") or "", width=10),
        recorded(KINDS, "summary", width=24), recorded(KINDS, "result", width=24),
        column("回访/答复记录", reply, width=24),
        column("满意度", lambda q, r: satisfaction(r.status, r.kind, r.step, r.rounds or 0, r.data or {}), width=10),
        column("处理轮次", lambda q, r: r.rounds or 0, T.INT), orders.STEP.but(width=14), orders.STATUS,
        orders.CLOSED_AT, orders.CLERK,
    ),
)
