"""气量变更: documents do not match → the customer brings more → checked again → allowance changed;
the customer withdraws (cancel) while documents are awaited."""

from __future__ import annotations

from decimal import Decimal

from gasdesk.services.customers import CustomerService
from gasdesk.vocab import OrderStatus
from tests.helpers import active_resident
from tests.ui import steps
from tests.ui.driver import click

ALL = ["id_copy", "property_proof", "community_certificate", "household_register", "supply_agreement"]


def _opened(qtbot, gui_app, team, window, name, docs):  # type: ignore[no-untyped-def]
    c, _ = active_resident(gui_app, team, name)
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "allowance_change")
    steps.pick_customer(qtbot, wiz, name)
    steps.tick_documents(qtbot, wiz, docs)
    steps.fill_application(qtbot, wiz)
    steps.submit(qtbot, wiz)
    return c, clerk, wiz


def test_allowance_documents_mismatch_then_resubmitted(qtbot, gui_app, team, window, msgs):
    c, clerk, wiz = _opened(qtbot, gui_app, team, window, "杨九", [d for d in ALL if d != "household_register"])
    first = wiz.first_step_page
    assert not first.radios["documents_ok"].isEnabled()
    assert first.radios["documents_mismatch"].isChecked()
    order = steps.first_step(qtbot, wiz, "documents_mismatch")
    assert order.step == "await_documents" and "户口簿" in order.reason

    page = clerk.open_order(order.id)
    click(qtbot, page.documents_button)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    click(qtbot, dialog.boxes["household_register"])
    click(qtbot, dialog.findChild(type(page.refresh_button), "ok"))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "household_register" in page.order.documents
    steps.act(qtbot, page, "documents_resubmitted")
    steps.act(qtbot, page, "documents_ok")
    steps.act(qtbot, page, "application_signed", {"household_size": "6", "new_allowance": "520"})
    steps.act(qtbot, page, "allowance_changed")
    assert page.order.status is OrderStatus.ARCHIVED
    view = CustomerService(gui_app, team.admin).get(c.id)
    assert view.yearly_allowance == Decimal("520") and view.household_size == 6


def test_allowance_cancelled_while_waiting_for_documents(qtbot, gui_app, team, window, msgs):
    c, clerk, wiz = _opened(qtbot, gui_app, team, window, "朱十", ["id_copy"])
    order = steps.first_step(qtbot, wiz, "documents_mismatch")
    page = clerk.open_order(order.id)
    steps.act(qtbot, page, "cancel", reason="客户撤回申请")
    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.CANCELLED and final.reason == "客户撤回申请"
    assert page.chart.chart.items_by_key["cancelled"].data(1) == "end_done"
