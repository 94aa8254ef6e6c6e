"""The published rates (issue 17 item 6): first-visit resolution of emergency repairs and the meter
calibration/replacement pass rate, recorded on the meter-service order (re-check passed, re-work), reported
month by month in the compliance ledger and on the manager dashboard. Also: a permit pause shown as such in
the compliance ledger's 时限明细."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gasdesk.services.emergency import EmergencyService
from gasdesk.services.errors import Refused
from gasdesk.services.ledgers import DashboardData, LedgerFilter, LedgerService
from gasdesk.services.ledgers.rates import MonthRates
from gasdesk.services.orders import OrderService
from tests.helpers import active_resident, business, make_team, snapshot

NOV = datetime(2026, 11, 2, 9, 0)
DEC = datetime(2026, 12, 1, 9, 0)
RECHECKED = {"work_checked": True}


@pytest.fixture
def team(app):
    return make_team(app)


def emergency(app, team, clock, at: datetime, first_visit: bool | None) -> None:
    """A leak reported at `at`, reached, and closed (first visit or not); None: still open."""
    clock.set(at)
    svc = EmergencyService(app, team.dispatcher)
    c = svc.register(kind="leak", caller_name="张先生", caller_phone="13900000000", address="西秀区塔山东路1号",
                     district="urban", description="燃气味")
    svc.dispatch(c.id, "抢险一班")
    svc.arrive(c.id, at + timedelta(minutes=20))
    if first_visit is not None:
        svc.close(c.id, "已处理" if first_visit else "二次上门更换阀门后处理完毕", resolved_first_visit=first_visit)


def meter_service(app, team, clock, at: datetime, account_id: int, customer_id: int, rework: int = 0,
                  replace: bool = False) -> int:
    clock.set(at)
    clerk, crew = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("meter_service", customer_id, account_id=account_id, documents=["owner_id"],
                   data={"service_reason": "customer_request"})
    o = clerk.perform(o.id, "accept")
    o = crew.perform(o.id, "assign", {"crew": "计量班", "appointment_at": (at + timedelta(hours=2)).isoformat()})
    arrived = {"arrived_at": (at + timedelta(hours=2)).isoformat(timespec="minutes")}
    for n in range(rework):
        o = crew.perform(o.id, "rework", reason=f"复检漏气，第{n + 1}次返工")
        assert o.step == "site_visit" and o.rounds == n + 1
    if replace:
        o = crew.perform(o.id, "replaced", {**arrived, **RECHECKED, "final_reading": "10", "meter_number": f"N{at:%d%H}{o.id}",
                                            "meter_model": "JBD2.5", "meter_rating": "G2.5", "initial_reading": "0",
                                            "fee": "0.00", "fee_method": "cash"})
    else:
        o = crew.perform(o.id, "passed", {**arrived, **RECHECKED, "check_reading": "10", "check_result": "合格"})
    assert o.status == "archived"
    return o.id


def test_the_meter_service_records_its_recheck_and_rework(app, team, clock):
    c, act = active_resident(app, team)
    clerk, crew = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("meter_service", c.id, account_id=act.account_id, documents=["owner_id"],
                   data={"service_reason": "fault"})
    o = clerk.perform(o.id, "accept")
    before = snapshot(app)
    with pytest.raises(Refused, match="复检合格后才能办结") as refused:
        crew.perform(o.id, "passed", {"arrived_at": "2026-11-27 11:00", "check_reading": "1", "check_result": "合格"})
    assert refused.value.field == "work_checked" and snapshot(app) == before
    with pytest.raises(Refused, match="请填写原因"):
        crew.perform(o.id, "rework")
    o = crew.perform(o.id, "rework", reason="表接口漏气")
    assert o.step == "site_visit" and o.rounds == 1 and o.data["reworks"] == 1 and o.flow.rounds_label == "返工次数"
    o = crew.perform(o.id, "passed", {"arrived_at": "2026-11-27 11:00", "check_reading": "1", "check_result": "合格",
                                      **RECHECKED})
    assert o.status == "archived" and o.data["work_checked"] is True and o.rounds == 1


def test_the_two_rates_month_by_month_in_the_ledger_and_on_the_dashboard(app, team, clock, tmp_path):
    clock.set(datetime(2026, 10, 30, 9, 0))
    c, act = active_resident(app, team)
    assert act.account_id is not None
    # November: 3 closed calls, 2 resolved at the first visit, 1 still open (not counted);
    # 4 meter services finished, 1 after re-work (a replaced meter is no failure).
    emergency(app, team, clock, NOV, True)
    emergency(app, team, clock, NOV + timedelta(days=1), True)
    emergency(app, team, clock, NOV + timedelta(days=2), False)
    emergency(app, team, clock, NOV + timedelta(days=3), None)
    meter_service(app, team, clock, NOV, act.account_id, c.id)
    meter_service(app, team, clock, NOV + timedelta(days=1), act.account_id, c.id, replace=True)
    meter_service(app, team, clock, NOV + timedelta(days=2), act.account_id, c.id, rework=2)
    meter_service(app, team, clock, NOV + timedelta(days=3), act.account_id, c.id)
    # December: one call resolved first time, one meter service passed first time.
    emergency(app, team, clock, DEC, True)
    meter_service(app, team, clock, DEC, act.account_id, c.id)
    clock.set(DEC + timedelta(days=2))

    rates = DashboardData(app, team.manager).rates_by_month(months=3)
    assert [r.month for r in rates] == ["2026-10", "2026-11", "2026-12"]
    assert rates[0] == MonthRates("2026-10")
    nov, dec = rates[1], rates[2]
    assert (nov.emergencies_closed, nov.first_visit, nov.meter_done, nov.meter_passed, nov.meter_reworked) == (3, 2, 4, 3, 1)
    assert nov.first_visit_rate == Decimal("0.6667") and nov.pass_rate == Decimal("0.7500")
    assert dec.first_visit_rate == Decimal("1.0000") and dec.pass_rate == Decimal("1.0000")
    assert DashboardData(app, team.manager).snapshot(months=3).rates == rates

    out = tmp_path / "c.xlsx"
    LedgerService(app, team.manager).export("compliance", LedgerFilter(datetime(2026, 11, 1).date(),
                                                                       datetime(2026, 12, 31).date()), out)
    sheet = load_workbook(out, data_only=True)["服务承诺指标"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
    head = next(i for i, r in enumerate(rows) if r[0] == "月份")
    assert rows[head] == ("月份", "抢险抢修结案", "一次处结", "一次处结率", "表具校验/更换办结", "一次合格", "返工", "合格率")
    assert rows[head + 1][:3] == ("2026-11", 3, 2) and rows[head + 1][3] == pytest.approx(2 / 3, abs=1e-4)
    assert rows[head + 1][4:7] == (4, 3, 1) and rows[head + 1][7] == pytest.approx(0.75)
    assert rows[head + 2][0] == "2026-12" and rows[head + 2][3] == 1 and rows[head + 2][7] == 1
    total = next(r for r in rows if str(r[0]).startswith("合计"))
    assert total[1:3] == (4, 3) and total[3] == pytest.approx(3 / 4) and total[4:7] == (5, 4, 1)
    assert total[7] == pytest.approx(4 / 5)


def test_a_permit_pause_is_shown_as_such_in_the_compliance_ledger(app, team, clock, tmp_path):
    clock.set(datetime(2026, 11, 27, 10, 0))  # Friday
    clerk, am = OrderService(app, team.clerk), OrderService(app, team.account_manager)
    o = clerk.open("installation", business(app, team.clerk).id, documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "示例工程", "expected_monthly_volume": "800"})
    o = clerk.perform(o.id, "register")
    clock.set(datetime(2026, 11, 30, 9, 0))
    OrderService(app, team.manager).pause_clock(o.id, "道路挖掘许可", "permit")
    clock.set(datetime(2026, 12, 3, 9, 0))
    OrderService(app, team.manager).resume_clock(o.id)
    clock.set(datetime(2026, 12, 4, 9, 0))
    OrderService(app, team.manager).pause_clock(o.id, "客户负责人出差")
    clock.set(datetime(2026, 12, 7, 9, 0))
    OrderService(app, team.manager).resume_clock(o.id)
    o = am.perform(o.id, "survey_done", {"survey_date": "2026-12-07", "designer": "周工", "survey_notes": "可"})
    out = tmp_path / "c.xlsx"
    LedgerService(app, team.manager).export("compliance", None, out)
    rows = list(load_workbook(out)["时限明细"].iter_rows(values_only=True))
    head = next(r for r in rows if r and r[0] == "业务单号")
    survey = dict(zip(head, next(r for r in rows if r and r[0] == o.number and r[2] == "现场踏勘"), strict=True))
    assert survey["暂停记录"] == ("审批 2026-11-30 09:00 至 2026-12-03 09:00（3个工作日）；"
                              "2026-12-04 09:00 至 2026-12-07 09:00（1个工作日）")
    assert survey["暂停工作日"] == 4 and survey["其中审批暂停"] == 3
    assert survey["结果"] == "按时" and not survey["核对"]
