"""客户查询: as you type (debounced), Enter at once, name / pinyin initials / whole phone, lazy paging."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gasdesk.ui.main_window import SEARCH
from tests.helpers import resident
from tests.ui import steps
from tests.ui.driver import double_click_row, type_into


def test_search_by_name_initials_and_phone(qtbot, gui_app, team, window, msgs, monkeypatch):
    from gasdesk.ui.customer_page import CustomerPage

    loads: list[int] = []
    refresh = CustomerPage.refresh
    monkeypatch.setattr(CustomerPage, "refresh", lambda self, *a, **kw: (loads.append(self.customer_id),
                                                                        refresh(self, *a, **kw))[1])
    zhang = resident(gui_app, team.clerk, "张伟", phone="13712345678")
    resident(gui_app, team.clerk, "张卫国")
    resident(gui_app, team.clerk, "李伟")
    win = window(team.clerk)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow())
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    page = win.search
    qtbot.waitUntil(lambda: win.stack.currentIndex() == SEARCH and page.edit.hasFocus())

    type_into(qtbot, page.edit, "张")  # as you type: the debounce timer runs the search
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert {page.model.hit(r).customer.name for r in range(2)} == {"张伟", "张卫国"}

    type_into(qtbot, page.edit, "zw")
    qtbot.keyClick(page.edit, Qt.Key.Key_Return)  # Enter: at once
    assert page.model.query == "zw"
    names = {page.model.hit(r).customer.name for r in range(page.model.rowCount())}
    assert "张伟" in names and "李伟" not in names

    # A clerk sees phones masked: a prefix finds nothing (it would reveal the hidden digits one by
    # one), and the line under the field says to type the whole number.
    type_into(qtbot, page.edit, "1371234")
    qtbot.keyClick(page.edit, Qt.Key.Key_Return)
    assert page.model.rowCount() == 0
    assert page.box.count_label.text() == "电话号码请输入完整号码（手机11位，座机连区号）后查询"
    type_into(qtbot, page.edit, "13712345678")
    qtbot.keyClick(page.edit, Qt.Key.Key_Return)
    assert [page.model.hit(r).customer.id for r in range(page.model.rowCount())] == [zhang.id]
    # the clerk sees the masked phone number
    assert page.model.hit(0).customer.phone == "137****5678"

    double_click_row(qtbot, page.box.view, 0)
    qtbot.waitUntil(lambda: zhang.id in win.customer_pages)
    assert win.customer_pages[zhang.id].detail_labels["name"].text() == "张伟"
    qtbot.wait(50)
    assert loads == [zhang.id]  # one double-click opens the page once: not made, then at once refreshed


def test_results_load_lazily_fifty_at_a_time(qtbot, gui_app, team, window, msgs):
    for i in range(120):
        resident(gui_app, team.clerk, f"王{'一二三四五六七八九十'[i % 10]}{i:03d}")
    win = window(team.clerk)
    steps.go(qtbot, win, SEARCH)
    page = win.search
    type_into(qtbot, page.edit, "王")
    qtbot.keyClick(page.edit, Qt.Key.Key_Return)
    assert page.model.rowCount() == 50 and page.model.canFetchMore()
    view = page.box.view
    view.scrollToBottom()  # the view asks for more when it reaches the end
    qtbot.waitUntil(lambda: page.model.rowCount() == 100)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == 120)
    assert not page.model.canFetchMore()
    assert page.model.pages_loaded == 3
    assert "120" in page.box.count_label.text()


def test_no_hit_says_so(qtbot, gui_app, team, window, msgs):
    win = window(team.clerk)
    steps.go(qtbot, win, SEARCH)
    type_into(qtbot, win.search.edit, "不存在的人")
    qtbot.keyClick(win.search.edit, Qt.Key.Key_Return)
    assert win.search.model.rowCount() == 0
    assert win.search.box.count_label.text() == "没有找到符合条件的客户"
