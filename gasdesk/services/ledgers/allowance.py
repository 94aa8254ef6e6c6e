"""气量变更台账: a household's yearly allowance before and after (FlowDef.ledgers "allowance")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select

import gasdesk.services.ledgers.orders as orders
from gasdesk.flows.registry import kinds_in_ledger
from gasdesk.models import Customer
from gasdesk.services.ledgers.query import Query, qty
from gasdesk.services.ledgers.sheet import T, column, field_of, field_reader, recorded
from gasdesk.vocab import OrderStatus

KINDS = kinds_in_ledger("allowance")
HOUSEHOLD = field_reader(field_of(KINDS, "household_size"))
NEW = field_reader(field_of(KINDS, "new_allowance"))


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    return orders.order_select(q, KINDS, Customer.yearly_allowance.label("allowance_now"),
                        Customer.household_size.label("household_now"))


def old_allowance(q: Query, r: Any) -> Decimal | None:
    """As the change recorded it; while the order is open, the customer's allowance now."""
    old = qty((r.data or {}).get("old_allowance"))
    return r.allowance_now if old is None and r.status == OrderStatus.OPEN else old


def household(q: Query, r: Any) -> int | None:
    recorded_size = HOUSEHOLD(r.data)
    return recorded_size if recorded_size is not None else r.household_now


def change(q: Query, r: Any) -> Decimal | None:
    new, old = NEW(r.data), old_allowance(q, r)
    return new - old if new is not None and old is not None else None


LEDGER = orders.order_ledger(
    "allowance", "气量变更台账", "居民年用气基数变更：家庭人口、变更前后的气量", kinds=KINDS, select=select_rows,
    empty="本期无气量变更记录",
    columns=(
        *orders.CUSTOMER, recorded(KINDS, "household_size").but(cell=household),
        column("原年用气基数（m³）", old_allowance, T.QUANTITY), recorded(KINDS, "new_allowance"),
        column("变更量（m³）", change, T.QUANTITY, total=True), orders.STEP, orders.STATUS, orders.CLOSED_AT,
        orders.CLERK,
    ),
)
