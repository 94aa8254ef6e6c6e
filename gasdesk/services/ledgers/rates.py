"""The rates the service commitment publishes (社会服务承诺 二、2 and 二、4), month by month.

- 抢险抢修一次处结率 (100 % promised): of the emergency calls of a month (by the month they came in,
  as the 到场 figures count them) that are closed, those resolved on the first visit.
- 表具校验、更换合格率 (100 % promised): of the orders of a flow with a published pass rate
  (FlowDef.pass_rate: the meter service) archived in a month, those finished without re-work (their
  `rounds`, 返工次数, is 0; see flows/meter_service/flow.py for what a re-work is).

The compliance ledger's sheet 服务承诺指标 (compliance.py) and the manager dashboard (dashboard.py)
read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, union

from gasdesk.flows import ALL_FLOWS
from gasdesk.models import EmergencyCall, ServiceOrder
from gasdesk.services.ledgers.query import Query, count_where, in_period, month, month_expr, rate
from gasdesk.vocab import OrderStatus


def pass_rate_kinds() -> tuple[str, ...]:
    """The flows whose finished orders make a published pass rate."""
    return tuple(k for k, f in ALL_FLOWS.items() if f.pass_rate)


@dataclass(frozen=True)
class MonthRates:
    month: str  # YYYY-MM
    emergencies_closed: int = 0
    first_visit: int = 0
    meter_done: int = 0
    meter_passed: int = 0

    @property
    def first_visit_rate(self) -> Decimal | None:
        return rate(self.first_visit, self.emergencies_closed)

    @property
    def pass_rate(self) -> Decimal | None:
        return rate(self.meter_passed, self.meter_done)

    @property
    def meter_reworked(self) -> int:
        return self.meter_done - self.meter_passed


def select_rates(q: Query) -> Select[*tuple[Any, ...]]:
    """month, closed (calls), first (resolved on the first visit), done (finished meter services), passed
    (first time): every month of the period with either."""
    called = month_expr(q, EmergencyCall.called_at)
    calls = (select(called.label("month"), func.count().label("closed"),
                    count_where(EmergencyCall.resolved_first_visit.is_(True)).label("first"))
             .where(EmergencyCall.status == "closed", *in_period(EmergencyCall.called_at, q)).group_by(called))
    closed = month_expr(q, ServiceOrder.closed_at)
    works = (select(closed.label("month"), func.count().label("done"),
                    count_where(ServiceOrder.rounds == 0).label("passed"))
             .where(ServiceOrder.kind.in_(pass_rate_kinds()), ServiceOrder.status == OrderStatus.ARCHIVED,
                    *in_period(ServiceOrder.closed_at, q))
             .group_by(closed))
    c, w = calls.subquery(), works.subquery()
    months = union(select(c.c.month), select(w.c.month)).subquery()
    return (select(months.c.month.label("month"), c.c.closed.label("closed"), c.c.first.label("first"),
                   w.c.done.label("done"), w.c.passed.label("passed"))
            .outerjoin(c, c.c.month == months.c.month).outerjoin(w, w.c.month == months.c.month))


def month_rates(q: Query, r: Any) -> MonthRates:
    return MonthRates(month(r.month), int(r.closed or 0), int(r.first or 0), int(r.done or 0), int(r.passed or 0))
