"""The inspection's ledgers read back with openpyxl, and the coverage report's numbers against a small
hall built by hand over thirteen months (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gasdesk.flows.inspection import flow as spec
from gasdesk.models import Account, InspectionHazard, Meter
from gasdesk.reports.ledgers import HEADER_ROW
from gasdesk.services.inspection import ChecklistMark, EnteredResult, InspectionService, PlanSpec
from gasdesk.services.ledgers import DashboardData, LedgerFilter, LedgerService
from gasdesk.services.orders import OrderService
from tests.helpers import active_resident, business, make_team


def marks(**grades: str) -> list[ChecklistMark]:
    return [ChecklistMark(i.code, grades.get(i.code, spec.OK), "说明" if i.code in grades else "")
            for i in spec.CHECKLIST]


def activate(app, team, clock, customer):  # type: ignore[no-untyped-def]
    clerk = OrderService(app, team.clerk)
    o = clerk.open("installation", customer.id, documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "厨房燃气工程", "expected_monthly_volume": "800"})
    with app.unit_of_work() as s:  # take a finished installation as given
        account = s.get(Account, o.account_id)
        account.status, account.activated_at = "active", clock.now()
        s.add(Meter(number=f"M-B{customer.id}", model="JBD25", rating="G25", account_id=o.account_id,
                    status="in_service", initial_reading=Decimal("0"), last_reading=Decimal("0"),
                    last_read_at=clock.now(), installed_at=clock.now()))
    clerk.perform(o.id, "cancel", reason="测试：直接使用已开通账户")


def plan_orders(app, team, district, starts, ends):  # type: ignore[no-untyped-def]
    svc = InspectionService(app, team.clerk)
    plan = svc.create_plan(PlanSpec(title=f"{starts:%Y年%m月}安检", inspector="安检一班 周明", starts_on=starts,
                                    ends_on=ends, district=district))
    svc.open_plan(plan.id)
    return plan, {r.customer_name: r.order_id for r in svc.plan_orders(plan.id)}


@pytest.fixture
def year(app, clock):  # type: ignore[no-untyped-def]
    """Four urban households and a suburban business opened in January 2025; the business entered in
    June 2025 (interval 6 months); the urban plan of February 2026: 甲 entered with a 二级 hazard left
    open, 乙 not home (entered on the re-visit in March), 丙 refused, 丁 entered with a 二级 hazard
    (rectified in March) and a 三级 advice; 戊 opened in February 2026, never inspected."""
    team = make_team(app)
    clock.set(datetime(2025, 1, 10, 10, 0))
    for name in ("甲", "乙", "丙", "丁"):
        active_resident(app, team, name)
    shop = business(app, team.clerk, "示例饭店有限公司")
    activate(app, team, clock, shop)
    svc = InspectionService(app, team.clerk)
    clock.set(datetime(2025, 6, 9, 9, 0))
    _, shop_orders = plan_orders(app, team, "suburban", date(2025, 6, 9), date(2025, 6, 30))
    clock.set(datetime(2025, 6, 10, 11, 0))
    svc.record_entered(shop_orders["示例饭店有限公司"], EnteredResult(datetime(2025, 6, 10, 10, 0), "安检二班 吴磊",
                                                                 marks()))
    clock.set(datetime(2026, 2, 2, 9, 0))
    plan, orders = plan_orders(app, team, "urban", date(2026, 2, 2), date(2026, 3, 31))
    clock.set(datetime(2026, 2, 5, 17, 0))
    svc.record_entered(orders["甲"], EnteredResult(datetime(2026, 2, 3, 10, 0), "安检一班 周明",
                                                  marks(hose_aged=spec.GRADE2)))
    svc.record_not_home(orders["乙"], datetime(2026, 2, 3, 10, 30), "安检一班 周明")
    svc.record_refused(orders["丙"], datetime(2026, 2, 4, 10, 0), "安检一班 周明", "客户称房屋出租，需房东同意")
    svc.record_entered(orders["丁"], EnteredResult(datetime(2026, 2, 5, 10, 0), "安检一班 周明",
                                                  marks(no_alarm=spec.GRADE2, hose_long=spec.GRADE3)))
    clock.set(datetime(2026, 2, 20, 10, 0))
    active_resident(app, team, "戊")
    clock.set(datetime(2026, 3, 2, 10, 0))
    svc.close_hazards(orders["丁"], spec.REINSPECTION, "已安装报警器", datetime(2026, 3, 2, 9, 0))
    clock.set(datetime(2026, 3, 3, 12, 0))
    svc.record_entered(orders["乙"], EnteredResult(datetime(2026, 3, 3, 10, 0), "安检二班 吴磊", marks()))
    clock.set(datetime(2026, 3, 15, 10, 0))
    return team, plan, orders


def sheet_rows(ws, width: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    rows = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=width, values_only=True):
        if row[0] is None or str(row[0]).startswith(("合计", "制表", "本期", "当前")):
            break
        rows.append(row)
    return rows


def export(app, actor, name, tmp_path, flt):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.xlsx"
    LedgerService(app, actor).export(name, flt, path)
    return load_workbook(path, data_only=True)


PERIOD = LedgerFilter(date_from=date(2026, 2, 1), date_to=date(2026, 3, 31))


def test_coverage_per_month_and_district_against_the_hand_built_hall(app, year, tmp_path):
    team, _plan, _orders = year
    wb = export(app, team.manager, "inspection_coverage", tmp_path, PERIOD)
    by_district, by_month = wb.worksheets
    header = [c.value for c in by_district[HEADER_ROW]]
    assert header[:4] == ["月份", "片区", "在册户数", "应检户数"] and header[-1] == "覆盖率"
    rows = sheet_rows(by_district, len(header))
    #           month      district households due opened visits entered not_home refused found g1 fixed rate covered cov
    assert rows == [
        ("2026-02", "市区", 5, 4, 4, 4, 2, 1, 1, 2, 0, 1, 0.5, 2, 0.4),
        ("2026-02", "郊区", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 0),
        ("2026-03", "市区", 5, 2, 0, 1, 1, 0, 0, 0, 0, 0, None, 3, 0.6),
        ("2026-03", "郊区", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 0),
    ]
    months = sheet_rows(by_month, len(header) - 1)
    assert [r[:3] for r in months] == [("2026-02", 6, 5), ("2026-03", 6, 3)]
    assert months[0][-2:] == (2, pytest.approx(1 / 3, abs=1e-4)) and months[1][-2:] == (3, 0.5)
    assert by_month._charts, "the month sheet carries its chart"
    # The totals: flows summed, the rectification rate of all hazards found (1 of 2) on both sheets.
    for ws, width in ((by_district, len(header)), (by_month, len(header) - 1)):
        total = next(r for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=width, values_only=True)
                     if str(r[0]).startswith("合计"))
        assert total[header.index("整改率") - (ws is by_month)] == 0.5
    # The business's interval is six months: due again by September 2025; twelve for households.
    wb = export(app, team.manager, "inspection_coverage", tmp_path,
                LedgerFilter(date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)))
    june = sheet_rows(wb.worksheets[0], len(header))
    assert june == [("2025-06", "市区", 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 0),
                    ("2025-06", "郊区", 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, None, 1, 1)]


def test_the_dashboard_shows_coverage_now(app, year):
    team, _plan, _orders = year
    figure = DashboardData(app, team.manager).snapshot().inspection
    assert figure is not None
    assert (figure.households, figure.covered, figure.overdue) == (6, 3, 2)  # 丙 and the business are overdue
    assert [(d.label, d.households, d.covered) for d in figure.districts] == [("市区", 5, 3), ("郊区", 1, 0)]
    with app.reading() as s:
        due = s.scalar(select(InspectionHazard.due_at).where(InspectionHazard.status == "open"))
    assert figure.open_hazards == 1 and figure.overdue_hazards == (1 if due < datetime(2026, 3, 15, 10) else 0)
    assert figure.text().startswith("安检覆盖率 50.0%（周期内入户 3 / 在册 6 户）　超过安检周期 2 户")


def test_visits_ledger_lists_every_visit_with_its_hazards(app, year, tmp_path):
    team, plan, _orders = year
    wb = export(app, team.manager, "inspection_visits", tmp_path, PERIOD)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[HEADER_ROW]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet_rows(ws, len(header))]
    assert [(r["客户名称"], r["检查结果"], r["第几次上门"]) for r in rows] == [
        ("甲", "入户检查", 1), ("乙", "到访不遇", 1), ("丙", "拒绝安检", 1), ("丁", "入户检查", 1), ("乙", "入户检查", 2)]
    ding = rows[3]
    assert ding["隐患项数"] == 2 and ding["隐患及等级"] == "二级：应安装燃气报警器而未安装；三级：胶管长度超过2米或穿墙、穿门窗"
    assert ding["到访时间"] == datetime(2026, 2, 5, 10, 0) and ding["安检计划"] == plan.number
    assert rows[2]["拒检原因/情况说明"] == "客户称房屋出租，需房东同意" and rows[0]["片区"] == "市区"
    summary = wb.worksheets[1]
    assert sheet_rows(summary, 6) == [("安检一班 周明", 4, 2, 1, 1, 0.5), ("安检二班 吴磊", 1, 1, 0, 0, 1)]


def test_hazard_ledger_shows_deadlines_closure_and_overdue(app, year, tmp_path):
    team, _plan, orders = year
    wb = export(app, team.manager, "inspection_hazards", tmp_path, PERIOD)
    ws, still_open = wb.worksheets
    header = [c.value for c in ws[HEADER_ROW]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet_rows(ws, len(header))]
    assert [(r["客户名称"], r["隐患项目"], r["等级"], r["状态"]) for r in rows] == [
        ("甲", "胶管老化或使用非燃气专用胶管", "二级", "待整改"),
        ("丁", "应安装燃气报警器而未安装", "二级", "已销项"),
        ("丁", "胶管长度超过2米或穿墙、穿门窗", "三级", "整改建议")]
    jia, ding, advice = rows
    assert ding["销项时间"] == datetime(2026, 3, 2, 9, 0) and ding["销项方式"] == "上门复查合格"
    assert ding["是否逾期"] in ("", None) and ding["整改通知书号"].startswith("ZG-")
    assert advice["整改期限"] is None and advice["整改通知书号"] in ("", None)
    now = datetime(2026, 3, 15, 10, 0)
    if jia["整改期限"] < now:
        days = Decimal(str((now - jia["整改期限"]).total_seconds() / 86400)).quantize(Decimal("0.1"))
        assert jia["是否逾期"] == "已逾期" and Decimal(str(jia["逾期天数"])) == days
    assert jia["联系电话"].startswith("139")  # a manager sees the full number
    open_rows = sheet_rows(still_open, len(header))
    assert [r[4] for r in open_rows] == ["甲"]
    # The PDF export lays out the same rows (cells wrap: compare without line breaks).
    pdf = tmp_path / "h.pdf"
    LedgerService(app, team.manager).export("inspection_hazards", PERIOD, pdf)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\n", "")
    assert "隐患整改台账" in text and "应安装燃气报警器而未安装" in text
