"""换表台账: meters changed for a bigger or smaller one, old and new, with the fee
(FlowDef.ledgers "meter_change")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

import gasdesk.services.ledgers.orders as orders
from gasdesk.flows.registry import kinds_in_ledger
from gasdesk.services.ledgers.query import Query, fee_method, meter_number_subquery
from gasdesk.services.ledgers.sheet import T, column, recorded
from gasdesk.vocab import OrderStatus

KINDS = kinds_in_ledger("meter_change")


def select_rows(q: Query) -> Select[*tuple[Any, ...]]:
    return orders.order_select(q, KINDS, meter_number_subquery(in_service=True).label("meter_now"))


def old_number(q: Query, r: Any) -> str:
    """As the change recorded it; until the meter is changed, the one in service now."""
    changed = r.status == OrderStatus.ARCHIVED
    return (r.data or {}).get("old_meter_number") or ("" if changed else r.meter_now or "")


LEDGER = orders.order_ledger(
    "meter_change", "换表台账", "增/减容换表：新旧表号、规格、旧表止数、新表起始读数、收费", kinds=KINDS,
    select=select_rows, empty="本期无换表记录",
    columns=(
        orders.NUMBER, orders.OPENED_AT, orders.CUSTOMER_NUMBER, orders.CUSTOMER_NAME, orders.PHONE, orders.ADDRESS,
        recorded(KINDS, "direction", "增/减容"), recorded(KINDS, "requested_rating", "申请规格"),
        column("原表号", old_number, width=12),
        column("原表规格", lambda q, r: (r.data or {}).get("old_meter_rating") or ""),
        recorded(KINDS, "final_reading"), recorded(KINDS, "meter_number", "新表号", width=12),
        recorded(KINDS, "meter_model", "新表型号", width=14), recorded(KINDS, "meter_rating", "新表规格"),
        recorded(KINDS, "initial_reading", "新表起始读数（m³）"),
        column("换表时间", lambda q, r: r.closed_at if r.status == OrderStatus.ARCHIVED else None, T.DATETIME),
        recorded(KINDS, "fee", "换表费（元）", total=True), column("收费方式", fee_method), orders.STATUS, orders.CLERK,
    ),
)
