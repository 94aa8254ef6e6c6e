"""Meter readings at the counter, from the readers' Excel sheet, and from a meter change."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from gasdesk.models import Bill, Meter, MeterReading
from gasdesk.services.billing import BillingService
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.readings import ReadingService, RejectedRow, read_sheet, template_xlsx
from tests.helpers import active_resident, balance_of, make_team, snapshot

D = Decimal


@pytest.fixture
def team(app):
    return make_team(app)


def xlsx(rows, header=("表号", "抄表日期", "读数")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["示例燃气公司 12月抄表数据"])  # a title line above the header is allowed
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts(app):
    with app.reading() as s:
        return s.scalar(select(func.count(MeterReading.id))), s.scalar(select(func.count(Bill.id)))


def test_counter_reading_refusals_write_nothing(app, team, clock):
    _, act = active_resident(app, team, meter="M-1")
    svc = ReadingService(app, team.clerk)
    clock.set(datetime(2026, 12, 20, 9))
    first = svc.record("M-1", "2026-12-10", "50.5")
    assert (first.volume, first.bill.amount) == (D("50.500"), D("133.83"))
    before = snapshot(app)
    for args, reason in [
        (("M-404", "2026-12-20", "60"), "表号不存在"),
        (("M-1", "2026-12-20", "50.4"), "小于上次读数 50.500"),
        (("M-1", "2026-12-10", "60"), "已有抄表记录"),
        (("M-1", "2026-12-09", "60"), "早于上次抄表日期 2026-12-10"),
        (("M-1", "2026-12-21", "60"), "晚于今天"),
        (("M-1", "2026-13-01", "60"), "抄表日期无效"),
        (("M-1", "2026-12-20", "6O"), "表读数"),
        (("M-1", "2026-12-20", "60.0001"), "三位小数"),
        (("", "2026-12-20", "60"), "表号"),
    ]:
        with pytest.raises(Refused, match=reason):
            svc.record(*args)
        assert snapshot(app) == before
    with pytest.raises(NotAllowed):
        ReadingService(app, team.dispatcher).record("M-1", "2026-12-20", "60")
    same = svc.record("M-1", date(2026, 12, 20), "50.5")      # no gas used: a reading, no bill
    assert same.bill is None and counts(app) == (2, 1)
    assert [r.read_on for r in svc.readings_of(act.account_id)] == [date(2026, 12, 20), date(2026, 12, 10)]
    with app.reading() as s:
        meter = s.scalar(select(Meter).where(Meter.number == "M-1"))
        assert meter.last_reading == D("50.500") and meter.last_read_at == datetime(2026, 12, 20, 9)


def test_import_with_bad_rows_lists_them_and_imports_the_rest(app, team, clock):
    _, a1 = active_resident(app, team, "甲", meter="M-A1")
    _, a2 = active_resident(app, team, "乙", meter="M-A2")
    _, a3 = active_resident(app, team, "丙", meter="M-A3")
    _, a4 = active_resident(app, team, "丁", meter="20261127")
    clock.set(datetime(2026, 12, 5, 9))
    ReadingService(app, team.clerk).record("M-A3", "2026-12-05", "7")   # already read today
    clock.set(datetime(2026, 12, 20, 9))
    with app.unit_of_work() as s:                                        # a higher last reading
        s.scalar(select(Meter).where(Meter.number == "M-A2")).last_reading = D("500")
    before = counts(app)
    sheet = xlsx([
        ("M-A1", date(2026, 12, 20), 120.5),          # 3  good (a date cell, a number cell)
        ("M-A2", "2026-12-20", "499.999"),            # 4  lower than the last reading
        ("M-404", "2026-12-20", "10"),                 # 5  unknown meter
        ("M-A1", "2026-12-20", "130"),                 # 6  same meter twice in the sheet
        ("M-A3", "2026/12/05", "9"),                   # 7  already read that day
        ("M-A2", "2026-02-30", "600"),                 # 8  bad date (M-A2 is now "seen": a later row is a duplicate)
        ("M-X", "2026-12-20", "abc"),                  # 9  bad number
        (None, "2026-12-20", "10"),                    # 10 no meter number
        (None, None, None),                            # 11 empty row: skipped
        (20261127, "2026年12月20日", 40),              # 12 good (a number cell as meter number, Chinese date)
        ("M-A3", "2026-12-21", "10"),                  # 13 M-A3 again
    ])
    progress = []
    result = ReadingService(app, team.clerk).import_file(sheet, lambda done, total: progress.append((done, total)))
    assert result.imported == 2 and result.rows == 10 and result.bills == 2
    assert result.billed == D("319.33") + D("106.00")
    assert result.rejected == [
        (4, "M-A2", "读数 499.999 小于上次读数 500.000"),
        (5, "M-404", "表号不存在"),
        (6, "M-A1", "表号在本表中重复（与第 3 行）"),
        (7, "M-A3", "该表 2026-12-05 已有抄表记录（重复）"),
        (8, "M-A2", "表号在本表中重复（与第 4 行）"),
        (9, "M-X", "表读数格式不正确，请输入数字，例如 12.50"),
        (10, "", "缺少表号"),
        (13, "M-A3", "表号在本表中重复（与第 7 行）"),
    ]
    assert isinstance(result.rejected[0], RejectedRow)
    assert progress[-1] == (10, 10)
    assert counts(app) == (before[0] + 2, before[1] + 2)
    assert balance_of(app, a1.account_id) == D("-319.33") and balance_of(app, a4.account_id) == D("-106.00")
    assert balance_of(app, a2.account_id) == D("0.00")


def test_import_reasons_for_dates(app, team, clock):
    active_resident(app, team, meter="M-D")
    clock.set(datetime(2026, 12, 20, 9))
    result = ReadingService(app, team.clerk).import_file(xlsx([("M-D", "2026-02-30", "1")]))
    assert result.rejected == [(3, "M-D", "抄表日期无效：2026-02-30")]
    result = ReadingService(app, team.clerk).import_file(xlsx([("M-D", "2026-12-21", "1")]))
    assert result.rejected == [(3, "M-D", "抄表日期 2026-12-21 晚于今天")]
    result = ReadingService(app, team.clerk).import_file(xlsx([("M-D", "2026-11-01", "1")]))
    assert result.rejected == [(3, "M-D", "抄表日期 2026-11-01 早于上次抄表日期 2026-11-27")]


def test_import_needs_the_headers_and_an_xlsx_file(app, team):
    svc = ReadingService(app, team.clerk)
    with pytest.raises(Refused, match="表头"):
        svc.import_file(xlsx([("M-1", "2026-12-01", "1")], header=("编号", "时间", "数")))
    with pytest.raises(Refused, match="xlsx"):
        svc.import_file(b"not a workbook")
    english = read_sheet(xlsx([("M-1", "2026-12-01", "1")], header=("Meter number", "Reading date", "Reading")))
    assert [(r.row, r.meter) for r in english] == [(3, "M-1")]
    template = load_workbook(io.BytesIO(template_xlsx())).active
    assert [c.value for c in template[1]] == ["表号", "抄表日期", "读数"]


def test_import_a_big_sheet_in_batches(app, team, clock):
    meters = [f"M-B{i:03d}" for i in range(5)]
    for i, number in enumerate(meters):
        active_resident(app, team, f"户{i}", meter=number)
    clock.set(datetime(2026, 12, 20, 9))
    import gasdesk.services.readings as readings

    old = readings.BATCH
    readings.BATCH = 2
    try:
        result = ReadingService(app, team.clerk).import_file(
            xlsx([(m, "2026-12-20", str(10 + i)) for i, m in enumerate(meters)] + [("M-404", "2026-12-20", "1")]))
    finally:
        readings.BATCH = old
    assert result.imported == 5 and [r.row for r in result.rejected] == [8]


def test_meter_change_bills_the_old_meter_and_starts_the_new_one(app, team, clock):
    c, act = active_resident(app, team, meter="M-OLD")
    clock.set(datetime(2026, 12, 10, 9))
    BillingService(app, team.clerk).record_reading("M-OLD", "2026-12-10", "100")        # 265.00
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("capacity_change", c.id, documents=["id_copy"], data={"direction": "increase",
                                                                          "requested_rating": "G4"})
    o = clerk.perform(o.id, "accept")
    clock.set(datetime(2026, 12, 10, 15))
    o = dispatcher.perform(o.id, "meter_changed", {
        "final_reading": "112.5", "meter_number": "M-NEW", "meter_model": "JBD4", "meter_rating": "G4",
        "initial_reading": "3.2", "fee": "150", "fee_method": "cash"})
    assert o.status == "archived" and o.data["final_bill_amount"] == "33.13"   # 12.5 m³ the same day
    with app.reading() as s:
        final = s.scalar(select(MeterReading).where(MeterReading.source == "meter_change"))
        assert (final.previous, final.reading, final.volume, final.order_id) == (
            D("100.000"), D("112.500"), D("12.500"), o.id)
        old = s.scalar(select(Meter).where(Meter.number == "M-OLD"))
        assert (old.status, old.final_reading, old.last_reading) == ("removed", D("112.500"), D("112.500"))
    with pytest.raises(Refused, match="已拆除"):
        BillingService(app, team.clerk).record_reading("M-OLD", "2026-12-10", "120")
    clock.set(datetime(2026, 12, 20, 9))
    bill = BillingService(app, team.clerk).record_reading("M-NEW", "2026-12-20", "13.2").bill
    assert (bill.previous_reading, bill.volume) == (D("3.200"), D("10.000"))
    # tiers count the household's year over both meters: 122.5 m³ so far, all tier 1
    assert [x.tier for x in bill.lines] == [1]
    assert balance_of(app, act.account_id) == -(D("265.00") + D("33.13") + D("26.50"))


def test_a_meter_replaced_on_a_suspended_account_bills_its_gas(app, team, clock):
    from gasdesk.models import Account
    from gasdesk.services.readings import ReadingSource, final_reading

    c, act = active_resident(app, team, meter="M-SUS")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-11-27"})
    o = clerk.perform(o.id, "accept")
    o = clerk.perform(o.id, "without_plugging")
    clerk.perform(o.id, "reader_notified")
    clock.set(datetime(2026, 12, 10, 9))
    with app.unit_of_work() as s:
        meter = s.scalar(select(Meter).where(Meter.number == "M-SUS"))
        reading, bill = final_reading(s, actor=team.dispatcher, at=clock.now(), meter=meter,
                                      account=s.get(Account, act.account_id), value=D("4"),
                                      source=ReadingSource("meter_change"), order_id=None)
        # no gas goes unbilled because the rounds skip a suspended account
        assert bill is not None and bill.amount == D("10.60") and reading.volume == D("4.000")
    assert balance_of(app, act.account_id) == D("-10.60") and counts(app) == (1, 1)


def _plug_and_close(app, team, clock, customer_id, reading):
    """A closure by plugging: the account closes at the visit, the meter stays where it is."""
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("closure", customer_id, documents=["id_copy", "property_proof", "property_mgmt"])
    for action, payload in [("documents_ok", {}), ("application_signed", {}), ("settled", {"settle_method": "cash"}),
                            ("plugging", {})]:
        o = clerk.perform(o.id, action, payload)
    clock.set(datetime(2026, 12, 18, 10))
    return dispatcher.perform(o.id, "work_done", {"final_reading": reading, "fee": "50.00", "fee_method": "cash"})


def test_a_visit_reading_after_the_day_an_account_closed_is_kept_and_bills_nothing(app, team, clock):
    """visit_bills: a closed account is billed no more after the day it closed (its bills ended at 0.00);
    a reading taken there is kept, with its volume, and makes no bill."""
    from gasdesk.models import Account
    from gasdesk.services.readings import ReadingSource, final_reading

    c, act = active_resident(app, team, meter="M-VC")
    _plug_and_close(app, team, clock, c.id, "5")
    before = counts(app)
    clock.set(datetime(2026, 12, 20, 9))
    with app.unit_of_work() as s:
        meter = s.scalar(select(Meter).where(Meter.number == "M-VC"))
        reading, bill = final_reading(s, actor=team.dispatcher, at=clock.now(), meter=meter,
                                      account=s.get(Account, act.account_id), value=D("9"),
                                      source=ReadingSource("meter_change"), order_id=None)
        assert bill is None and (reading.previous, reading.reading, reading.volume) == (D("5"), D("9"), D("4.000"))
    assert counts(app) == (before[0] + 1, before[1])
    assert balance_of(app, act.account_id) == D("0.00")


def test_a_visit_reading_on_the_day_an_account_closed_is_still_billed(app, team, clock):
    from gasdesk.models import Account
    from gasdesk.services.readings import ReadingSource, final_reading

    c, act = active_resident(app, team, meter="M-VD")
    _plug_and_close(app, team, clock, c.id, "5")
    clock.set(datetime(2026, 12, 18, 16))
    with app.unit_of_work() as s:
        meter = s.scalar(select(Meter).where(Meter.number == "M-VD"))
        _, bill = final_reading(s, actor=team.dispatcher, at=clock.now(), meter=meter,
                                account=s.get(Account, act.account_id), value=D("6"),
                                source=ReadingSource("meter_change"), order_id=None)
        assert bill is not None and bill.amount == D("2.65")


def test_a_meter_service_and_a_closure_or_transfer_never_run_at_once(app, team):
    """A meter replacement changes the meter: the account may not be ended meanwhile, nor may a meter
    service start on an account being ended (the visit would replace the meter of a closed account)."""
    clerk = OrderService(app, team.clerk)
    c, _ = active_resident(app, team, meter="M-MS1")
    service = clerk.open("meter_service", c.id, documents=["owner_id"], data={"service_reason": "fault"})
    for kind, docs in (("closure", ["id_copy", "property_proof", "property_mgmt"]),
                       ("transfer", ["both_ids", "property_proof", "property_mgmt"])):
        with pytest.raises(Refused, match=f"已有办理中的业务 {service.number}"):
            clerk.open(kind, c.id, documents=docs)
    other, _ = active_resident(app, team, "李四", meter="M-MS2")
    closure = clerk.open("closure", other.id, documents=["id_copy", "property_proof", "property_mgmt"])
    with pytest.raises(Refused, match=f"已有办理中的业务 {closure.number}"):
        clerk.open("meter_service", other.id, documents=["owner_id"], data={"service_reason": "fault"})
