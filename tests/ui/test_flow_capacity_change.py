"""增/减容（换表）: meter changed with the fee from the fee schedule; conditions not met ends it; refusal."""

from __future__ import annotations

from decimal import Decimal

from gasdesk.services.customers import CustomerService
from gasdesk.services.payments import PaymentService
from gasdesk.vocab import OrderStatus, PaymentKind
from tests.helpers import active_resident
from tests.ui import steps
from tests.ui.steps import ASSIGN


def _open(qtbot, gui_app, team, window, name, docs=("id_copy",)):  # type: ignore[no-untyped-def]
    c, _ = active_resident(gui_app, team, name, meter=f"OLD-{name}")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "capacity_change")
    steps.pick_customer(qtbot, wiz, name)
    steps.tick_documents(qtbot, wiz, list(docs))
    steps.fill_application(qtbot, wiz, {"direction": "increase", "requested_rating": "G4"})
    steps.submit(qtbot, wiz)
    return c, wiz


def test_capacity_change_meter_replaced_and_fee_charged(qtbot, gui_app, team, window, msgs):
    c, wiz = _open(qtbot, gui_app, team, window, "孙七")
    order = steps.first_step(qtbot, wiz, "accept")
    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, order.number, "assign", ASSIGN)
    steps.dispatch_select(qtbot, dispatcher, order.number)
    from tests.ui.driver import click

    click(qtbot, dispatcher.dispatch.action_buttons["meter_changed"])
    dialog = dispatcher.dispatch.dialog
    assert dialog.form.editors["fee"].value() == "150.00"  # default from the fee schedule
    from tests.ui.driver import fill

    fill(qtbot, dialog.form, {"final_reading": "345.6", **steps.meter("NEW-G4-001"), "meter_rating": "G4"})
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.ARCHIVED
    account = CustomerService(gui_app, team.admin).accounts(c.id)[0]
    assert account.meter_number == "NEW-G4-001" and account.meter_rating == "G4"
    fees = [p for p in PaymentService(gui_app, team.admin).for_customer(c.id) if p.kind is PaymentKind.FEE]
    assert [p.amount for p in fees] == [Decimal("150.00")]
    assert final.data["old_meter_number"] == "OLD-孙七"


def test_capacity_change_conditions_not_met_ends_the_order(qtbot, gui_app, team, window, msgs):
    c, wiz = _open(qtbot, gui_app, team, window, "钱八")
    order = steps.first_step(qtbot, wiz, "accept")
    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, order.number, "conditions_not_met", reason="表位无法改造")
    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.REJECTED and final.reason == "表位无法改造"


def test_capacity_change_refused_without_id_copy(qtbot, gui_app, team, window, msgs):
    c, wiz = _open(qtbot, gui_app, team, window, "周九", docs=())
    done = steps.first_step(qtbot, wiz, "refuse")
    assert done.status is OrderStatus.REJECTED and "身份证复印件" in done.reason
