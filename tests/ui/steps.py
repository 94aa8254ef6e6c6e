"""A clerk's moves through the window, built from the driver: wizard pages, order actions, queues."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from gasdesk.services.context import App
from gasdesk.services.orders import OrderService, OrderView
from gasdesk.ui import wizard as wz
from gasdesk.ui.main_window import DASHBOARD, DISPATCH, NEW, MainWindow
from gasdesk.ui.order_page import OrderPage
from tests.helpers import Team, active_resident, business
from tests.ui.driver import choose, click, click_row, double_click_row, fill, row_of, type_into, wizard_next


def go(qtbot, win: MainWindow, page: int) -> None:  # type: ignore[no-untyped-def]
    """Switch page with its Alt+N shortcut, as the clerk would."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    digit = win.page_keys[page].removeprefix("Alt+")  # the window's own table: Alt+1 … Alt+9, Alt+0
    qtbot.keyClick(win, Qt.Key(Qt.Key.Key_0 + int(digit)), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: win.stack.currentIndex() == page)


def start_wizard(qtbot, win: MainWindow, kind: str) -> wz.NewOrderWizard:  # type: ignore[no-untyped-def]
    """The flow's 新建业务 button: the wizard opens on its first page with the flow chosen; 来访, Enter."""
    go(qtbot, win, NEW)
    click(qtbot, win.new_page.buttons[kind])
    wiz = win.wizard
    assert wiz is not None
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FLOW_PAGE)
    assert wiz.flow_page.kind() == kind and wiz.flow_page.counter_radio.isChecked()
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CUSTOMER_PAGE)
    return wiz


def pick_customer(qtbot, wiz: wz.NewOrderWizard, query: str, account: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page = wiz.customer_page
    type_into(qtbot, page.search.edit, query)
    qtbot.keyClick(page.search.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.search.model.rowCount() > 0)
    click_row(qtbot, page.search.view, 0)
    if account is not None:
        choose(page.account_combo, account)
    wizard_next(qtbot, wiz)


def tick_documents(qtbot, wiz: wz.NewOrderWizard, codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: wiz.currentId() == wz.DOCUMENTS_PAGE)
    for code in codes:
        click(qtbot, wiz.documents_page.checks[code])
    wizard_next(qtbot, wiz)


def fill_application(qtbot, wiz: wz.NewOrderWizard, values: dict[str, Any] | None = None) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FORM_PAGE)
    assert wiz.form_page.form is not None
    fill(qtbot, wiz.form_page.form, values or {})
    wizard_next(qtbot, wiz)


def submit(qtbot, wiz: wz.NewOrderWizard) -> OrderView:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CONFIRM_PAGE)
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FIRST_STEP_PAGE)
    assert wiz.order is not None
    return wiz.order


def first_step(qtbot, wiz: wz.NewOrderWizard, code: str, values: dict[str, Any] | None = None) -> OrderView:  # type: ignore[no-untyped-def]
    page = wiz.first_step_page
    click(qtbot, page.radios[code])
    if values:
        fill(qtbot, page.forms[code].form, values)
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.DONE_PAGE)
    wizard_next(qtbot, wiz)  # 完成
    qtbot.waitUntil(lambda: not wiz.isVisible())
    assert wiz.order is not None
    return wiz.order


def open_from_queue(qtbot, win: MainWindow, number: str) -> OrderPage:  # type: ignore[no-untyped-def]
    """工作台 → 我的待办 → double-click the order."""
    go(qtbot, win, DASHBOARD)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    view = win.dashboard.views["mine"]
    win.dashboard.tabs.setCurrentWidget(view)
    row = row_of(view, 0, number)
    double_click_row(qtbot, view, row)
    qtbot.waitUntil(lambda: any(p.order and p.order.number == number for p in win.order_pages.values()))
    return next(p for p in win.order_pages.values() if p.order and p.order.number == number)


def act(qtbot, page: QWidget, code: str, values: dict[str, Any] | None = None,  # type: ignore[no-untyped-def]
        reason: str | None = None) -> None:
    """Click the action's button on an order page (or the dispatch page), fill its form, confirm."""
    click(qtbot, page.action_buttons[code])  # type: ignore[attr-defined]
    dialog = page.dialog  # type: ignore[attr-defined]
    qtbot.waitUntil(dialog.isVisible)
    fields = dict(values or {})
    if reason is not None:
        fields["reason"] = reason
    fill(qtbot, dialog.form, fields)
    # a clerk reads the amounts before confirming: wait until they show what was typed
    qtbot.waitUntil(lambda: not dialog.action_form._timer.isActive())
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def dispatch_select(qtbot, win: MainWindow, number: str, waiting: bool = False) -> None:  # type: ignore[no-untyped-def]
    go(qtbot, win, DISPATCH)
    page = win.dispatch
    qtbot.keyClick(win, Qt.Key.Key_F5)
    view = page.waiting_view if waiting else page.queue_view
    page.tabs.setCurrentWidget(view)
    click_row(qtbot, view, row_of(view, 0, number))
    qtbot.waitUntil(lambda: page.order is not None and page.order.number == number)


def visit(qtbot, win: MainWindow, number: str, code: str, values: dict[str, Any] | None = None,  # type: ignore[no-untyped-def]
          reason: str | None = None, waiting: bool = False) -> None:
    dispatch_select(qtbot, win, number, waiting)
    act(qtbot, win.dispatch, code, values, reason)


ASSIGN = {"crew": "抢修一班 王师傅", "appointment_at": "2026-11-30 09:30"}


def meter(number: str) -> dict[str, str]:
    return {"meter_number": number, "meter_model": "JBD2.5膜式燃气表", "meter_rating": "G2.5",
            "initial_reading": "0.5"}


def order(app: App, team: Team, order_id: int) -> OrderView:
    return OrderService(app, team.admin).get(order_id)


def account_order(app: App, team: Team, name: str, kind: str, data: dict[str, Any]) -> tuple[OrderView, OrderView]:
    """Setup only: an active resident's account opening, and an order of `kind` on that account opened
    at the counter with the owner's ID (through the services)."""
    customer, activation = active_resident(app, team, name)
    opened = OrderService(app, team.clerk).open(kind, customer.id, account_id=activation.account_id,
                                                documents=["owner_id"], data=data)
    return activation, opened


def active_business(app: App, team: Team, name: str = "示例餐饮有限公司") -> tuple[int, int]:
    """Setup only: a non-residential customer with an active account (through the services)."""
    c = business(app, team.clerk, name)
    clerk, am, disp = (OrderService(app, a) for a in (team.clerk, team.account_manager, team.dispatcher))
    o = clerk.open("installation", c.id, documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "后厨改造", "expected_monthly_volume": "800"})
    o = clerk.perform(o.id, "register")
    for code, payload in [("survey_done", {"survey_date": "2026-11-27", "designer": "周工", "survey_notes": "具备条件"}),
                          ("materials_received", {}), ("plan_approved", {"supply_plan": "中压接入"}),
                          ("design_done", {"design_unit": "示例设计院", "design_summary": "中压接入"}),
                          ("design_approved", {"approval_date": "2026-11-27", "approved_by": "周经理"}),
                          ("budget_done", {"budget_amount": "10000"}),
                          ("contract_signed", {"contract_number": "HT-1", "contract_amount": "10000",
                                               "contract_date": "2026-11-27"}),
                          ("briefing_done", {"briefing_date": "2026-11-27", "briefing_attendees": "甲、乙"}),
                          ("construction_done", {"construction_unit": "甲", "supervision_unit": "乙",
                                                 "work_finished": True, "materials_cleared": True,
                                                 "site_cleaned": True}),
                          ("acceptance_passed", {"acceptance_date": "2026-11-27"})]:
        o = am.perform(o.id, code, payload)
    o = disp.perform(o.id, "ignited", {"meter_number": f"B{c.id:07d}", "meter_model": "G10", "meter_rating": "G10",
                                       "initial_reading": "0"})
    assert o.account_id is not None
    return c.id, o.account_id
