"""The order page: chart marks, deadlines with colours, pause/resume with the reason, a concurrent change."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt

from gasdesk.flows import FLOWS
from gasdesk.services.orders import OrderService
from gasdesk.ui.flow_chart import FlowChartScene
from gasdesk.ui.worklist_table import PROVISIONAL_TAG
from gasdesk.workdays import PROVISIONAL_MARK
from tests.helpers import resident
from tests.ui import steps
from tests.ui.driver import click, type_into


def test_chart_marks_done_current_and_taken_edges(qtbot, gui_app, team, window, msgs):
    c = resident(gui_app, team.clerk, "金一")
    orders = OrderService(gui_app, team.clerk)
    o = orders.perform(orders.open("activation", c.id, documents=["property_proof", "owner_id"]).id, "accept")
    win = window(team.clerk)
    page = win.open_order(o.id)
    chart = page.chart.chart
    assert chart.items_by_key["accept"].data(1) == "done"
    assert chart.items_by_key["site_visit"].data(1) == "current"
    assert chart.items_by_key["site_visit_wait"].data(1) == "todo"
    taken = {i.data(0) for i in chart.items() if i.data(1) == "taken"}
    assert taken == {"edge:accept->site_visit"}
    # clerk may only cancel here; the visit belongs to the distribution centre
    assert set(page.action_buttons) == {"cancel"}
    assert "剩余" in page.info_labels["order_deadline"].text()
    assert "green" not in page.info_labels["order_deadline"].styleSheet()  # colours are hex values
    assert "#1b5e20" in page.info_labels["order_deadline"].styleSheet()


def test_every_flow_draws_boxes_diamonds_and_arrows(qtbot):
    for flow in FLOWS.values():
        scene = FlowChartScene(flow)
        for step in flow.steps:
            if not step.terminal:
                assert step.code in scene.items_by_key, (flow.kind, step.code)
        questions = [s for s in flow.steps if s.question]
        diamonds = [i for i in scene.items() if str(i.data(0) or "").startswith("question:")
                    or (i.data(0) in {s.code for s in questions} and i.type() == 5)]
        assert len(diamonds) >= len([s for s in questions if s.question != s.label])
        edges = {i.data(0) for i in scene.items() if str(i.data(0) or "").startswith("edge:")}
        for step in flow.steps:
            for a in step.actions:
                if a.target != step.code:
                    target = f"reject:{step.code}" if a.target == "rejected" else a.target
                    assert f"edge:{step.code}->{target}" in edges, (flow.kind, step.code, a.code)


def test_pause_and_resume_show_why(qtbot, gui_app, team, window, msgs):
    c = resident(gui_app, team.clerk, "魏二")
    o = OrderService(gui_app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    win = window(team.clerk)
    page = win.open_order(o.id)
    click(qtbot, page.pause_button)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog.edit, "客户出差，下周再办")
    click(qtbot, dialog.findChild(type(page.refresh_button), "ok"))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "客户出差" in page.info_labels["hold"].text()
    assert "已暂停" in page.info_labels["order_deadline"].text()
    assert OrderService(gui_app, team.clerk).get(o.id).on_hold
    click(qtbot, page.resume_button)
    assert not OrderService(gui_app, team.clerk).get(o.id).on_hold
    assert "剩余" in page.info_labels["order_deadline"].text()


def test_concurrent_change_gives_the_conflict_message(qtbot, gui_app, team, window, msgs):
    c = resident(gui_app, team.clerk, "陶三")
    o = OrderService(gui_app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    win = window(team.clerk)
    page = win.open_order(o.id)
    OrderService(gui_app, team.manager).pause_clock(o.id, "另一柜台操作")  # someone else, meanwhile
    click(qtbot, page.action_buttons["accept"])
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    click(qtbot, dialog.ok_button)
    assert msgs.texts("warning") == ["该业务单已被其他人办理，请刷新后查看当前环节"]
    assert OrderService(gui_app, team.clerk).get(o.id).step == "accept"


def test_dashboard_queues_counts_and_open_by_number(qtbot, gui_app, team, window, msgs, gui_clock):
    c = resident(gui_app, team.clerk, "姜四")
    o = OrderService(gui_app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    gui_clock.advance(days=10)  # past the 5-working-day commitment
    win = window(team.clerk)
    dash = win.dashboard
    assert dash.mine.rowCount() == 1 and dash.overdue_card.number.text() == "1"
    assert dash.overdue.index(0, 6).data().startswith("超期")
    from PySide6.QtCore import Qt

    assert dash.overdue.index(0, 6).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#fde0dc"
    assert dash.counts.index(0, 2).data() == "1"
    type_into(qtbot, dash.number_edit, o.number)
    qtbot.keyClick(dash.number_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: o.id in win.order_pages)
    assert steps.order(gui_app, team, o.id).step == "accept"


def test_provisional_due_dates_are_marked_and_paused_working_days_shown(qtbot, gui_app, gui_clock, team, window, msgs):
    gui_clock.set(datetime(2026, 12, 28, 9, 0))  # a 5-working-day opening that ends in January 2027
    c = resident(gui_app, team.clerk, "金二")
    orders = OrderService(gui_app, team.clerk)
    o = orders.open("activation", c.id, documents=["property_proof", "owner_id"])
    win = window(team.clerk)
    steps.go(qtbot, win, steps.DASHBOARD)
    win.dashboard.refresh()
    mine = win.dashboard.mine
    row = next(i for i in range(mine.rowCount()) if mine.row(i).number == o.number)
    due_column = next(i for i, col in enumerate(mine.columns) if col.title == "时限")
    index = mine.index(row, due_column)
    assert mine.data(index).endswith(PROVISIONAL_TAG)
    assert mine.data(index, Qt.ItemDataRole.ToolTipRole) == PROVISIONAL_MARK

    page = win.open_order(o.id)
    assert PROVISIONAL_MARK in page.info_labels["order_deadline"].text()

    gui_clock.set(datetime(2026, 12, 28, 10, 0))  # Monday
    click(qtbot, page.pause_button)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog.edit, "客户出差")
    click(qtbot, dialog.findChild(type(page.refresh_button), "ok"))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "本次暂停至今 0 个工作日" in page.info_labels["order_deadline"].text()
    gui_clock.set(datetime(2026, 12, 31, 9, 0))  # Thursday: Tue 29, Wed 30, Thu 31 are given back
    click(qtbot, page.resume_button)
    text = page.info_labels["order_deadline"].text()
    assert "已暂停 3 个工作日，不计入时限" in text
    assert "3 个工作日" in page.info_labels["order_deadline"].toolTip()
