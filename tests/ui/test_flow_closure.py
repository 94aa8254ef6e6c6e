"""客户销户: arrears collected, plugging visit; removal with a re-booked visit; refusal."""

from __future__ import annotations

from decimal import Decimal

from gasdesk.services.customers import CustomerService
from gasdesk.services.payments import PaymentService
from gasdesk.vocab import AccountStatus, CustomerStatus, OrderStatus, PaymentKind
from tests.helpers import active_resident
from tests.ui import steps
from tests.ui.steps import ASSIGN

DOCS = ["id_copy", "property_proof", "property_mgmt"]


def _settled(qtbot, gui_app, team, window, name, balance):  # type: ignore[no-untyped-def]
    c, _ = active_resident(gui_app, team, name, balance=balance)
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "closure")
    steps.pick_customer(qtbot, wiz, name)
    steps.tick_documents(qtbot, wiz, DOCS)
    steps.fill_application(qtbot, wiz)
    charges = wiz.confirm_page.summary.text()
    steps.submit(qtbot, wiz)
    order = steps.first_step(qtbot, wiz, "documents_ok")
    page = clerk.open_order(order.id)
    steps.act(qtbot, page, "application_signed")
    steps.act(qtbot, page, "settled", {"settle_method": "cash"})
    return c, clerk, page, order, charges


def test_closure_with_arrears_and_plugging(qtbot, gui_app, team, window, msgs):
    c, clerk, page, order, charges = _settled(qtbot, gui_app, team, window, "褚四", Decimal("-20.00"))
    assert "欠费 20.00 元" in charges
    steps.act(qtbot, page, "plugging")
    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, order.number, "assign", ASSIGN)
    steps.visit(qtbot, dispatcher, order.number, "work_done", {"final_reading": "88.8"})
    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.ARCHIVED
    customers = CustomerService(gui_app, team.admin)
    assert customers.get(c.id).status is CustomerStatus.CLOSED
    assert customers.accounts(c.id)[0].status is AccountStatus.CLOSED
    kinds = {p.kind for p in PaymentService(gui_app, team.admin).for_customer(c.id)}
    assert PaymentKind.ARREARS in kinds and PaymentKind.FEE in kinds


def test_closure_with_removal_rebooked(qtbot, gui_app, team, window, msgs):
    c, clerk, page, order, charges = _settled(qtbot, gui_app, team, window, "卫五", Decimal("30.00"))
    assert "预存款 30.00 元将退还" in charges
    steps.act(qtbot, page, "removal")
    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, order.number, "assign", ASSIGN)
    steps.visit(qtbot, dispatcher, order.number, "conditions_not_met", reason="客户要求改期")
    steps.visit(qtbot, dispatcher, order.number, "rebook", {"appointment_at": "2026-12-04 15:00"}, waiting=True)
    steps.visit(qtbot, dispatcher, order.number, "work_done", {"final_reading": "120", "fee": "120.00"})
    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.ARCHIVED and final.step == "archived"
    account = CustomerService(gui_app, team.admin).accounts(c.id)[0]
    assert account.status is AccountStatus.CLOSED and account.meter_number is None  # meter removed
    refunds = [p for p in PaymentService(gui_app, team.admin).for_customer(c.id) if p.kind is PaymentKind.REFUND]
    assert [p.amount for p in refunds] == [Decimal("30.00")]


def test_closure_refused_identity_not_verified(qtbot, gui_app, team, window, msgs):
    active_resident(gui_app, team, "蒋六")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "closure")
    steps.pick_customer(qtbot, wiz, "蒋六")
    steps.tick_documents(qtbot, wiz, ["property_proof", "property_mgmt"])
    steps.fill_application(qtbot, wiz)
    steps.submit(qtbot, wiz)
    done = steps.first_step(qtbot, wiz, "refuse")
    assert done.status is OrderStatus.REJECTED and "身份证复印件" in done.reason
