"""Safety inspection on the screens (offscreen): a clerk opens a plan for a district and sees its
orders; an inspector's result with two hazards and a photo is entered on the order page; the counter
banner shows at the next payment, and a sale of gas waits for a manager's confirmation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QPushButton
from sqlalchemy import select

from gasdesk.flows.inspection import flow as spec
from gasdesk.models import InspectionClearance, Payment
from gasdesk.services.inspection import ChecklistMark, EnteredResult, InspectionService, PlanSpec
from gasdesk.ui.inspection import ClearanceDialog, PhotoDialog, ResultDialog
from tests.helpers import active_resident, business
from tests.test_inspection import PNG
from tests.ui.driver import choose, click, click_row, type_into, wizard_next

pytestmark = pytest.mark.gui


def press_ok(qtbot, dialog):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(dialog.isVisible)
    click(qtbot, dialog.findChild(QPushButton, "ok"))


def opened_plan(app, team, clock, name="张伟"):  # type: ignore[no-untyped-def]
    c, act = active_resident(app, team, name)
    svc = InspectionService(app, team.clerk)
    plan = svc.create_plan(PlanSpec(title="测试计划", inspector="安检一班 周明", starts_on=clock.now().date(),
                                    ends_on=datetime(2026, 12, 31).date(), address=c.address))
    svc.open_plan(plan.id)
    return c, act, svc.plan_orders(plan.id)[0].order_id


def test_a_clerk_opens_a_plan_for_a_district_and_sees_the_orders(qtbot, gui_app, team, window, msgs):  # type: ignore[no-untyped-def]
    names = ["赵一", "钱二", "孙三"]
    for name in names:
        active_resident(gui_app, team, name)
    business(gui_app, team.clerk, "郊区饭店")  # suburban: not in the plan
    win = window(team.clerk)
    win.show_page(win.page_titles.index("安全检查"))
    page = win.inspections
    assert "还没有安检计划" in page.progress.text()
    click(qtbot, page.new_button)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog.title_edit, "12月市区居民入户安检")
    choose(dialog.district, "urban")
    type_into(qtbot, dialog.inspector, "安检一班 周明")
    type_into(qtbot, dialog.ends, "2026-11-01")
    press_ok(qtbot, dialog)
    assert dialog.isVisible() and "结束日期" in dialog.errors["ends_on"].text()
    type_into(qtbot, dialog.ends, "2026-12-31")
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [plan] = page.plans_model.rows
    assert plan.scope_text == "市区" and plan.status_label == "未开单"
    click(qtbot, page.open_button)
    assert any("共 3 户" in t and "为 3 户开具安检单" in t for t in msgs.texts("question"))
    qtbot.waitUntil(lambda: page.orders_model.rowCount() == 3, timeout=20000)
    assert sorted(r.customer_name for r in page.orders_model.rows) == sorted(names)
    assert {r.outcome_label for r in page.orders_model.rows} == {"待上门"}
    assert "开单 3 张" in page.progress.text() and "待上门 3" in page.progress.text()
    assert any("已开具安检单 3 张" in t for t in msgs.texts("information"))
    # Double-click an order: its page opens on the 安全检查 tab.
    index = page.orders_model.index(0, 0)
    page.orders_view.activated.emit(index)  # what a double-click or Enter sends
    order_page = next(iter(win.order_pages.values()))
    assert order_page.tabs.tabText(0) == "安全检查" and "测试" not in order_page.inspection_panel.summary.text()
    assert "安检计划" in order_page.inspection_panel.summary.text()


def test_an_inspectors_result_with_two_hazards_and_a_photo(qtbot, gui_app, gui_clock, team, window, msgs,  # type: ignore[no-untyped-def]
                                                            tmp_path, monkeypatch):
    _c, _act, order_id = opened_plan(gui_app, team, gui_clock)
    from gasdesk.services.settings import SettingsService

    SettingsService(gui_app, team.admin).update({"files.folder": str(tmp_path / "files")})
    gui_clock.set(datetime(2026, 11, 30, 16, 0))
    photo = tmp_path / "胶管老化.png"
    photo.write_bytes(PNG)
    win = window(team.dispatcher)
    page = win.open_order(order_id)
    qtbot.waitExposed(page)
    # The result dialog stands in for the seven result buttons.
    assert "passed" not in page.action_buttons and "inspection_result" not in page.action_buttons
    click(qtbot, page.action_buttons["result"])
    dialog = page.dialog
    assert isinstance(dialog, ResultDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.inspector.text() == "安检一班 周明"
    type_into(qtbot, dialog.visited, "2026-11-30 15:10")
    type_into(qtbot, dialog.left, "2026-11-30 15:40")
    choose(dialog.grades["hose_aged"], spec.GRADE2)
    type_into(qtbot, dialog.notes["hose_aged"], "橡胶管已龟裂")
    choose(dialog.grades["no_alarm"], spec.GRADE2)
    type_into(qtbot, dialog.devices["hose_due"], "2026-12-31")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(photo)], "")))
    click(qtbot, dialog.add_photo_button)
    assert dialog.photo_list.count() == 1
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    order = page.order
    assert order is not None and order.step == spec.RECTIFY
    panel = page.inspection_panel
    assert panel is not None
    assert sorted(h.item for h in panel.hazards_model.rows) == ["hose_aged", "no_alarm"]
    assert all(h.due_at is not None and h.status == "open" for h in panel.hazards_model.rows)
    assert panel.visits_model.rows[0].checklist["hose_aged"] == spec.GRADE2
    [shown] = panel.photos_model.rows
    assert shown.file_name == "胶管老化.png"
    click(qtbot, panel.view_button)
    viewer = panel.dialog
    assert isinstance(viewer, PhotoDialog)
    qtbot.waitUntil(viewer.isVisible)
    assert viewer.image.pixmap() is not None and not viewer.image.pixmap().isNull()
    viewer.close()
    # Now the rectification is what can be done.
    assert "rectify" in page.action_buttons and "result" not in page.action_buttons


def test_the_banner_shows_at_the_next_payment_and_a_sale_waits_for_a_manager(  # type: ignore[no-untyped-def]
        qtbot, gui_app, gui_clock, team, window, msgs):
    c, act, order_id = opened_plan(gui_app, team, gui_clock)
    gui_clock.set(datetime(2026, 11, 27, 15, 0))
    InspectionService(gui_app, team.dispatcher).record_entered(order_id, EnteredResult(
        visited_at=datetime(2026, 11, 27, 14, 0), inspector="周明",
        marks=[ChecklistMark(i.code, spec.GRADE1 if i.code == "leak" else spec.OK) for i in spec.CHECKLIST]))
    win = window(team.clerk)
    customer_page = win.open_customer(c.id)
    qtbot.waitExposed(customer_page)
    assert customer_page.banner.isVisible() and "一级隐患" in customer_page.banner.text()
    click(qtbot, customer_page.prepay_button)
    billing = customer_page.billing
    qtbot.waitExposed(billing)
    assert billing.banner.isVisible() and "须管理人员确认" in billing.banner.text()
    click(qtbot, billing.prepay_button)
    prepay = billing.dialog
    assert prepay is not None
    qtbot.waitUntil(prepay.isVisible)
    type_into(qtbot, prepay.amount, "100")
    press_ok(qtbot, prepay)
    clearance = prepay.clearance
    assert isinstance(clearance, ClearanceDialog)
    qtbot.waitUntil(clearance.isVisible)
    assert "一级安全隐患" in prepay.error.text()
    with gui_app.reading() as s:
        assert s.scalar(select(Payment.id).where(Payment.account_id == act.account_id)) is None
    type_into(qtbot, clearance.login, "manager")
    type_into(qtbot, clearance.password, "wrong-pass")
    type_into(qtbot, clearance.reason, "客户已关闭阀门，承诺整改")
    press_ok(qtbot, clearance)
    assert clearance.isVisible() and "密码错误" in clearance.error.text()
    type_into(qtbot, clearance.password, "secret-pass")
    press_ok(qtbot, clearance)
    qtbot.waitUntil(lambda: prepay.result() == QDialog.DialogCode.Accepted, timeout=5000)
    with gui_app.reading() as s:
        paid = s.execute(select(Payment.amount, Payment.receipt_number).where(
            Payment.account_id == act.account_id)).one()
        used = s.execute(select(InspectionClearance.used_ref, InspectionClearance.detail)).one()
    assert paid.amount == Decimal("100.00")
    assert used == (paid.receipt_number, "预存 100 元")
    qtbot.keyClick(billing, Qt.Key.Key_Escape)


def test_new_business_on_an_account_with_an_urgent_hazard_waits_for_a_manager(  # type: ignore[no-untyped-def]
        qtbot, gui_app, gui_clock, team, window, msgs):
    from gasdesk.ui import wizard as wz
    from tests.ui.steps import fill_application, start_wizard, tick_documents

    c, act, order_id = opened_plan(gui_app, team, gui_clock, "周强")
    gui_clock.set(datetime(2026, 11, 27, 15, 0))
    InspectionService(gui_app, team.dispatcher).record_entered(order_id, EnteredResult(
        visited_at=datetime(2026, 11, 27, 14, 0), inspector="周明",
        marks=[ChecklistMark(i.code, spec.GRADE1 if i.code == "heater_flue" else spec.OK) for i in spec.CHECKLIST]))
    win = window(team.clerk)
    wiz = start_wizard(qtbot, win, "meter_service")
    page = wiz.customer_page
    type_into(qtbot, page.search.edit, c.number)
    qtbot.keyClick(page.search.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.search.model.rowCount() > 0)
    qtbot.waitUntil(lambda: page.banner.isVisible())
    assert "一级隐患" in page.banner.text()
    click_row(qtbot, page.search.view, 0)
    wizard_next(qtbot, wiz)
    tick_documents(qtbot, wiz, ["owner_id"])
    fill_application(qtbot, wiz, {"service_reason": "customer_request"})
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CONFIRM_PAGE)
    click(qtbot, wiz.button(wiz.WizardButton.CommitButton))
    clearance = wiz.clearance
    assert isinstance(clearance, ClearanceDialog)
    qtbot.waitUntil(clearance.isVisible)
    assert wiz.currentId() == wz.CONFIRM_PAGE and wiz.order is None
    type_into(qtbot, clearance.login, "manager")
    type_into(qtbot, clearance.password, "secret-pass")
    type_into(qtbot, clearance.reason, "表具故障影响安全，先行处理")
    press_ok(qtbot, clearance)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FIRST_STEP_PAGE, timeout=5000)
    assert wiz.order is not None and wiz.order.kind == "meter_service"
    with gui_app.reading() as s:
        assert s.scalar(select(InspectionClearance.used_ref)) == wiz.order.number


def test_the_plans_visits_wait_out_of_sight_in_dispatch_and_todays_intake(  # type: ignore[no-untyped-def]
        qtbot, gui_app, gui_clock, team, window, msgs):
    from gasdesk.ui.main_window import DISPATCH
    from tests.test_inspection_plan_views import a_day
    from tests.ui.steps import go

    day = a_day(gui_app, gui_clock, team)
    win = window(team.dispatcher)
    go(qtbot, win, DISPATCH)
    page = win.dispatch
    check = page.plan_check
    assert check.isVisible() and not check.isChecked()
    assert page.tabs.tabText(0) == "待上门作业（2）"
    assert {r.order_id for r in page.queue.rows} == {day.hazard_stop.id, day.counter_stop.id}  # 隐患停气 stays
    assert page.plan_note.isVisible()
    assert page.plan_note.text().startswith("另有安检计划工单 2 张未显示（待上门作业 2 张）")
    click(qtbot, check)
    qtbot.waitUntil(lambda: page.tabs.tabText(0) == "待上门作业（4）")
    assert {r.order_id for r in page.queue.rows} == {*day.plan, day.hazard_stop.id, day.counter_stop.id}
    assert page.plan_note.text().startswith("已含安检计划工单 2 张")
    click(qtbot, check)
    qtbot.waitUntil(lambda: page.queue.rowCount() == 2)

    board = window(team.clerk).dashboard
    card = board.opened_card
    assert card.number.text() == "3" and card.note.isVisible() and card.note.text() == "另有安检计划工单 3 张未计入"
    click(qtbot, board.plan_check)
    qtbot.waitUntil(lambda: card.number.text() == "6")
    assert not card.note.isVisible()
    assert not msgs.texts("critical")
