"""Confirming a year's notice or overriding a day: open clocks follow, the moved ones are listed and exported;
the pause rule; the reminder from 1 November."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from gasdesk.models import AuditEntry, Deadline
from gasdesk.services.calendar import CalendarService
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.worklists import WorklistService
from gasdesk.vocab import DeadlineScope
from tests.helpers import business, make_team, resident

DOCS = ["property_proof", "owner_id"]
NOTICES = Path(__file__).parent / "fixtures" / "notices"
NOTICE_2027 = (NOTICES / "2027-hypothetical.txt").read_text(encoding="utf-8")
END = (23, 59, 59)


@pytest.fixture
def team(app):
    return make_team(app)


def total(order):
    return next(d for d in order.deadlines if d.scope == DeadlineScope.ORDER)


def test_confirming_the_notice_moves_open_orders_and_lists_them(app, team, clock):
    clerk = OrderService(app, team.clerk)
    clock.set(datetime(2027, 2, 1, 9, 0))  # Monday; 2027 not confirmed: the law's Spring Festival
    moving = clerk.open("activation", resident(app, team.clerk).id, documents=DOCS)
    # 02, 03, 04 | 除夕 05 – 初三 08, 补假 09, 10 | 11, 12
    assert total(moving).due_at == datetime(2027, 2, 12, *END)
    staying = clerk.open("activation", resident(app, team.clerk, name="李娜").id, documents=DOCS)
    clock.set(datetime(2027, 1, 11, 9, 0))
    early = clerk.open("activation", resident(app, team.clerk, name="王芳").id, documents=DOCS)
    assert total(early).due_at == datetime(2027, 1, 18, *END)
    clock.set(datetime(2027, 2, 1, 15, 0))
    staying = clerk.pause_clock(staying.id, "客户外出，回来后再约")
    assert total(staying).status == "paused" and total(staying).remaining == 5  # paused the day it started

    work = WorklistService(app, team.manager)
    assert [i.provisional for i in work.my_queue() if i.number == moving.number] == [True]
    calendar = CalendarService(app, team.admin)
    preview = calendar.preview_notice(NOTICE_2027, 2027)
    assert preview.ok
    # the notice gives 11 and 12 Feb (and more) as rest and 20 Feb as a working Saturday
    diff = {d.day: (d.provisional_working, d.notice_working) for d in preview.differences}
    assert diff[date(2027, 2, 11)] == (True, False) and diff[date(2027, 2, 20)] == (False, True)
    assert not calendar.is_confirmed(2027)  # a preview writes nothing

    change = calendar.confirm_notice(NOTICE_2027, 2027)
    assert calendar.is_confirmed(2027)
    moved = {m.number: m for m in change.moved}
    assert set(moved) == {moving.number, staying.number}
    assert (moved[moving.number].old_due, moved[moving.number].new_due) == (
        datetime(2027, 2, 12, *END), datetime(2027, 2, 16, *END))  # 02, 03, 04 | 05–12 | 15, 16
    assert moved[moving.number].clock == "全程时限" and moved[moving.number].kind_label
    assert moved[staying.number].paused and (moved[staying.number].old_remaining,
                                            moved[staying.number].new_remaining) == (5, 5)
    assert moved[staying.number].new_due == datetime(2027, 2, 16, *END)
    assert total(OrderService(app, team.clerk).get(moving.id)).due_at == datetime(2027, 2, 16, *END)
    assert total(OrderService(app, team.clerk).get(early.id)).due_at == datetime(2027, 1, 18, *END)
    assert [i.provisional for i in work.my_queue() if i.number == moving.number] == [False]

    record = calendar.notice(2027)
    assert record is not None and record.confirmed_by == team.admin.name
    assert record.confirmed_at == datetime(2027, 2, 1, 15, 0) and "春节" in record.text
    with app.reading() as s:
        actions = [(e.entity, e.action) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("calendar", "confirm_notice") in actions
    assert actions.count(("deadline", "follow_calendar")) == 2

    # resuming after the confirmation follows the pause rule on the confirmed calendar
    clock.set(datetime(2027, 2, 17, 10, 0))  # Wednesday
    staying = clerk.resume_clock(staying.id)
    # paused Mon 1 Feb: Tue 2 .. Wed 17 are given back (2, 3, 4, 15, 16, 17 = 6 working days):
    # 16 Feb + 6 = 17, 18, 19, Sat 20 (上班), 22, 23
    assert total(staying).due_at == datetime(2027, 2, 23, *END)


def test_the_moved_list_exports_to_excel(app, team, clock, tmp_path):
    clock.set(datetime(2027, 2, 1, 9, 0))
    order = OrderService(app, team.clerk).open("activation", resident(app, team.clerk).id, documents=DOCS)
    calendar = CalendarService(app, team.manager)
    change = calendar.confirm_notice(NOTICE_2027, 2027)
    path = tmp_path / "moved.xlsx"
    assert calendar.export_moved(change, path) == 1
    sheet = openpyxl.load_workbook(path).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert any(row and row[0] == "业务单号" for row in values)
    data = next(row for row in values if row and row[0] == order.number)
    assert data[3] == datetime(2027, 2, 12, *END) and data[4] == datetime(2027, 2, 16, *END) and data[5] == 2
    with pytest.raises(NotAllowed):
        CalendarService(app, team.clerk).export_moved(change, tmp_path / "x.xlsx")


def test_an_unreadable_notice_is_refused_and_nothing_changes(app, team, clock):
    calendar = CalendarService(app, team.admin)
    broken = NOTICE_2027.replace("4月3日（周六）", "4月3日（周日）")
    with pytest.raises(Refused) as err:
        calendar.confirm_notice(broken, 2027)
    assert "清明节" in err.value.message
    assert not calendar.is_confirmed(2027) and calendar.notice(2027) is None
    with pytest.raises(NotAllowed):
        CalendarService(app, team.clerk).confirm_notice(NOTICE_2027, 2027)


def test_an_office_override_moves_open_orders(app, team, clock):
    order = OrderService(app, team.clerk).open("activation", resident(app, team.clerk).id, documents=DOCS)
    assert total(order).due_at == datetime(2026, 12, 4, *END)
    change = CalendarService(app, team.admin).set_day(date(2026, 12, 2), False, "停气检修，全厅休息")
    assert [(m.number, m.new_due) for m in change.moved] == [(order.number, datetime(2026, 12, 7, *END))]
    change = CalendarService(app, team.admin).set_day(date(2026, 12, 2), None)
    assert [m.new_due for m in change.moved] == [datetime(2026, 12, 4, *END)]


def test_the_pause_rule_monday_to_thursday(app, team, clock):
    """README: a pause from Monday morning to Thursday moves an 8-working-day installation from 11-12 to 11-17."""
    clock.set(datetime(2026, 11, 2, 9, 0))  # Monday
    clerk = OrderService(app, team.clerk)
    o = clerk.open("installation", business(app, team.clerk).id,
                   documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "食堂", "expected_monthly_volume": "800"})
    assert total(o).due_at == datetime(2026, 11, 12, *END)
    clock.set(datetime(2026, 11, 9, 9, 0))
    clerk.pause_clock(o.id, "客户要求暂缓")
    clock.set(datetime(2026, 11, 12, 9, 0))
    o = clerk.resume_clock(o.id)
    assert total(o).due_at == datetime(2026, 11, 17, *END)
    notes = CalendarService(app, team.clerk).clock_notes(o.id)
    assert notes[total(o).id].paused_working_days == 3  # Tue 10, Wed 11, Thu 12
    assert not notes[total(o).id].provisional


@pytest.mark.parametrize("today, role, expected", [
    (date(2026, 11, 1), "manager", 2027),
    (date(2026, 11, 1), "admin", 2027),
    (date(2026, 11, 1), "clerk", None),
    (date(2026, 10, 31), "manager", None),
])
def test_reminder_from_1_november_for_those_who_confirm(app, team, clock, today, role, expected):
    clock.set(datetime.combine(today, datetime.min.time()))
    reminder = CalendarService(app, getattr(team, role)).reminder(today)
    assert (reminder[0] if reminder else None) == expected
    if reminder:
        assert "2027年的节假日安排尚未确认" in reminder[1]


def test_no_reminder_once_the_year_is_confirmed(app, team, clock):
    CalendarService(app, team.admin).confirm_notice(NOTICE_2027, 2027)
    assert CalendarService(app, team.manager).reminder(date(2026, 11, 27)) is None


def test_compliance_ledger_is_reproducible_from_the_pauses_and_the_rule(app, team, clock, tmp_path):
    from gasdesk.services.ledgers import LedgerService
    from gasdesk.workdays import WorkCalendar

    clock.set(datetime(2026, 11, 2, 9, 0))  # Monday
    clerk = OrderService(app, team.clerk)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=DOCS)
    o = clerk.perform(o.id, "accept")
    clock.set(datetime(2026, 11, 3, 10, 0))
    clerk.pause_clock(o.id, "客户外出")
    clock.set(datetime(2026, 11, 6, 9, 0))  # Friday: Wed 4, Thu 5, Fri 6 given back
    clerk.resume_clock(o.id)
    clock.set(datetime(2026, 11, 12, 16, 0))
    OrderService(app, team.dispatcher).perform(o.id, "work_done", {
        "meter_number": "M1", "meter_model": "JBD2.5", "meter_rating": "G2.5", "initial_reading": "0"})
    path = tmp_path / "c.xlsx"
    LedgerService(app, team.manager).export("compliance", None, path)
    sheet = openpyxl.load_workbook(path)["时限明细"]
    rows = list(sheet.iter_rows(values_only=True))
    head = next(r for r in rows if r and r[0] == "业务单号")
    row = dict(zip(head, next(r for r in rows if r and r[0] == o.number and r[2] == "全程时限"), strict=True))
    assert row["承诺时限"] == "5个工作日" and row["暂停工作日"] == 3
    assert row["暂停记录"] == "2026-11-03 10:00 至 2026-11-06 09:00（3个工作日）"
    # by hand: the (5 + 3)-th working day after Monday 2 November is Thursday 12 November
    assert WorkCalendar().add_working_days(row["开始时间"].date(), 5 + 3) == date(2026, 11, 12)
    assert row["应完成时间"] == datetime(2026, 11, 12, *END) and row["结果"] == "按时" and not row["核对"]


def test_a_counter_with_a_cached_calendar_counts_on_the_confirmed_one(app, team, clock):
    """Another counter's process loaded the calendar before the notice was confirmed (it keeps it a minute):
    its next clock is still counted on the confirmed calendar."""
    from gasdesk.services.context import App

    clock.set(datetime(2027, 2, 1, 9, 0))
    other = App(app.url, clock, migrate=False)
    try:
        assert other.calendar().is_working_day(date(2027, 2, 11))  # cached: the law's days only
        CalendarService(app, team.admin).confirm_notice(NOTICE_2027, 2027)
        assert other.calendar().is_working_day(date(2027, 2, 11))  # still the cached one
        order = OrderService(other, team.clerk).open("activation", resident(other, team.clerk).id, documents=DOCS)
        assert total(order).due_at == datetime(2027, 2, 16, *END)
    finally:
        other.dispose()


def _open_orders(url: str, clerk, customer_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    from gasdesk.clock import FixedClock
    from gasdesk.services.context import App

    other = App(url, FixedClock(datetime(2027, 2, 1, 9, 0)), migrate=False)
    try:
        other.calendar()
        for c in customer_ids:
            OrderService(other, clerk).open("activation", c, documents=DOCS)
    finally:
        other.dispose()


def _resume_orders(url: str, clerk, order_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    from gasdesk.clock import FixedClock
    from gasdesk.services.context import App

    other = App(url, FixedClock(datetime(2027, 2, 3, 10, 0)), migrate=False)
    try:
        other.calendar()
        for order_id in order_ids:
            OrderService(other, clerk).resume_clock(order_id)
    finally:
        other.dispose()


def _confirm(url: str, admin) -> None:  # type: ignore[no-untyped-def]
    from gasdesk.clock import FixedClock
    from gasdesk.services.context import App

    other = App(url, FixedClock(datetime(2027, 2, 1, 9, 0)), migrate=False)
    try:
        CalendarService(other, admin).confirm_notice(NOTICE_2027, 2027)
    finally:
        other.dispose()


@pytest.mark.pg
def test_confirming_while_counters_open_orders_leaves_no_clock_behind(app, team, clock):
    if not app.url.startswith("postgresql"):
        pytest.skip("two processes really run at once only on PostgreSQL")
    from tests.test_concurrency import run_at_once

    customers = [resident(app, team.clerk, f"客户{i}").id for i in range(24)]
    run_at_once(_open_orders, [(app.url, team.clerk, customers[i::3]) for i in range(3)])  # warm up the import
    clock.set(datetime(2027, 2, 1, 9, 0))
    paused = [OrderService(app, team.clerk).open("activation", resident(app, team.clerk, f"暂停客户{i}").id,
                                                 documents=DOCS).id for i in range(12)]
    for order_id in paused:
        OrderService(app, team.clerk).pause_clock(order_id, "客户外出")
    customers = [resident(app, team.clerk, f"新客户{i}").id for i in range(36)]
    args: list[tuple] = [(app.url, team.clerk, customers[i::3]) for i in range(3)]
    args.insert(1, (app.url, team.admin))
    args += [(app.url, team.clerk, paused[i::2]) for i in range(2)]
    ctx_targets = [_open_orders, _confirm, _open_orders, _open_orders, _resume_orders, _resume_orders]

    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=t, args=a) for t, a in zip(ctx_targets, args, strict=True)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
        assert p.exitcode == 0
    with app.reading() as s:
        rows = s.execute(select(Deadline.order_id, Deadline.due_at, Deadline.status)
                         .where(Deadline.scope == DeadlineScope.ORDER)).all()
    assert len(rows) == 72
    # every clock, opened or resumed before or after the confirmation, counts on the confirmed calendar:
    # opened Mon 1 Feb: 2, 3, 4 | 5–12 | 15, 16; paused 1 Feb to Wed 3 Feb: two working days more
    assert {due for order_id, due, _ in rows if order_id not in paused} == {datetime(2027, 2, 16, *END)}
    assert {(due, status) for order_id, due, status in rows if order_id in paused} == {
        (datetime(2027, 2, 18, *END), "running")}
