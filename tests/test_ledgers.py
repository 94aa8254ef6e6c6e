"""Ledgers exported from a hall seeded through the services, read back with openpyxl (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from gasdesk import permissions
from gasdesk.clock import FixedClock
from gasdesk.models import Customer, Deadline, Payment, ServiceOrder
from gasdesk.permissions import Permission
from gasdesk.reports.ledgers import HEADER_ROW
from gasdesk.services.context import App
from gasdesk.services.errors import NotAllowed, NotFound, Refused
from gasdesk.services.ledgers import (
    LEDGERS,
    DashboardData,
    LedgerFilter,
    LedgerService,
    Selection,
    list_ledgers,
)
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.worklists import WorklistService
from gasdesk.validation import make_resident_id
from gasdesk.vocab import Role
from tests.helpers import Team, active_resident, make_team, resident

NEW_METER = {"meter_number": "M-NEW-{n}", "meter_model": "JBD4", "meter_rating": "G4", "initial_reading": "0.5"}
HOSTILE = '=HYPERLINK("http://evil.example","点我")\x07'


@dataclass
class Hall:
    team: Team
    first_day: date
    last_day: date
    complaint_number: str
    late_activation: str


def _meter(n: int) -> dict[str, str]:
    return {k: v.format(n=n) for k, v in NEW_METER.items()}


def seed_hall(app: App, clock: FixedClock, team: Team | None = None) -> Hall:
    """Orders of every ledger's kind, payments of every kind with a reversal, met, missed and overdue clocks."""
    team = team or make_team(app)
    first_day = clock.now().date()
    clerk, disp, handler = (OrderService(app, team.clerk), OrderService(app, team.dispatcher),
                            OrderService(app, team.handler))
    manager = OrderService(app, team.manager)

    # capacity change with a meter change and a fee (opened by the manager: a second clerk in the cash ledger)
    c, _ = active_resident(app, team, "赵一", meter="M-OLD-1", balance=Decimal("100"))
    o = manager.open("capacity_change", c.id, documents=["id_copy"], data={"direction": "increase",
                                                                           "requested_rating": "G4"})
    o = manager.perform(o.id, "accept")
    disp.perform(o.id, "meter_changed", {"final_reading": "123.456", **_meter(1), "fee": "150.00",
                                         "fee_method": "mobile"})

    # allowance change
    c, _ = active_resident(app, team, "钱二")
    o = clerk.open("allowance_change", c.id, documents=["id_copy", "property_proof", "community_certificate",
                                                         "household_register", "supply_agreement"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {"household_size": "6", "new_allowance": "520"})
    clerk.perform(o.id, "allowance_changed")

    # suspension with plugging and a fee
    c, _ = active_resident(app, team, "孙三")
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-12-01"})
    o = clerk.perform(o.id, "accept")
    o = clerk.perform(o.id, "with_plugging")
    disp.perform(o.id, "assign", {"crew": "封堵一班", "appointment_at": "2026-11-28 09:00"})
    disp.perform(o.id, "plugged", {"final_reading": "10", "fee": "50", "fee_method": "cash"})

    # closures: plugging (refund of a prepaid balance) and removal
    for name, path, balance in (("李四", "plugging", Decimal("20.10")), ("周五", "removal", Decimal("8.00"))):
        c, _ = active_resident(app, team, name, balance=balance)
        o = clerk.open("closure", c.id, documents=["id_copy", "property_proof", "property_mgmt"])
        o = clerk.perform(o.id, "documents_ok")
        o = clerk.perform(o.id, "application_signed")
        o = clerk.perform(o.id, "settled", {"settle_method": "card"})
        o = clerk.perform(o.id, path)
        disp.perform(o.id, "work_done", {"final_reading": "55.5", "fee": "120" if path == "removal" else "50",
                                         "fee_method": "cash"})

    # transfers: one refunds a prepaid balance, one collects arrears
    for name, balance in (("吴六", Decimal("88.80")), ("郑七", Decimal("-36.45"))):
        c, _ = active_resident(app, team, name, balance=balance)
        o = clerk.open("transfer", c.id, documents=["both_ids", "property_proof", "property_mgmt"])
        o = clerk.perform(o.id, "documents_ok")
        o = clerk.perform(o.id, "application_signed", {
            "new_name": f"{name}新", "new_id_type": "resident_id",
            "new_id_number": make_resident_id("520103", date(1990, 5, 6), 12), "new_phone": "13700000001"})
        o = clerk.perform(o.id, "settled", {"settle_method": "cash", "final_reading": "0"})
        o = clerk.perform(o.id, "owner_switched")
        clerk.perform(o.id, "agreement_signed")

    # complaints: two rounds then satisfied (with hostile text), an enquiry answered at the counter
    c = resident(app, team.clerk, "王八")
    o = clerk.open("complaint", c.id, data={"complaint_type": "complaint", "content": HOSTILE,
                                            "contact_phone": "13900000000"})
    o = clerk.perform(o.id, "refer", {"department": "distribution", "summary": "核实抢修人员服务态度"})
    o = handler.perform(o.id, "handled", {"result": "已批评教育"})
    o = clerk.perform(o.id, "review_passed")
    o = clerk.perform(o.id, "not_satisfied", reason="客户要求当面道歉")
    o = handler.perform(o.id, "handled", {"result": "班长上门道歉"})
    o = clerk.perform(o.id, "review_passed")
    complaint = clerk.perform(o.id, "satisfied", {"callback_note": "客户表示满意"})
    o = clerk.open("complaint", c.id, data={"complaint_type": "enquiry", "content": "咨询阶梯气价",
                                            "contact_phone": "0851-86201234"})
    clerk.perform(o.id, "enquiry_answered", {"answer": "已说明"})

    # a payment reversed by the manager
    _, act = active_resident(app, team, "冯九")
    p = PaymentService(app, team.clerk).prepay(act.account_id, "66.60", "cash")
    PaymentService(app, team.manager).reverse(p.id, "重复收费")

    # late: an activation whose visit comes 12 days later (its order clock is missed)
    c = resident(app, team.clerk, "陈十")
    late = clerk.open("activation", c.id, documents=["property_proof", "owner_id"])
    late = clerk.perform(late.id, "accept")
    # still open and overdue at the end: a meter change waiting for its visit, a complaint in handling
    c, _ = active_resident(app, team, "褚十一")
    waiting = clerk.open("capacity_change", c.id, documents=["id_copy"], data={"direction": "decrease",
                                                                                "requested_rating": "G1.6"})
    clerk.perform(waiting.id, "accept")
    c = resident(app, team.clerk, "卫十二")
    o = clerk.open("complaint", c.id, data={"complaint_type": "complaint", "content": "燃气表走字快",
                                            "contact_phone": "13900000001"})
    clerk.perform(o.id, "refer", {"department": "metering", "summary": "核实表具"})

    clock.advance(days=12)
    disp.perform(late.id, "work_done", _meter(2))
    PaymentService(app, team.clerk).prepay(act.account_id, "12.34", "card")
    return Hall(team=team, first_day=first_day, last_day=clock.now().date(), complaint_number=complaint.number,
                late_activation=late.number)


@pytest.fixture
def hall(app: App, clock: FixedClock) -> Hall:
    return seed_hall(app, clock)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for exports (the SQLite database lives in tmp_path itself)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def export(app: App, actor, name: str, tmp_path: Path, flt: LedgerFilter | None = None, **kw):  # type: ignore[no-untyped-def]
    """Export, then read the workbook back as a viewer that does not recalculate (cached values)."""
    path = tmp_path / f"{name}.xlsx"
    result = LedgerService(app, actor).export(name, flt, path, **kw)
    assert result.path == path and path.exists()
    return result, load_workbook(path, data_only=True)


TOTAL_LABEL = re.compile(r"^(合计|\S+小计)（\d+[条户]）$")
EMPTY_TEXT = re.compile(r"^(本期无|本期未|当前没有|截至日无)")


def data_rows(ws, totals: bool = True) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The data rows: after the header, without subtotal lines, up to the totals line or the end
    (`totals` is kept for old callers: the totals line is recognised by its label either way)."""
    rows = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        first = row[0]
        if all(v is None for v in row) or (isinstance(first, str) and EMPTY_TEXT.match(first)):
            break
        if isinstance(first, str) and TOTAL_LABEL.match(first):
            if first.startswith("合计"):
                break
            continue
        rows.append(row)
    return rows


def cells(ws, row: int) -> list:  # type: ignore[no-untyped-def]
    return list(next(ws.iter_rows(min_row=row, max_row=row)))


def header(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.value for c in cells(ws, HEADER_ROW)]


def col(ws, title: str) -> int:  # type: ignore[no-untyped-def]
    return header(ws).index(title)


def dec(value) -> Decimal:  # type: ignore[no-untyped-def]
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def count(app: App, stmt) -> int:  # type: ignore[no-untyped-def]
    with app.reading() as s:
        return int(s.scalar(stmt) or 0)


# --- every ledger: layout, headers, counts ------------------------------------------------------------

def test_list_names_every_ledger_with_its_title():
    assert list_ledgers() == [(d.name, d.title) for d in LEDGERS.values()]
    assert [n for n, _ in list_ledgers()] == ["business", "plugging", "allowance", "complaints", "meter_change",
                                              "transfer_closure", "cash_daily", "compliance", "overdue", "bills",
                                              "arrears_age", "write_offs", "bank_reconciliation"]
    assert dict(list_ledgers())["transfer_closure"] == "过户/销户台账"


def test_every_ledger_module_is_registered_once():
    """A module of the package that defines a LEDGER is listed in registry.MODULES (and nothing else is)."""
    import importlib
    import pkgutil

    import gasdesk.services.ledgers as package
    from gasdesk.services.ledgers.registry import MODULES

    defining = {m.name for m in pkgutil.iter_modules(package.__path__)
                if hasattr(importlib.import_module(f"{package.__name__}.{m.name}"), "LEDGER")}
    assert sorted(MODULES) == sorted(defining) and len(MODULES) == len(set(MODULES))


@pytest.mark.parametrize("name", list(LEDGERS))
def test_every_ledger_has_title_block_headers_frozen_row_and_autofilter(app, hall, tmp_path, name):
    result, wb = export(app, hall.team.manager, name, tmp_path)
    ledger = LEDGERS[name]
    assert len(wb.worksheets) == len(ledger.sheets)
    for ws, sheet, n in zip(wb.worksheets, ledger.sheets, result.sheet_rows, strict=True):
        assert ws["A1"].value.startswith("贵州燃气集团安顺市燃气有限责任公司") and ledger.title in ws["A1"].value
        assert "统计期间" in ws["A2"].value and "导出人：王强（管理人员）" in ws["A3"].value
        assert header(ws) == [c.header for c in sheet.columns]
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
        last = get_letter(len(sheet.columns))
        subtotals = 2 if name == "arrears_age" and ws.cell(HEADER_ROW + n + 1, 1).value != f"合计（{n}户）" else 0
        assert ws.auto_filter.ref == f"A{HEADER_ROW}:{last}{HEADER_ROW + max(n, 1) + subtotals}"
        rows = data_rows(ws)
        assert len(rows) == n
        if sheet.totals and n:
            assert ws.cell(HEADER_ROW + n + subtotals + 1, 1).value == f"合计（{n}{sheet.unit}）"
        if not n:
            assert ws.cell(HEADER_ROW + 1, 1).value.startswith(sheet.empty)
        for i, c in enumerate(sheet.columns, 1):  # wide enough for the header on two lines (CJK counts two)
            width = ws.column_dimensions[get_letter(i)].width
            assert width >= sum(1 for ch in c.header if ord(ch) > 0x2000)
    assert result.rows == sum(result.sheet_rows) and not result.masked


def get_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def test_business_ledger_holds_every_order_with_formats(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "business", tmp_path)
    ws = wb.active
    rows = data_rows(ws)
    with app.reading() as s:
        numbers = set(s.scalars(select(ServiceOrder.number)))
        ids = dict(s.execute(select(Customer.name, Customer.id_number)).all())
    assert {r[0] for r in rows} == numbers and result.rows == len(numbers)
    first = cells(ws, HEADER_ROW + 1)
    opened, id_cell, phone = first[col(ws, "受理时间")], first[col(ws, "证件号码")], first[col(ws, "联系电话")]
    assert isinstance(opened.value, datetime) and opened.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(id_cell.value, str) and id_cell.number_format == "@" and id_cell.data_type == "s"
    assert id_cell.value == ids[first[col(ws, "客户名称")].value] and len(id_cell.value) == 18
    assert isinstance(phone.value, str) and phone.number_format == "@"
    clocks = {r[0]: r[col(ws, "全程时限")] for r in rows}
    assert clocks[hall.late_activation] == "超时完成"
    assert "已超期" in clocks.values() and "无全程时限" in clocks.values()


def test_filters_narrow_the_rows(app, hall, tmp_path):
    with app.reading() as s:
        n_complaints = s.scalar(select(func.count()).where(ServiceOrder.kind == "complaint"))
        n_open = s.scalar(select(func.count()).where(ServiceOrder.status == "open"))
        n_manager = s.scalar(select(func.count()).where(ServiceOrder.opened_by_id == hall.team.manager.staff_id))
        dist = s.scalar(select(func.count()).where(ServiceOrder.department_id == hall.team.dispatcher.department_id))
    m = hall.team.manager
    assert export(app, m, "business", tmp_path, LedgerFilter(kind="complaint"))[0].rows == n_complaints == 3
    assert export(app, m, "business", tmp_path, LedgerFilter(status="open"))[0].rows == n_open
    assert export(app, m, "business", tmp_path, LedgerFilter(clerk_id=m.staff_id))[0].rows == n_manager == 1
    # the day of the late visit: only the late activation's... nothing was opened that day
    assert export(app, m, "business", tmp_path, LedgerFilter(date_from=hall.last_day))[0].rows == 0
    # department: the complaint handed to the distribution centre, plus open orders waiting in its steps
    result, wb = export(app, m, "business", tmp_path, LedgerFilter(department_id=hall.team.dispatcher.department_id))
    ws = wb.active
    assert {r[col(ws, "承办部门")] for r in data_rows(ws)} == {"输配中心"} and result.rows >= dist
    assert "部门=输配中心" in ws["A2"].value
    # a kind outside the ledger's flows gives an empty ledger, not an error
    assert export(app, m, "plugging", tmp_path, LedgerFilter(kind="complaint"))[0].rows == 0
    with pytest.raises(Refused, match="开始日期"):
        LedgerService(app, m).export("business", LedgerFilter(date_from=date(2026, 12, 2), date_to=date(2026, 12, 1)),
                                     tmp_path / "x.xlsx")
    with pytest.raises(NotFound, match="台账"):
        LedgerService(app, m).export("nope", None, tmp_path / "x.xlsx")


def test_filter_from_command_line_codes(app, hall):
    service = LedgerService(app, hall.team.manager)
    f = service.filter_from_codes(date_from=date(2026, 11, 1), kind="complaint", status="open",
                                  department="distribution", clerk="clerk")
    assert f == LedgerFilter(date_from=date(2026, 11, 1), kind="complaint", status="open",
                             department_id=hall.team.dispatcher.department_id, clerk_id=hall.team.clerk.staff_id)
    for bad in ({"kind": "nope"}, {"status": "nope"}, {"department": "nope"}, {"clerk": "nope"}):
        with pytest.raises(Refused):
            service.filter_from_codes(**bad)


# --- ledgers of one business --------------------------------------------------------------------------

def test_plugging_ledger(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "plugging", tmp_path)
    ws = wb.active
    rows = data_rows(ws)
    assert result.rows == 2
    assert sorted(r[col(ws, "封堵类别")] for r in rows) == ["暂停用气封堵", "销户封堵"]
    suspension = next(r for r in rows if r[col(ws, "封堵类别")] == "暂停用气封堵")
    assert suspension[col(ws, "作业班组")] == "封堵一班" and suspension[col(ws, "收费方式")] == "现金"
    assert isinstance(suspension[col(ws, "封堵完成时间")], datetime)
    total = cells(ws, HEADER_ROW + result.rows + 1)[col(ws, "封堵费（元）")]
    assert dec(total.value) == Decimal("100.00")  # the suspension's and the closure's, both by the schedule
    assert total.number_format == "#,##0.00"
    reading = cells(ws, HEADER_ROW + 1)[col(ws, "封堵时表读数（m³）")]
    assert reading.number_format == "#,##0.000"


def test_allowance_ledger(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "allowance", tmp_path)
    ws = wb.active
    (row,) = data_rows(ws)
    assert row[col(ws, "家庭人口（人）")] == 6
    assert (row[col(ws, "原年用气基数（m³）")], row[col(ws, "变更后年用气基数（m³）")], row[col(ws, "变更量（m³）")]) == (
        350, 520, 170)


def test_complaints_ledger(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "complaints", tmp_path)
    ws = wb.active
    rows = {r[0]: r for r in data_rows(ws)}
    assert result.rows == 3
    done = rows[hall.complaint_number]
    assert done[col(ws, "转办部门")] == "输配中心" and done[col(ws, "处理结果")] == "班长上门道歉"
    assert done[col(ws, "回访/答复记录")] == "客户表示满意" and done[col(ws, "满意度")] == "回访满意"
    assert done[col(ws, "处理轮次")] == 2 and done[col(ws, "类别")] == "投诉"
    # text that looks like a formula stays text; characters an .xlsx cannot hold are dropped
    content = cells(ws, HEADER_ROW + 1 + list(rows).index(hall.complaint_number))[col(ws, "投诉/咨询内容")]
    assert content.data_type == "s" and content.value == HOSTILE.rstrip("\x07")
    satisfaction = {r[col(ws, "满意度")] for r in rows.values()}
    assert satisfaction == {"回访满意", "咨询已答复", "处理中"}
    totals = cells(ws, HEADER_ROW + 4)
    assert totals[0].value == "合计（3条）" and totals[col(ws, "处理轮次")].value is None  # rounds do not add up


def test_meter_change_ledger(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "meter_change", tmp_path)
    ws = wb.active
    rows = data_rows(ws)
    assert result.rows == 2
    done = next(r for r in rows if r[col(ws, "办理状态")] == "已归档")
    assert (done[col(ws, "原表号")], done[col(ws, "新表号")], done[col(ws, "增/减容")]) == ("M-OLD-1", "M-NEW-1", "增容")
    assert done[col(ws, "旧表止数（m³）")] == pytest.approx(123.456) and done[col(ws, "新表起始读数（m³）")] == 0.5
    assert dec(done[col(ws, "换表费（元）")]) == Decimal("150.00") and done[col(ws, "收费方式")] == "移动支付"
    waiting = next(r for r in rows if r[col(ws, "办理状态")] == "办理中")
    assert waiting[col(ws, "原表号")] and waiting[col(ws, "新表号")] is None


def test_a_flow_declares_a_ledger_of_its_own_orders(app, hall, tmp_path, monkeypatch):
    """A ledger a flow declares (FlowDef.own_ledgers) lists its orders with the values it records, each
    column headed by its field's label and read by the field's kind; the registry picks it up."""
    from dataclasses import replace

    from gasdesk.flows.definition import OrderLedger
    from gasdesk.flows.registry import ALL_FLOWS
    from gasdesk.services.ledgers.flow_ledgers import flow_ledgers, ledger_of

    spec = OrderLedger("meter_changes", "换表记录",
                       fields=("direction", "final_reading", "meter_number", "fee", "fee_method"))
    flow = replace(ALL_FLOWS["capacity_change"], own_ledgers=(spec,))
    monkeypatch.setitem(ALL_FLOWS, flow.kind, flow)
    assert [d.name for d in flow_ledgers()] == ["meter_changes"]
    monkeypatch.setitem(LEDGERS, spec.name, ledger_of(flow, spec))
    result, wb = export(app, hall.team.manager, spec.name, tmp_path)
    ws = wb.active
    assert header(ws) == ["业务单号", "受理时间", "客户编号", "客户名称", "证件号码", "联系电话", "用气地址",
                          "增容或减容", "旧表止数（m³）", "表号", "收费金额（元）", "收费方式",
                          "当前环节", "办理状态", "办结时间", "受理人"]
    rows = data_rows(ws)
    assert result.rows == 2
    done = next(r for r in rows if r[col(ws, "办理状态")] == "已归档")
    assert (done[col(ws, "增容或减容")], done[col(ws, "表号")], done[col(ws, "收费方式")]) == ("增容", "M-NEW-1", "移动支付")
    assert done[col(ws, "旧表止数（m³）")] == pytest.approx(123.456) and dec(done[col(ws, "收费金额（元）")]) == 150
    waiting = next(r for r in rows if r[col(ws, "办理状态")] == "办理中")
    assert waiting[col(ws, "增容或减容")] == "减容" and waiting[col(ws, "表号")] is None
    totals = cells(ws, HEADER_ROW + 3)
    assert totals[0].value == "合计（2条）" and dec(totals[col(ws, "收费金额（元）")].value) == 150


def test_a_flow_ledger_naming_a_value_the_flow_does_not_record_is_refused_at_once():
    from dataclasses import replace

    from gasdesk.flows.definition import OrderLedger
    from gasdesk.flows.registry import ALL_FLOWS
    from gasdesk.services.ledgers.flow_ledgers import ledger_of

    spec = OrderLedger("typo", "错误的台账", fields=("fee", "no_such_value"))
    with pytest.raises(KeyError, match="no_such_value"):
        ledger_of(replace(ALL_FLOWS["capacity_change"], own_ledgers=(spec,)), spec)


def test_transfer_closure_ledger(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "transfer_closure", tmp_path)
    ws = wb.active
    rows = data_rows(ws)
    assert result.rows == 4
    by_name = {r[col(ws, "原户名")]: r for r in rows}
    assert dec(by_name["吴六"][col(ws, "退还预存款（元）")]) == Decimal("88.80")
    assert by_name["吴六"][col(ws, "收取欠费（元）")] is None
    assert dec(by_name["郑七"][col(ws, "收取欠费（元）")]) == Decimal("36.45")
    assert by_name["吴六"][col(ws, "新户名")] == "吴六新" and by_name["吴六"][col(ws, "新客户编号")]
    assert by_name["郑七"][col(ws, "退还预存款（元）")] is None
    assert by_name["李四"][col(ws, "设施处置")] == "封堵" and by_name["周五"][col(ws, "设施处置")] == "拆除"
    assert isinstance(by_name["吴六"][col(ws, "新户主证件号码")], str)
    total = cells(ws, HEADER_ROW + 5)
    assert dec(total[col(ws, "退还预存款（元）")].value) == Decimal("88.80") + Decimal("20.10") + Decimal("8.00")
    assert dec(total[col(ws, "收取欠费（元）")].value) == Decimal("36.45")


# --- money: the daily cash ledger reconciles to the payment table --------------------------------------

def test_cash_daily_reconciles_to_the_payments(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "cash_daily", tmp_path)
    summary, detail = wb.worksheets
    with app.reading() as s:
        payments = s.scalars(select(Payment)).all()
        names = {hall.team.clerk.staff_id: "李娜", hall.team.manager.staff_id: "王强",
                 hall.team.dispatcher.staff_id: "刘洋"}
        by_kind = {k: sum((p.amount for p in payments if p.kind == k), Decimal("0.00"))
                   for k in ("fee", "arrears", "prepay", "refund")}
        reversal = sum((p.cash_effect for p in payments if p.kind == "reversal"), Decimal("0.00"))
        net = sum((p.cash_effect for p in payments), Decimal("0.00"))
        cash = sum((p.cash_effect for p in payments if p.method == "cash"), Decimal("0.00"))
        balance = sum((p.balance_effect for p in payments), Decimal("0.00"))
        kinds = {p.kind for p in payments}
        receipts = sorted(p.receipt_number for p in payments)
    assert kinds == {"fee", "arrears", "prepay", "refund", "reversal"}
    rows = data_rows(summary)
    total = cells(summary, HEADER_ROW + len(rows) + 1)
    h = header(summary)
    t = {h[i]: c.value for i, c in enumerate(total)}
    assert t["笔数"] == len(payments) == result.sheet_rows[1]
    assert dec(t["业务收费"]) == by_kind["fee"] and dec(t["收取欠费"]) == by_kind["arrears"]
    assert dec(t["预存"]) == by_kind["prepay"] and dec(t["预存款退费"]) == by_kind["refund"]
    assert dec(t["冲正（净额）"]) == reversal < 0
    assert dec(t["收付净额"]) == net == by_kind["fee"] + by_kind["arrears"] + by_kind["prepay"] - by_kind[
        "refund"] + reversal
    assert dec(t["其中：现金"]) == cash and dec(t["其中：非现金"]) == net - cash
    for r in rows:  # every line adds up the same way
        fee, arrears, prepay, refund, rev, line_net = (dec(r[h.index(k)]) for k in (
            "业务收费", "收取欠费", "预存", "预存款退费", "冲正（净额）", "收付净额"))
        assert line_net == fee + arrears + prepay - refund + rev
    assert {r[0] for r in rows} == {hall.first_day, hall.last_day} or all(
        isinstance(r[0], datetime) for r in rows)
    assert {r[1] for r in rows} <= set(names.values()) and "王强" in {r[1] for r in rows}
    day_cell = cells(summary, HEADER_ROW + 1)[0]
    assert day_cell.number_format == "yyyy-mm-dd" and day_cell.value.date() in (hall.first_day, hall.last_day)
    assert all(c.number_format == "#,##0.00" for c in total[3:])
    # the detail sheet: one line per payment, totals equal to the table's sums
    d_rows = data_rows(detail)
    dh = header(detail)
    assert sorted(r[0] for r in d_rows) == receipts
    d_total = cells(detail, HEADER_ROW + len(d_rows) + 1)
    assert dec(d_total[dh.index("现金收付（元）")].value) == net
    assert dec(d_total[dh.index("账户余额变动（元）")].value) == balance
    reversed_line = next(r for r in d_rows if r[dh.index("类别")] == "冲正")
    assert reversed_line[dh.index("被冲正收据号")] and reversed_line[dh.index("备注")] == "重复收费"


def test_cash_daily_per_clerk_and_day(app, hall, tmp_path):
    clerk = hall.team.clerk
    flt = LedgerFilter(date_from=hall.last_day, date_to=hall.last_day, clerk_id=clerk.staff_id)
    result, wb = export(app, hall.team.manager, "cash_daily", tmp_path, flt)
    with app.reading() as s:
        expected = s.scalars(select(Payment.cash_effect).where(
            Payment.staff_id == clerk.staff_id, Payment.at >= datetime.combine(hall.last_day, datetime.min.time()))).all()
    (row,) = data_rows(wb.worksheets[0])
    assert row[1] == "李娜" and row[2] == len(expected) == 1
    assert dec(row[8]) == sum(expected, Decimal("0.00")) == Decimal("12.34")
    assert dec(row[10]) == Decimal("12.34")  # paid by card: not cash


# --- deadlines: compliance statistics and the overdue list ----------------------------------------------

def test_compliance_counts_finished_clocks_with_a_chart(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "compliance", tmp_path)
    detail, trend, emergencies, rates, clocks = wb.worksheets
    assert emergencies.title == "抢险抢修到场" and rates.title == "服务承诺指标"
    with app.reading() as s:
        met = s.scalar(select(func.count()).where(Deadline.status == "met"))
        missed = s.scalar(select(func.count()).where(Deadline.status == "missed"))
    assert missed >= 1 and met >= 1
    assert clocks.title == "时限明细" and len(data_rows(clocks, totals=False)) == met + missed
    clock_rows = data_rows(clocks, totals=False)
    assert all(not r[col(clocks, "核对")] for r in clock_rows)  # every stored result agrees with the rule
    h = header(detail)
    rows = data_rows(detail)
    total = cells(detail, HEADER_ROW + len(rows) + 1)
    assert (total[h.index("完成数")].value, total[h.index("按时完成")].value, total[h.index("超时完成")].value) == (
        met + missed, met, missed)
    rate = total[h.index("达标率")]
    assert rate.number_format == "0.0%" and rate.value == pytest.approx(met / (met + missed), abs=1e-4)
    assert all(r[h.index("完成数")] == r[h.index("按时完成")] + r[h.index("超时完成")] for r in rows)
    late = [r for r in rows if r[h.index("超时完成")]]
    assert any(r[1] == "用户开通" and r[2] == "全程时限" and r[0] == f"{hall.last_day:%Y-%m}" for r in late)
    months = data_rows(trend)
    assert [m[0] for m in months] == sorted({f"{hall.first_day:%Y-%m}", f"{hall.last_day:%Y-%m}"})
    assert sum(m[1] for m in months) == met + missed
    with zipfile.ZipFile(tmp_path / "compliance.xlsx") as z:
        chart = next(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = z.read(chart).decode()
    assert "<barChart>" in xml and "<lineChart>" in xml and "按月趋势" in xml and '<grouping val="stacked"/>' in xml


def test_overdue_ledger_lists_what_is_late_now(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "overdue", tmp_path)
    ws = wb.active
    rows = data_rows(ws)
    assert result.rows == WorklistService(app, hall.team.manager).count_overdue() == 2
    h = header(ws)
    depts = {r[h.index("业务类型")]: r[h.index("责任部门")] for r in rows}
    assert depts == {"投诉": "抄表组", "增/减容（换表）": "输配中心"}
    for r in rows:
        assert r[h.index("超期天数")] > 0 and r[h.index("超期工作日")] >= 1
        assert isinstance(r[h.index("应完成时间")], datetime)
    assert cells(ws, HEADER_ROW + 1)[h.index("超期天数")].number_format == "0.0"
    assert "截至" in ws["A2"].value
    only = LedgerFilter(department_id=hall.team.dispatcher.department_id)
    assert export(app, hall.team.manager, "overdue", tmp_path, only)[0].rows == 1


# --- who may export, and what they see ------------------------------------------------------------------

def test_roles_without_the_permission_are_refused(app, hall, out):
    for actor in (hall.team.clerk, hall.team.dispatcher, hall.team.handler, hall.team.account_manager):
        with pytest.raises(NotAllowed):
            LedgerService(app, actor).export("business", None, out / "x.xlsx")
        with pytest.raises(NotAllowed):
            DashboardData(app, actor)
    assert list(out.iterdir()) == []


def test_ids_and_phones_masked_for_a_role_without_full_id(app, hall, tmp_path, monkeypatch):
    # an office that lets its counter clerks export ledgers, but not see full ID numbers
    clerk_perms = permissions.ROLE_PERMISSIONS[Role.CLERK] | {Permission.EXPORT_LEDGERS}
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, Role.CLERK, clerk_perms)
    masked, wb = export(app, hall.team.clerk, "business", tmp_path)
    full, wb_full = export(app, hall.team.manager, "transfer_closure", tmp_path)
    ws = wb.active
    rows = data_rows(ws)
    assert masked.masked and not full.masked and "已脱敏" in ws["A3"].value
    for r in rows:
        id_number, phone = r[col(ws, "证件号码")], r[col(ws, "联系电话")]
        assert "*" in id_number and len(id_number) == 18 and id_number[:4].isdigit()
        assert "*" in phone
    _, wb_clerk_tc = export(app, hall.team.clerk, "transfer_closure", tmp_path)
    ws_c, ws_m = wb_clerk_tc.active, wb_full.active
    new_id = col(ws_m, "新户主证件号码")
    clerk_ids = [r[new_id] for r in data_rows(ws_c) if r[new_id]]
    manager_ids = [r[new_id] for r in data_rows(ws_m) if r[new_id]]
    assert len(clerk_ids) == len(manager_ids) == 2
    assert all("*" in v for v in clerk_ids) and all("*" not in v for v in manager_ids)


def test_exports_are_audited(app, hall, tmp_path):
    from gasdesk.models import AuditEntry

    export(app, hall.team.manager, "complaints", tmp_path)
    with app.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "ledger")).one()
        assert entry.entity_id == "complaints" and entry.action == "export"
        assert entry.changes["rows"] == [None, 3] and entry.changes["masked"] == [None, False]


# --- cancelling and failing leave nothing behind ------------------------------------------------------

def _openpyxl_temp_files() -> list[str]:
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    return [p for p in ALL_TEMP_FILES if os.path.exists(p)]


def test_cancelled_export_leaves_no_file(app, hall, out):
    calls = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 3  # the user presses 取消 after the third row

    before = _openpyxl_temp_files()
    result = LedgerService(app, hall.team.manager).export("business", None, out / "b.xlsx", progress=progress,
                                                          tick_every=1)
    assert result.cancelled and result.path is None
    assert calls[0] == (0, calls[0][1]) and calls[0][1] > 3 and calls[-1][0] == 3
    assert list(out.iterdir()) == []
    assert _openpyxl_temp_files() == before
    # cancelled before the first row
    result = LedgerService(app, hall.team.manager).export("business", None, out / "b.xlsx",
                                                          progress=lambda d, t: False)
    assert result.cancelled and list(out.iterdir()) == []


def test_failed_export_leaves_no_file_and_keeps_an_older_one(app, hall, out, monkeypatch):
    from dataclasses import replace

    from gasdesk.services.ledgers import business

    target = out / "b.xlsx"
    target.write_bytes(b"yesterday's ledger")
    first = business.LEDGER.sheets[0].columns[0]
    seen = []

    def broken(q, r):  # type: ignore[no-untyped-def]
        seen.append(r)
        if len(seen) > 5:
            raise RuntimeError("disk on fire")
        return first.cell(q, r)

    spec = business.LEDGER.sheets[0]
    sheet = replace(spec, columns=(first.but(cell=broken), *spec.columns[1:]))
    monkeypatch.setitem(LEDGERS, "business", replace(business.LEDGER, sheets=(sheet,)))
    with pytest.raises(RuntimeError, match="disk on fire"):
        LedgerService(app, hall.team.manager).export("business", None, target)
    assert [p.name for p in out.iterdir()] == ["b.xlsx"] and target.read_bytes() == b"yesterday's ledger"


def test_export_counts_progress_up_to_the_total(app, hall, tmp_path):
    seen: list[tuple[int, int]] = []
    LedgerService(app, hall.team.manager).export("cash_daily", None, tmp_path / "c.xlsx",
                                                 progress=lambda d, t: seen.append((d, t)) or True, tick_every=2)
    total = seen[0][1]
    assert seen[0][0] == 0 and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    with app.reading() as s:
        n_pay = s.scalar(select(func.count()).select_from(Payment))
    assert total > n_pay  # the summary lines and the payment lines


# --- the dashboard's figures --------------------------------------------------------------------------

def test_dashboard_figures_and_the_orders_behind_a_bar(app, hall):
    data = DashboardData(app, hall.team.manager)
    snap = data.snapshot()
    with app.reading() as s:
        n_open = s.scalar(select(func.count()).where(ServiceOrder.status == "open"))
    assert snap.open_total == n_open == 2 and snap.overdue_total == 2
    by_kind = {f.kind: f.counts for f in snap.by_flow}
    assert by_kind["capacity_change"]["overdue"] == 1 and by_kind["complaint"]["overdue"] == 1
    assert len(snap.trend) == 12 and snap.trend[-1].month == f"{hall.last_day:%Y-%m}"
    assert sum(m.count for m in snap.trend) == count(app, select(func.count()).where(
        Deadline.status.in_(("met", "missed"))))
    assert {d.name: d.count for d in snap.overdue} == {"输配中心": 1, "抄表组": 1}
    # today (the late visit's day): one payment by the clerk, no order opened
    (load,) = snap.workload
    assert (load.name, load.orders, load.payments, load.cash) == ("李娜", 0, 1, Decimal("12.34"))
    listed = data.orders(Selection("flow_state", ("complaint", "overdue")))
    assert [o.kind_label for o in listed] == ["投诉"] and listed[0].department == "抄表组"
    (meter_change,) = data.orders(Selection("overdue", "输配中心"))
    assert meter_change.kind_label == "增/减容（换表）" and meter_change.due_at is not None
    missed = data.orders(Selection("month", (f"{hall.last_day:%Y-%m}", "missed")))
    assert hall.late_activation in {o.number for o in missed}
    assert data.orders(Selection("workload", hall.team.clerk.staff_id)) == []


def test_cli_export_and_list(app, tmp_path, capsys):
    from openpyxl import load_workbook

    from gasdesk.cli import main
    from tests.helpers import active_resident, make_team

    team = make_team(app)
    active_resident(app, team)
    assert main(["--db", app.url, "export", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "business\t业务受理台账" in listed and len(listed) >= 9
    out = tmp_path / "b.xlsx"
    assert main(["--db", app.url, "export", "business", "--from", "2026-11-01", "--to", "2026-11-30",
                 "--out", str(out)]) == 0
    assert "已导出 1 行" in capsys.readouterr().out
    cells = [c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("KT-20261127-") for c in cells)
    assert main(["--db", app.url, "export", "nosuch", "--out", str(out)]) == 1


# --- printing: print setup, totals that follow filters, widths, honest figures -------------------------

def test_every_sheet_is_set_up_for_printing(app, hall, tmp_path):
    for name, ledger in LEDGERS.items():
        _, wb = export(app, hall.team.manager, name, tmp_path)
        for ws, sheet in zip(wb.worksheets, ledger.sheets, strict=True):
            setup = ws.page_setup
            assert setup.paperSize == 9 and setup.fitToWidth == 1 and setup.fitToHeight == 0
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            widths = sum(ws.column_dimensions[get_letter(i)].width for i in range(1, len(sheet.columns) + 1))
            assert setup.orientation == ("landscape" if widths > 100 else "portrait"), (name, widths)
            assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
            assert ws.oddHeader.left.text == "贵州燃气集团安顺市燃气有限责任公司" and ledger.title in ws.oddHeader.center.text
            assert ws.oddHeader.right.text.startswith("统计期间：")
            assert ws.oddFooter.center.text == "第 &P 页 共 &N 页" and "&D &T" in ws.oddFooter.right.text
            assert "王强" in ws.oddFooter.left.text
            assert ws.page_margins.top >= 0.75 and ws.page_margins.left <= 0.5
            signed = ws.cell(ws.max_row, 1).value
            if sheet.signatures:
                assert signed.startswith(f"{sheet.signatures[0]}：") and "审核：" in signed
            else:
                assert "审核" not in str(signed)
    assert LEDGERS["plugging"].sheets[0].signatures and not LEDGERS["overdue"].sheets[0].signatures


def test_totals_are_subtotal_formulas_carrying_their_values(app, hall, tmp_path):
    result, cached = export(app, hall.team.manager, "cash_daily", tmp_path)
    formulas = load_workbook(tmp_path / "cash_daily.xlsx")
    for ws_f, ws_v, n in zip(formulas.worksheets, cached.worksheets, result.sheet_rows, strict=True):
        row = HEADER_ROW + n + 1
        h = header(ws_f)
        for i, column in enumerate(LEDGERS["cash_daily"].sheets[formulas.worksheets.index(ws_f)].columns):
            f, v = ws_f.cell(row, i + 1).value, ws_v.cell(row, i + 1).value
            letter = get_letter(i + 1)
            if i == 0:
                assert f == f'="合计（"&SUBTOTAL(103,A{HEADER_ROW + 1}:A{row - 1})&"条）"' and v == f"合计（{n}条）"
            elif column.total:
                assert f == f"=SUBTOTAL(109,{letter}{HEADER_ROW + 1}:{letter}{row - 1})", h[i]
                expected = sum(dec(r[i]) for r in data_rows(ws_v)) if column.type == "money" else sum(
                    r[i] or 0 for r in data_rows(ws_v))
                assert isinstance(v, int | float) and dec(v) == dec(expected), h[i]
            else:
                assert f is None and v is None
    # the cached values are in the file itself, for viewers that do not recalculate
    with zipfile.ZipFile(tmp_path / "cash_daily.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>SUBTOTAL(109,D5:D" in xml and "<v></v>" not in xml and "<v/>" not in xml


def test_rates_are_ratios_of_the_subtotals(app, hall, tmp_path):
    _, cached = export(app, hall.team.manager, "compliance", tmp_path)
    formulas = load_workbook(tmp_path / "compliance.xlsx")
    ws_f, ws_v = formulas.worksheets[0], cached.worksheets[0]
    n = len(data_rows(ws_v))
    rate = ws_f.cell(HEADER_ROW + n + 1, col(ws_f, "达标率") + 1).value
    last = HEADER_ROW + n
    assert rate == f'=IF((SUBTOTAL(109,E5:E{last}))=0,"",(SUBTOTAL(109,F5:F{last}))/(SUBTOTAL(109,E5:E{last})))'
    done, met = (ws_v.cell(last + 1, col(ws_v, h) + 1).value for h in ("完成数", "按时完成"))
    assert ws_v.cell(last + 1, col(ws_v, "达标率") + 1).value == pytest.approx(met / done, abs=1e-4)


def test_business_department_is_the_step_department_for_every_order(app, hall, tmp_path):
    _, wb = export(app, hall.team.manager, "business", tmp_path)
    ws = wb.active
    rows = data_rows(ws)
    assert rows and all(r[col(ws, "承办部门")] for r in rows)
    by_number = {r[0]: r for r in rows}
    # ended orders: the department of the last step before the end
    assert by_number[hall.complaint_number][col(ws, "承办部门")] == "客户服务部"  # its last step: the call back
    assert by_number[hall.late_activation][col(ws, "承办部门")] == "输配中心"  # the visit
    archived = [r for r in rows if r[col(ws, "办理状态")] == "已归档"]
    assert {r[col(ws, "当前环节")] for r in archived} == {"归档"}
    # the department filter selects the same orders the column names
    result, wb = export(app, hall.team.manager, "business", tmp_path,
                        LedgerFilter(department_id=hall.team.dispatcher.department_id))
    ws = wb.active
    names = [r[col(ws, "承办部门")] for r in data_rows(ws)]
    assert names and set(names) == {"输配中心"}
    assert len(names) == sum(1 for r in rows if r[col(ws, "承办部门")] == "输配中心")


def test_empty_sheet_says_why(app, hall, tmp_path):
    result, wb = export(app, hall.team.manager, "compliance", tmp_path)
    ws = wb["抢险抢修到场"]
    assert result.sheet_rows[2] == 0
    assert ws.cell(HEADER_ROW + 1, 1).value == "本期无抢险抢修记录（统计期间内没有抢险抢修报修）"
    assert not any(str(ws.cell(r, 1).value or "").startswith("合计") for r in range(1, ws.max_row + 1))
    m = hall.team.manager
    _, wb = export(app, m, "plugging", tmp_path, LedgerFilter(kind="closure", date_from=hall.last_day))
    assert wb.active.cell(HEADER_ROW + 1, 1).value == "本期无封堵业务记录（筛选条件：业务类型=客户销户）"


def test_column_widths_follow_display_width_and_long_text_wraps(tmp_path):
    from openpyxl.utils import get_column_letter

    from gasdesk.reports.ledgers import LedgerColumn, SheetData, TitleBlock, display_width, write_workbook
    from gasdesk.reports.ledgers.layout import TEXT_CAP, lines_needed

    assert display_width("燃气abc") == 7 and display_width("ＡＢ") == 4
    assert lines_needed("中" * 30, 20) == 3 and lines_needed("a" * 10, 20) == 1
    columns = [LedgerColumn("名称"), LedgerColumn("编号"), LedgerColumn("备注")]
    rows: list[tuple[str, str, str]] = [("燃气公司", "AB-1", "短")] * 400
    rows.append(("贵州某某餐饮管理有限公司花果园第二分店", "AB-2", "长" * 60))  # after the sampled rows
    path = tmp_path / "w.xlsx"
    write_workbook(path, TitleBlock("公司", "测试", "全部", datetime(2026, 11, 1), "王强"),
                   [SheetData("测试", columns, rows)])
    ws = load_workbook(path).active
    width = {i: ws.column_dimensions[get_column_letter(i)].width for i in (1, 2, 3)}
    assert width[1] == display_width("燃气公司") + 2 and width[2] == 6  # the least width
    last = HEADER_ROW + len(rows)
    assert ws.cell(last, 1).alignment.wrap_text and ws.cell(last, 3).value == "长" * 60
    lines = lines_needed("长" * 60, (width[3] - 1) * 0.92)
    assert lines >= 5 and ws.row_dimensions[last].height == 15 * lines
    assert ws.row_dimensions[last - 1].height is None
    assert max(width.values()) <= TEXT_CAP


def test_arrears_age_marks_closed_accounts_and_subtotals_them_apart(app, clock, tmp_path):
    from gasdesk.models import Account
    from tests.test_billing import read

    team = make_team(app)
    _, open_act = active_resident(app, team, "甲户", meter="M-A1")
    _, closed_act = active_resident(app, team, "乙户", meter="M-A2")
    read(app, team.clerk, clock, "M-A1", 2026, 12, 15, "100")
    read(app, team.clerk, clock, "M-A2", 2026, 12, 15, "50")
    with app.unit_of_work() as s:  # an account closed while it still owed (e.g. moved from the old system)
        s.get(Account, closed_act.account_id).status = "closed"
    clock.set(datetime(2027, 1, 10, 10, 0))
    _, wb = export(app, team.manager, "arrears_age", tmp_path, LedgerFilter(None, date(2027, 1, 10)))
    ws = wb.active
    values = [tuple(c.value for c in cells(ws, r)) for r in range(HEADER_ROW + 1, HEADER_ROW + 6)]
    owed = col(ws, "欠费合计（元）")
    assert values[0][0] == open_act.account_number and values[0][col(ws, "备注")] is None
    assert values[1][0] == "在用账户小计（1户）" and dec(values[1][owed]) == dec(values[0][owed])
    assert values[2][0] == closed_act.account_number and values[2][col(ws, "备注")] == "已销户，欠费未结清"
    assert values[2][col(ws, "账户状态")] == "已销户"
    assert values[3][0] == "已销户账户小计（1户）" and dec(values[3][owed]) == dec(values[2][owed])
    assert values[4][0] == "合计（2户）" and dec(values[4][owed]) == dec(values[0][owed]) + dec(values[2][owed])
    formulas = load_workbook(tmp_path / "arrears_age.xlsx").active
    letter = get_letter(owed + 1)
    assert formulas.cell(HEADER_ROW + 4, owed + 1).value == f"=SUBTOTAL(109,{letter}7:{letter}7)"
    assert formulas.cell(HEADER_ROW + 5, owed + 1).value == f"=SUBTOTAL(109,{letter}5:{letter}8)"


# --- the PDF ----------------------------------------------------------------------------------------

def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def test_pdf_of_a_ledger(app, hall, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "plugging.pdf"
    result = LedgerService(app, hall.team.manager).export("plugging", None, path)
    assert result.path == path and result.rows == 2
    (page,) = pdf_pages(path)
    for text in ("贵州燃气集团安顺市燃气有限责任公司", "封堵业务受理台账", "统计期间", "业务单号", "封堵一班", "暂停用气封堵",
                 "合计（2条）", "50.00", "第 1 页 共 1 页", "制表：", "审核：", "导出：2026-12-09"):
        assert text in page, text
    box = PdfReader(path).pages[0].mediabox
    assert box.width > box.height  # 17 columns: landscape
    # every sheet of the ledger, each on its own page, an empty one saying why
    path = tmp_path / "compliance.pdf"
    LedgerService(app, hall.team.manager).export("compliance", None, path)
    pages = pdf_pages(path)
    assert len(pages) == 5 and "达标率" in pages[0]
    assert ["本期无抢险抢修记录" in p for p in pages] == [False, False, True, False, False]
    assert "服务承诺指标" in pages[3] and "本期无已结案的抢险抢修，也无办结的表具校验/更换" in pages[3]
    assert all(f"共 {len(pages)} 页" in p for p in pages)


def test_pdf_repeats_the_header_on_every_page(tmp_path):
    from gasdesk.reports.ledgers import SheetData, TitleBlock
    from gasdesk.reports.ledgers.pdf import write_pdf

    spec = LEDGERS["transfer_closure"].sheets[0]
    row = ("GH-1", "客户过户", datetime(2026, 11, 2, 9), "C1", "张三", "520102198001020019", "13900000000",
           "贵阳市南明区花果园二期中央商务区5栋1单元2801号", "A1", Decimal("12.30"), None, "现金", "SJ-1", "李四",
           "C2", "520102199001020019", "13900000001", "", Decimal("1.5"), "归档", "已归档", datetime(2026, 11, 3),
           "李娜")
    rows = [row] * 150 + [(*row[:9], None, Decimal("-0.00") + Decimal("7.70"), *row[11:])]
    path = tmp_path / "t.pdf"
    counts = write_pdf(path, TitleBlock("贵州燃气集团安顺市燃气有限责任公司", "过户/销户台账", "全部", datetime(2026, 12, 1, 9), "王强"),
                       [SheetData(spec.title, spec.ledger_columns, rows, totals=True, signatures=("制表", "审核"))])
    pages = pdf_pages(path)
    assert counts == [151] and len(pages) >= 3
    for i, page in enumerate(pages, 1):
        assert "业务单号" in page and "退还预存款" in page and f"第 {i} 页 共 {len(pages)} 页" in page
    assert "1,845.00" in pages[-1] and "7.70" in pages[-1] and "合计（151条）" in pages[-1]


def test_pdf_too_long_is_refused_and_cancelling_leaves_nothing(app, hall, out, monkeypatch):
    monkeypatch.setattr(LedgerService, "pdf_row_limit", 5)
    with pytest.raises(Refused, match="超过 PDF 的 5 行上限"):
        LedgerService(app, hall.team.manager).export("business", None, out / "b.pdf")
    result = LedgerService(app, hall.team.manager).export("plugging", None, out / "p.pdf",
                                                          progress=lambda d, t: d < 1, tick_every=1)
    assert result.cancelled and list(out.iterdir()) == []


# --- the printed look, through LibreOffice when it is installed -------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice_pages(xlsx: Path, folder: Path) -> int:
    """Pages LibreOffice prints the workbook on (every sheet)."""
    from pypdf import PdfReader

    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    return len(PdfReader(folder / f"{xlsx.stem}.pdf").pages)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: the printed page count "
                                            "cannot be checked here; the print setup is checked with openpyxl")
def test_printed_page_counts_through_libreoffice(app, hall, tmp_path):
    from gasdesk.reports.ledgers import SheetData, TitleBlock, write_workbook

    # 52 plugging rows fit on 2 landscape pages, one page wide
    spec = LEDGERS["plugging"].sheets[0]
    row = ("ZT-20261127-0001", "暂停用气封堵", datetime(2026, 11, 1, 9), "C000000001", "王小明", "13900000000",
           "贵阳市南明区花果园二期中央商务区5栋1单元2801号", "A0001", "M1", "封堵一班", datetime(2026, 11, 2, 9),
           datetime(2026, 11, 2, 10), Decimal("12.345"), Decimal("50.00"), "现金", "已归档", "李娜")
    path = tmp_path / "plugging52.xlsx"
    write_workbook(path, TitleBlock("贵州燃气集团安顺市燃气有限责任公司", "封堵业务受理台账", "全部", datetime(2026, 12, 1), "王强"),
                   [SheetData(spec.title, spec.columns, [row] * 52, totals=True, signatures=("制表", "审核"))])
    assert soffice_pages(path, tmp_path) == 2
    # every ledger of the hall: a handful of rows per sheet, one page per sheet
    for name, ledger in LEDGERS.items():
        export(app, hall.team.manager, name, tmp_path)
        assert soffice_pages(tmp_path / f"{name}.xlsx", tmp_path) == len(ledger.sheets), name


def test_cli_export_prints_landscape_and_pdf(app, hall, tmp_path, capsys):
    from pypdf import PdfReader

    from gasdesk.cli import main

    xlsx = tmp_path / "f.xlsx"
    args = ["--db", app.url, "export", "plugging", "--from", f"{hall.first_day}", "--to", f"{hall.last_day}"]
    assert main([*args, "--out", str(xlsx)]) == 0
    ws = load_workbook(xlsx).active
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}" and "&P" in ws.oddFooter.center.text
    assert main([*args, "--pdf", "--out", str(tmp_path / "f")]) == 0
    assert "已导出 2 行" in capsys.readouterr().out
    assert "封堵业务受理台账" in PdfReader(tmp_path / "f.pdf").pages[0].extract_text()
    assert main([*args, "--out", str(tmp_path / "g.pdf")]) == 0 and (tmp_path / "g.pdf").exists()
    assert main([*args, "--pdf", "--out", str(tmp_path / "h.xlsx")]) == 2
    assert ".pdf" in capsys.readouterr().err and not (tmp_path / "h.xlsx").exists()
