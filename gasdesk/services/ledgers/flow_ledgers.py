"""The ledgers a flow declares for its own orders (FlowDef.own_ledgers, an OrderLedger each).

Such a ledger needs nothing but the flow's definition: every order of the flow with its customer,
then the values the flow records that the ledger names (each column headed by its field's label and
read by the field's kind: a choice by its label, a reading in m³, money in yuan and totalled), then the
order's step, state, end and clerk. A flow package adds one without touching this package.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

import gasdesk.services.ledgers.orders as orders
from gasdesk.flows.definition import FieldKind, FlowDef, OrderLedger
from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.services.ledgers.query import Query
from gasdesk.services.ledgers.sheet import Column, LedgerDef, recorded

# Widths of recorded columns whose values run long.
WIDTHS = {FieldKind.LONG_TEXT: 24.0, FieldKind.TEXT: 14.0}


def _column(flow: FlowDef, code: str) -> Column:
    field = flow.field(code)
    if field is None:
        raise KeyError(f"{flow.kind}: its ledger lists {code!r}, which the flow does not record")
    return recorded(field, width=WIDTHS.get(field.kind), total=field.kind is FieldKind.MONEY)


def ledger_of(flow: FlowDef, spec: OrderLedger) -> LedgerDef:
    """The LedgerDef of one OrderLedger a flow declares."""
    kinds = (flow.kind,)

    def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
        return orders.order_select(q, kinds)

    return orders.order_ledger(
        spec.name, spec.title, spec.description or f"{flow.label}业务受理与办理结果", kinds=kinds,
        select=select_rows, empty=spec.empty,
        columns=(*orders.CUSTOMER, *(_column(flow, code) for code in spec.fields), orders.STEP, orders.STATUS,
                 orders.CLOSED_AT, orders.CLERK),
    )


def flow_ledgers() -> tuple[LedgerDef, ...]:
    """Every ledger the flows declare, in the registry's order."""
    return tuple(ledger_of(flow, spec) for flow in ALL_FLOWS.values() for spec in flow.own_ledgers)
