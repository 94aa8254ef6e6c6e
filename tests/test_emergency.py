"""Emergency repairs against the commitment, and planned-work notices."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from gasdesk.services.emergency import EmergencyService
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.planned_work import PlannedWorkService, peak_overlaps
from tests.helpers import make_team, resident

CALLED = datetime(2026, 11, 27, 10, 0)


@pytest.fixture
def team(app):
    return make_team(app)


def call(app, team, clock, kind="leak", district="urban"):
    clock.set(CALLED)
    service = EmergencyService(app, team.dispatcher)
    c = service.register(kind=kind, caller_name="张先生", caller_phone="13900000000",
                         address="南明区花果园R1区3栋", district=district, description="厨房有燃气味")
    return service, service.dispatch(c.id, "抢险一班")


def test_minute_31_in_the_city_is_late(app, team, clock):
    service, c = call(app, team, clock)
    assert c.due_at == CALLED + timedelta(minutes=30) and c.limit_minutes == 30
    clock.set(CALLED + timedelta(minutes=31))
    c = service.arrive(c.id)
    assert c.outcome == "late"


def test_minute_30_is_on_time_and_suburbs_have_an_hour(app, team, clock):
    service, c = call(app, team, clock)
    assert service.arrive(c.id, CALLED + timedelta(minutes=30)).outcome == "on_time"
    service, c = call(app, team, clock, district="suburban")
    assert service.arrive(c.id, CALLED + timedelta(minutes=59)).outcome == "on_time"


def test_a_closed_road_excuses_a_35_minute_arrival(app, team, clock):
    service, c = call(app, team, clock)
    with pytest.raises(Refused, match="写明"):
        service.arrive(c.id, CALLED + timedelta(minutes=35), excuse="road_closed")
    c = service.arrive(c.id, CALLED + timedelta(minutes=35), excuse="road_closed", excuse_note="中华路施工封闭")
    assert c.outcome == "excused" and c.excuse == "road_closed"


def test_other_repairs_are_due_the_same_day_and_the_board_orders_by_urgency(app, team, clock):
    service, other = call(app, team, clock, kind="other")
    assert other.due_at == datetime(2026, 11, 27, 23, 59, 59) and other.limit_minutes is None
    _, leak = call(app, team, clock)
    board = service.open_calls()
    assert [c.number for c in board] == [leak.number, other.number]
    assert board[0].minutes_left(CALLED + timedelta(minutes=10)) == 20


def test_closing_and_compliance(app, team, clock):
    service, a = call(app, team, clock)
    service.arrive(a.id, CALLED + timedelta(minutes=20))
    with pytest.raises(Refused, match="处理结果"):
        service.close(a.id, "", True)
    service.close(a.id, "更换胶管，已无泄漏", resolved_first_visit=True)
    _, b = call(app, team, clock)
    service.arrive(b.id, CALLED + timedelta(minutes=45))
    _, c = call(app, team, clock)
    service.arrive(c.id, CALLED + timedelta(minutes=40), excuse="traffic", excuse_note="高架拥堵")
    [row] = service.compliance(date(2026, 11, 1), date(2026, 11, 30))
    assert (row.calls, row.on_time, row.late, row.excused, row.first_visit_resolved, row.closed) == (3, 1, 1, 1, 1, 1)
    assert row.rate == 0.5
    assert [c.number for c in service.open_calls()] == [b.number, c.number]


def test_clerks_register_but_only_dispatch_moves_crews(app, team, clock):
    clock.set(CALLED)
    c = EmergencyService(app, team.clerk).register(kind="fire", caller_name="李女士", caller_phone="0851-86201234",
                                                   address="云岩区中华北路1号", district="urban")
    with pytest.raises(NotAllowed):
        EmergencyService(app, team.clerk).dispatch(c.id, "抢险一班")
    with pytest.raises(Refused, match="请先派遣"):
        EmergencyService(app, team.dispatcher).arrive(c.id)


# --- planned work ---------------------------------------------------------------------------------

def test_notice_23_hours_ahead_is_refused_unless_emergency(app, team, clock):
    planner = PlannedWorkService(app, team.dispatcher)
    start = clock.now() + timedelta(hours=23)
    kw = dict(kind="maintenance", title="中压管线检修", area="花果园片区", address_terms=["花果园"],
              starts_at=start, ends_at=start + timedelta(hours=4))
    with pytest.raises(Refused, match="24小时"):
        planner.create(**kw)
    work = planner.create(**kw, emergency=True)
    assert work.emergency
    ok = planner.create(**{**kw, "starts_at": clock.now() + timedelta(hours=24),
                           "ends_at": clock.now() + timedelta(hours=26)})
    assert ok.number.startswith("TZ-")


def test_a_notice_longer_than_its_columns_is_refused_not_truncated(app, team, clock):
    planner = PlannedWorkService(app, team.dispatcher)
    start = clock.now() + timedelta(hours=30)
    kw = dict(kind="maintenance", title="检修", area="花果园片区", address_terms=["花果园"],
              starts_at=start, ends_at=start + timedelta(hours=2))
    for field, value, message in (("title", "检" * 101, "作业名称"), ("area", "区" * 201, "作业区域"),
                                  ("address_terms", ["花果园" * 40], "地址关键词"),
                                  ("address_terms", [f"小区{i}" for i in range(51)], "地址关键词")):
        with pytest.raises(Refused, match=message):
            planner.create(**{**kw, field: value})
    assert planner.create(**{**kw, "title": "检" * 100}).title == "检" * 100


def test_peak_hours_warn_and_affected_customers_are_listed(app, team, clock):
    for i in range(3):
        resident(app, team.clerk, f"住户{i}")  # addresses 示例市南明区花果园N栋
    planner = PlannedWorkService(app, team.dispatcher)
    start = datetime(2026, 11, 29, 10, 0)
    work = planner.create(kind="live_gas", title="带气接线", area="花果园", address_terms=["花果园"],
                          starts_at=start, ends_at=start + timedelta(hours=2))
    assert "11:00-13:00" in work.peak_warning and work.affected_count == 3
    affected = planner.affected(work.id)
    assert len(affected) == 3 and all(a.phone.startswith("139") for a in affected)
    quiet = planner.create(kind="maintenance", title="检修", area="x", address_terms=["不存在的小区"],
                           starts_at=datetime(2026, 11, 29, 14, 0), ends_at=datetime(2026, 11, 29, 16, 0))
    assert quiet.peak_warning == "" and quiet.affected_count == 0


def test_peak_overlap_windows():
    windows = "06:30-08:30,11:00-13:00,17:00-19:30"
    assert peak_overlaps(datetime(2026, 12, 1, 8, 0), datetime(2026, 12, 1, 9, 0), windows) == ["06:30-08:30"]
    assert peak_overlaps(datetime(2026, 12, 1, 9, 0), datetime(2026, 12, 1, 11, 0), windows) == []
    assert peak_overlaps(datetime(2026, 12, 1, 22, 0), datetime(2026, 12, 2, 7, 0), windows) == ["06:30-08:30"]


def test_notice_prints_and_affected_customers_export(app, team, clock, tmp_path):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    for i in range(3):
        resident(app, team.clerk, f"住户{i}")
    planner = PlannedWorkService(app, team.dispatcher)
    start = datetime(2026, 11, 29, 14, 0)
    work = planner.create(kind="maintenance", title="中压管线检修", area="花果园片区", address_terms=["花果园"],
                          starts_at=start, ends_at=start + timedelta(hours=3), note="作业结束后逐户恢复供气")
    text = PdfReader(io.BytesIO(planner.notice_pdf(work.id))).pages[0].extract_text()
    assert "计划检修通知" in text and work.number in text and "花果园片区" in text and "约 3 户" in text
    out = tmp_path / "affected.xlsx"
    assert planner.export_affected(work.id, str(out)) == 3
    rows = [r for r in load_workbook(out).active.iter_rows(values_only=True) if r and r[0] and str(r[0]).startswith("C")]
    assert len(rows) == 3 and all(isinstance(r[2], str) and r[2].startswith("139") for r in rows)


def test_emergency_compliance_appears_in_the_compliance_ledger(app, team, clock, tmp_path):
    from openpyxl import load_workbook

    from gasdesk.services.ledgers import LedgerFilter, LedgerService

    service, a = call(app, team, clock)
    service.arrive(a.id, CALLED + timedelta(minutes=31))                      # late
    _, b = call(app, team, clock)
    service.arrive(b.id, CALLED + timedelta(minutes=35), excuse="road_closed", excuse_note="施工封路")
    _, c = call(app, team, clock)
    service.arrive(c.id, CALLED + timedelta(minutes=20))
    service.close(c.id, "已修复", resolved_first_visit=True)
    out = tmp_path / "c.xlsx"
    LedgerService(app, team.manager).export("compliance", LedgerFilter(date(2026, 11, 1), date(2026, 11, 30)), out)
    sheet = load_workbook(out)["抢险抢修到场"]
    [row] = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "2026-11"]
    assert row[1:8] == ("燃气泄漏", "市区", 3, 1, 1, 1, pytest.approx(2 / 3, abs=1e-4))
    assert row[8:11] == (1, 1, 1)
    # the totals line: rates of the subtotals (follow a filter), with the values cached in the file
    cached = load_workbook(out, data_only=True)["抢险抢修到场"]
    [total] = [r for r in cached.iter_rows(values_only=True) if r and str(r[0]).startswith("合计")]
    assert total[0] == "合计（1条）" and total[7] == pytest.approx(2 / 3, abs=1e-4) and total[10] == 1


def test_low_pressure_is_prompt_handling_not_30_60(app, team, clock):
    """Issue 17 item 5: 30/60 minutes for leak, fire, poisoning and explosion only; low pressure and
    network faults are held to their own target (the same day by default, or the setting's hours)
    and counted on their own line."""
    from gasdesk.services.emergency import CallKind
    from gasdesk.services.settings import SettingsService

    svc = EmergencyService(app, team.dispatcher)
    call = dict(caller_name="李娜", caller_phone="13800000001", address="安顺市西秀区塔山东路1号", district="urban")
    low = svc.register(kind="low_pressure", **call)
    leak = svc.register(kind="leak", **call)
    assert leak.limit_minutes == 30 and leak.due_at == clock.now() + timedelta(minutes=30)
    assert low.limit_minutes is None and low.due_at.date() == clock.now().date() and low.due_at.hour == 23
    SettingsService(app, team.admin).update({"limits.prompt_handling_hours": "4"})
    later = svc.register(kind="low_pressure", **call)
    assert later.limit_minutes is None and later.due_at == clock.now() + timedelta(hours=4)
    for c in (low, leak):
        svc.dispatch(c.id, "抢修一班")
        svc.arrive(c.id, clock.now() + timedelta(minutes=45))  # 45 minutes: late for the leak only
    lines = {r.kind: r for r in svc.compliance(clock.now().date(), clock.now().date())}
    assert lines[CallKind.LEAK].late == 1 and lines[CallKind.LEAK].on_time == 0
    assert lines[CallKind.LOW_PRESSURE].on_time == 1 and lines[CallKind.LOW_PRESSURE].late == 0
