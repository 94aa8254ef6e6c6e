"""时限达标统计: finished clocks on time and late by month, flow, step and department, the monthly trend
with its chart, the emergency arrivals, and every finished clock with its pauses, recomputable by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, cast, func, literal_column, select

from gasdesk import sla
from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.models import Deadline, DeadlinePause, EmergencyCall, ServiceOrder
from gasdesk.reports.ledgers import ChartSpec
from gasdesk.services.emergency import CallKind
from gasdesk.services.ledgers.query import (
    SIGNED,
    Query,
    count_where,
    in_period,
    kind_label,
    kinds_condition,
    month,
    month_expr,
    rate,
    step_label,
)
from gasdesk.services.ledgers.rates import month_rates, select_rates
from gasdesk.services.ledgers.sheet import Column, LedgerDef, SheetDef, T, column, positions
from gasdesk.vocab import DeadlineStatus, District, PauseKind, TimeUnit

WHOLE = "（全程）"
EMPTY = "本期无已完成的时限（没有按时或超时办结的环节）"
COUNT = T.INT


def finished_filters(stmt: Select[*tuple[Any, ...]], q: Query) -> Select[*tuple[Any, ...]]:
    """Clocks finished (on time or late) in the period, of the filtered flow and department."""
    stmt = stmt.where(Deadline.status.in_((DeadlineStatus.MET, DeadlineStatus.MISSED)),
                      *in_period(Deadline.finished_at, q))
    cond = kinds_condition(q, None)
    if cond is not None:
        stmt = stmt.where(cond)
    if q.filter.department_id is not None:
        stmt = stmt.where(Deadline.department_id == q.filter.department_id)
    return stmt


def _met(r: Any) -> int:
    return int(r.met or 0)


# Finished, on time, late and the rate: the same four columns in the detail and the trend.
COUNTS: tuple[Column, ...] = (
    column("完成数", "finished", COUNT, total=True), column("按时完成", lambda q, r: _met(r), COUNT, total=True, key="met"),
    column("超时完成", lambda q, r: r.finished - _met(r), COUNT, total=True, key="missed"),
    column("达标率", lambda q, r: rate(_met(r), r.finished), T.RATE, key="rate", ratio_of=("met", "finished")),
)


def finished_months(q: Query, *by: Any) -> Select[*tuple[Any, ...]]:
    """Clocks finished, on time, by the month they finished (and `by`)."""
    period = month_expr(q, Deadline.finished_at)
    stmt = (select(period.label("month"), *by, func.count().label("finished"),
                   count_where(Deadline.status == DeadlineStatus.MET).label("met"))
            .join(ServiceOrder, ServiceOrder.id == Deadline.order_id).group_by(period, *by))
    return finished_filters(stmt, q)


# --- 达标明细 -----------------------------------------------------------------------------------------

def select_steps(q: Query) -> Select[*tuple[Any, ...]]:
    return finished_months(q, ServiceOrder.kind.label("kind"), Deadline.step.label("step"),
                           Deadline.department_id.label("department_id"))


# Rows sort by month, then flow and step in the order of their definitions (the whole order first).
_FLOW_ORDER = {kind: i for i, kind in enumerate(ALL_FLOWS)}


def step_order(q: Query, r: Any) -> Any:
    flow = ALL_FLOWS.get(r.kind)
    labels = [s.label for s in flow.steps] if flow is not None else []
    label = step_label(r.kind, r.step)
    place = (labels.index(label) if label in labels else -1) if flow is not None else 0
    return (month(r.month), _FLOW_ORDER.get(r.kind, 99), place, q.lookups.department(r.department_id, WHOLE))


# --- 抢险抢修到场 -------------------------------------------------------------------------------------

def select_emergencies(q: Query) -> Select[*tuple[Any, ...]]:
    called = month_expr(q, EmergencyCall.called_at)
    outcome = EmergencyCall.arrival_outcome
    return (select(called.label("month"), EmergencyCall.kind.label("kind"), EmergencyCall.district.label("district"),
                   func.count().label("calls"), count_where(outcome == "on_time").label("on_time"),
                   count_where(outcome == "excused").label("excused"), count_where(outcome == "late").label("late"),
                   count_where(EmergencyCall.resolved_first_visit.is_(True)).label("first_visit"),
                   count_where(EmergencyCall.status == "closed").label("closed"))
            .where(*in_period(EmergencyCall.called_at, q))
            .group_by(called, EmergencyCall.kind, EmergencyCall.district))


def _n(label: str) -> Any:
    return lambda q, r: int(getattr(r, label) or 0)


def arrival_rate(q: Query, r: Any) -> Any:
    on_time, excused, late = int(r.on_time or 0), int(r.excused or 0), int(r.late or 0)
    return rate(on_time + excused, on_time + excused + late)


# --- 时限明细 -----------------------------------------------------------------------------------------

def pauses_text_expr(q: Query, permits: bool = False) -> Any:
    """Per deadline, its pauses as 'start/end;start/end' (read back by parse_pauses); with `permits`, only
    those for approvals such as road-excavation permits (their reason starts with PauseKind.PERMIT's label)."""
    piece = (cast(DeadlinePause.started_at, String).concat(literal_column("'/'"))
             .concat(func.coalesce(cast(DeadlinePause.ended_at, String), literal_column("''"))))
    if q.dialect == "postgresql":
        agg = func.string_agg(piece, literal_column("';'"))
    else:
        agg = func.group_concat(piece, literal_column("';'"))
    stmt = select(agg).where(DeadlinePause.deadline_id == Deadline.id)
    if permits:
        stmt = stmt.where(DeadlinePause.reason.startswith(f"{PauseKind.PERMIT.label}：", autoescape=True))
    return stmt.scalar_subquery()


def select_clocks(q: Query) -> Select[*tuple[Any, ...]]:
    stmt = (select(ServiceOrder.number.label("number"), ServiceOrder.kind.label("kind"),
                   Deadline.step.label("step"), Deadline.department_id.label("department_id"),
                   Deadline.started_at.label("started_at"), Deadline.amount.label("amount"),
                   Deadline.unit.label("unit"), pauses_text_expr(q).label("pauses"),
                   pauses_text_expr(q, permits=True).label("permits"), Deadline.due_at.label("due_at"),
                   Deadline.finished_at.label("finished_at"), Deadline.status.label("status"))
            .join(ServiceOrder, ServiceOrder.id == Deadline.order_id))
    return finished_filters(stmt, q).order_by(Deadline.finished_at, Deadline.id)


def parse_pauses(text: str | None) -> list[tuple[datetime, datetime]]:
    pauses = []
    for piece in (text or "").split(";"):
        began, _, ended = piece.partition("/")
        if began and ended:
            pauses.append((datetime.fromisoformat(began.strip()), datetime.fromisoformat(ended.strip())))
    return sorted(pauses)


@dataclass(frozen=True)
class Clock:
    """A finished clock counted again by the rule, over its pauses, on today's calendar."""

    r: Any
    record: str
    paused_days: int | None
    due: datetime
    check: str
    # Of the paused working days, those of approvals (道路挖掘许可等): marked 审批 in the record.
    permit_days: int | None = None


def recount(q: Query, r: Any) -> Clock:
    pauses = parse_pauses(r.pauses)
    permits = set(parse_pauses(r.permits))
    working = TimeUnit(r.unit) is TimeUnit.WORKING_DAYS
    counted = [sla.paused_working_days(q.calendar, b, e) if working else None for b, e in pauses]
    record = "；".join(("审批 " if (b, e) in permits else "") + f"{b:%Y-%m-%d %H:%M} 至 {e:%Y-%m-%d %H:%M}"
                      + (f"（{n}个工作日）" if n is not None else "")
                      for (b, e), n in zip(pauses, counted, strict=True))
    permit_days = sum(n or 0 for pause, n in zip(pauses, counted, strict=True) if pause in permits)
    due = sla.due_with_pauses(r.amount, r.unit, r.started_at, pauses, q.calendar)
    on_time = r.finished_at <= due
    check = "" if on_time == (r.status == DeadlineStatus.MET) else (
        f"记录为{DeadlineStatus(r.status).label}，按现行日历核算为{'按时' if on_time else '超时'}"
        f"（记录的应完成时间 {r.due_at:%Y-%m-%d %H:%M}）")
    return Clock(r, record, sum(n or 0 for n in counted) if working else None, due, check,
                 permit_days if working else None)


# --- 服务承诺指标 ---------------------------------------------------------------------------------------

RATES = (
    column("月份", "month", width=8),
    column("抢险抢修结案", "emergencies_closed", COUNT, total=True),
    column("一次处结", "first_visit", COUNT, total=True),
    column("一次处结率", "first_visit_rate", T.RATE, ratio_of=("first_visit", "emergencies_closed")),
    column("表具校验/更换办结", "meter_done", COUNT, total=True),
    column("一次合格", "meter_passed", COUNT, total=True),
    column("返工", "meter_reworked", COUNT, total=True),
    column("合格率", "pass_rate", T.RATE, ratio_of=("meter_passed", "meter_done")),
)


TREND = (column("月份", lambda q, r: month(r.month), width=8, key="month"), *COUNTS)

LEDGER = LedgerDef(
    name="compliance", title="时限达标统计",
    description="按月份、业务、环节、责任部门统计已完成时限的按时与超时数量及达标率，附按月趋势图",
    date_basis="完成日期", filters=frozenset({"date", "kind", "department"}),
    sheets=(
        SheetDef(
            title="达标明细", select=select_steps, totals=True, sort_key=step_order, empty=EMPTY, signatures=SIGNED,
            note="“全程时限”为整单承诺时限（客户原因及道路挖掘许可等审批暂停的时间不计）",
            columns=(
                column("月份", lambda q, r: month(r.month), width=8),
                column("业务类型", lambda q, r: kind_label(r.kind), width=14),
                column("环节", lambda q, r: step_label(r.kind, r.step), width=22),
                column("责任部门", lambda q, r: q.lookups.department(r.department_id, WHOLE), width=10), *COUNTS,
            ),
        ),
        SheetDef(
            title="按月趋势", select=finished_months, columns=TREND, totals=True, empty=EMPTY,
            sort_key=lambda q, r: month(r.month),
            chart=ChartSpec(title="时限达标趋势", category=positions(TREND, "month")[0],
                            bars=positions(TREND, "met", "missed"), lines=positions(TREND, "rate"), stacked=True,
                            bar_axis_title="完成数", line_axis_title="达标率", line_is_rate=True),
        ),
        SheetDef(
            title="抢险抢修到场", select=select_emergencies, totals=True, signatures=SIGNED,
            sort_key=lambda q, r: (r.month, CallKind(r.kind).label, District(r.district).label),
            empty="本期无抢险抢修记录（统计期间内没有抢险抢修报修）",
            note="泄漏着火中毒爆炸市区30分钟、郊区60分钟到场；低压/管网故障另计（默认当日）；交通拥堵、道路封闭、自然灾害超时可免责",
            columns=(
                column("月份", "month", width=8), column("类别", lambda q, r: CallKind(r.kind).label, width=14),
                column("区域", lambda q, r: District(r.district).label, width=6),
                column("报修数", "calls", COUNT, total=True), column("按时到场", _n("on_time"), COUNT, total=True, key="on_time"),
                column("超时可免责", _n("excused"), COUNT, total=True, key="excused"),
                column("超时", _n("late"), COUNT, total=True, key="late"),
                column("到场达标率", arrival_rate, T.RATE, ratio_of=(("on_time", "excused"), ("on_time", "excused", "late"))),
                column("一次修复", _n("first_visit"), COUNT, total=True, key="first_visit"),
                column("已结案", _n("closed"), COUNT, total=True, key="closed"),
                column("一次修复率", lambda q, r: rate(int(r.first_visit or 0), int(r.closed or 0)), T.RATE,
                       ratio_of=("first_visit", "closed")),
            ),
        ),
        SheetDef(
            title="服务承诺指标", select=select_rates, prepare=month_rates, columns=RATES, totals=True,
            sort_key=lambda q, r: month(r.month), signatures=SIGNED,
            empty="本期无已结案的抢险抢修，也无办结的表具校验/更换",
            chart=ChartSpec(title="服务承诺指标（承诺100%）", category=positions(RATES, "month")[0],
                            bars=positions(RATES, "emergencies_closed", "meter_done"),
                            lines=positions(RATES, "first_visit_rate", "pass_rate"),
                            bar_axis_title="件数", line_axis_title="比率", line_is_rate=True),
            note="一次处结率：当月报修中已结案的，首次到场即处理完毕的比例；合格率：当月办结的表具校验/更换中，"
                 "复检一次合格、未返工的比例。两项承诺均为100%",
        ),
        SheetDef(
            title="时限明细", select=select_clocks, prepare=recount,
            note="应完成时间＝开始之日后第（承诺时限＋暂停工作日）个工作日的24时；每次暂停不计开始当天之后、"
                 "至恢复当天（含）的工作日；以小时计的时限加上暂停的时长。“审批”为道路挖掘许可等审批环节的暂停，"
                 "与客户原因的暂停一样不计入承诺时限。暂停与恢复的时间见业务单的办理记录",
            columns=(
                column("业务单号", "r.number", width=17), column("业务类型", lambda q, c: kind_label(c.r.kind), width=12),
                column("时限", lambda q, c: step_label(c.r.kind, c.r.step) if c.r.step else "全程时限", width=18),
                column("责任部门", lambda q, c: q.lookups.department(c.r.department_id, WHOLE), width=10),
                column("开始时间", "r.started_at", T.DATETIME),
                column("承诺时限", lambda q, c: f"{c.r.amount}{TimeUnit(c.r.unit).label}", width=9),
                column("暂停记录", "record", width=44), column("暂停工作日", "paused_days", COUNT, total=True),
                column("其中审批暂停", "permit_days", COUNT, total=True),
                column("应完成时间", "due", T.DATETIME), column("完成时间", "r.finished_at", T.DATETIME),
                column("结果", lambda q, c: "按时" if c.r.status == DeadlineStatus.MET else "超时", width=6),
                column("核对", "check", width=20),
            ),
        ),
    ),
)
