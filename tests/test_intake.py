"""Telephone and counter intake (issue 17 item 1): every order records its channel; a call records the
caller's number, its documents follow when the customer comes in, and nothing the customer signs prints
before then. The commitment's clock starts at the call and waits while the customer is awaited."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from gasdesk.models import Deadline, ServiceOrder
from gasdesk.services.errors import Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.printing import PrintService
from gasdesk.vocab import DeadlineScope, DeadlineStatus
from tests.helpers import active_resident, make_team, resident, snapshot

CALLER = "13985012345"


@pytest.fixture
def team(app):
    return make_team(app)


def flat(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def order_clock(app, order_id: int) -> Deadline:
    with app.reading() as s:
        d = s.scalar(select(Deadline).where(Deadline.order_id == order_id, Deadline.scope == DeadlineScope.ORDER))
        assert d is not None
        s.expunge(d)
        return d


def test_a_phone_order_records_the_call_and_its_deadline(app, team, clock):
    call = datetime(2026, 11, 27, 10, 0)  # Friday
    clock.set(call)
    c = resident(app, team.clerk)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("activation", c.id, channel="phone", caller_phone="139 8501 2345")
    assert o.channel == "phone" and o.channel.label == "来电" and o.caller_phone == CALLER
    assert o.channel_text == f"来电（{CALLER}）" and o.awaiting_visit
    with app.reading() as s:
        assert s.scalar(select(ServiceOrder.channel).where(ServiceOrder.id == o.id)) == "phone"
    # The 5-working-day commitment starts at the call (due Friday 12-04), and waits for the customer.
    d = order_clock(app, o.id)
    assert d.started_at == call and d.due_at.date() == datetime(2026, 12, 4).date()
    assert d.status == DeadlineStatus.PAUSED and d.pause_reason.startswith("客户原因：来电受理")
    assert o.on_hold
    # Documents follow when the customer comes in, two working days later (Tuesday): the clock runs again,
    # the two working days it waited (Monday, Tuesday) not counted.
    with pytest.raises(Refused, match="资料不齐全"):
        clerk.perform(o.id, "accept")
    clock.set(datetime(2026, 12, 1, 9, 30))
    with pytest.raises(Refused, match="客户到厅"):
        clerk.set_documents(o.id, ["property_proof", "owner_id"])
    o = clerk.customer_arrived(o.id, ["property_proof", "owner_id"])
    assert not o.awaiting_visit and not o.on_hold and o.channel == "phone"
    assert o.history[-1].action == "visit" and o.history[-1].action_label.startswith("客户到厅")
    d = order_clock(app, o.id)
    assert d.status == DeadlineStatus.RUNNING and d.due_at.date() == datetime(2026, 12, 8).date()
    o = clerk.perform(o.id, "accept")
    assert o.step == "site_visit"
    with pytest.raises(Refused, match="客户已到厅"):
        clerk.customer_arrived(o.id, [])


def test_a_counter_order_is_a_visit(app, team):
    c = resident(app, team.clerk)
    o = OrderService(app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    assert o.channel == "counter" and o.channel.label == "来访" and not o.awaiting_visit and not o.on_hold


@pytest.mark.parametrize("kind, kwargs, words, field", [
    ("transfer", {"caller_phone": CALLER}, "须由客户到营业厅办理", "channel"),
    ("activation", {}, "请填写来电号码", "caller_phone"),
    ("activation", {"caller_phone": "12345"}, "来电号码：电话号码格式不正确", "caller_phone"),
    ("activation", {"caller_phone": CALLER, "documents": ["owner_id"]}, "客户到厅时核对原件", "documents"),
    ("activation", {"caller_phone": CALLER, "channel": "online"}, "暂不支持网上受理", "channel"),
    ("activation", {"caller_phone": CALLER, "channel": "fax"}, "受理方式不正确", "channel"),
    ("activation", {"caller_phone": CALLER, "channel": "counter"}, "来访受理不填写来电号码", "caller_phone"),
])
def test_bad_calls_are_refused_and_nothing_is_written(app, team, kind, kwargs, words, field):
    c, _ = active_resident(app, team)
    if kind == "activation":
        c = resident(app, team.clerk, "李四")
    before = snapshot(app)
    args = {"channel": "phone", **kwargs}
    with pytest.raises(Refused, match=words) as refused:
        OrderService(app, team.clerk).open(kind, c.id, data={"new_owner_name": "x"} if kind == "transfer" else None,
                                           **args)
    assert refused.value.field == field
    assert snapshot(app) == before


def test_nothing_the_customer_signs_prints_before_the_visit(app, team, clock):
    c = resident(app, team.clerk)
    clerk = OrderService(app, team.clerk)
    printer = PrintService(app, team.clerk)
    o = clerk.open("activation", c.id, channel="phone", caller_phone=CALLER)
    forms = {f.code: f for f in printer.forms_for(o.id)}
    assert forms["acceptance"].withheld and "待客户到厅签字" in forms["acceptance"].label
    with pytest.raises(Refused, match="须客户签字"):
        printer.render(o.id, "acceptance")
    with pytest.raises(Refused, match="没有可打印的单据"):
        printer.render_all(o.id)
    assert [h.action for h in clerk.get(o.id).history] == ["open"]  # refused prints are not logged
    clock.set(clock.now() + timedelta(hours=3))
    clerk.customer_arrived(o.id, ["property_proof", "owner_id"])
    clerk.perform(o.id, "accept")
    forms = {f.code: f for f in printer.forms_for(o.id)}
    assert not any(f.withheld for f in forms.values())
    text = flat(printer.render(o.id, "acceptance"))
    assert f"受理方式来电（{CALLER}）" in text and "客户签字" in text
    assert "居民供气合同" in flat(printer.render(o.id, "residential_contract"))


def test_a_phone_complaint_never_prints_the_customers_slip_but_the_referral_prints(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    printer = PrintService(app, team.clerk)
    o = clerk.open("complaint", c.id, channel="phone", caller_phone=CALLER,
                   data={"complaint_type": "complaint", "content": "抄表员未按约定时间上门", "contact_phone": CALLER})
    assert not o.on_hold  # a complaint asks for no documents: nothing waits on the customer
    o = clerk.perform(o.id, "refer", {"department": "metering", "summary": "请核实抄表安排"})
    forms = {f.code: f for f in printer.forms_for(o.id)}
    assert forms["acceptance"].withheld and not forms["complaint_transfer"].withheld
    text = flat(printer.render(o.id, "complaint_transfer"))
    assert "投诉转办单" in text
    everything = PdfReader(io.BytesIO(printer.render_all(o.id)))
    assert len(everything.pages) == 1  # the referral alone: the slip the customer signs is left out
    assert "客户签字" not in flat(printer.render_all(o.id))
