"""用户开通: a new customer typed into the wizard, accepted, visit not possible, re-booked, ignited."""

from __future__ import annotations

from gasdesk.services.customers import CustomerService
from gasdesk.validation import make_resident_id
from gasdesk.vocab import AccountStatus, OrderStatus
from tests.helpers import resident
from tests.ui import steps
from tests.ui.driver import choose, click, type_into, wizard_next
from tests.ui.steps import ASSIGN


def test_activation_new_customer_rebooked_and_ignited(qtbot, gui_app, team, window, msgs):
    from datetime import date

    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "activation")
    page = wiz.customer_page
    click(qtbot, page.new_radio)
    form = page.form
    choose(form.category, "residential")
    type_into(qtbot, form.edit("name"), "王小明")
    type_into(qtbot, form.edit("id_number"), "520102198001011234")  # wrong check digit
    type_into(qtbot, form.edit("phone"), "13912345678")
    type_into(qtbot, form.edit("address"), "示例市南明区花果园1栋2单元301")
    wizard_next(qtbot, wiz)
    assert wiz.currentId() == page.wiz.customer_page.wiz.currentId()  # still on the customer page
    assert form.errors["id_number"].isVisible()
    assert "校验" in form.errors["id_number"].text() or "身份证" in form.errors["id_number"].text()
    type_into(qtbot, form.edit("id_number"), make_resident_id("520102", date(1980, 1, 1), 123))
    wizard_next(qtbot, wiz)
    steps.tick_documents(qtbot, wiz, ["property_proof", "owner_id"])
    steps.fill_application(qtbot, wiz, {"note": "客户要求周末上门"})
    order = steps.submit(qtbot, wiz)
    assert order.step == "accept"
    done = steps.first_step(qtbot, wiz, "accept")
    assert done.step == "site_visit"
    accounts = CustomerService(gui_app, team.admin).accounts(done.customer_id)
    assert [a.status for a in accounts] == [AccountStatus.APPLYING]
    assert CustomerService(gui_app, team.admin).get(done.customer_id).name == "王小明"

    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, done.number, "assign", ASSIGN)
    steps.visit(qtbot, dispatcher, done.number, "conditions_not_met", reason="厨房未安装燃气报警器")
    assert steps.order(gui_app, team, done.id).step == "site_visit_wait"
    steps.visit(qtbot, dispatcher, done.number, "rebook", {"appointment_at": "2026-12-01 10:00"}, waiting=True)
    steps.visit(qtbot, dispatcher, done.number, "assign", ASSIGN)
    steps.visit(qtbot, dispatcher, done.number, "work_done", steps.meter("M20261127"))

    final = steps.order(gui_app, team, done.id)
    assert final.status is OrderStatus.ARCHIVED
    accounts = CustomerService(gui_app, team.admin).accounts(final.customer_id)
    assert accounts[0].status is AccountStatus.ACTIVE and accounts[0].meter_number == "M20261127"
    assert [h.action for h in final.history].count("conditions_not_met") == 1


def test_activation_missing_document_is_refused_with_reason(qtbot, gui_app, team, window, msgs):
    c = resident(gui_app, team.clerk, "赵六")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "activation")
    steps.pick_customer(qtbot, wiz, "赵六")
    steps.tick_documents(qtbot, wiz, ["property_proof"])  # no householder ID
    assert "户主身份证" in wiz.documents_page.warning.text()
    steps.fill_application(qtbot, wiz)
    steps.submit(qtbot, wiz)
    page = wiz.first_step_page
    assert not page.radios["accept"].isEnabled()
    assert page.radios["refuse"].isChecked()
    reason = page.forms["refuse"].form.editors["reason"].value()
    assert "户主身份证" in reason
    done = steps.first_step(qtbot, wiz, "refuse")
    assert done.status is OrderStatus.REJECTED
    assert "户主身份证" in done.reason
    assert done.customer_id == c.id
