"""The commitment's further service orders: meter service, 拆迁移改, resuming a suspended supply."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from gasdesk.models import Account, Meter, Payment
from gasdesk.services.errors import Refused
from gasdesk.services.orders import OrderService
from tests.helpers import active_resident, make_team


@pytest.fixture
def team(app):
    return make_team(app)


def test_meter_calibration_passed_at_the_agreed_time(app, team, clock):
    c, act = active_resident(app, team)
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("meter_service", c.id, documents=["owner_id"], data={"service_reason": "customer_request"})
    o = clerk.perform(o.id, "accept")
    o = dispatcher.perform(o.id, "assign", {"crew": "计量班", "appointment_at": "2026-11-30 09:00"})
    o = dispatcher.perform(o.id, "passed", {"arrived_at": "2026-11-30 09:20", "check_reading": "1.5",
                                            "check_result": "误差在允许范围内", "work_checked": True})
    assert o.status == "archived" and o.data["arrived_on_time"] is True


def test_meter_replaced_when_calibration_fails_and_late_arrival_is_recorded(app, team):
    c, act = active_resident(app, team, meter="M-CAL")
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("meter_service", c.id, documents=["owner_id"], data={"service_reason": "fault"})
    o = clerk.perform(o.id, "accept")
    o = dispatcher.perform(o.id, "assign", {"crew": "计量班", "appointment_at": "2026-11-30 09:00"})
    o = dispatcher.perform(o.id, "replaced", {
        "arrived_at": "2026-11-30 10:15", "final_reading": "3", "meter_number": "M-CAL-2", "meter_model": "JBD2.5",
        "meter_rating": "G2.5", "initial_reading": "0", "fee": "0", "fee_method": "cash", "work_checked": True})
    assert o.data["arrived_on_time"] is False
    with app.reading() as s:
        assert s.scalar(select(Meter.status).where(Meter.number == "M-CAL")) == "removed"
        assert s.scalar(select(Meter.account_id).where(Meter.number == "M-CAL-2")) == act.account_id


def test_relocation_within_five_working_days_with_fee(app, team):
    c, _ = active_resident(app, team)
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("relocation", c.id, documents=["id_copy", "property_proof"],
                   data={"work_type": "moving", "work_description": "燃气表移至阳台外墙"})
    assert o.open_deadline("order").due_at == datetime(2026, 12, 4, 23, 59, 59)
    o = clerk.perform(o.id, "accept")
    o = dispatcher.perform(o.id, "work_done", {"work_record": "已移位并试压", "fee": "200", "fee_method": "cash"})
    with app.reading() as s:
        assert s.scalar(select(Payment.amount).where(Payment.order_id == o.id)) == Decimal("200.00")


def test_resume_supply_only_for_suspended_accounts(app, team):
    c, act = active_resident(app, team)
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    with pytest.raises(Refused, match="暂停用气"):
        clerk.open("resume_supply", c.id, documents=["owner_id"])
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-11-28"})
    for action in ("accept", "without_plugging", "reader_notified"):
        o = clerk.perform(o.id, action)
    o = clerk.open("resume_supply", c.id, documents=["owner_id"])
    o = clerk.perform(o.id, "accept")
    o = dispatcher.perform(o.id, "conditions_not_met", reason="客户灶具未到位")
    o = clerk.perform(o.id, "rebook")
    o = dispatcher.perform(o.id, "resumed", {"resume_reading": "0", "fee": "0", "fee_method": "cash"})
    assert o.status == "archived"
    with app.reading() as s:
        assert s.get(Account, act.account_id).status == "active"


COMPLAINT = {"complaint_type": "complaint", "content": "夜间燃气异味", "contact_phone": "13900000000"}
ENQUIRY = {"complaint_type": "enquiry", "content": "咨询阶梯气价", "contact_phone": "13900000000"}


@pytest.mark.parametrize("at, data, handled_from", [
    (datetime(2026, 11, 27, 18, 30), COMPLAINT, datetime(2026, 11, 30, 9, 0)),  # complaint line: Friday → Monday
    (datetime(2026, 9, 30, 17, 0), COMPLAINT, datetime(2026, 10, 8, 9, 0)),     # National Day
    (datetime(2026, 11, 28, 10, 0), COMPLAINT, datetime(2026, 11, 30, 9, 0)),   # Saturday: no complaint line
    (datetime(2026, 11, 28, 8, 0), ENQUIRY, datetime(2026, 11, 28, 9, 0)),      # 96977 opens at 9 every day
])
def test_calls_out_of_their_lines_hours_say_when_they_are_handled(app, team, clock, at, data, handled_from):
    clock.set(at)
    c, _ = active_resident(app, team)
    o = OrderService(app, team.clerk).open("complaint", c.id, data=data, channel="phone", caller_phone="13900000000")
    assert o.data["handle_from"] == handled_from.isoformat()
    assert f"{handled_from:%Y-%m-%d %H:%M}" in o.data["out_of_hours"]


@pytest.mark.parametrize("at, data", [
    (datetime(2026, 11, 27, 10, 0), COMPLAINT),     # the complaint line on a working day
    (datetime(2026, 11, 28, 10, 0), ENQUIRY),       # a Saturday enquiry on 96977: every day 9:00-24:00
    (datetime(2026, 10, 3, 23, 30), ENQUIRY),       # National Day, late evening
])
def test_calls_in_their_lines_hours_are_handled_now(app, team, clock, at, data):
    clock.set(at)
    c, _ = active_resident(app, team)
    o = OrderService(app, team.clerk).open("complaint", c.id, data=data, channel="phone", caller_phone="0851 33525106")
    assert o.channel.label == "来电" and o.caller_phone == "0851-33525106"
    assert "handle_from" not in o.data and "out_of_hours" not in o.data


def test_at_the_counter_the_hall_is_open(app, team, clock):
    clock.set(datetime(2026, 11, 28, 8, 0))  # Saturday, before any line opens: the customer is in the hall
    c, _ = active_resident(app, team)
    o = OrderService(app, team.clerk).open("complaint", c.id, data=COMPLAINT)
    assert o.channel == "counter" and o.channel.label == "来访" and o.caller_phone == ""
    assert "handle_from" not in o.data
