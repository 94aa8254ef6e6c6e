"""安检台账: every visit of an inspector in the period (by visit time): order, plan, account, customer,
address, inspector, attempt, outcome, the hazards marked on the checklist (the worst first), the
refusal's reason, who typed it in and when; and a sheet per inspector (visits, entered, not home,
refused, the share entered)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from gasdesk.flows.inspection import flow as spec
from gasdesk.models import Account, Customer, InspectionPlan, InspectionVisit, ServiceOrder
from gasdesk.services.ledgers.query import SIGNED, Query, count_where, in_period, rate
from gasdesk.services.ledgers.sheet import LedgerDef, SheetDef, T, column
from gasdesk.vocab import District


def district_label(code: Any) -> str:
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


def select_visits(q: Query) -> Select[*tuple[Any, ...]]:
    v = InspectionVisit
    return (select(v.visited_at, ServiceOrder.number.label("order_number"), InspectionPlan.number.label("plan"),
                   Account.number.label("account"), Customer.name.label("customer_name"), Customer.district,
                   Account.address, v.inspector, v.attempt, v.outcome, v.checklist, v.refusal_reason, v.note, v.left_at,
                   v.staff_id, v.recorded_at)
            .join(ServiceOrder, ServiceOrder.id == v.order_id)
            .join(Account, Account.id == v.account_id)
            .join(Customer, Customer.id == Account.customer_id)
            .outerjoin(InspectionPlan, InspectionPlan.id == v.plan_id)
            .where(*in_period(v.visited_at, q))
            .order_by(v.visited_at, v.id))


def select_inspectors(q: Query) -> Select[*tuple[Any, ...]]:
    v = InspectionVisit
    return (select(v.inspector, func.count().label("visits"), count_where(v.outcome == spec.ENTERED).label("entered"),
                   count_where(v.outcome == spec.NOT_HOME).label("not_home"),
                   count_where(v.outcome == spec.REFUSED).label("refused"))
            .where(*in_period(v.visited_at, q)).group_by(v.inspector))


def _said(q: Query, r: Any) -> str:
    return "；".join(x for x in (r.refusal_reason, r.note) if x)


def _n(value: Any) -> int:
    return int(value or 0)


LEDGER = LedgerDef(
    name="inspection_visits", title="安检台账",
    description="每一次上门安检：安检单、账户、地址、安检员、时间、结果（入户/到访不遇/拒绝）、发现的隐患",
    date_basis="到访日期", filters=frozenset({"date"}),
    sheets=(
        SheetDef(
            title="安检台账", select=select_visits, totals=True, empty="本期无上门安检记录", signatures=SIGNED,
            unit="次",
            columns=(
                column("到访时间", "visited_at", T.DATETIME), column("安检单号", "order_number", width=17),
                column("安检计划", lambda q, r: r.plan or "（柜台预约）", width=16),
                column("燃气账户", "account", width=14), column("客户名称", "customer_name", width=12),
                column("片区", lambda q, r: district_label(r.district), width=6), column("地址", "address", width=26),
                column("安检员", "inspector", width=12), column("第几次上门", "attempt", T.INT),
                column("检查结果", lambda q, r: spec.OUTCOMES.get(r.outcome, r.outcome), width=10),
                column("隐患项数", lambda q, r: hazards_text(r.checklist)[0], T.INT, total=True, key="hazards"),
                column("隐患及等级", lambda q, r: hazards_text(r.checklist)[1], width=30),
                column("拒检原因/情况说明", _said, width=24), column("离开时间", "left_at", T.DATETIME),
                column("录入人", lambda q, r: q.clerk(r.staff_id)), column("录入时间", "recorded_at", T.DATETIME),
            ),
        ),
        SheetDef(
            title="按安检员汇总", select=select_inspectors, totals=True, empty="本期无上门安检记录",
            sort_key=lambda q, r: (-_n(r.visits), r.inspector),
            columns=(
                column("安检员", "inspector", width=14),
                column("到访（次）", lambda q, r: _n(r.visits), T.INT, total=True, key="visits"),
                column("入户检查", lambda q, r: _n(r.entered), T.INT, total=True, key="entered"),
                column("到访不遇", lambda q, r: _n(r.not_home), T.INT, total=True),
                column("拒绝安检", lambda q, r: _n(r.refused), T.INT, total=True),
                column("入户率", lambda q, r: rate(_n(r.entered), _n(r.visits)), T.RATE, ratio_of=("entered", "visits")),
            ),
        ),
    ),
)
