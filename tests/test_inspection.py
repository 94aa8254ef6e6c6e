"""Safety inspection (issue 20): plans opened in bulk, each visit outcome, the attempts limit, hazard
deadlines in working days across the 2026 National Day holiday, rectification, stopping the supply,
photos, and the counter's warning with the manager's confirmation. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gasdesk.flows.inspection import flow as spec
from gasdesk.models import (
    AuditEntry,
    InspectionAccount,
    InspectionClearance,
    InspectionHazard,
    InspectionOrder,
    InspectionVisit,
    OrderStep,
    Payment,
    ServiceOrder,
)
from gasdesk.services import hazard_gate
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.inspection import (
    ChecklistMark,
    EnteredResult,
    InspectionService,
    OpeningCancelled,
    PlanSpec,
    suspension_flow,
)
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.settings import SettingsService
from tests.helpers import active_resident, business, make_team, snapshot

PERIOD = (date(2026, 11, 27), date(2026, 12, 31))


@pytest.fixture
def team(app):
    return make_team(app)


def plan_for(app, actor, district="urban", **over):
    fields = {"title": "2026年12月市区居民安检", "inspector": "安检一班 周明", "starts_on": PERIOD[0],
              "ends_on": PERIOD[1], "district": district, **over}
    return InspectionService(app, actor).create_plan(PlanSpec(**fields))


def all_ok(**grades: str) -> list[ChecklistMark]:
    return [ChecklistMark(item.code, grades.get(item.code, spec.OK), "") for item in spec.CHECKLIST]


def one_order(app, team, clock, customer_name="张伟"):
    """An active resident and its inspection order opened by a plan."""
    c, act = active_resident(app, team, customer_name)
    svc = InspectionService(app, team.clerk)
    plan = plan_for(app, team.clerk, address=c.address)
    svc.open_plan(plan.id)
    row = svc.plan_orders(plan.id)[0]
    return c, act, row.order_id


# --- plans --------------------------------------------------------------------------------------------

def test_a_plan_opens_one_order_per_account_of_its_district_in_chunks(app, team):
    made = [active_resident(app, team, f"居民{i}") for i in range(5)]
    homes = [o.account_id for _c, o in made]
    business(app, team.clerk)  # suburban: outside the plan
    orders = OrderService(app, team.clerk)
    svc = InspectionService(app, team.clerk)
    # One resident booked a visit at the counter already: that account is skipped.
    booked = orders.open(spec.FLOW.kind, made[0][0].id, account_id=homes[0])
    plan = plan_for(app, team.clerk)
    preview = svc.preview_plan(plan.id)
    assert (preview.in_scope, preview.already_open, preview.to_open) == (5, 1, 4)
    seen: list[int] = []
    opening = svc.open_plan(plan.id, progress=lambda p, _t: seen.append(p), chunk=2)
    assert opening.opened == 4 and opening.skipped == 1
    assert seen == sorted(seen) and seen[-1] == 100
    assert opening.first_number == "AJ-20261127-0002" and opening.last_number == "AJ-20261127-0005"
    rows = svc.plan_orders(plan.id)
    assert sorted(r.account_id for r in rows) == sorted(homes[1:])
    assert {r.outcome_label for r in rows} == {"待上门"}
    with app.reading() as s:
        ids = [r.order_id for r in rows]
        # the order, its first log row with the step's facts, its inspection row and its audit entry
        for order in s.scalars(select(ServiceOrder).where(ServiceOrder.id.in_(ids))):
            assert order.kind == spec.FLOW.kind and order.step == spec.CHECK and order.status == "open"
            assert order.crew == "安检一班 周明" and order.data["plan_number"] == plan.number
        first_rows = s.scalars(select(OrderStep).where(OrderStep.order_id.in_(ids))).all()
        assert len(first_rows) == 4 and all(r.action == "open" and r.data["_facts"]["account"] for r in first_rows)
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "service_order", AuditEntry.action == "open",
            AuditEntry.entity_id.in_([str(i) for i in ids]))) == 4
        assert s.scalar(select(func.count()).select_from(InspectionOrder).where(
            InspectionOrder.open_account_id.in_(homes))) == 5
    view = svc.plan(plan.id)
    assert (view.status, view.opened, view.pending, view.planned) == ("open", 4, 4, 5)
    # Opening again adds nothing; the order booked at the counter kept its own number.
    again = svc.open_plan(plan.id)
    assert again.opened == 0
    assert booked.number == "AJ-20261127-0001"


def test_plan_scope_by_address_category_and_due(app, team, clock):
    a = active_resident(app, team, "甲")[1]
    b = active_resident(app, team, "乙")[1]
    svc = InspectionService(app, team.clerk)
    plan = plan_for(app, team.clerk, district="", category="residential", due_only=True)
    # Both were opened today: never inspected, so both are due.
    assert svc.preview_plan(plan.id).in_scope == 2
    o = svc.open_plan(plan.id)
    rows = svc.plan_orders(plan.id)
    first = next(r for r in rows if r.account_id == a.account_id)
    clock.advance(hours=2)
    svc.record_entered(first.order_id, EnteredResult(visited_at=datetime(2026, 11, 27, 11, 0), inspector="周明",
                                                     marks=all_ok()))
    later = plan_for(app, team.clerk, district="", due_only=True, title="再次")
    # a got in today; b's order is still open, so b is in scope but skipped.
    p = svc.preview_plan(later.id)
    assert (p.in_scope, p.already_open) == (1, 1)
    assert o.opened == 2 and b.account_id in {r.account_id for r in rows}
    with pytest.raises(Refused, match="结束日期"):
        plan_for(app, team.clerk, starts_on=date(2026, 12, 5), ends_on=date(2026, 12, 1))


def test_cancelling_an_opening_keeps_whole_chunks_and_can_go_on(app, team):
    for i in range(4):
        active_resident(app, team, f"户{i}")
    svc = InspectionService(app, team.clerk)
    plan = plan_for(app, team.clerk)
    stop = threading.Event()

    def progress(_p: int, text: str) -> None:
        if text.startswith("已开"):
            stop.set()

    with pytest.raises(OpeningCancelled) as exc:
        svc.open_plan(plan.id, progress=progress, cancel=stop, chunk=2)
    assert exc.value.opened == 2
    assert svc.plan(plan.id).status == "opening"
    assert svc.open_plan(plan.id, chunk=2).opened == 2
    assert len(svc.plan_orders(plan.id)) == 4


def test_closing_a_plan_cancels_its_unvisited_orders_in_bulk(app, team, clock):
    made = [active_resident(app, team, f"户{i}") for i in range(3)]
    svc = InspectionService(app, team.clerk)
    plan = plan_for(app, team.clerk)
    svc.open_plan(plan.id)
    rows = svc.plan_orders(plan.id)
    clock.advance(hours=2)
    InspectionService(app, team.dispatcher).record_not_home(rows[0].order_id, datetime(2026, 11, 27, 11, 0), "周明")
    seen: list[str] = []
    closed = svc.close_plan(plan.id, "年度计划结束", progress=lambda _p, t: seen.append(t), chunk=1)
    assert closed.status == "closed" and seen[-1].endswith("2 张")
    orders = OrderService(app, team.clerk)
    statuses = {r.order_id: orders.get(r.order_id) for r in rows}
    assert statuses[rows[0].order_id].status == "open"
    for r in rows[1:]:
        view = statuses[r.order_id]
        assert view.status == "cancelled" and view.reason == "年度计划结束"
        assert [h.action for h in view.history] == ["open", "cancel"]
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "service_order", AuditEntry.action == "cancel")) == 2
    # The accounts are free: a counter books a new inspection for one of them.
    c = next(c for c, o in made if o.account_id == rows[1].account_id)
    assert orders.open(spec.FLOW.kind, c.id).status == "open"
    with pytest.raises(Refused, match="已结束"):
        svc.open_plan(plan.id)


def test_only_counter_and_dispatch_staff_plan(app, team):
    with pytest.raises(NotAllowed):
        plan_for(app, team.handler)


# --- outcomes -----------------------------------------------------------------------------------------

def test_entered_without_hazards_archives_and_keeps_the_checklist(app, team, clock):
    _c, act, order_id = one_order(app, team, clock)
    clock.advance(hours=3)
    svc = InspectionService(app, team.dispatcher)
    result = EnteredResult(visited_at=datetime(2026, 11, 27, 12, 0), left_at=datetime(2026, 11, 27, 12, 20),
                           inspector="周明", marks=all_ok(no_alarm=spec.GRADE3), hose_due=date(2027, 6, 30))
    view = svc.record_entered(order_id, result)
    assert view.status == "archived" and view.data["outcome"] == spec.ENTERED
    [visit] = svc.visits(order_id)
    assert visit.attempt == 1 and visit.checklist["no_alarm"] == spec.GRADE3 and visit.hose_due == date(2027, 6, 30)
    [advice] = svc.hazards(order_id=order_id)
    assert advice.status == "advice" and advice.due_at is None and advice.notice_number is None
    with app.reading() as s:
        state = s.get(InspectionAccount, act.account_id)
        assert state.last_entered_at == datetime(2026, 11, 27, 12, 0) and state.open_hazards == 0
        assert s.get(InspectionOrder, order_id).open_account_id is None
    assert svc.warnings(account_id=act.account_id) == []


def test_a_hazard_must_go_to_its_step_and_every_item_be_marked(app, team, clock):
    _c, _act, order_id = one_order(app, team, clock)
    clock.advance(hours=3)
    orders = OrderService(app, team.dispatcher)
    values = {"visited_at": "2026-11-27 12:00", "inspector": "周明",
              **{i.field: spec.OK for i in spec.CHECKLIST}, spec.ITEMS["leak"].field: spec.GRADE1}
    before = snapshot(app)
    with pytest.raises(Refused, match="一级隐患"):
        orders.perform(order_id, spec.PASSED, values)
    with pytest.raises(Refused, match="一级隐患"):
        orders.perform(order_id, spec.HAZARDS, values)
    partial = {k: v for k, v in values.items() if k != spec.ITEMS["altered"].field}
    with pytest.raises(Refused, match="逐项") as exc:
        orders.perform(order_id, spec.URGENT_HAZARDS, partial)
    assert exc.value.field == spec.ITEMS["altered"].field
    with pytest.raises(Refused, match="晚于现在"):
        orders.perform(order_id, spec.URGENT_HAZARDS, {**values, "visited_at": "2026-11-27 18:00"})
    with pytest.raises(Refused, match="早于业务单受理时间"):
        orders.perform(order_id, spec.URGENT_HAZARDS, {**values, "visited_at": "2026-11-26 18:00"})
    assert snapshot(app) == before


def test_not_home_twice_then_unreachable_at_the_limit_flags_the_account(app, team, clock):
    _c, act, order_id = one_order(app, team, clock)
    svc = InspectionService(app, team.dispatcher)
    orders = OrderService(app, team.dispatcher)
    clock.set(datetime(2026, 11, 28, 10, 0))
    v = svc.record_not_home(order_id, datetime(2026, 11, 28, 9, 30), "周明")
    assert v.status == "open" and v.step == spec.CHECK and v.rounds == 1 and v.data["max_attempts"] == 3
    with pytest.raises(Refused, match="未达|满 3 次"):
        orders.perform(order_id, spec.UNREACHABLE_ACTION, {"visited_at": "2026-11-28 09:45", "inspector": "周明"})
    clock.set(datetime(2026, 11, 30, 19, 0))
    with pytest.raises(Refused, match="晚于上次到访"):
        svc.record_not_home(order_id, datetime(2026, 11, 28, 9, 0), "周明")
    v = svc.record_not_home(order_id, datetime(2026, 11, 30, 18, 30), "周明")
    assert v.status == "open" and v.rounds == 2
    assert svc.warnings(account_id=act.account_id) == [] or all(
        w.kind == "overdue" for w in svc.warnings(account_id=act.account_id))
    clock.set(datetime(2026, 12, 5, 10, 0))
    with pytest.raises(Refused, match="已达 3 次"):
        orders.perform(order_id, spec.NOT_HOME_ACTION, {"visited_at": "2026-12-05 09:00", "inspector": "周明"})
    v = svc.record_not_home(order_id, datetime(2026, 12, 5, 9, 0), "周明", note="邻居称长期外出")
    assert v.status == "archived" and v.step == spec.ENDED_UNREACHABLE and v.data["outcome"] == spec.UNREACHABLE
    assert [x.outcome for x in svc.visits(order_id)] == [spec.NOT_HOME] * 3
    with app.reading() as s:
        state = s.get(InspectionAccount, act.account_id)
        assert state.unreachable and not state.refused and state.last_entered_at is None
    kinds = {w.kind for w in svc.warnings(account_id=act.account_id)}
    assert "unreachable" in kinds
    # A lower setting ends an order at its first visit.
    SettingsService(app, team.admin).update({"inspection.max_attempts": 1})
    _c2, act2, order2 = one_order(app, team, clock, "李四")
    clock.advance(hours=1)
    v = svc.record_not_home(order2, datetime(2026, 12, 5, 10, 30), "周明")
    assert v.step == spec.ENDED_UNREACHABLE and v.rounds == 1


def test_refused_keeps_the_reason_and_flags_the_account_until_an_inspection_gets_in(app, team, clock):
    c, act, order_id = one_order(app, team, clock)
    svc = InspectionService(app, team.dispatcher)
    clock.advance(hours=2)
    with pytest.raises(Refused, match="拒绝的原因"):
        svc.record_refused(order_id, datetime(2026, 11, 27, 11, 0), "周明", "")
    v = svc.record_refused(order_id, datetime(2026, 11, 27, 11, 0), "周明", "客户称家中老人休息，不便入户")
    assert v.step == spec.ENDED_REFUSED and v.status == "archived"
    [visit] = svc.visits(order_id)
    assert visit.refusal_reason == "客户称家中老人休息，不便入户"
    warnings = InspectionService(app, team.clerk).warnings(customer_id=c.id)
    assert any(w.kind == "refused" and "拒绝" in w.text for w in warnings)
    # The customer books a visit at the counter; it gets in; the flag goes.
    orders = OrderService(app, team.clerk)
    booked = orders.open(spec.FLOW.kind, c.id)
    clock.advance(days=1)
    svc.record_entered(booked.id, EnteredResult(visited_at=clock.now().replace(hour=9), inspector="吴磊", marks=all_ok()))
    assert InspectionService(app, team.clerk).warnings(customer_id=c.id) == []


def test_cancelling_an_unvisited_order_lets_go_of_the_account(app, team, clock):
    c, act, order_id = one_order(app, team, clock)
    orders = OrderService(app, team.clerk)
    orders.perform(order_id, "cancel", reason="客户已搬离")
    assert orders.open(spec.FLOW.kind, c.id).status == "open"


# --- hazards -------------------------------------------------------------------------------------------

def test_hazard_deadlines_count_working_days_across_the_2026_national_day(app, team, clock):
    clock.set(datetime(2026, 9, 28, 9, 0))
    _c, act, order_id = one_order(app, team, clock)
    SettingsService(app, team.admin).update({"limits.hazard_grade2_days": 5})
    clock.set(datetime(2026, 9, 30, 16, 0))
    svc = InspectionService(app, team.dispatcher)
    view = svc.record_entered(order_id, EnteredResult(
        visited_at=datetime(2026, 9, 30, 15, 0), inspector="周明",
        marks=all_ok(leak=spec.GRADE1, hose_aged=spec.GRADE2, no_alarm=spec.GRADE3)))
    assert view.step == spec.URGENT
    due = {h.item: h.due_at for h in svc.hazards(order_id=order_id)}
    # 1 October to 7 October are the holiday; 8 October is the first working day after 30 September,
    # and 10 October (a Saturday) is worked: 8, 9, 10, 12, 13.
    assert due["leak"] == datetime(2026, 10, 8, 23, 59, 59)
    assert due["hose_aged"] == datetime(2026, 10, 13, 23, 59, 59)
    assert due["no_alarm"] is None
    # The step's clock is the 一级 deadline, on the order page and in the overdue list.
    assert view.open_deadline("step").due_at == datetime(2026, 10, 8, 23, 59, 59)
    notice = {h.notice_number for h in svc.hazards(order_id=order_id) if h.grade != spec.GRADE3}
    assert notice == {"ZG" + view.number[2:]}
    # The default 二级 limit, 20 working days: 3 November.
    SettingsService(app, team.admin).update({"limits.hazard_grade2_days": 20})
    _c2, _a2, order2 = one_order(app, team, clock, "钱七")
    clock.advance(minutes=30)
    v2 = svc.record_entered(order2, EnteredResult(visited_at=datetime(2026, 9, 30, 16, 10), inspector="周明",
                                                  marks=all_ok(pipe_concealed=spec.GRADE2)))
    assert v2.step == spec.RECTIFY
    assert svc.hazards(order_id=order2)[0].due_at == datetime(2026, 11, 3, 23, 59, 59)
    with app.reading() as s:
        state = s.get(InspectionAccount, act.account_id)
        assert (state.open_hazards, state.open_grade1) == (2, 1)


def test_rectification_closes_hazards_partly_then_all_and_the_order_ends(app, team, clock):
    _c, act, order_id = one_order(app, team, clock)
    clock.advance(hours=2)
    svc = InspectionService(app, team.dispatcher)
    svc.record_entered(order_id, EnteredResult(visited_at=datetime(2026, 11, 27, 11, 0), inspector="周明",
                                               marks=all_ok(hose_aged=spec.GRADE2, hose_long=spec.GRADE2)))
    orders = OrderService(app, team.clerk)
    with pytest.raises(Refused, match="未整改"):
        orders.perform(order_id, "cancel", reason="客户要求撤销")
    clock.set(datetime(2026, 12, 2, 10, 0))
    v = svc.close_hazards(order_id, spec.REPORT, "客户更换金属波纹管并提交照片", datetime(2026, 12, 2, 9, 30),
                          items=["hose_aged"])
    assert v.step == spec.RECTIFY and v.status == "open"
    statuses = {h.item: h.status for h in svc.hazards(order_id=order_id)}
    assert statuses == {"hose_aged": "closed", "hose_long": "open"}
    with pytest.raises(Refused, match="早于发现"):
        svc.close_hazards(order_id, spec.REINSPECTION, "复查", datetime(2026, 11, 27, 10, 0))
    v = svc.close_hazards(order_id, spec.REINSPECTION, "复查合格", datetime(2026, 12, 2, 9, 50))
    assert v.status == "archived"
    [closed] = [h for h in svc.hazards(order_id=order_id) if h.item == "hose_long"]
    assert closed.closed_how == spec.REINSPECTION and closed.closed_at == datetime(2026, 12, 2, 9, 50)
    with app.reading() as s:
        assert s.get(InspectionAccount, act.account_id).open_hazards == 0


def test_an_urgent_hazard_stops_the_supply_through_the_suspension_flow(app, team, clock):
    _c, act, order_id = one_order(app, team, clock)
    clock.advance(hours=2)
    svc = InspectionService(app, team.clerk)
    InspectionService(app, team.dispatcher).record_entered(
        order_id, EnteredResult(visited_at=datetime(2026, 11, 27, 11, 0), inspector="周明",
                                marks=all_ok(heater_flue=spec.GRADE1)))
    view, stop = svc.stop_supply(order_id, "直排式热水器拒不更换")
    assert stop.kind == suspension_flow().kind and stop.account_id == act.account_id and stop.status == "open"
    assert view.data["suspension_order"] == stop.number
    [hazard] = svc.hazards(order_id=order_id)
    assert hazard.suspension_order_id == stop.id
    # Asking again links the same suspension order.
    again, same = svc.stop_supply(order_id, "再次确认")
    assert same.id == stop.id


# --- the counter ---------------------------------------------------------------------------------------

def test_an_open_grade1_hazard_warns_and_needs_a_manager_to_sell_gas_or_open_business(app, team, clock):
    c, act, order_id = one_order(app, team, clock)
    clock.advance(hours=2)
    InspectionService(app, team.dispatcher).record_entered(
        order_id, EnteredResult(visited_at=datetime(2026, 11, 27, 11, 0), inspector="周明",
                                marks=all_ok(leak=spec.GRADE1)))
    clerk = InspectionService(app, team.clerk)
    [warning] = [w for w in clerk.warnings(customer_id=c.id) if w.kind == "grade1_hazard"]
    assert warning.blocking and "一级隐患 1 项" in warning.text and "2026-11-30" in warning.text
    pay = PaymentService(app, team.clerk)
    before = snapshot(app)
    with pytest.raises(hazard_gate.NeedsClearance) as exc:
        pay.prepay(act.account_id, Decimal("100"), "cash")
    assert exc.value.purpose == hazard_gate.SELL_GAS
    assert snapshot(app) == before
    with pytest.raises(Refused, match="密码"):
        clerk.grant_clearance(act.account_id, hazard_gate.SELL_GAS, "manager", "wrong-pass", "客户已关阀，承诺整改")
    with pytest.raises(Refused, match="不是管理人员"):
        clerk.grant_clearance(act.account_id, hazard_gate.SELL_GAS, "clerk", "secret-pass", "客户已关阀")
    granted = clerk.grant_clearance(act.account_id, hazard_gate.SELL_GAS, "manager", "secret-pass",
                                    "客户已关闭漏气阀门，承诺三日内整改", detail="预存 100 元")
    assert granted.manager == "王强"
    paid = pay.prepay(act.account_id, Decimal("100"), "cash")
    [used] = clerk.clearances(act.account_id)
    assert used.used_ref == paid.receipt_number and used.used_at is not None
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "inspection_clearance")) == 2  # granted, used
    # Used once: the next sale asks again.
    with pytest.raises(hazard_gate.NeedsClearance):
        pay.prepay(act.account_id, Decimal("50"), "cash")
    # New business on the account needs its own confirmation; a complaint or stopping the supply do not.
    orders = OrderService(app, team.clerk)
    with pytest.raises(hazard_gate.NeedsClearance):
        orders.open("meter_service", c.id, documents=["owner_id"], data={"service_reason": "customer_request"})
    clerk.grant_clearance(act.account_id, hazard_gate.NEW_BUSINESS, "manager", "secret-pass", "表具故障须处理")
    assert orders.open("meter_service", c.id, documents=["owner_id"],
                       data={"service_reason": "customer_request"}).status == "open"
    stop = suspension_flow()
    assert orders.open(stop.kind, c.id, data={"suspend_from": "2026-11-28"}).status == "open"
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(InspectionClearance).where(
            InspectionClearance.used_at.is_not(None))) == 2


def test_paying_arrears_is_never_stopped(app, team, clock):
    from tests.helpers import set_balance

    _c, act, order_id = one_order(app, team, clock)
    clock.advance(hours=2)
    InspectionService(app, team.dispatcher).record_entered(
        order_id, EnteredResult(visited_at=datetime(2026, 11, 27, 11, 0), inspector="周明",
                                marks=all_ok(leak=spec.GRADE1)))
    set_balance(app, act.account_id, Decimal("-80.00"))
    p = PaymentService(app, team.clerk).prepay(act.account_id, Decimal("80"), "cash")
    with app.reading() as s:
        assert s.scalar(select(Payment.kind).where(Payment.receipt_number == p.receipt_number)) == "arrears"


def test_an_account_never_inspected_is_overdue_after_its_interval(app, team, clock):
    c, act = active_resident(app, team)
    svc = InspectionService(app, team.clerk)
    assert svc.warnings(account_id=act.account_id) == []
    clock.set(datetime(2027, 11, 28, 9, 0))
    [w] = svc.warnings(account_id=act.account_id)
    assert w.kind == "overdue" and "12 个月" in w.text and not w.blocking


# --- photos --------------------------------------------------------------------------------------------

def _png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (red pixels), as a camera or phone would save a photo."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = _png()


def test_photos_are_kept_beside_the_database_by_their_hash(app, team, clock, tmp_path):
    from gasdesk.services.attachments import AttachmentService

    _c, _act, order_id = one_order(app, team, clock)
    SettingsService(app, team.admin).update({"files.folder": str(tmp_path / "files")})
    photo = tmp_path / "灶台漏气.png"
    photo.write_bytes(PNG)
    svc = InspectionService(app, team.dispatcher)
    clock.advance(hours=2)
    svc.record_entered(order_id, EnteredResult(visited_at=datetime(2026, 11, 27, 11, 0), inspector="周明",
                                               marks=all_ok(leak=spec.GRADE1), photos=[photo]))
    [a] = svc.attachments(order_id)
    assert a.file_name == "灶台漏气.png" and a.is_image and len(a.sha256) == 64
    view, data = AttachmentService(app, team.clerk).read(a.id)
    assert data == PNG
    with pytest.raises(Refused, match="已附加"):
        svc.attach_photo(order_id, photo)
    fake = tmp_path / "not-a-photo.jpg"
    fake.write_bytes(b"MZ\x90\x00 executable")
    with pytest.raises(Refused, match="不是照片"):
        svc.attach_photo(order_id, fake)
    stored = next((tmp_path / "files").rglob("*.png"))
    stored.write_bytes(PNG + b"x")
    with pytest.raises(Refused, match="改动"):
        AttachmentService(app, team.clerk).read(a.id)


def test_visits_and_hazards_are_audited(app, team, clock):
    _c, _act, order_id = one_order(app, team, clock)
    clock.advance(hours=2)
    InspectionService(app, team.dispatcher).record_entered(
        order_id, EnteredResult(visited_at=datetime(2026, 11, 27, 11, 0), inspector="周明",
                                marks=all_ok(hose_long=spec.GRADE2)))
    with app.reading() as s:
        visit_id = s.scalar(select(InspectionVisit.id).where(InspectionVisit.order_id == order_id))
        hazard_id = s.scalar(select(InspectionHazard.id).where(InspectionHazard.order_id == order_id))
        actions = set(s.execute(select(AuditEntry.entity, AuditEntry.entity_id)).all())
    assert ("inspection_visit", str(visit_id)) in actions and ("inspection_hazard", str(hazard_id)) in actions
    # The bulk opening, the visit and the hazards leave an audit trail that verifies.
    from gasdesk.services import audit

    with app.reading() as s:
        report = audit.check(s)
    assert report.ok, report.lines()


# --- printed forms -------------------------------------------------------------------------------------

def _pdf_text(pdf: bytes) -> str:
    import io
    import re

    from pypdf import PdfReader

    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_three_forms_print_the_facts_of_their_step(app, team, clock):
    from gasdesk.services.printing import PrintService

    c, _act, order_id = one_order(app, team, clock)
    printer = PrintService(app, team.clerk)
    blank = _pdf_text(printer.render(order_id, "inspection_record"))
    assert all(item.label in blank for item in spec.CHECKLIST) and "□合格□一级□二级□三级" in blank
    svc = InspectionService(app, team.dispatcher)
    clock.set(datetime(2026, 11, 28, 10, 0))
    svc.record_not_home(order_id, datetime(2026, 11, 28, 9, 30), "安检一班 周明")
    card = _pdf_text(printer.render(order_id, "no_one_home_card"))
    assert "到访不遇卡" in card and "2026-11-2809:30" in card and "96977" in card and "预约上门时间" in card
    assert c.name not in card and c.id_number not in card
    clock.set(datetime(2026, 12, 1, 15, 0))
    svc.record_entered(order_id, EnteredResult(visited_at=datetime(2026, 12, 1, 14, 0), inspector="安检一班 周明",
                                               marks=all_ok(hose_long=spec.GRADE2)))
    record = _pdf_text(printer.render(order_id, "inspection_record"))
    assert "第2次" in record and "■二级" in record and "用户签字" in record and "2026-12-0114:00" in record
    notice = _pdf_text(printer.render(order_id, "hazard_notice"))
    due = svc.hazards(order_id=order_id)[0].due_at
    assert f"{due:%Y-%m-%d}" in notice and "胶管长度超过2米" in notice and "ZG-" in notice
    # A reprint is the same notice, marked 副本.
    again = _pdf_text(printer.render(order_id, "hazard_notice"))
    assert "副本" in again and f"{due:%Y-%m-%d}" in again


def test_print_list_forms_names_the_three_forms(app, capsys):
    from gasdesk.cli import main

    assert main(["--db", app.url, "print", "--list-forms"]) == 0
    out = capsys.readouterr().out
    for code in ("inspection_record", "hazard_notice", "no_one_home_card"):
        assert code in out
    assert "到访不遇卡" in out and "隐患整改通知书" in out
