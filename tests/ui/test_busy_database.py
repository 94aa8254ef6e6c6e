"""A busy database: the window keeps painting with a busy indicator, waits a bounded time, then says in
plain Chinese that nothing was saved -- no SQL, URL or Python name on screen; the log has the shape only."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from gasdesk.services.context import BUSY_MESSAGE, App
from gasdesk.services.orders import OrderService
from gasdesk.ui import wizard as wz
from gasdesk.ui.main_window import MainWindow
from gasdesk.ui.session import UiSession
from tests.helpers import resident
from tests.ui import steps
from tests.ui.driver import click, type_into, wizard_next

ASCII_WORD = re.compile(r"[A-Za-z]")


@contextmanager
def write_lock(app: App) -> Iterator[None]:
    """Another program holds the database's write lock (as a long import or a backup would)."""
    path = app.url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def busy_app(gui_app: App, gui_clock) -> Iterator[App]:  # type: ignore[no-untyped-def]
    """The database as the window opens it: a write waits a bounded time (1 s here) for a lock."""
    app = App(gui_app.url, gui_clock, migrate=False, busy_timeout=1.0)
    yield app
    app.dispose()


class BusySeen:
    """Polls for a visible busy indicator while the UI thread waits."""

    def __init__(self) -> None:
        self.seen = False
        self.timer = QTimer()
        self.timer.timeout.connect(self._look)
        self.timer.start(50)

    def _look(self) -> None:
        self.seen = self.seen or any(isinstance(w, QProgressDialog) and w.isVisible()
                                     for w in QApplication.topLevelWidgets())


def _window(qtbot, app: App, actor) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(UiSession(app, actor))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_wizard_submit_on_a_locked_database_says_so_in_chinese(qtbot, gui_app, busy_app, team, msgs, caplog):
    resident(gui_app, team.clerk, "阚一")
    win = _window(qtbot, busy_app, team.clerk)
    wiz = steps.start_wizard(qtbot, win, "activation")
    steps.pick_customer(qtbot, wiz, "阚一")
    steps.tick_documents(qtbot, wiz, ["property_proof", "owner_id"])
    steps.fill_application(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CONFIRM_PAGE)
    busy = BusySeen()
    caplog.set_level(logging.INFO)
    with write_lock(gui_app):
        wizard_next(qtbot, wiz)
        qtbot.waitUntil(lambda: bool(msgs.texts()), timeout=10000)
    busy.timer.stop()
    assert wiz.currentId() == wz.CONFIRM_PAGE  # stays, nothing was submitted
    assert wiz.order is None
    assert msgs.texts() == [BUSY_MESSAGE]
    shown = " ".join(msgs.texts())
    assert "没有保存" in shown and not ASCII_WORD.search(shown), shown
    assert busy.seen, "no busy indicator while waiting"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "database refused" in logged and "阚一" not in logged
    # the lock gone, the same page submits
    msgs.clear()
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FIRST_STEP_PAGE, timeout=10000)
    assert wiz.order is not None and msgs.texts() == []
    wiz.reject()


def test_an_action_dialog_on_a_locked_database(qtbot, gui_app, busy_app, team, msgs):
    c = resident(gui_app, team.clerk, "阚二")
    o = OrderService(gui_app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    win = _window(qtbot, busy_app, team.clerk)
    page = win.open_order(o.id)
    click(qtbot, page.pause_button)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog.edit, "客户出差")
    busy = BusySeen()
    with write_lock(gui_app):
        click(qtbot, dialog.findChild(type(page.refresh_button), "ok"))
        qtbot.waitUntil(lambda: bool(msgs.texts()), timeout=10000)
    busy.timer.stop()
    assert msgs.texts() == [BUSY_MESSAGE] and not ASCII_WORD.search(msgs.texts()[0])
    assert busy.seen
    assert not OrderService(gui_app, team.clerk).get(o.id).on_hold  # nothing saved
    page.close()
