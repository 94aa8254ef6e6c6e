"""The pages reached from the navigation beyond the counter: planned work, readings, bills, the
manager dashboard only for managers."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QApplication

from gasdesk.services.planned_work import PlannedWorkService
from gasdesk.ui.billing_page import BillingPage
from tests.helpers import active_resident, resident
from tests.ui.driver import choose, click, type_into


def test_planned_work_page_refuses_short_notice_then_publishes(qtbot, window, gui_app, team, gui_clock, msgs):  # type: ignore[no-untyped-def]
    for i in range(2):
        resident(gui_app, team.clerk, f"住户{i}")
    win = window(team.dispatcher)
    win.show_page(win.page_titles.index("计划作业"))
    page = win.planned_work
    choose(page.kind, "maintenance")
    type_into(qtbot, page.title, "中压管线检修")
    type_into(qtbot, page.area, "花果园片区")
    type_into(qtbot, page.terms, "花果园")
    soon = gui_clock.now() + timedelta(hours=20)
    page.starts.setDateTime(QDateTime(soon))
    page.ends.setDateTime(QDateTime(soon + timedelta(hours=3)))
    click(qtbot, page.create_button)
    assert page.error.isVisible() and "24小时" in page.error.text()
    start = datetime(2026, 11, 29, 11, 30)
    page.starts.setDateTime(QDateTime(start))
    page.ends.setDateTime(QDateTime(start + timedelta(hours=2)))
    click(qtbot, page.create_button)
    assert not page.error.isVisible()
    assert page.warning.isVisible() and "11:00-13:00" in page.warning.text()
    assert page.affected_model.rowCount() == 2
    [work] = PlannedWorkService(gui_app, team.dispatcher).list()
    assert work.affected_count == 2 and work.title == "中压管线检修"


def test_bills_open_from_the_customer_page(qtbot, window, gui_app, team, msgs):  # type: ignore[no-untyped-def]
    c, _ = active_resident(gui_app, team, "王芳")
    win = window(team.clerk)
    page = win.open_customer(c.id)
    qtbot.waitExposed(page)
    click(qtbot, page.prepay_button)
    qtbot.waitUntil(lambda: any(isinstance(w, BillingPage) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=3000)
    page.billing.close()


def test_manager_dashboard_only_for_managers(window, team):  # type: ignore[no-untyped-def]
    assert "管理驾驶舱" in window(team.manager).page_titles
    clerk = window(team.clerk)
    assert "管理驾驶舱" not in clerk.page_titles
    assert {"抢险抢修", "计划作业", "抄表导入"} <= set(clerk.page_titles)


def test_batch_print_of_todays_visits(qtbot, window, gui_app, team, gui_clock, msgs):  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    from gasdesk.services.orders import OrderService

    clerk, dispatcher = OrderService(gui_app, team.clerk), OrderService(gui_app, team.dispatcher)
    numbers = []
    for name in ("甲一", "乙二"):
        o = clerk.open("activation", resident(gui_app, team.clerk, name).id, documents=["property_proof", "owner_id"])
        o = clerk.perform(o.id, "accept")
        dispatcher.perform(o.id, "assign", {"crew": "点火一班", "appointment_at": "2026-11-27 15:00"})
        numbers.append(o.number)
    win = window(team.dispatcher)
    win.show_page(win.page_titles.index("派工"))
    page = win.dispatch
    page.refresh()
    assert len(page.today_jobs()) == 2
    click(qtbot, page.batch_button)
    qtbot.waitUntil(lambda: getattr(page, "preview", None) is not None, timeout=10000)
    assert page.preview.page_count() == 2
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(page.preview.pdf)).pages)
    assert all(n in text for n in numbers) and "上门作业单" in text
    page.preview.close()


def test_worklists_load_a_page_at_a_time_and_the_cards_count_all(qtbot, window, gui_app, team):  # type: ignore[no-untyped-def]
    from gasdesk.services.orders import OrderService

    clerk = OrderService(gui_app, team.clerk)
    for i in range(130):
        clerk.open("complaint", resident(gui_app, team.clerk, f"客户{i}").id,
                   data={"complaint_type": "enquiry", "content": "咨询", "contact_phone": "13900000000"})
    win = window(team.clerk)
    board = win.dashboard
    assert board.mine.rowCount() == 100 and board.mine.canFetchMore()
    assert board.mine_card.number.text() == "130"
    assert "（130）" in board.tabs.tabText(0)
    board.mine.fetchMore()
    assert board.mine.rowCount() == 130 and not board.mine.canFetchMore()
    assert len({item.order_id for item in board.mine.rows}) == 130


def test_dispatch_queue_pages_as_it_scrolls_and_batch_print_reads_every_booked_visit(  # type: ignore[no-untyped-def]
        qtbot, window, gui_app, team, msgs, monkeypatch):
    from gasdesk.services.orders import OrderService

    clerk, dispatcher = OrderService(gui_app, team.clerk), OrderService(gui_app, team.dispatcher)
    for i in range(103):
        o = clerk.open("activation", resident(gui_app, team.clerk, f"派工{i}").id,
                       documents=["property_proof", "owner_id"])
        o = clerk.perform(o.id, "accept")
        if i < 2:  # booked visits sort after the unbooked ones: beyond the first page
            dispatcher.perform(o.id, "assign", {"crew": "点火一班", "appointment_at": "2026-11-27 16:00"})
    win = window(team.dispatcher)
    win.show_page(win.page_titles.index("派工"))
    page = win.dispatch
    page.refresh()
    assert "（103）" in page.tabs.tabText(0)
    assert page.queue.rowCount() == 100 and page.queue.canFetchMore()
    assert all(item.appointment_at is None for item in page.queue.rows)
    assert len(page.today_jobs()) == 2
    page.queue.fetchMore()
    assert page.queue.rowCount() == 103 and not page.queue.canFetchMore()
    booked = page.queue.rows[-1].order_id
    page.refresh()  # back to one page: the booked visit is beyond it
    assert page.queue.rowCount() == 100 and page.select_order(booked)
    assert page.order is not None and page.order.id == booked

    from gasdesk.services.errors import ServiceError
    from gasdesk.services.worklists import WorklistService

    real_queue = WorklistService.dispatch_queue

    def connection_lost_after_the_first_page(self, *, limit: int = 200, offset: int = 0, plan_orders: bool = False):  # type: ignore[no-untyped-def]
        if offset:
            raise ServiceError("数据库连接中断")
        return real_queue(self, limit=limit, offset=offset, plan_orders=plan_orders)

    monkeypatch.setattr(WorklistService, "dispatch_queue", connection_lost_after_the_first_page)
    page.refresh()  # keeping the selection reads further, and fails there
    assert page.queue.rowCount() == 100 and not page.queue.canFetchMore()
    assert any("数据库连接中断" in text for _kind, text in msgs.shown)

    def database_gone(self, *, limit: int = 200, offset: int = 0, plan_orders: bool = False):  # type: ignore[no-untyped-def]
        if offset:
            raise RuntimeError("database is locked")
        return real_queue(self, limit=limit, offset=offset, plan_orders=plan_orders)

    monkeypatch.setattr(WorklistService, "dispatch_queue", database_gone)
    page.refresh()
    page.queue.fetchMore()  # not a refusal: shown all the same, and the list stops asking
    assert page.queue.rowCount() == 100 and not page.queue.canFetchMore()
    # shown as an unexpected error, in Chinese only (the English text goes to the log)
    assert any(kind == "critical" and text.startswith("操作未能完成") and "database" not in text
               for kind, text in msgs.shown)
