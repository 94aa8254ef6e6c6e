"""What opening a customer or an order costs the database: a bounded number of statements, the same for
a customer with 30 orders as with 3 and for an order with a long history as with a short one (a query
per row would show), and the clerk's staff record checked once per window opened -- yet a clerk
disabled meanwhile is refused at the next refresh."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from gasdesk.services.orders import OrderService
from gasdesk.services.staff import StaffService
from tests.helpers import active_resident

# Opening either window reads about a dozen things (the order, its history and clocks, the customer's
# accounts, orders and payments, the safety warnings); BEGIN counts, as SQLite's reads each start one.
# Measured: 17 statements for a customer, 19 for an order (26 and 23 when each read checked the staff).
MOST = 22


@contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    engines = {app.engine, app.read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def staff_checks(seen: list[str]) -> int:
    return sum(1 for s in seen if "staff.must_change_password" in s)


def opening(qtbot, app, open_window):  # type: ignore[no-untyped-def]
    """Open a window as the clerk does; the window and the statements its opening sent (the staff
    record checked once among them)."""
    with statements(app) as seen:
        page = open_window()
        qtbot.waitUntil(page.isVisible)
    assert staff_checks(seen) == 1, seen
    return page, len(seen)


def costs(qtbot, app, open_window, rows_of, *cases: tuple[int, int]) -> list[int]:  # type: ignore[no-untyped-def]
    """What opening each (id, rows shown) costs, having checked it shows all its rows."""
    found = []
    for key, rows in cases:
        page, cost = opening(qtbot, app, lambda k=key: open_window(k))
        assert rows_of(page) == rows
        found.append(cost)
    return found


def complaint(app, actor, customer_id: int):  # type: ignore[no-untyped-def]
    return OrderService(app, actor).open("complaint", customer_id, data={
        "complaint_type": "complaint", "content": "燃气费多收", "contact_phone": "13900001111"})


def test_a_customer_with_30_orders_opens_with_no_more_queries_than_one_with_3(qtbot, gui_app, team, window, msgs):
    few, _ = active_resident(gui_app, team, "三单户")
    many, _ = active_resident(gui_app, team, "三十单户")
    for _ in range(2):
        complaint(gui_app, team.clerk, few.id)
    for _ in range(29):
        complaint(gui_app, team.clerk, many.id)
    clerk = window(team.clerk)
    three, thirty = costs(qtbot, gui_app, clerk.open_customer, lambda p: p.orders_model.rowCount(),
                          (few.id, 3), (many.id, 30))
    assert thirty <= three <= MOST, (thirty, three)


def test_an_order_with_a_long_history_opens_with_no_more_queries_than_a_new_one(qtbot, gui_app, team, window, msgs):
    customer, _ = active_resident(gui_app, team, "历史户")
    short = complaint(gui_app, team.clerk, customer.id)
    long = complaint(gui_app, team.clerk, customer.id)
    clerk_orders, handler_orders = OrderService(gui_app, team.clerk), OrderService(gui_app, team.handler)
    clerk_orders.perform(long.id, "refer", {"department": "distribution", "summary": "核实"})
    for round_ in range(8):
        handler_orders.perform(long.id, "handled", {"result": f"第{round_ + 1}次处理"})
        clerk_orders.perform(long.id, "review_failed", reason="未处理到位")
    clerk = window(team.clerk)
    new, old = costs(qtbot, gui_app, clerk.open_order, lambda p: p.history_model.rowCount(), (short.id, 1),
                     (long.id, 18))
    assert old <= new <= MOST, (old, new)


def test_a_clerk_disabled_while_a_window_is_open_is_refused_at_its_next_refresh(qtbot, gui_app, team, window, msgs):
    customer, order = active_resident(gui_app, team, "停用户")
    clerk = window(team.clerk)
    page = clerk.open_customer(customer.id)
    order_page = clerk.open_order(order.id)
    StaffService(gui_app, team.admin).update(team.clerk.staff_id, active=False)
    msgs.clear()
    page.refresh()
    assert any("已被停用" in t for t in msgs.texts("warning"))
    msgs.clear()
    order_page.refresh()
    assert any("已被停用" in t for t in msgs.texts("warning"))
