"""用户性质变更: 非居民转居民 (residential contract, on-site opening), 居民转非居民 (market department completes data), refusal."""

from __future__ import annotations

from gasdesk.services.customers import CustomerService
from gasdesk.vocab import CustomerCategory, GasUseType, OrderStatus
from tests.helpers import active_resident
from tests.ui import steps

DOCS = ["identity", "property_proof"]


def _accepted(qtbot, team, window, query, first, values=None, docs=DOCS):  # type: ignore[no-untyped-def]
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "type_change")
    steps.pick_customer(qtbot, wiz, query)
    steps.tick_documents(qtbot, wiz, list(docs))
    steps.fill_application(qtbot, wiz)
    steps.submit(qtbot, wiz)
    return clerk, steps.first_step(qtbot, wiz, first, values)


def test_non_residential_to_residential(qtbot, gui_app, team, window, msgs):
    customer_id, _ = steps.active_business(gui_app, team, "示例小吃店")
    clerk, order = _accepted(qtbot, team, window, "示例小吃店", "to_residential")
    assert order.step == "residential_opening"
    page = clerk.open_order(order.id)
    steps.act(qtbot, page, "contract_signed", {"household_size": "3"})
    # The opening procedure: the distribution centre opens the supply on site, the customer signs.
    assert page.order.step == "opening_visit" and "type_changed" not in page.action_buttons
    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, order.number, "assign", steps.ASSIGN)
    steps.visit(qtbot, dispatcher, order.number, "work_done", {"work_record": "安全检查合格，点火正常"})
    page = steps.open_from_queue(qtbot, clerk, order.number)
    steps.act(qtbot, page, "type_changed")
    assert page.order.status is OrderStatus.ARCHIVED
    c = CustomerService(gui_app, team.admin).get(customer_id)
    assert c.category is CustomerCategory.RESIDENTIAL and c.gas_use_type is GasUseType.RESIDENTIAL
    assert c.household_size == 3


def test_residential_to_non_residential(qtbot, gui_app, team, window, msgs):
    c, _ = active_resident(gui_app, team, "沈七")
    clerk, order = _accepted(qtbot, team, window, "沈七", "to_non_residential")
    assert order.step == "market_data"
    am = window(team.account_manager)
    page = steps.open_from_queue(qtbot, am, order.number)
    steps.act(qtbot, page, "data_completed", {"new_gas_use_type": "commercial", "business_name": "沈记面馆"})
    page = steps.open_from_queue(qtbot, clerk, order.number)
    steps.act(qtbot, page, "type_changed")
    view = CustomerService(gui_app, team.admin).get(c.id)
    assert view.category is CustomerCategory.NON_RESIDENTIAL and view.gas_use_type is GasUseType.COMMERCIAL
    assert view.name == "沈记面馆"


def test_type_change_refused(qtbot, gui_app, team, window, msgs):
    active_resident(gui_app, team, "韩八")
    _clerk, order = _accepted(qtbot, team, window, "韩八", "refuse", {"reason": "用气地址与产权证明不符"})
    assert order.status is OrderStatus.REJECTED and order.reason == "用气地址与产权证明不符"
