"""暂停用气: without plugging (meter reader told), with plugging (visit re-booked, fee), refusal."""

from __future__ import annotations

from decimal import Decimal

from gasdesk.services.customers import CustomerService
from gasdesk.services.payments import PaymentService
from gasdesk.vocab import AccountStatus, OrderStatus, PaymentKind
from tests.helpers import active_resident
from tests.ui import steps
from tests.ui.steps import ASSIGN


def _accepted(qtbot, gui_app, team, window, name, docs=("owner_id",), first="accept", values=None):  # type: ignore[no-untyped-def]
    c, _ = active_resident(gui_app, team, name)
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "suspension")
    steps.pick_customer(qtbot, wiz, name)
    steps.tick_documents(qtbot, wiz, list(docs))
    steps.fill_application(qtbot, wiz, {"suspend_from": "2026-12-01"})
    steps.submit(qtbot, wiz)
    return c, clerk, steps.first_step(qtbot, wiz, first, values)


def test_suspension_without_plugging(qtbot, gui_app, team, window, msgs):
    c, clerk, order = _accepted(qtbot, gui_app, team, window, "吴一")
    assert order.step == "plugging_decision"
    page = clerk.open_order(order.id)
    steps.act(qtbot, page, "without_plugging")
    steps.act(qtbot, page, "reader_notified", {"reader_name": "抄表员小郑"})
    assert page.order.status is OrderStatus.ARCHIVED
    assert CustomerService(gui_app, team.admin).accounts(c.id)[0].status is AccountStatus.SUSPENDED


def test_suspension_with_plugging_rebooked(qtbot, gui_app, team, window, msgs):
    c, clerk, order = _accepted(qtbot, gui_app, team, window, "郑二")
    page = clerk.open_order(order.id)
    steps.act(qtbot, page, "with_plugging")
    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, order.number, "assign", ASSIGN)
    steps.visit(qtbot, dispatcher, order.number, "conditions_not_met", reason="客户不在家")
    steps.visit(qtbot, dispatcher, order.number, "rebook", {"appointment_at": "2026-12-03 09:00"}, waiting=True)
    steps.visit(qtbot, dispatcher, order.number, "plugged", {"final_reading": "12.5", "fee_method": "mobile"})
    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.ARCHIVED
    assert CustomerService(gui_app, team.admin).accounts(c.id)[0].status is AccountStatus.SUSPENDED
    fees = [p for p in PaymentService(gui_app, team.admin).for_customer(c.id) if p.kind is PaymentKind.FEE]
    assert [(p.amount, p.method.value) for p in fees] == [(Decimal("50.00"), "mobile")]


def test_suspension_refused(qtbot, gui_app, team, window, msgs):
    c, clerk, order = _accepted(qtbot, gui_app, team, window, "冯三", first="refuse",
                                values={"reason": "该户存在未结清的安全隐患整改"})
    assert order.status is OrderStatus.REJECTED and order.reason == "该户存在未结清的安全隐患整改"
