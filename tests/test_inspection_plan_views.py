"""What the counter and the dispatcher see of a day when an inspection plan opened its orders: the
业务受理台账 shows every order's 受理方式 and leaves the plan's orders out on request, saying how many;
the dispatch queue and 今日受理 leave them out by default, while a supply stopped for a hazard
(隐患停气) stays in dispatch. Read back with openpyxl; SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from gasdesk.clock import FixedClock
from gasdesk.flows.inspection import flow as spec
from gasdesk.reports.ledgers import HEADER_ROW
from gasdesk.services.context import App
from gasdesk.services.errors import Refused
from gasdesk.services.inspection import ChecklistMark, EnteredResult, InspectionService, PlanSpec
from gasdesk.services.ledgers import DashboardData, LedgerFilter, LedgerService, Selection
from gasdesk.services.orders import OrderService, OrderView
from gasdesk.services.worklists import Tally, WorklistService
from gasdesk.vocab import Channel
from tests.helpers import Team, active_resident, make_team, resident
from tests.test_ledgers import col, data_rows, export


@dataclass
class Day:
    team: Team
    plan: list[int]  # the plan's inspection orders still waiting for their visit
    hazard_inspection: int  # the plan's order whose visit found an urgent hazard
    hazard_stop: OrderView  # the suspension that hazard raised, waiting for its plugging visit
    counter_stop: OrderView  # a suspension asked for at the counter, waiting for its plugging visit
    call: OrderView  # an account opening taken by telephone


@pytest.fixture
def day(app, clock) -> Day:
    return a_day(app, clock, make_team(app))


def a_day(app: App, clock: FixedClock, team: Team) -> Day:
    """Monday: a plan opens three inspections; one finds a grade-1 hazard and the supply is stopped; at the
    counter a suspension with plugging and an account opening by telephone (the three accounts the plan
    visits were opened at the counter on Friday)."""
    homes = [active_resident(app, team, f"居民{i}") for i in range(3)]
    clock.advance(days=3)  # the accounts were opened on Friday; the day's work starts on Monday
    plans = InspectionService(app, team.clerk)
    plan = plans.create_plan(PlanSpec(title="2026年12月市区居民安检", inspector="安检一班 周明",
                                      starts_on=clock.now().date(), ends_on=datetime(2026, 12, 31).date(),
                                      district="urban"))
    assert plans.open_plan(plan.id).opened == 3
    ids = [r.order_id for r in plans.plan_orders(plan.id)]
    hazard = ids[0]
    InspectionService(app, team.dispatcher).record_entered(hazard, EnteredResult(
        visited_at=clock.now(), inspector="周明",
        marks=[ChecklistMark(i.code, spec.GRADE1 if i.code == "heater_flue" else spec.OK, "")
               for i in spec.CHECKLIST]))
    clerk = OrderService(app, team.clerk)
    _view, stop = plans.stop_supply(hazard, "直排式热水器拒不更换")
    stop = clerk.set_documents(stop.id, ["owner_id"])
    for code in ("accept", "with_plugging"):
        stop = clerk.perform(stop.id, code)
    counter = clerk.open("suspension", homes[1][0].id, account_id=homes[1][1].account_id, documents=["owner_id"],
                         data={"suspend_from": "2026-12-05"})
    for code in ("accept", "with_plugging"):
        counter = clerk.perform(counter.id, code)
    caller = resident(app, team.clerk, "孙丽")
    call = clerk.open("activation", caller.id, channel=Channel.PHONE, caller_phone="13985012345")
    return Day(team=team, plan=ids[1:], hazard_inspection=hazard, hazard_stop=stop, counter_stop=counter, call=call)


def test_the_business_ledger_says_how_each_order_came_in_and_leaves_the_plans_out_on_request(app, clock, day,
                                                                                                 tmp_path):
    manager = day.team.manager
    today = clock.now().date()
    result, wb = export(app, manager, "business", tmp_path, LedgerFilter(date_from=today, date_to=today))
    ws = wb.active
    rows = data_rows(ws)
    how = {r[0]: r[col(ws, "受理方式")] for r in rows}
    assert col(ws, "受理方式") == col(ws, "受理时间") + 1
    assert result.rows == 6 and result.left_out == 0
    assert sorted(how.values()) == ["安检计划", "安检计划", "安检计划", "来电", "来访", "隐患停气"]
    assert (how[day.call.number], how[day.hazard_stop.number], how[day.counter_stop.number]) == (
        "来电", "隐患停气", "来访")
    assert "安检计划" not in ws["A2"].value

    # without the plan's orders: the title block says how many were left out
    counter = LedgerFilter(date_from=today, date_to=today, plan_orders=False)
    result, wb = export(app, manager, "business", tmp_path, counter)
    ws = wb.active
    assert result.rows == 3 and result.left_out == 3
    assert {r[col(ws, "受理方式")] for r in data_rows(ws)} == {"来电", "来访", "隐患停气"}
    assert "不含安检计划工单（另有 3 张未列入）" in ws["A2"].value
    assert ws.cell(HEADER_ROW + 4, 1).value == "合计（3条）"

    # one 受理方式 asked for: that one, even the plans' (the leaving-out gives way)
    result, wb = export(app, manager, "business", tmp_path, LedgerFilter(channel=Channel.PHONE, plan_orders=False))
    assert [r[0] for r in data_rows(wb.active)] == [day.call.number] and result.left_out == 0
    assert "受理方式=来电" in wb.active["A2"].value and "不含" not in wb.active["A2"].value
    result, wb = export(app, manager, "business", tmp_path, LedgerFilter(channel=Channel.PLAN, plan_orders=False))
    assert result.rows == 3 and {r[col(wb.active, "受理方式")] for r in data_rows(wb.active)} == {"安检计划"}

    # a ledger without the plan filter keeps them: the plugging ledger's hazard stop, the overdue list
    result, wb = export(app, manager, "plugging", tmp_path, LedgerFilter(channel=Channel.HAZARD_STOP))
    assert [r[0] for r in data_rows(wb.active)] == [day.hazard_stop.number]
    assert "不含" not in wb.active["A2"].value


def test_channel_filter_from_command_line_codes(app, day):
    service = LedgerService(app, day.team.manager)
    assert service.filter_from_codes(channel="phone") == LedgerFilter(channel=Channel.PHONE)
    with pytest.raises(Refused, match="受理方式"):
        service.filter_from_codes(channel="online")  # reserved: no order comes in that way yet
    choices = service.choices().channels
    assert [label for _code, label in choices] == ["来访", "来电", "安检计划", "隐患停气"]


def test_dispatch_leaves_out_the_plans_visits_but_never_a_hazard_stop(app, day):
    lists = WorklistService(app, day.team.dispatcher)
    shown = [i.number for i in lists.dispatch_queue()]
    assert sorted(shown) == sorted([day.hazard_stop.number, day.counter_stop.number])
    assert lists.tally_dispatch_queue() == Tally(total=4, plan=2)
    assert lists.count_dispatch_queue() == 2 and lists.count_dispatch_queue(plan_orders=True) == 4
    every = {i.order_id for i in lists.dispatch_queue(plan_orders=True)}
    assert every == {*day.plan, day.hazard_stop.id, day.counter_stop.id}
    assert day.hazard_inspection not in every  # found its hazard: no longer waiting for a visit
    assert lists.tally_rebooking_queue() == Tally(total=0, plan=0)


def test_todays_intake_counts_the_counter_and_says_what_the_plan_added(app, day):
    lists = WorklistService(app, day.team.clerk)
    assert lists.tally_opened_today() == Tally(total=6, plan=3)
    assert lists.opened_today() == 3 and lists.opened_today(plan_orders=True) == 6

    data = DashboardData(app, day.team.manager)
    snap = data.snapshot()
    (clerk,) = [c for c in snap.workload if c.staff_id == day.team.clerk.staff_id]
    assert clerk.orders == 3 and snap.plan_left_out == 3
    listed = {o.number for o in data.orders(Selection("workload", day.team.clerk.staff_id))}
    assert listed == {day.hazard_stop.number, day.counter_stop.number, day.call.number}
    snap = data.snapshot(plan_orders=True)
    (clerk,) = [c for c in snap.workload if c.staff_id == day.team.clerk.staff_id]
    assert clerk.orders == 6 and snap.plan_left_out == 0
    assert len(data.orders(Selection("workload", day.team.clerk.staff_id), plan_orders=True)) == 6
