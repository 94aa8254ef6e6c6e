"""The rates the service commitment publishes (社会服务承诺 二、2 and 二、4), month by month.

- 抢险抢修一次处结率 (100 % promised): of the emergency calls of a month (by the month they came in,
  as the 到场 figures count them) that are closed, those resolved on the first visit.
- 表具校验、更换合格率 (100 % promised): of the orders of a flow with a published pass rate
  (FlowDef.pass_rate: the meter service) archived in a month, those finished without re-work (their
  `rounds`, 返工次数, is 0; see flows/meter_service/flow.py for what a re-work is).

The compliance ledger's sheet 服务承诺指标 and the manager dashboard read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, literal_column, select, union
from sqlalchemy.orm import Session

from gasdesk.flows import ALL_FLOWS
from gasdesk.models import EmergencyCall, ServiceOrder
from gasdesk.vocab import OrderStatus

PROMISED = Decimal("1.0000")


def month_expr(dialect: str, column: Any) -> Any:
    # Literal SQL, not bound parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    if dialect == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def pass_rate_kinds() -> tuple[str, ...]:
    """The flows whose finished orders make a published pass rate."""
    return tuple(k for k, f in ALL_FLOWS.items() if f.pass_rate)


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


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


def _count_of(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def rates_select(dialect: str, start: datetime | None, end: datetime | None) -> Select[Any]:
    """(month, closed calls, resolved on the first visit, finished meter services, passed first time)
    for every month with either, from `start` up to `end` (None: unbounded)."""
    called = month_expr(dialect, EmergencyCall.called_at)
    calls = (select(called.label("month"), func.count().label("closed"),
                    _count_of(EmergencyCall.resolved_first_visit.is_(True)).label("first"))
             .where(EmergencyCall.status == "closed").group_by(called))
    closed = month_expr(dialect, ServiceOrder.closed_at)
    works = (select(closed.label("month"), func.count().label("done"),
                    _count_of(ServiceOrder.rounds == 0).label("passed"))
             .where(ServiceOrder.kind.in_(pass_rate_kinds()), ServiceOrder.status == OrderStatus.ARCHIVED)
             .group_by(closed))
    if start is not None:
        calls = calls.where(EmergencyCall.called_at >= start)
        works = works.where(ServiceOrder.closed_at >= start)
    if end is not None:
        calls = calls.where(EmergencyCall.called_at < end)
        works = works.where(ServiceOrder.closed_at < end)
    c, w = calls.subquery(), works.subquery()
    months = union(select(c.c.month), select(w.c.month)).subquery()
    return (select(months.c.month, c.c.closed, c.c.first, w.c.done, w.c.passed)
            .outerjoin(c, c.c.month == months.c.month).outerjoin(w, w.c.month == months.c.month)
            .order_by(months.c.month))


def month_rates(row: Any) -> MonthRates:
    month, closed, first, done, passed = row
    return MonthRates(str(month), int(closed or 0), int(first or 0), int(done or 0), int(passed or 0))


def monthly(session: Session, start: datetime | None, end: datetime | None) -> list[MonthRates]:
    dialect = session.get_bind().dialect.name
    return [month_rates(r) for r in session.execute(rates_select(dialect, start, end))]
