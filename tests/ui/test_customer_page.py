"""The customer page: masked details, 显示完整证件号 for a manager, balance, meter, orders, payments."""

from __future__ import annotations

from decimal import Decimal

from gasdesk.ui.main_window import SEARCH
from tests.helpers import active_resident, set_balance
from tests.ui import steps
from tests.ui.driver import click, double_click_row, type_into


def test_clerk_sees_masked_details_balance_orders_and_can_take_a_deposit(qtbot, gui_app, team, window, msgs,
                                                                        monkeypatch):
    c, order = active_resident(gui_app, team, "孔一", meter="KM-1")
    set_balance(gui_app, order.account_id, Decimal("-35.20"))
    win = window(team.clerk)
    page = win.open_customer(c.id)
    assert "*" in page.detail_labels["id_number"].text() and "已脱敏" in page.detail_labels["id_number"].text()
    assert not page.reveal_button.isVisible()
    model = page.accounts_model
    assert model.rowCount() == 1
    assert model.index(0, 2).data() == "欠费 35.20 元"
    assert model.index(0, 3).data() == "KM-1"
    assert page.orders_model.rowCount() == 1
    assert page.orders_model.index(0, 3).data() == "已归档"

    click(qtbot, page.prepay_button)
    billing = page.billing
    qtbot.waitUntil(billing.isVisible)
    click(qtbot, billing.prepay_button)
    dialog = billing.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog.amount, "100")
    dialog.print_receipt.setChecked(False)
    click(qtbot, dialog.findChild(type(page.refresh_button), "ok"))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: page.accounts_model.index(0, 2).data() == "预存 64.80 元")
    assert page.payments_model.rowCount() == 1
    billing.close()

    from gasdesk.ui.order_page import OrderPage

    loads: list[int] = []
    refresh = OrderPage.refresh
    monkeypatch.setattr(OrderPage, "refresh", lambda self: (loads.append(self.order_id), refresh(self))[1])
    double_click_row(qtbot, page.orders_view, 0)
    qtbot.waitUntil(lambda: order.id in win.order_pages)
    qtbot.wait(50)
    assert loads == [order.id]  # the double-click opens the order once (not made, then refreshed)


def test_manager_reveals_the_full_id_number(qtbot, gui_app, team, window, msgs):
    c, _ = active_resident(gui_app, team, "曹二")
    win = window(team.manager)
    steps.go(qtbot, win, SEARCH)
    type_into(qtbot, win.search.edit, "曹二")
    qtbot.waitUntil(lambda: win.search.model.rowCount() == 1)
    assert win.search.model.hit(0).customer.id_number == c.id_number  # a manager sees it whole
    page = win.open_customer(c.id)
    assert page.detail_labels["id_number"].text() == c.id_number


def test_reveal_button_for_a_permitted_role_is_audited(qtbot, gui_app, team, window, msgs, monkeypatch):
    c, _ = active_resident(gui_app, team, "严三")
    win = window(team.clerk)
    page = win.open_customer(c.id)
    # a clerk may not reveal: the button is hidden and the service refuses
    assert not page.reveal_button.isVisible()
    page.reveal()
    assert msgs.texts("warning") and "无权" in msgs.texts("warning")[0]


def test_a_customer_with_many_orders_pages_them_and_counts_all(qtbot, gui_app, team, window):  # type: ignore[no-untyped-def]
    from gasdesk.services.orders import OrderService
    from tests.helpers import resident

    c = resident(gui_app, team.clerk, "多单户")
    clerk = OrderService(gui_app, team.clerk)
    for i in range(105):
        clerk.open("complaint", c.id, data={"complaint_type": "enquiry", "content": f"第{i}次咨询",
                                            "contact_phone": "13900000000"})
    page = window(team.clerk).open_customer(c.id)
    assert "（105）" in page.tabs.tabText(0)
    assert page.orders_model.rowCount() == 100 and page.orders_model.canFetchMore()
    page.orders_model.fetchMore()
    assert page.orders_model.rowCount() == 105
    assert page.orders_model.index(0, 3).data() == "办理中"
