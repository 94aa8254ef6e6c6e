"""1366×768 with a taskbar: every top-level window and page of every role needs no more than the
screen less the taskbar (40 px) and a title bar (32 px): 1366×696 for its contents. An installation
past construction and a 2,000-character complaint fit too; the long value opens read-only."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget

from gasdesk.services.orders import OrderService
from gasdesk.ui import printing
from gasdesk.ui.action_form import ActionDialog
from gasdesk.ui.billing_page import BillingPage
from gasdesk.ui.order_page import OrderPage
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import TITLE_BAR
from tests.helpers import active_resident, business, resident

SCREEN = (1366, 768 - 40 - TITLE_BAR)


def needs(w: QWidget) -> tuple[int, int]:
    hint, minimum = w.minimumSizeHint(), w.minimumSize()
    return max(hint.width(), minimum.width()), max(hint.height(), minimum.height())


def fits(w: QWidget, what: str) -> None:
    width, height = needs(w)
    assert width <= SCREEN[0] and height <= SCREEN[1], f"{what} needs {width}×{height}"


def _installation_past_construction(app, team) -> int:  # type: ignore[no-untyped-def]
    c = business(app, team.clerk, "示例大酒店有限公司")
    clerk, am = OrderService(app, team.clerk), OrderService(app, team.account_manager)
    o = clerk.open("installation", c.id, documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "中餐厅后厨燃气改造" * 3, "expected_monthly_volume": "1200",
                         "equipment": "中餐燃气灶2台，蒸箱1台，汤炉2台"})
    clerk.perform(o.id, "register", {"business_group": "业务一组"})
    for code, values in (("survey_done", {"survey_date": "2026-11-30", "designer": "周工",
                                          "survey_notes": "具备中压接入条件，" * 12}),
                         ("materials_received", {}), ("plan_approved", {"supply_plan": "中压A接入，调压箱1台"}),
                         ("design_done", {"design_unit": "示例燃气设计院", "design_summary": "中压A接入，室外表箱"}),
                         ("design_approved", {"approval_date": "2026-11-30", "approved_by": "周经理"}),
                         ("budget_done", {"budget_amount": "36800.00"}),
                         ("contract_signed", {"contract_number": "AZ-2026-118", "contract_amount": "36800",
                                              "contract_date": "2026-12-01"}),
                         ("briefing_done", {"briefing_date": "2026-12-01", "briefing_attendees": "项目经理、监理"}),
                         ("construction_done", {"construction_unit": "示例安装公司", "supervision_unit": "示例监理",
                                                "work_finished": True, "materials_cleared": True,
                                                "site_cleaned": True})):
        am.perform(o.id, code, values)
    return o.id


def test_every_window_and_page_of_every_role_fits(qtbot, gui_app, team, window, msgs):
    for role in ("clerk", "manager", "account_manager", "dispatcher", "handler", "admin"):
        win = window(getattr(team, role))
        for i in range(win.stack.count()):
            win.show_page(i)
            fits(win, f"{role}: {win.page_titles[i]}")
        # the window is sized to the screen it is on, less taskbar and title bar
        available = win.screen().availableGeometry()
        assert win.height() <= available.height() - TITLE_BAR  # (offscreen: an 800×800 screen)
        wizard = win.new_business(None, None)
        fits(wizard, f"{role}: 新建业务")
        wizard.reject()
        win.close()


def test_order_customer_and_billing_windows_fit_with_long_content(qtbot, gui_app, team, window, msgs):
    session = UiSession(gui_app, team.admin)
    order_id = _installation_past_construction(gui_app, team)
    page = OrderPage(session, order_id)
    qtbot.addWidget(page)
    page.show()
    fits(page, "施工完成后的报装业务单")
    page.tabs.setCurrentIndex(1)
    fits(page, "报装业务单 · 登记内容")
    assert page.height() <= page.screen().availableGeometry().height() - TITLE_BAR
    action = next(a for a in page.order.actions if a.fields) if page.order and page.order.actions else None
    if action is not None:
        dialog = ActionDialog(session, page.order, action, parent=page)
        fits(dialog, f"操作 {action.label}")
        dialog.reject()
    forms = printing.forms_for(session, order_id)
    chooser = printing.PrintAllDialog(forms, "BZ", page)
    fits(chooser, "打印全部")
    page.close()

    c = resident(gui_app, team.clerk, "万一")
    long_text = "燃气表附近有异味，" * 222  # 1,998 characters
    o = OrderService(gui_app, team.clerk).open("complaint", c.id, data={
        "complaint_type": "complaint", "content": long_text, "contact_phone": "13800000000"})
    page = OrderPage(session, o.id)
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentIndex(1)
    fits(page, "2000字投诉")
    values = page.values_form
    label = next(values.itemAt(i, values.ItemRole.FieldRole).widget() for i in range(values.rowCount())
                 if "查看全文" in values.itemAt(i, values.ItemRole.FieldRole).widget().text())
    assert len(label.text()) < 400
    label.linkActivated.emit("#full")
    viewer = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and w.findChild(QPlainTextEdit, "long_text"))
    text_view = viewer.findChild(QPlainTextEdit, "long_text")
    assert text_view.toPlainText() == long_text and text_view.isReadOnly()
    fits(viewer, "全文查看")
    viewer.close()
    page.close()

    customer, _account = active_resident(gui_app, team, "万二")
    cp = window(team.clerk).open_customer(customer.id)
    fits(cp, "客户资料")
    billing = BillingPage(UiSession(gui_app, team.clerk), customer.id)
    qtbot.addWidget(billing)
    fits(billing, "收费")
    cp.close()
