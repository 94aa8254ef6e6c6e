"""Commitment clocks through the services: working days, holidays, make-up days, the new year, pauses."""

from __future__ import annotations

from datetime import datetime

import pytest

from gasdesk.services.calendar import CalendarService
from gasdesk.services.errors import NotAllowed
from gasdesk.services.orders import OrderService
from gasdesk.services.worklists import WorklistService
from gasdesk.vocab import DeadlineScope
from tests.helpers import business, make_team, resident

DOCS = ["property_proof", "owner_id"]
METER = {"meter_number": "M1", "meter_model": "JBD2.5", "meter_rating": "G2.5", "initial_reading": "0"}


@pytest.fixture
def team(app):
    return make_team(app)


def total(order):
    return order.open_deadline(DeadlineScope.ORDER) or next(d for d in order.deadlines if d.scope == "order")


def step_deadline(order):
    return order.open_deadline(DeadlineScope.STEP)


@pytest.mark.parametrize("opened, due", [
    (datetime(2026, 11, 27, 10, 0), datetime(2026, 12, 4, 23, 59, 59)),    # Friday: five working days
    (datetime(2026, 12, 30, 16, 0), datetime(2027, 1, 7, 23, 59, 59)),     # across 元旦 into 2027
    (datetime(2026, 9, 30, 9, 0), datetime(2026, 10, 13, 23, 59, 59)),     # 10-08, 09, 10 (make-up Sat), 12, 13
    (datetime(2026, 2, 13, 9, 0), datetime(2026, 2, 27, 23, 59, 59)),      # 02-14 (make-up Sat), 春节 15-23, 24..27
])
def test_activation_commitment_counts_working_days(app, team, clock, opened, due):
    clock.set(opened)
    o = OrderService(app, team.clerk).open("activation", resident(app, team.clerk).id, documents=DOCS)
    assert total(o).due_at == due


def test_installation_steps_and_total_with_uncounted_and_customer_time(app, team, clock):
    clock.set(datetime(2026, 12, 28, 9, 0))  # Monday
    clerk, am = OrderService(app, team.clerk), OrderService(app, team.account_manager)
    o = clerk.open("installation", business(app, team.clerk).id,
                   documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "食堂", "expected_monthly_volume": "800"})
    assert step_deadline(o).due_at == datetime(2026, 12, 29, 23, 59, 59)
    assert total(o).due_at == datetime(2027, 1, 8, 23, 59, 59)  # 8 working days, 1 Jan off
    clock.set(datetime(2026, 12, 29, 9, 0))
    o = clerk.perform(o.id, "register")
    assert [d.status for d in o.deadlines if d.step == "apply"] == ["met"]
    assert step_deadline(o).step == "survey" and step_deadline(o).due_at == datetime(2027, 1, 4, 23, 59, 59)
    clock.set(datetime(2026, 12, 30, 9, 0))
    o = am.perform(o.id, "survey_done", {"survey_date": "2026-12-30", "designer": "王工", "survey_notes": "可"})
    # waiting on the customer's design materials: the order clock stops, with the reason
    t = total(o)
    assert t.status == "paused" and "等待客户" in t.pause_reason and t.remaining == 6
    clock.set(datetime(2027, 1, 11, 9, 0))  # the customer took almost two weeks
    o = am.perform(o.id, "materials_received")
    t = total(o)
    assert t.status == "running" and t.due_at == datetime(2027, 1, 19, 23, 59, 59)
    o = am.perform(o.id, "plan_approved", {"supply_plan": "可供气"})
    assert total(o).status == "paused" and "不计入" in total(o).pause_reason
    assert step_deadline(o) is None  # design has no limit
    clock.set(datetime(2027, 3, 1, 9, 0))
    for action, payload in [("design_done", {"design_unit": "设计院", "design_summary": "中压接入"}),
                            ("design_approved", {"approval_date": "2027-03-01", "approved_by": "周经理"}),
                            ("budget_done", {"budget_amount": "1"}),
                            ("contract_signed", {"contract_number": "H1", "contract_amount": "1",
                                                 "contract_date": "2027-03-01"}),
                            ("briefing_done", {"briefing_date": "2027-03-01", "briefing_attendees": "甲、乙"}),
                            ("construction_done", {"construction_unit": "甲", "supervision_unit": "乙",
                                                   "work_finished": True, "materials_cleared": True,
                                                   "site_cleaned": True})]:
        o = am.perform(o.id, action, payload)
    t = total(o)
    assert t.status == "running" and t.due_at == datetime(2027, 3, 9, 23, 59, 59)  # the 6 days left on 01-11


def test_late_completion_is_missed_and_listed_overdue(app, team, clock):
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=DOCS)
    o = clerk.perform(o.id, "accept")
    work = WorklistService(app, team.manager)
    assert work.overdue() == []
    clock.set(datetime(2026, 12, 5, 8, 0))
    late = work.overdue()
    assert [i.number for i in late] == [o.number] and late[0].due_at == datetime(2026, 12, 4, 23, 59, 59)
    assert work.count_overdue() == 1
    o = dispatcher.perform(o.id, "work_done", METER)
    assert total(o).status == "missed"
    assert work.overdue() == []


def test_on_time_completion_is_met_and_due_today_lists_it(app, team, clock):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=DOCS)
    clock.set(datetime(2026, 12, 4, 9, 0))
    assert [i.number for i in WorklistService(app, team.clerk).due_today()] == [o.number]
    o = clerk.perform(o.id, "accept")
    o = OrderService(app, team.dispatcher).perform(o.id, "work_done", METER)
    assert total(o).status == "met"


def test_customer_wait_step_pauses_and_resumes_the_clock(app, team, clock):
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=DOCS)  # Fri 11-27, due 12-04
    o = clerk.perform(o.id, "accept")
    clock.set(datetime(2026, 11, 30, 15, 0))  # Monday: one working day used
    o = dispatcher.perform(o.id, "conditions_not_met", reason="客户家中无人")
    assert total(o).status == "paused" and total(o).remaining == 4
    clock.set(datetime(2026, 12, 14, 9, 0))  # two weeks later the customer books again
    o = clerk.perform(o.id, "rebook")
    assert total(o).due_at == datetime(2026, 12, 18, 23, 59, 59)


def test_manual_pause_for_a_customer_delay(app, team, clock):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("installation", business(app, team.clerk).id,
                   documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "食堂", "expected_monthly_volume": "800"})
    with pytest.raises(NotAllowed):
        OrderService(app, team.handler).pause_clock(o.id, "客户要求延后")
    o = clerk.pause_clock(o.id, "客户要求延后至下周办理")
    assert o.on_hold and all(d.status == "paused" for d in o.deadlines)
    assert "客户原因" in step_deadline(o).pause_reason
    clock.set(datetime(2026, 12, 7, 9, 0))  # Monday, a week later
    o = clerk.resume_clock(o.id)
    assert step_deadline(o).due_at == datetime(2026, 12, 8, 23, 59, 59)
    assert total(o).due_at == datetime(2026, 12, 17, 23, 59, 59)
    assert [h.action for h in o.history][-2:] == ["pause_clock", "resume_clock"]


def test_office_override_moves_a_deadline(app, team, clock):
    CalendarService(app, team.admin).set_day(datetime(2026, 11, 30).date(), False, "停电放假")
    o = OrderService(app, team.clerk).open("activation", resident(app, team.clerk).id, documents=DOCS)
    assert total(o).due_at == datetime(2026, 12, 7, 23, 59, 59)


def test_complaint_round_limit_comes_from_the_settings(app, team, clock):
    from gasdesk.services.settings import SettingsService

    SettingsService(app, team.admin).update({"limits.complaint_round_days": 2})
    clerk = OrderService(app, team.clerk)
    o = clerk.open("complaint", resident(app, team.clerk).id,
                   data={"complaint_type": "complaint", "content": "x", "contact_phone": "13900000000"})
    o = clerk.perform(o.id, "refer", {"department": "distribution", "summary": "处理"})
    d = step_deadline(o)
    assert d.amount == 2 and d.due_at == datetime(2026, 12, 1, 23, 59, 59)
