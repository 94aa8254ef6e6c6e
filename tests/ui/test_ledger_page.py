"""The ledger page exports on a worker thread with progress and cancel; the manager dashboard charts and lists."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from gasdesk.reports.ledgers import HEADER_ROW
from gasdesk.services.ledgers import LedgerFilter, LedgerService
from gasdesk.ui.dashboard import ManagerDashboard
from gasdesk.ui.ledger_page import LedgerPage
from tests.test_ledgers import seed_hall
from tests.ui.driver import choose, click

pytestmark = pytest.mark.gui


@pytest.fixture
def hall(gui_app, gui_clock, team):  # type: ignore[no-untyped-def]
    return seed_hall(gui_app, gui_clock, team)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def page_for(qtbot, app, actor) -> LedgerPage:  # type: ignore[no-untyped-def]
    page = LedgerPage(app, actor)
    qtbot.addWidget(page)
    page.resize(900, 560)
    page.show()
    qtbot.waitExposed(page)
    return page


def patch_dialog(monkeypatch, path: Path, seen: list[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    def save(_parent, _title, suggested, _filter, *args, **kwargs):  # type: ignore[no-untyped-def]
        if seen is not None:
            seen.append(suggested)
        return str(path), "Excel 工作簿 (*.xlsx)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))


def test_export_through_the_page(qtbot, gui_app, hall, msgs, monkeypatch, out):  # type: ignore[no-untyped-def]
    page = page_for(qtbot, gui_app, hall.team.manager)
    page.select_ledger("complaints")
    assert not page.status_combo.isEnabled() or page.kind_combo.count() == 2  # 全部 + 投诉 only
    assert [page.kind_combo.itemText(i) for i in range(page.kind_combo.count())] == ["（全部）", "投诉"]
    click(qtbot, page.quick["last_month"])  # the seeded orders were opened on 2026-11-27; today is 2026-12-09
    assert page.current_filter().date_from.isoformat() == "2026-11-01"
    choose(page.status_combo, "archived")
    suggested: list[str] = []
    target = out / "投诉台账"  # no suffix typed: the page adds .xlsx
    patch_dialog(monkeypatch, target, suggested)
    with qtbot.waitSignal(page.exported, timeout=20000) as done:
        click(qtbot, page.export_button)
        assert page.busy and not page.export_button.isEnabled()  # the work runs off the UI thread
    result = done.args[0]
    assert not result.cancelled and result.rows == 2
    assert suggested[0].endswith("投诉台账_20261101-20261130.xlsx")
    path = out / "投诉台账.xlsx"
    assert path.exists() and result.path == path
    ws = load_workbook(path).active
    assert ws.cell(HEADER_ROW, 1).value == "业务单号" and "状态=已归档" in ws["A2"].value
    assert not page.busy and page.export_button.isEnabled() and page.progress is None
    assert "已导出 2 行" in page.status.text() and page.open_button.isEnabled()
    assert msgs.shown == []


def test_cancel_in_the_progress_dialog_leaves_no_file(qtbot, gui_app, hall, msgs, monkeypatch, out):  # type: ignore[no-untyped-def]
    page = page_for(qtbot, gui_app, hall.team.manager)
    real_export = LedgerService.export

    def slow_export(self, name, flt, path, *, progress=None, tick_every=500):  # type: ignore[no-untyped-def]
        def slow(done: int, total: int) -> bool:
            time.sleep(0.05)
            return progress(done, total) if progress else True

        return real_export(self, name, flt, path, progress=slow, tick_every=1)

    monkeypatch.setattr(LedgerService, "export", slow_export)
    patch_dialog(monkeypatch, out / "b.xlsx")
    page.select_ledger("business")
    page.set_period("last_month")
    with qtbot.waitSignal(page.exported, timeout=20000) as done:
        click(qtbot, page.export_button)
        qtbot.waitUntil(lambda: page.progress is not None and page.progress.value() >= 2, timeout=10000)
        dialog = page.findChild(QProgressDialog, "export_progress")
        assert dialog is not None and dialog.isVisible() and dialog.maximum() > 2
        assert dialog.labelText().startswith("正在导出“业务受理台账”：已写入")
        page.cancel()  # the dialog's 取消 button
    assert done.args[0].cancelled
    assert list(out.iterdir()) == []
    assert "已取消" in page.status.text() and page.export_button.isEnabled()


def test_clerk_sees_the_page_but_cannot_export(qtbot, gui_app, team, msgs):  # type: ignore[no-untyped-def]
    page = page_for(qtbot, gui_app, team.clerk)
    assert not page.export_button.isEnabled() and not page.kind_combo.isEnabled()
    # the service refuses whatever the window shows
    with pytest.raises(Exception, match="无权"):
        LedgerService(gui_app, team.clerk).export("business", LedgerFilter(), Path("unused.xlsx"))


def test_filters_follow_the_ledger(qtbot, gui_app, hall, msgs):  # type: ignore[no-untyped-def]
    page = page_for(qtbot, gui_app, hall.team.manager)
    page.select_ledger("cash_daily")
    assert not page.kind_combo.isEnabled() and not page.status_combo.isEnabled()
    assert page.clerk_combo.isEnabled() and page.clerk_label.text() == "收费员"
    choose(page.clerk_combo, "李娜")
    assert page.current_filter().clerk_id == hall.team.clerk.staff_id
    page.select_ledger("compliance")
    assert page.department_combo.isEnabled() and not page.clerk_combo.isEnabled()
    assert page.current_filter().clerk_id is None
    assert "完成日期" in page.date_basis.text()


def test_dashboard_charts_and_a_bar_click_lists_orders(qtbot, gui_app, hall, msgs):  # type: ignore[no-untyped-def]
    dash = ManagerDashboard(gui_app, hall.team.manager)
    qtbot.addWidget(dash)
    dash.resize(1280, 900)
    dash.show()
    qtbot.waitExposed(dash)
    qtbot.waitUntil(lambda: dash.snapshot is not None, timeout=10000)  # computed off the UI thread
    assert "在办 2 件" in dash.summary.text() and "已超期 2 件" in dash.summary.text()
    overdue = dash.bar_sets["flow:overdue"]
    kinds = dash._kinds
    index = kinds.index("complaint")
    assert overdue.at(index) == 1
    overdue.clicked.emit(index)
    assert [o.kind_label for o in dash.orders.rows] == ["投诉"]
    assert dash.detail_title.text().startswith("投诉 · 已超期：1 件")
    with qtbot.waitSignal(dash.order_requested, timeout=2000) as opened:
        dash.table.doubleClicked.emit(dash.orders.index(0, 0))
    assert opened.args[0] == dash.orders.rows[0].order_id
    # overdue by department, and the compliance trend
    dept = dash.bar_sets["overdue"]
    dept.clicked.emit(dash._departments.index("输配中心"))
    assert [o.kind_label for o in dash.orders.rows] == ["增/减容（换表）"]
    missed = dash.bar_sets["trend:missed"]
    assert sum(missed.at(i) for i in range(missed.count())) >= 1
    missed.clicked.emit(len(dash._months) - 1)
    assert hall.late_activation in {o.number for o in dash.orders.rows}
    assert dash.trend_chart.series() and dash.workload_chart.title().startswith("今日柜台工作量（收付净额 12.34 元）")
    image = dash.grab()
    assert not image.isNull() and image.width() >= 1200


def test_dashboard_refused_for_a_clerk(qtbot, gui_app, team):  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match="无权"):
        ManagerDashboard(gui_app, team.clerk)


def test_pdf_export_through_the_page(qtbot, gui_app, hall, msgs, monkeypatch, out):  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    page = page_for(qtbot, gui_app, hall.team.manager)
    page.select_ledger("plugging")
    click(qtbot, page.quick["last_month"])
    suggested: list[str] = []
    patch_dialog(monkeypatch, out / "封堵台账", suggested)  # no suffix typed: the page adds .pdf
    seen: list[tuple[int, int]] = []
    page._bridge.progressed.connect(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(page.exported, timeout=20000) as done:
        click(qtbot, page.pdf_button)
        assert page.busy and not page.pdf_button.isEnabled() and not page.export_button.isEnabled()
    result = done.args[0]
    path = out / "封堵台账.pdf"
    assert not result.cancelled and result.path == path and result.rows == 2
    assert suggested[0].endswith("封堵业务受理台账_20261101-20261130.pdf")
    text = PdfReader(path).pages[0].extract_text()
    assert "封堵业务受理台账" in text and "第 1 页 共 1 页" in text and "合计（2条）" in text
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][0] == seen[-1][1], timeout=5000)  # progress reached the end
    assert page.pdf_button.isEnabled() and "已导出 2 行" in page.status.text() and msgs.shown == []


def test_the_business_ledger_by_channel_leaves_the_plans_out_and_says_how_many(  # type: ignore[no-untyped-def]
        qtbot, gui_app, gui_clock, team, msgs, monkeypatch, out):
    from tests.test_inspection_plan_views import a_day

    day = a_day(gui_app, gui_clock, team)  # this month: 3 activations, 3 plan visits, 2 suspensions, a call
    page = page_for(qtbot, gui_app, team.manager)
    page.select_ledger("business")
    combo, check = page.channel_combo, page.plan_check
    assert [combo.itemText(i) for i in range(combo.count())] == ["（全部）", "来访", "来电", "安检计划", "隐患停气"]
    assert combo.isEnabled() and check.isEnabled() and not check.isChecked()
    patch_dialog(monkeypatch, out / "受理台账")
    with qtbot.waitSignal(page.exported, timeout=20000) as done:
        click(qtbot, page.export_button)
    result = done.args[0]
    assert result.rows == 6 and result.left_out == 3
    assert "另有安检计划工单 3 张未列入" in page.status.text()
    ws = load_workbook(out / "受理台账.xlsx").active
    headers = [c.value for c in ws[HEADER_ROW]]
    channels = [row[headers.index("受理方式")] for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 6,
                                                                      values_only=True)]
    assert sorted(channels) == ["来电", "来访", "来访", "来访", "来访", "隐患停气"]
    assert "不含安检计划工单（另有 3 张未列入）" in ws["A2"].value

    click(qtbot, check)  # included: every order, nothing left out
    with qtbot.waitSignal(page.exported, timeout=20000) as done:
        click(qtbot, page.export_button)
    assert done.args[0].rows == 9 and done.args[0].left_out == 0 and "未列入" not in page.status.text()

    choose(combo, "phone")  # one 受理方式: the box has nothing to say
    assert not check.isEnabled() and page.current_filter().channel == "phone"
    with qtbot.waitSignal(page.exported, timeout=20000) as done:
        click(qtbot, page.export_button)
    assert done.args[0].rows == 1
    ws = load_workbook(out / "受理台账.xlsx").active
    assert ws.cell(HEADER_ROW + 1, 1).value == day.call.number and "受理方式=来电" in ws["A2"].value
    page.select_ledger("plugging")  # 受理方式 filters every order ledger; the plans' box is the counter ledger's
    assert combo.isEnabled() and not check.isEnabled()
    page.select_ledger("cash_daily")
    assert not combo.isEnabled() and page.current_filter().channel is None
    assert msgs.texts("critical") == []


def test_dashboard_todays_intake_leaves_the_plans_out_unless_ticked(qtbot, gui_app, gui_clock, team, msgs):  # type: ignore[no-untyped-def]
    from tests.test_inspection_plan_views import a_day

    day = a_day(gui_app, gui_clock, team)
    dash = ManagerDashboard(gui_app, team.manager)
    qtbot.addWidget(dash)
    dash.resize(1280, 900)
    dash.show()
    qtbot.waitExposed(dash)
    qtbot.waitUntil(lambda: dash.snapshot is not None, timeout=10000)
    assert "今日受理 3 件（另有安检计划工单 3 张未计入）" in dash.summary.text()
    assert dash.minimumSizeHint().width() <= 1366  # the longer summary still fits the counter's screen
    clerks = dash._clerks
    dash.bar_sets["workload:orders"].clicked.emit(clerks.index(team.clerk.staff_id))
    assert {o.number for o in dash.orders.rows} == {day.hazard_stop.number, day.counter_stop.number, day.call.number}
    before = dash.snapshot
    click(qtbot, dash.plan_check)
    qtbot.waitUntil(lambda: dash.snapshot is not before, timeout=10000)
    assert "今日受理 6 件　" in dash.summary.text() and "未计入" not in dash.summary.text()
    assert len(dash.orders.rows) == 6  # the list shown is read again, with them
    assert not msgs.texts("critical")
