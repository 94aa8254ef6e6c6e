"""隐患整改台账: every hazard an inspection found in the period (by the time it was found), with its
notice, deadline, state, how and when it was closed, whether it is (or was closed) overdue and the
suspension order it led to; a second sheet lists every hazard still open at the time of export,
whenever it was found, the nearest deadline first."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from gasdesk.flows.inspection import flow as spec
from gasdesk.flows.inspection.rules import ADVICE, HAZARD_STATUS, OPEN
from gasdesk.models import Account, Customer, InspectionHazard, ServiceOrder
from gasdesk.services.ledgers.query import SIGNED, Query, in_period
from gasdesk.services.ledgers.sheet import Column, LedgerDef, SheetDef, T, column

CLOSED_HOW = dict(spec.CLOSED_HOW)


def overdue_days(due: datetime | None, status: str, closed: datetime | None, now: datetime) -> Decimal | None:
    """Days past the deadline: until now while open, until the closing when closed late; None on time."""
    if due is None or status == ADVICE:
        return None
    until = now if status == OPEN else closed
    if until is None or until <= due:
        return None
    return (Decimal((until - due).total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))


def _base() -> Select[*tuple[Any, ...]]:
    h = InspectionHazard
    stop = aliased(ServiceOrder)
    return (select(h.found_at, ServiceOrder.number.label("order_number"), h.notice_number,
                   Account.number.label("account"), Customer.name.label("customer_name"), Customer.phone,
                   Account.address, h.label, h.grade, h.note, h.due_at, h.status, h.closed_at, h.closed_how,
                   h.closed_note, stop.number.label("stop_number"))
            .join(ServiceOrder, ServiceOrder.id == h.order_id)
            .join(Account, Account.id == h.account_id)
            .join(Customer, Customer.id == Account.customer_id)
            .outerjoin(stop, stop.id == h.suspension_order_id))


def select_found(q: Query) -> Select[*tuple[Any, ...]]:
    h = InspectionHazard
    return _base().where(*in_period(h.found_at, q)).order_by(h.found_at, h.grade, h.id)


def select_open(q: Query) -> Select[*tuple[Any, ...]]:
    h = InspectionHazard
    return _base().where(h.status == OPEN).order_by(h.due_at, h.found_at, h.id)


def _late(q: Query, r: Any) -> Decimal | None:
    return overdue_days(r.due_at, r.status, r.closed_at, q.now)


def _flag(q: Query, r: Any) -> str:
    if _late(q, r) is None:
        return ""
    return "已逾期" if r.status == OPEN else "逾期整改"


COLUMNS: tuple[Column, ...] = (
    column("发现时间", "found_at", T.DATETIME), column("安检单号", "order_number", width=17),
    column("整改通知书号", lambda q, r: r.notice_number or "", width=17), column("燃气账户", "account", width=14),
    column("客户名称", "customer_name", width=12), column("联系电话", "phone", T.PHONE),
    column("地址", "address", width=26), column("隐患项目", "label", width=24),
    column("等级", lambda q, r: spec.GRADE_SHORT.get(r.grade, r.grade), width=6), column("隐患说明", "note", width=18),
    column("整改期限", "due_at", T.DATETIME), column("状态", lambda q, r: HAZARD_STATUS.get(r.status, r.status), width=8),
    column("销项时间", "closed_at", T.DATETIME),
    column("销项方式", lambda q, r: CLOSED_HOW.get(r.closed_how, r.closed_how), width=14),
    column("整改情况", "closed_note", width=18), column("是否逾期", _flag, width=10),
    column("逾期天数", _late, T.NUMBER), column("停气业务单", lambda q, r: r.stop_number or "", width=17),
)

LEDGER = LedgerDef(
    name="inspection_hazards", title="隐患整改台账",
    description="安检发现的隐患：等级、整改通知书、整改期限、销项情况、逾期与停气；另列截至制表时全部未整改隐患",
    date_basis="发现日期", filters=frozenset({"date"}),
    sheets=(
        SheetDef(title="隐患整改台账", select=select_found, columns=COLUMNS, totals=True, empty="本期未发现隐患",
                 signatures=SIGNED, unit="项",
                 note="逾期天数：未整改的算至制表时，已销项的算至销项时间；三级为整改建议，不设期限"),
        SheetDef(title="未整改隐患（截至制表时）", select=select_open, columns=COLUMNS, totals=True,
                 empty="当前没有未整改的隐患", unit="项"),
    ),
)
