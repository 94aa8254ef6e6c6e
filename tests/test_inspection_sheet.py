"""The inspectors' route sheet: exported to Excel, filled with openpyxl as an inspector would, imported
back row by row; bad rows reported with why and nothing of them written; the same sheet imported twice
changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from gasdesk.flows.inspection import flow as spec
from gasdesk.models import AuditEntry, InspectionHazard, InspectionOrder, InspectionVisit, OrderStep
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.inspection import InspectionService, PlanSpec
from gasdesk.services.inspection_sheet import HEADER_ROW, HEADERS, RouteSheetService
from gasdesk.services.orders import OrderService
from tests.helpers import active_resident, make_team

NAMES = ("赵一", "钱二", "孙三", "李四", "周五", "吴六")
COL = {h: i + 1 for i, h in enumerate(HEADERS)}


@pytest.fixture
def field(app, clock):  # type: ignore[no-untyped-def]
    team = make_team(app)
    for name in NAMES:
        active_resident(app, team, name)
    svc = InspectionService(app, team.clerk)
    plan = svc.create_plan(PlanSpec(title="2026年12月市区安检", inspector="安检一班 周明",
                                    starts_on=date(2026, 11, 27), ends_on=date(2026, 12, 31), district="urban"))
    svc.open_plan(plan.id)
    # One more household, booked at the counter: its order is not in the plan.
    other, _ = active_resident(app, team, "郑七")
    booked = OrderService(app, team.clerk).open(spec.FLOW.kind, other.id, account_id=_account(app, other.id))
    return team, plan, booked


def _account(app, customer_id):  # type: ignore[no-untyped-def]
    from gasdesk.models import Account

    with app.reading() as s:
        return s.scalar(select(Account.id).where(Account.customer_id == customer_id))


def counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.reading() as s:
        return {t.__name__: int(s.scalar(select(func.count()).select_from(t)) or 0)
                for t in (InspectionVisit, InspectionHazard, OrderStep, AuditEntry)}


def rows_by_name(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {ws.cell(r, COL["客户名称"]).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)
            if ws.cell(r, COL["客户名称"]).value}


def fill(ws, row: int, outcome: str, visited, *, grades=None, **cells) -> None:  # type: ignore[no-untyped-def]
    ws.cell(row, COL["检查结果"]).value = outcome
    ws.cell(row, COL["到访时间"]).value = visited
    if outcome == "入户检查":
        for item in spec.CHECKLIST:
            ws.cell(row, COL[item.label]).value = (grades or {}).get(item.code, "合格")
    for header, value in cells.items():
        ws.cell(row, COL[header]).value = value


def copy_row(ws, source: int) -> int:  # type: ignore[no-untyped-def]
    target = ws.max_row + 1
    for c in range(1, len(HEADERS) + 1):
        ws.cell(target, c).value = ws.cell(source, c).value
    return target


def test_route_sheet_round_trip(app, clock, field, tmp_path):
    team, plan, booked = field
    sheets = RouteSheetService(app, team.dispatcher)
    path = tmp_path / "route.xlsx"
    done = sheets.export(plan.id, path)
    assert done.rows == 6 and done.plan_number == plan.number

    wb = load_workbook(path)
    ws = wb.active
    assert plan.number in ws["A1"].value
    assert [c.value for c in ws[HEADER_ROW]] == list(HEADERS)
    rows = rows_by_name(ws)
    assert sorted(rows) == sorted(NAMES)
    assert ws.cell(rows["赵一"], COL["安检员"]).value == "安检一班 周明"
    last = HEADER_ROW + 6
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}

    def column(header: str) -> str:
        letter = ws.cell(HEADER_ROW, COL[header]).column_letter
        return f"{letter}{HEADER_ROW + 1}:{letter}{last}"

    assert lists[column("检查结果")] == '"入户检查,到访不遇,拒绝安检"'
    assert all(lists[column(item.label)] == '"合格,一级,二级,三级"' for item in spec.CHECKLIST)
    assert lists[column("已留到访不遇卡")] == '"是,否"'

    # The inspectors' day, typed in the evening.
    clock.set(datetime(2026, 11, 30, 18, 0))
    fill(ws, rows["赵一"], "入户检查", datetime(2026, 11, 30, 9, 30), 离开时间=datetime(2026, 11, 30, 9, 50),
         胶管到期日=date(2028, 5, 1))
    fill(ws, rows["钱二"], "入户检查", "2026-11-30 10:05", grades={"hose_aged": "二级"}, 隐患说明="胶管发硬龟裂")
    fill(ws, rows["孙三"], "到访不遇", "2026-11-30 10:30", 已留到访不遇卡="是")
    fill(ws, rows["李四"], "拒绝安检", "2026/11/30 11:00", 拒检原因="客户称刚装修完，不便入户")
    fill(ws, rows["周五"], "入户检查", datetime(2026, 11, 30, 14, 0), grades={"leak": "四级"})
    fill(ws, rows["吴六"], "入户检查", datetime(2026, 12, 5, 9, 0))  # in the future
    unknown = copy_row(ws, rows["赵一"])
    ws.cell(unknown, COL["安检单号"]).value = "AJ-20260101-9999"
    foreign = copy_row(ws, rows["赵一"])
    ws.cell(foreign, COL["安检单号"]).value = booked.number
    early = copy_row(ws, rows["吴六"])
    ws.cell(early, COL["到访时间"]).value = datetime(2026, 11, 20, 9, 0)  # before the plan's period
    other_account = copy_row(ws, rows["赵一"])
    ws.cell(other_account, COL["燃气账户"]).value = "9999999999"
    no_reason = copy_row(ws, rows["李四"])
    ws.cell(no_reason, COL["拒检原因"]).value = None
    ws.cell(no_reason, COL["到访时间"]).value = "2026-11-30 16:00"
    wb.save(path)

    before = counts(app)
    result = sheets.import_sheet(plan.id, path)
    assert (result.recorded, result.already, result.refused, result.blank) == (4, 0, 7, 0)
    why = {r.row: r.message for r in result.refused_rows}
    assert "“接口、阀门漏气”的“四级”不是有效等级" in why[rows["周五"]]
    assert "晚于现在" in why[rows["吴六"]]
    assert why[unknown] == "没有安检单 AJ-20260101-9999"
    assert why[foreign] == f"安检单 {booked.number} 不属于本计划"
    assert "不在计划期限（2026-11-27 至 2026-12-31）内" in why[early]
    assert "与安检单" in why[other_account] and "不符" in why[other_account]
    # 李四's order already ended refused: the copied row cannot be written (its reason is missing too).
    assert "拒绝安检须填写拒检原因" in why[no_reason]

    after = counts(app)
    assert after["InspectionVisit"] - before["InspectionVisit"] == 4
    assert after["InspectionHazard"] - before["InspectionHazard"] == 1
    with app.reading() as s:
        hazard = s.scalars(select(InspectionHazard)).one()
        assert (hazard.item, hazard.grade, hazard.note) == ("hose_aged", spec.GRADE2, "胶管发硬龟裂")
        by_name = dict(s.execute(select(InspectionVisit.outcome, InspectionVisit.visited_at)
                                 .order_by(InspectionVisit.visited_at)).all())
        assert by_name[spec.NOT_HOME] == datetime(2026, 11, 30, 10, 30)
        # nothing of a refused row: 周五's and 吴六's orders have no visit and no attempt
        untouched = s.scalars(select(InspectionOrder.attempts).where(InspectionOrder.attempts == 0)).all()
        assert len(untouched) == 2 + 1  # 周五, 吴六 and the order booked at the counter
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "import_sheet")).one()
        assert entry.changes["recorded"] == [None, 4] and entry.changes["refused"] == [None, 7]
    # One audit entry for the import besides the rows' own.
    assert after["AuditEntry"] > before["AuditEntry"]

    # The same sheet again: nothing changes, every recorded row says so.
    again = sheets.import_sheet(plan.id, path)
    assert (again.recorded, again.already, again.refused) == (0, 4, 7)
    assert {r.row for r in again.rows if r.status == "already"} == {rows[n] for n in ("赵一", "钱二", "孙三", "李四")}
    now = counts(app)
    assert {k: v for k, v in now.items() if k != "AuditEntry"} == {k: v for k, v in after.items() if k != "AuditEntry"}
    assert now["AuditEntry"] == after["AuditEntry"] + 1  # the second import's own entry

    report = again.save_report(tmp_path / "report.xlsx")
    rep = load_workbook(report).active
    assert rep["A1"].value.startswith("路线单 route.xlsx：登记 0 行，此前已登记 4 行，未导入 7 行")
    assert any(row[6] and "四级" in row[6] for row in rep.iter_rows(min_row=3, values_only=True))

    # The re-visit: the not-home household is on the next sheet, alone with the two never visited.
    path2 = tmp_path / "route2.xlsx"
    assert sheets.export(plan.id, path2).rows == 3


def test_whole_file_refusals_write_nothing(app, clock, field, tmp_path):
    team, plan, _booked = field
    sheets = RouteSheetService(app, team.dispatcher)
    path = tmp_path / "route.xlsx"
    sheets.export(plan.id, path)
    other = InspectionService(app, team.clerk).create_plan(PlanSpec(
        title="郊区", inspector="安检二班", starts_on=date(2026, 11, 27), ends_on=date(2026, 12, 31), district="suburban"))
    before = counts(app)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(Refused, match="不是可读取的 Excel 工作簿"):
        sheets.import_sheet(plan.id, junk)
    with pytest.raises(Refused, match=f"这是计划 {plan.number} 的路线单"):
        sheets.import_sheet(other.id, path)
    wb = load_workbook(path)
    wb.active.cell(HEADER_ROW, COL["检查结果"]).value = "结果"
    wb.save(tmp_path / "changed.xlsx")
    with pytest.raises(Refused, match="表头被改动"):
        sheets.import_sheet(plan.id, tmp_path / "changed.xlsx")
    assert counts(app) == before
    with pytest.raises(NotAllowed):
        RouteSheetService(app, team.handler).export(plan.id, tmp_path / "x.xlsx")


def test_blank_rows_are_skipped_and_cancel_stops_between_rows(app, clock, field, tmp_path):
    team, plan, _booked = field
    sheets = RouteSheetService(app, team.dispatcher)
    path = tmp_path / "route.xlsx"
    sheets.export(plan.id, path)
    clock.set(datetime(2026, 11, 30, 18, 0))
    wb = load_workbook(path)
    ws = wb.active
    rows = rows_by_name(ws)
    fill(ws, rows["赵一"], "到访不遇", datetime(2026, 11, 30, 9, 0))
    wb.save(path)
    stop = threading.Event()
    stop.set()
    cancelled = sheets.import_sheet(plan.id, path, cancel=stop)
    assert cancelled.cancelled and cancelled.rows == [] and "已取消" in cancelled.summary()
    seen: list[int] = []
    result = sheets.import_sheet(plan.id, path, progress=lambda p, _t: seen.append(p))
    assert (result.recorded, result.blank, result.refused) == (1, 5, 0) and seen[-1] == 100


def test_cli_exports_and_imports_the_route_sheet(app, clock, field, tmp_path, capsys):
    from gasdesk.cli import main

    team, plan, _booked = field
    out = tmp_path / "cli.xlsx"
    assert main(["--db", app.url, "inspection", "export", plan.number, "--out", str(out), "--user", "dispatch"]) == 0
    assert "6 户" in capsys.readouterr().out
    wb = load_workbook(out)
    ws = wb.active
    rows = rows_by_name(ws)
    # The command line runs on the real clock: a time just after the plan was opened is in the past.
    fill(ws, rows["赵一"], "拒绝安检", datetime(2026, 11, 27, 11, 0))  # no reason: refused
    wb.save(out)
    code = main(["--db", app.url, "inspection", "import", plan.number, str(out), "--user", "dispatch",
                 "--report", str(tmp_path / "r.xlsx")])
    text = capsys.readouterr().out
    assert code == 1 and "未导入 1 行" in text and "拒绝安检须填写拒检原因" in text
    assert Path(tmp_path / "r.xlsx").exists()
