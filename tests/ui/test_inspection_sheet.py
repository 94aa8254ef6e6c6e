"""The route sheet on the plan page (offscreen): 导出路线单… writes the workbook, an inspector fills it,
导入路线单… records it with progress and shows the rows not recorded with why; the plan's figures follow."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from gasdesk.flows.inspection import flow as spec
from gasdesk.services.inspection import InspectionService, PlanSpec
from gasdesk.services.inspection_sheet import HEADER_ROW, HEADERS
from tests.helpers import active_resident
from tests.ui.driver import click

pytestmark = pytest.mark.gui
COL = {h: i + 1 for i, h in enumerate(HEADERS)}


def test_export_and_import_the_route_sheet_from_the_plan_page(qtbot, gui_app, gui_clock, team, window, msgs,  # type: ignore[no-untyped-def]
                                                              tmp_path, monkeypatch):
    for name in ("赵一", "钱二", "孙三"):
        active_resident(gui_app, team, name)
    svc = InspectionService(gui_app, team.dispatcher)
    plan = svc.create_plan(PlanSpec(title="12月市区安检", inspector="安检一班 周明", starts_on=date(2026, 11, 27),
                                    ends_on=date(2026, 12, 31), district="urban"))
    svc.open_plan(plan.id)
    win = window(team.dispatcher)
    win.show_page(win.page_titles.index("安全检查"))
    page = win.inspections
    sheets = page.sheets
    path = tmp_path / "路线单.xlsx"
    monkeypatch.setattr(sheets, "ask_save_path", lambda _name: str(path))
    click(qtbot, sheets.export_button)
    qtbot.waitUntil(lambda: sheets.last_export is not None, timeout=20000)
    assert path.exists() and any("3 户待上门" in t for t in msgs.texts("information"))

    wb = load_workbook(path)
    ws = wb.active
    rows = {ws.cell(r, COL["客户名称"]).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    gui_clock.set(datetime(2026, 11, 30, 18, 0))
    zhao, qian = rows["赵一"], rows["钱二"]
    ws.cell(zhao, COL["检查结果"]).value = "入户检查"
    ws.cell(zhao, COL["到访时间"]).value = datetime(2026, 11, 30, 9, 30)
    for item in spec.CHECKLIST:
        ws.cell(zhao, COL[item.label]).value = "二级" if item.code == "no_alarm" else "合格"
    ws.cell(qian, COL["检查结果"]).value = "拒绝安检"
    ws.cell(qian, COL["到访时间"]).value = datetime(2026, 11, 30, 10, 0)  # no reason given: refused
    wb.save(path)

    monkeypatch.setattr(sheets, "ask_open_path", lambda: str(path))
    click(qtbot, sheets.import_button)
    qtbot.waitUntil(lambda: sheets.report is not None and sheets.report.isVisible(), timeout=20000)
    report = sheets.report
    assert report is not None
    assert "登记 1 行" in report.summary.text() and "未导入 1 行" in report.summary.text()
    assert report.model.rowCount() == 1
    [refused] = report.model.rows
    assert refused.row == qian and "拒绝安检须填写拒检原因" in refused.message
    saved = report.save(str(tmp_path / "报告.xlsx"))
    assert saved is not None and saved.exists()
    click(qtbot, report.findChild(type(report.save_button), "ok"))
    # The plan's figures on the page follow: one entered, one hazard open.
    qtbot.waitUntil(lambda: "入户 1" in page.progress.text(), timeout=5000)
    assert "发现隐患 1 项" in page.progress.text()
    assert {r.customer_name: r.outcome_label for r in page.orders_model.rows}["赵一"] == "入户检查"


def test_the_manager_dashboard_shows_the_coverage(qtbot, gui_app, gui_clock, team, msgs):  # type: ignore[no-untyped-def]
    from gasdesk.services.inspection import ChecklistMark, EnteredResult
    from gasdesk.ui.dashboard import ManagerDashboard

    for name in ("赵一", "钱二", "孙三"):
        active_resident(gui_app, team, name)
    svc = InspectionService(gui_app, team.dispatcher)
    plan = svc.create_plan(PlanSpec(title="12月市区安检", inspector="安检一班 周明", starts_on=date(2026, 11, 27),
                                    ends_on=date(2026, 12, 31), district="urban"))
    svc.open_plan(plan.id)
    first = svc.plan_orders(plan.id)[0]
    gui_clock.set(datetime(2026, 11, 30, 18, 0))
    svc.record_entered(first.order_id, EnteredResult(
        datetime(2026, 11, 30, 9, 30), "安检一班 周明",
        [ChecklistMark(i.code, spec.GRADE2 if i.code == "no_alarm" else spec.OK) for i in spec.CHECKLIST]))
    dash = ManagerDashboard(gui_app, team.manager)
    qtbot.addWidget(dash)
    dash.show()
    qtbot.waitUntil(lambda: dash.snapshot is not None, timeout=10000)
    text = dash.coverage.text()
    assert text.startswith("安检覆盖率 33.3%（周期内入户 1 / 在册 3 户）　超过安检周期 0 户　未整改隐患 1 项（逾期 0 项）")
    assert "市区 33.3%" in text
