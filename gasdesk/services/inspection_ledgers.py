"""The safety inspection's ledgers (安检台账, 隐患整改台账, 安检覆盖率统计) and the dashboard's coverage figure.

Registered in gasdesk.services.ledgers' list by one line, which hands in that module's LedgerDef and
SheetDef (this module does not import it, so the two stay free of a cycle); the sheets' queries take
that module's `Query` (filter, now, dialect, lookups, settings), duck-typed.

* 安检台账 — every visit in the period (by visit time): order, plan, account, customer, address,
  inspector, attempt, outcome, the hazards marked on the checklist, the refusal's reason, who typed
  it in and when.
* 隐患整改台账 — every hazard found in the period (by the time it was found), with its notice,
  deadline, state, how and when it was closed, and whether it is (or was closed) overdue; a second
  sheet lists every hazard still open at the time of export, whenever it was found, overdue first.
* 安检覆盖率统计 — per month and district: households in service at the month's end, households due
  (their interval runs out by the month's end with no entry before the month), orders opened,
  visits (entered / not home / refused), hazards found (一级 among them) and rectified since,
  households whose last entry lies within their category's interval at the month's end, and the
  coverage (those households over the households in service). The current month counts to now.
  A second sheet gives the same per month for the whole hall, with a chart.

The coverage counts with the interval of each category (`inspection.interval_months.residential`
/ `.non_residential`), as the counter's "overdue" warning and a plan's "due" selection do. An
account is in service at an instant when it was activated before it and not closed by then
(suspended accounts count: their premises still hold gas facilities).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import DateTime, Select, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from gasdesk.flows.inspection import flow as spec
from gasdesk.flows.inspection.rules import ADVICE, CLOSED, HAZARD_STATUS, OPEN
from gasdesk.models import (
    Account,
    Customer,
    InspectionHazard,
    InspectionOrder,
    InspectionPlan,
    InspectionVisit,
    ServiceOrder,
)
from gasdesk.reports.ledgers import ChartSpec, ColumnType, LedgerColumn
from gasdesk.services import settings as settings_store
from gasdesk.services.inspection import INTERVAL, months_before
from gasdesk.vocab import District

T = ColumnType
L = TypeVar("L")
SIGNED = ("制表", "审核")
# The most months one coverage report spans (each month is one pass over the accounts).
MAX_MONTHS = 36
CLOSED_HOW = dict(spec.CLOSED_HOW)


def _col(header: str, type_: ColumnType = T.TEXT, width: float | None = None, *, total: bool = False,
         ratio_of: tuple[int | tuple[int, ...], int | tuple[int, ...]] | None = None) -> LedgerColumn:
    return LedgerColumn(header, type_, width, total, ratio_of)


def _bounds(q: Any) -> tuple[datetime | None, datetime | None]:
    start, end = q.filter.bounds()
    return start, end


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _district(code: Any) -> str:
    try:
        return District(code).label
    except ValueError:
        return str(code or "")


def hazards_text(checklist: dict[str, Any] | None) -> tuple[int, str]:
    """(hazards marked, '一级：接口、阀门漏气；二级：…') of a visit's checklist, the worst first (then in
    the checklist's order)."""
    marks = checklist or {}
    found = [(item, str(marks[item.code])) for item in spec.CHECKLIST
             if marks.get(item.code) not in (None, "", spec.OK)]
    found.sort(key=lambda f: f[1])  # grade1 < grade2 < grade3; the sort is stable
    return len(found), "；".join(f"{spec.GRADE_SHORT.get(g, g)}：{item.label}" for item, g in found)


# --- 安检台账 -------------------------------------------------------------------------------------------

VISIT_COLUMNS = (
    _col("到访时间", T.DATETIME), _col("安检单号", width=17), _col("安检计划", width=16), _col("燃气账户", width=14),
    _col("客户名称", width=12), _col("片区", width=6), _col("地址", width=26), _col("安检员", width=12),
    _col("第几次上门", T.INT), _col("检查结果", width=10), _col("隐患项数", T.INT, total=True),
    _col("隐患及等级", width=30), _col("拒检原因/情况说明", width=24), _col("离开时间", T.DATETIME),
    _col("录入人"), _col("录入时间", T.DATETIME),
)


def _visits_select(q: Any) -> Select[*tuple[Any, ...]]:
    start, end = _bounds(q)
    v = InspectionVisit
    stmt = (select(v.visited_at, ServiceOrder.number, InspectionPlan.number, Account.number, Customer.name,
                   Customer.district, Account.address, v.inspector, v.attempt, v.outcome, v.checklist,
                   v.refusal_reason, v.note, v.left_at, v.staff_id, v.recorded_at, ServiceOrder.id)
            .join(ServiceOrder, ServiceOrder.id == v.order_id)
            .join(Account, Account.id == v.account_id)
            .join(Customer, Customer.id == Account.customer_id)
            .outerjoin(InspectionPlan, InspectionPlan.id == v.plan_id))
    if start is not None:
        stmt = stmt.where(v.visited_at >= start)
    if end is not None:
        stmt = stmt.where(v.visited_at < end)
    return stmt.order_by(v.visited_at, v.id)


def _visit_row(q: Any, r: Any) -> tuple[Any, ...]:
    (visited, number, plan, account, name, district, address, inspector, attempt, outcome, checklist, reason, note,
     left, staff_id, recorded, _oid) = r
    count, text = hazards_text(checklist)
    said = "；".join(x for x in (reason, note) if x)
    return (_dt(visited), number, plan or "（柜台预约）", account, name, _district(district), address, inspector, attempt,
            spec.OUTCOMES.get(outcome, outcome), count, text, said, _dt(left), q.lookups.staff.get(staff_id, ""),
            _dt(recorded))


def _visit_summary_select(q: Any) -> Select[*tuple[Any, ...]]:
    start, end = _bounds(q)
    v = InspectionVisit
    stmt = (select(v.inspector, func.count(), *(func.sum(case((v.outcome == o, 1), else_=0))
                                               for o in (spec.ENTERED, spec.NOT_HOME, spec.REFUSED)))
            .group_by(v.inspector))
    if start is not None:
        stmt = stmt.where(v.visited_at >= start)
    if end is not None:
        stmt = stmt.where(v.visited_at < end)
    return stmt


def _visit_summary_row(q: Any, r: Any) -> tuple[Any, ...]:
    inspector, n, entered, not_home, refused = r
    entered, not_home, refused = int(entered or 0), int(not_home or 0), int(refused or 0)
    return (inspector, int(n), entered, not_home, refused, _rate(entered, int(n)))


# --- 隐患整改台账 -----------------------------------------------------------------------------------------

HAZARD_COLUMNS = (
    _col("发现时间", T.DATETIME), _col("安检单号", width=17), _col("整改通知书号", width=17),
    _col("燃气账户", width=14), _col("客户名称", width=12), _col("联系电话", T.PHONE), _col("地址", width=26),
    _col("隐患项目", width=24), _col("等级", width=6), _col("隐患说明", width=18), _col("整改期限", T.DATETIME),
    _col("状态", width=8), _col("销项时间", T.DATETIME), _col("销项方式", width=14), _col("整改情况", width=18),
    _col("是否逾期", width=10), _col("逾期天数", T.NUMBER), _col("停气业务单", width=17),
)


def _hazards_base() -> Select[*tuple[Any, ...]]:
    h = InspectionHazard
    stop = aliased(ServiceOrder)
    return (select(h.found_at, ServiceOrder.number, h.notice_number, Account.number, Customer.name, Customer.phone,
                   Account.address, h.label, h.grade, h.note, h.due_at, h.status, h.closed_at, h.closed_how,
                   h.closed_note, stop.number)
            .join(ServiceOrder, ServiceOrder.id == h.order_id)
            .join(Account, Account.id == h.account_id)
            .join(Customer, Customer.id == Account.customer_id)
            .outerjoin(stop, stop.id == h.suspension_order_id))


def _hazards_select(q: Any) -> Select[*tuple[Any, ...]]:
    start, end = _bounds(q)
    h = InspectionHazard
    stmt = _hazards_base()
    if start is not None:
        stmt = stmt.where(h.found_at >= start)
    if end is not None:
        stmt = stmt.where(h.found_at < end)
    return stmt.order_by(h.found_at, h.grade, h.id)


def _open_hazards_select(q: Any) -> Select[*tuple[Any, ...]]:
    h = InspectionHazard
    return _hazards_base().where(h.status == OPEN).order_by(h.due_at, h.found_at, h.id)


def overdue_days(due: datetime | None, status: str, closed: datetime | None, now: datetime) -> Decimal | None:
    """Days past the deadline: until now while open, until the closing when closed late; None on time."""
    if due is None or status == ADVICE:
        return None
    until = now if status == OPEN else closed
    if until is None or until <= due:
        return None
    return (Decimal((until - due).total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))


def _hazard_row(q: Any, r: Any) -> tuple[Any, ...]:
    (found, order, notice, account, name, phone, address, label, grade, note, due, status, closed, how, closed_note,
     stop) = r
    due, closed = _dt(due), _dt(closed)
    late = overdue_days(due, status, closed, q.now)
    if late is None:
        flag = ""
    else:
        flag = "已逾期" if status == OPEN else "逾期整改"
    return (_dt(found), order, notice or "", account, name, phone, address, label, spec.GRADE_SHORT.get(grade, grade),
            note, due, HAZARD_STATUS.get(status, status), closed, CLOSED_HOW.get(how, how), closed_note, flag, late,
            stop or "")


# --- 安检覆盖率统计 ---------------------------------------------------------------------------------------

COVERAGE_COLUMNS = (
    _col("月份", width=8), _col("片区", width=6), _col("在册户数", T.INT), _col("应检户数", T.INT),
    _col("开单数", T.INT, total=True), _col("到访（次）", T.INT, total=True), _col("入户检查（次）", T.INT, total=True),
    _col("到访不遇（次）", T.INT, total=True), _col("拒绝安检（次）", T.INT, total=True),
    _col("发现隐患（项）", T.INT, total=True), _col("其中一级", T.INT, total=True),
    _col("已整改（项）", T.INT, total=True), _col("整改率", T.RATE, ratio_of=(11, 9)),
    _col("周期内已入户户数", T.INT), _col("覆盖率", T.RATE),
)
# The same without the district (the rate's columns one to the left).
MONTH_COLUMNS = tuple(replace(c, ratio_of=(10, 8)) if c.ratio_of else c for i, c in enumerate(COVERAGE_COLUMNS) if i != 1)


def months_of(q: Any) -> list[tuple[str, datetime, datetime]]:
    """(YYYY-MM, start, end) of each month the report covers, end exclusive and never after now:
    the filter's months, or the twelve months up to now."""
    now: datetime = q.now
    first = q.filter.date_from.replace(day=1) if q.filter.date_from else None
    last = q.filter.date_to if q.filter.date_to else now.date()
    last = min(last, now.date())
    if first is None:
        first = months_before(last.replace(day=1), 11)
    out: list[tuple[str, datetime, datetime]] = []
    month = first
    while month <= last and len(out) < MAX_MONTHS:
        following = (month + timedelta(days=32)).replace(day=1)
        start = datetime.combine(month, time.min)
        end = min(datetime.combine(following, time.min), now)
        if start < end:
            out.append((f"{month:%Y-%m}", start, end))
        month = following
    return out


def cutoff_case(settings: Any, at: datetime, category: Any) -> Any:
    """The instant before which an entry is older than the interval of `category` at `at`."""
    whens = []
    for cat, key in INTERVAL.items():
        months = int(settings.get(key) or 12)
        whens.append((category == str(cat), literal(datetime.combine(months_before(at.date(), months), at.time()),
                                                     DateTime())))
    return case(*whens, else_=literal(datetime.combine(months_before(at.date(), 12), at.time()), DateTime()))


def _last_entry(account_id: Any, before: datetime) -> Any:
    v = aliased(InspectionVisit)
    return (select(func.max(v.visited_at)).where(v.account_id == account_id, v.outcome == spec.ENTERED,
                                                 v.visited_at < literal(before, DateTime()))
            .scalar_subquery())


def in_service(at: datetime) -> Any:
    return and_(Account.activated_at.is_not(None), Account.activated_at < literal(at, DateTime()),
                or_(Account.closed_at.is_(None), Account.closed_at >= literal(at, DateTime())))


def _month_part(q: Any, month: str, start: datetime, end: datetime, by_district: bool) -> Select[*tuple[Any, ...]]:
    """One month's row per district (or one for the hall): the stock at the month's end, grouped over
    the accounts, and the month's flows as subqueries of the same district."""
    settings = getattr(q, "settings", None) or {}
    cutoff = cutoff_case(settings, end, Customer.category)
    covered = _last_entry(Account.id, end) >= cutoff
    due = func.coalesce(_last_entry(Account.id, start), Account.activated_at) < cutoff
    lo, hi = literal(start, DateTime()), literal(end, DateTime())

    a2, c2 = aliased(Account), aliased(Customer)

    def of_district(stmt: Select[*tuple[Any, ...]], account_col: Any) -> Select[*tuple[Any, ...]]:
        stmt = stmt.join(a2, a2.id == account_col).join(c2, c2.id == a2.customer_id)
        return stmt.where(c2.district == Customer.district) if by_district else stmt

    v, h = InspectionVisit, InspectionHazard
    opened = of_district(select(func.count()).select_from(InspectionOrder)
                         .join(ServiceOrder, ServiceOrder.id == InspectionOrder.order_id)
                         .where(ServiceOrder.opened_at >= lo, ServiceOrder.opened_at < hi),
                         InspectionOrder.account_id).scalar_subquery()

    def visits(outcome: str | None) -> Any:
        stmt = select(func.count()).select_from(v).where(v.visited_at >= lo, v.visited_at < hi)
        if outcome is not None:
            stmt = stmt.where(v.outcome == outcome)
        return of_district(stmt, v.account_id).scalar_subquery()

    def hazards(*conditions: Any) -> Any:
        stmt = (select(func.count()).select_from(h)
                .where(h.found_at >= lo, h.found_at < hi, h.grade.in_(spec.NOTICE_GRADES), *conditions))
        return of_district(stmt, h.account_id).scalar_subquery()

    label = literal(month, String()).label("month")
    district = Customer.district if by_district else literal("", String())
    stmt = (select(label, district, func.count(), func.sum(case((due, 1), else_=0)), opened, visits(None),
                   visits(spec.ENTERED), visits(spec.NOT_HOME), visits(spec.REFUSED), hazards(),
                   hazards(h.grade == spec.GRADE1), hazards(h.status == CLOSED), func.sum(case((covered, 1), else_=0)))
            .select_from(Account).join(Customer, Customer.id == Account.customer_id)
            .where(in_service(end)))
    return stmt.group_by(Customer.district) if by_district else stmt


def _coverage_select(q: Any, by_district: bool = True) -> Select[*tuple[Any, ...]]:
    parts = [_month_part(q, m, start, end, by_district) for m, start, end in months_of(q)]
    if not parts:  # a period wholly after now: one empty part keeps the statement valid
        return _month_part(q, "", q.now, q.now, by_district).where(literal(False))
    if len(parts) == 1:
        return parts[0]
    return union_all(*parts)  # type: ignore[return-value]


def _coverage_row(q: Any, r: Any) -> tuple[Any, ...]:
    month, district, households, due, opened, visits, entered, not_home, refused, found, grade1, rectified, covered = (
        int(x or 0) if i > 1 else x for i, x in enumerate(r))
    return (month, _district(district), households, due, opened, visits, entered, not_home, refused, found, grade1,
            rectified, _rate(rectified, found), covered, _rate(covered, households))


def _month_row(q: Any, r: Any) -> tuple[Any, ...]:
    row = _coverage_row(q, r)
    return row[:1] + row[2:]


_DISTRICT_ORDER = {d.label: i for i, d in enumerate(District)}


def _coverage_key(q: Any, r: tuple[Any, ...]) -> Any:
    return (r[0], _DISTRICT_ORDER.get(r[1], 9))


def _month_key(q: Any, r: tuple[Any, ...]) -> Any:
    return r[0]


COVERAGE_NOTE = ("在册户数：月末已通气且未销户的账户（含暂停用气）；应检户数：月初前最近一次入户检查（未检过的自通气起）"
                 "到月末已超过安检周期的户数；周期内已入户户数：月末时最近一次入户检查在安检周期内的户数；"
                 "覆盖率 = 周期内已入户户数 ÷ 在册户数；隐患为一级、二级（三级为整改建议，不计）；"
                 "已整改为当月发现、至制表时已销项的隐患；本月统计至制表时")


def inspection_ledgers(ledger: Callable[..., L], sheet: Callable[..., Any]) -> tuple[L, ...]:
    """The three ledgers, built with gasdesk.services.ledgers' LedgerDef and SheetDef."""
    return (
        ledger(
            name="inspection_visits", title="安检台账",
            description="每一次上门安检：安检单、账户、地址、安检员、时间、结果（入户/到访不遇/拒绝）、发现的隐患",
            date_basis="到访日期", filters=frozenset({"date"}),
            sheets=(
                sheet(title="安检台账", columns=VISIT_COLUMNS, select=_visits_select, convert=_visit_row, totals=True,
                      empty="本期无上门安检记录", signatures=SIGNED, unit="次"),
                sheet(title="按安检员汇总",
                      columns=(_col("安检员", width=14), _col("到访（次）", T.INT, total=True),
                               _col("入户检查", T.INT, total=True), _col("到访不遇", T.INT, total=True),
                               _col("拒绝安检", T.INT, total=True), _col("入户率", T.RATE, ratio_of=(2, 1))),
                      select=_visit_summary_select, convert=_visit_summary_row, totals=True,
                      sort_key=lambda _q, r: (-r[1], r[0]), empty="本期无上门安检记录"),
            ),
        ),
        ledger(
            name="inspection_hazards", title="隐患整改台账",
            description="安检发现的隐患：等级、整改通知书、整改期限、销项情况、逾期与停气；另列截至制表时全部未整改隐患",
            date_basis="发现日期", filters=frozenset({"date"}),
            sheets=(
                sheet(title="隐患整改台账", columns=HAZARD_COLUMNS, select=_hazards_select, convert=_hazard_row,
                      totals=True, empty="本期未发现隐患", signatures=SIGNED, unit="项",
                      note="逾期天数：未整改的算至制表时，已销项的算至销项时间；三级为整改建议，不设期限"),
                sheet(title="未整改隐患（截至制表时）", columns=HAZARD_COLUMNS, select=_open_hazards_select,
                      convert=_hazard_row, totals=True, empty="当前没有未整改的隐患", unit="项"),
            ),
        ),
        ledger(
            name="inspection_coverage", title="安检覆盖率统计",
            description="按月份、片区：在册、应检、开单、到访、入户、到访不遇、拒检、隐患与整改，周期内入户检查覆盖率",
            date_basis="月份", filters=frozenset({"date"}),
            sheets=(
                sheet(title="按片区", columns=COVERAGE_COLUMNS, select=_coverage_select, convert=_coverage_row,
                      sort_key=_coverage_key, totals=True, note=COVERAGE_NOTE, signatures=SIGNED,
                      empty="本期无统计月份"),
                sheet(title="按月合计", columns=MONTH_COLUMNS,
                      select=lambda q: _coverage_select(q, by_district=False), convert=_month_row,
                      sort_key=_month_key, totals=True, empty="本期无统计月份",
                      chart=ChartSpec(title="安检覆盖率与入户检查", category=0, bars=(5,), lines=(13,),
                                      bar_axis_title="入户检查（次）", line_axis_title="覆盖率", line_is_rate=True)),
            ),
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
        return self.covered / self.households if self.households else None


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
        return self.covered / self.households if self.households else None

    def text(self) -> str:
        rate = f"{self.rate:.1%}" if self.rate is not None else "—"
        return (f"安检覆盖率 {rate}（周期内入户 {self.covered} / 在册 {self.households} 户）　超过安检周期 {self.overdue} 户　"
                f"未整改隐患 {self.open_hazards} 项（逾期 {self.overdue_hazards} 项）")


def coverage_now(session: Session, now: datetime, settings: dict[str, Any] | None = None) -> CoverageFigure:
    """The coverage figure at `now` (one pass over the accounts, one over the open hazards)."""
    values = settings if settings is not None else settings_store.read_all(session)
    cutoff = cutoff_case(values, now, Customer.category)
    entered = _last_entry(Account.id, now)
    covered = entered >= cutoff
    overdue = func.coalesce(entered, Account.activated_at) < cutoff
    rows = session.execute(
        select(Customer.district, func.count(), func.sum(case((covered, 1), else_=0)),
               func.sum(case((overdue, 1), else_=0)))
        .select_from(Account).join(Customer, Customer.id == Account.customer_id)
        .where(in_service(now)).group_by(Customer.district)).all()
    found = {str(r[0]): r for r in rows}
    districts = tuple(DistrictCoverage(d.value, d.label, int(found[d.value][1] or 0), int(found[d.value][2] or 0),
                                       int(found[d.value][3] or 0))
                      for d in District if d.value in found)
    h = InspectionHazard
    open_count, late = session.execute(select(func.count(), func.sum(case((h.due_at < literal(now, DateTime()), 1),
                                                                           else_=0)))
                                        .where(h.status == OPEN)).one()
    return CoverageFigure(now, districts, int(open_count or 0), int(late or 0))


__all__ = ["CoverageFigure", "DistrictCoverage", "coverage_now", "hazards_text", "inspection_ledgers",
           "months_of", "overdue_days"]
