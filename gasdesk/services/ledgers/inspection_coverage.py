"""安检覆盖率统计, and the manager dashboard's coverage figure.

Per month and district: households in service at the month's end, households due (their interval
runs out by the month's end with no entry before the month), inspection orders opened, visits
(entered / not home / refused), hazards found (一级 among them) and rectified since, households whose
last entry lies within their category's interval at the month's end, and the coverage (those
households over the households in service). The current month counts to now. A second sheet gives
the same per month for the whole hall, with a chart.

The interval is each category's (`inspection.interval_months.residential` / `.non_residential`), as
the counter's "overdue" warning and a plan's "due" selection count it. An account is in service at an
instant when it was activated before it and not closed by then (suspended accounts count: their
premises still hold gas facilities). Each month is one statement over the accounts (the last entry
of each is an indexed lookup), the months one UNION ALL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, Select, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from gasdesk.flows.inspection import flow as spec
from gasdesk.flows.inspection.rules import CLOSED, OPEN
from gasdesk.models import Account, Customer, InspectionHazard, InspectionOrder, InspectionVisit, ServiceOrder
from gasdesk.reports.ledgers import ChartSpec
from gasdesk.services import settings as settings_store
from gasdesk.services.inspection import INTERVAL, months_before
from gasdesk.services.ledgers.inspection_visits import district_label
from gasdesk.services.ledgers.query import SIGNED, Query, rate, share
from gasdesk.services.ledgers.sheet import Column, LedgerDef, SheetDef, T, column, positions
from gasdesk.vocab import District

# The most months one report spans (each month is one pass over the accounts).
MAX_MONTHS = 36
COUNTS = ("households", "due", "opened", "visits", "entered", "not_home", "refused", "found", "grade1", "rectified",
          "covered")


def months_of(q: Query) -> list[tuple[str, datetime, datetime]]:
    """(YYYY-MM, start, end) of each month the report covers, end exclusive and never after now:
    the filter's months, or the twelve months up to now."""
    now = q.now
    last = min(q.filter.date_to or now.date(), now.date())
    first = q.filter.date_from.replace(day=1) if q.filter.date_from else months_before(last.replace(day=1), 11)
    out: list[tuple[str, datetime, datetime]] = []
    month = first
    while month <= last and len(out) < MAX_MONTHS:
        following = (month + timedelta(days=32)).replace(day=1)
        start, end = datetime.combine(month, time.min), min(datetime.combine(following, time.min), now)
        if start < end:
            out.append((f"{month:%Y-%m}", start, end))
        month = following
    return out


def _at(value: datetime) -> Any:
    return literal(value, DateTime())


def cutoff_case(settings: Mapping[str, Any], at: datetime, category: Any) -> Any:
    """The instant before which an entry is older than the interval of `category` at `at`."""
    def cut(months: int) -> Any:
        return _at(datetime.combine(months_before(at.date(), months), at.time()))

    return case(*((category == str(cat), cut(int(settings.get(key) or 12))) for cat, key in INTERVAL.items()),
                else_=cut(12))


def last_entry(account_id: Any, before: datetime) -> Any:
    """When an inspector last got in before `before` (an indexed lookup per account)."""
    v = aliased(InspectionVisit)
    return (select(func.max(v.visited_at))
            .where(v.account_id == account_id, v.outcome == spec.ENTERED, v.visited_at < _at(before))
            .scalar_subquery())


def in_service(at: datetime) -> Any:
    return and_(Account.activated_at.is_not(None), Account.activated_at < _at(at),
                or_(Account.closed_at.is_(None), Account.closed_at >= _at(at)))


def _month(q: Query, label: str, start: datetime, end: datetime, by_district: bool) -> Select[*tuple[Any, ...]]:
    """One month's row per district (or one for the hall): the stock at the month's end, grouped over
    the accounts, and the month's flows as subqueries of the same district."""
    cutoff = cutoff_case(q.settings, end, Customer.category)
    covered = last_entry(Account.id, end) >= cutoff
    due = func.coalesce(last_entry(Account.id, start), Account.activated_at) < cutoff
    lo, hi = _at(start), _at(end)
    a2, c2 = aliased(Account), aliased(Customer)

    def of_district(stmt: Select[*tuple[Any, ...]], account_col: Any) -> Any:
        stmt = stmt.join(a2, a2.id == account_col).join(c2, c2.id == a2.customer_id)
        return (stmt.where(c2.district == Customer.district) if by_district else stmt).scalar_subquery()

    v, h = InspectionVisit, InspectionHazard
    opened = of_district(select(func.count()).select_from(InspectionOrder)
                         .join(ServiceOrder, ServiceOrder.id == InspectionOrder.order_id)
                         .where(ServiceOrder.opened_at >= lo, ServiceOrder.opened_at < hi), InspectionOrder.account_id)

    def visits(*conditions: Any) -> Any:
        return of_district(select(func.count()).select_from(v).where(v.visited_at >= lo, v.visited_at < hi, *conditions),
                           v.account_id)

    def hazards(*conditions: Any) -> Any:
        return of_district(select(func.count()).select_from(h).where(
            h.found_at >= lo, h.found_at < hi, h.grade.in_(spec.NOTICE_GRADES), *conditions), h.account_id)

    district = Customer.district if by_district else literal("", String())
    stmt = (select(literal(label, String()).label("month"), district.label("district"),
                   func.count().label("households"), func.sum(case((due, 1), else_=0)).label("due"),
                   opened.label("opened"), visits().label("visits"), visits(v.outcome == spec.ENTERED).label("entered"),
                   visits(v.outcome == spec.NOT_HOME).label("not_home"),
                   visits(v.outcome == spec.REFUSED).label("refused"), hazards().label("found"),
                   hazards(h.grade == spec.GRADE1).label("grade1"), hazards(h.status == CLOSED).label("rectified"),
                   func.sum(case((covered, 1), else_=0)).label("covered"))
            .select_from(Account).join(Customer, Customer.id == Account.customer_id).where(in_service(end)))
    return stmt.group_by(Customer.district) if by_district else stmt


def select_months(q: Query, by_district: bool = True) -> Select[*tuple[Any, ...]]:
    parts = [_month(q, label, start, end, by_district) for label, start, end in months_of(q)]
    if not parts:  # a period wholly after now: one empty part keeps the statement valid
        return _month(q, "", q.now, q.now, by_district).where(literal(False))
    return parts[0] if len(parts) == 1 else union_all(*parts)  # type: ignore[return-value]


_DISTRICT_ORDER = {d.value: i for i, d in enumerate(District)}


def _count(key: str, header: str, *, total: bool = False) -> Column:
    return column(header, lambda q, r: int(getattr(r, key) or 0), T.INT, total=total, key=key)


def _columns(by_district: bool) -> tuple[Column, ...]:
    return (
        column("月份", "month", width=8),
        *((column("片区", lambda q, r: district_label(r.district), width=6),) if by_district else ()),
        _count("households", "在册户数"), _count("due", "应检户数"), _count("opened", "开单数", total=True),
        _count("visits", "到访（次）", total=True), _count("entered", "入户检查（次）", total=True),
        _count("not_home", "到访不遇（次）", total=True), _count("refused", "拒绝安检（次）", total=True),
        _count("found", "发现隐患（项）", total=True), _count("grade1", "其中一级", total=True),
        _count("rectified", "已整改（项）", total=True),
        column("整改率", lambda q, r: rate(int(r.rectified or 0), int(r.found or 0)), T.RATE,
               ratio_of=("rectified", "found")),
        _count("covered", "周期内已入户户数"),
        column("覆盖率", lambda q, r: rate(int(r.covered or 0), int(r.households or 0)), T.RATE, key="coverage"),
    )


NOTE = ("在册户数：月末已通气且未销户的账户（含暂停用气）；应检户数：月初前最近一次入户检查（未检过的自通气起）"
        "到月末已超过安检周期的户数；周期内已入户户数：月末时最近一次入户检查在安检周期内的户数；"
        "覆盖率 = 周期内已入户户数 ÷ 在册户数；隐患为一级、二级（三级为整改建议，不计）；"
        "已整改为当月发现、至制表时已销项的隐患；本月统计至制表时")
MONTH_COLUMNS = _columns(False)

LEDGER = LedgerDef(
    name="inspection_coverage", title="安检覆盖率统计",
    description="按月份、片区：在册、应检、开单、到访、入户、到访不遇、拒检、隐患与整改，周期内入户检查覆盖率",
    date_basis="月份", filters=frozenset({"date"}),
    sheets=(
        SheetDef(title="按片区", columns=_columns(True), select=select_months, totals=True, note=NOTE,
                 signatures=SIGNED, empty="本期无统计月份",
                 sort_key=lambda q, r: (r.month, _DISTRICT_ORDER.get(r.district, 9))),
        SheetDef(title="按月合计", columns=MONTH_COLUMNS, select=lambda q: select_months(q, by_district=False),
                 totals=True, empty="本期无统计月份", sort_key=lambda q, r: r.month,
                 chart=ChartSpec(title="安检覆盖率与入户检查", category=0, bars=positions(MONTH_COLUMNS, "entered"),
                                 lines=positions(MONTH_COLUMNS, "coverage"), bar_axis_title="入户检查（次）",
                                 line_axis_title="覆盖率", line_is_rate=True)),
    ),
)


# --- the dashboard's figure ------------------------------------------------------------------------

@dataclass(frozen=True)
class DistrictCoverage:
    district: str
    label: str
    households: int
    covered: int
    overdue: int

    @property
    def rate(self) -> float | None:
        return share(self.covered, self.households)


@dataclass(frozen=True)
class CoverageFigure:
    """Households in service now, those entered within their interval, those past it (overdue: the
    counter's warning), and hazards open (overdue among them)."""

    at: datetime
    districts: tuple[DistrictCoverage, ...]
    open_hazards: int
    overdue_hazards: int

    @property
    def households(self) -> int:
        return sum(d.households for d in self.districts)

    @property
    def covered(self) -> int:
        return sum(d.covered for d in self.districts)

    @property
    def overdue(self) -> int:
        return sum(d.overdue for d in self.districts)

    @property
    def rate(self) -> float | None:
        return share(self.covered, self.households)

    def text(self) -> str:
        shown = f"{self.rate:.1%}" if self.rate is not None else "—"
        return (f"安检覆盖率 {shown}（周期内入户 {self.covered} / 在册 {self.households} 户）　超过安检周期 {self.overdue} 户　"
                f"未整改隐患 {self.open_hazards} 项（逾期 {self.overdue_hazards} 项）")


def coverage_now(session: Session, now: datetime, settings: Mapping[str, Any] | None = None) -> CoverageFigure:
    """The coverage figure at `now` (one pass over the accounts, one over the open hazards)."""
    values = settings if settings is not None else settings_store.read_all(session)
    cutoff = cutoff_case(values, now, Customer.category)
    entered = last_entry(Account.id, now)
    rows = session.execute(
        select(Customer.district, func.count(), func.sum(case((entered >= cutoff, 1), else_=0)),
               func.sum(case((func.coalesce(entered, Account.activated_at) < cutoff, 1), else_=0)))
        .select_from(Account).join(Customer, Customer.id == Account.customer_id)
        .where(in_service(now)).group_by(Customer.district)).all()
    found = {str(r[0]): r for r in rows}
    districts = tuple(DistrictCoverage(d.value, d.label, int(found[d.value][1] or 0), int(found[d.value][2] or 0),
                                       int(found[d.value][3] or 0)) for d in District if d.value in found)
    h = InspectionHazard
    count, late = session.execute(select(func.count(), func.sum(case((h.due_at < _at(now), 1), else_=0)))
                                  .where(h.status == OPEN)).one()
    return CoverageFigure(now, districts, int(count or 0), int(late or 0))
