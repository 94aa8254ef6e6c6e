"""Printing from the order page and the wizard: forms listed, rendered off the UI thread, previewed."""

from __future__ import annotations

import sys
import types
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QPageSize, QPainter, QPdfWriter

from gasdesk.services.orders import OrderService
from gasdesk.ui import printing
from tests.helpers import resident
from tests.ui.driver import click


def _pdf(text: str) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    painter.drawText(200, 400, text)
    painter.end()
    buffer.close()
    return bytes(data)


class FakePrintService:
    calls: list[tuple[int, str]] = []

    def __init__(self, app, actor) -> None:  # type: ignore[no-untyped-def]
        self.app, self.actor = app, actor

    def forms_for(self, order_id: int) -> list[tuple[str, str]]:
        return [("acceptance", "业务受理单"), ("residential_contract", "居民供气合同")]

    def render(self, order_id: int, form: str, **_kw: object) -> bytes:
        self.calls.append((order_id, form))
        return _pdf(f"{form} {order_id}")


def test_order_page_prints_through_a_worker_and_previews(qtbot, gui_app, team, window, msgs, monkeypatch, tmp_path):
    module = types.ModuleType("gasdesk.services.printing")
    module.PrintService = FakePrintService  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gasdesk.services.printing", module)
    FakePrintService.calls = []
    c = resident(gui_app, team.clerk, "戚一")
    o = OrderService(gui_app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    win = window(team.clerk)
    page = win.open_order(o.id)
    assert page.print_button.isVisible()
    menu = page.printer.menu(o.id)
    forms = [a for a in menu.actions() if not a.isSeparator()]
    assert [a.text() for a in forms] == ["打印全部…（合并为一次打印）", "业务受理单", "居民供气合同"]
    forms[2].trigger()
    qtbot.waitUntil(lambda: page.printer.preview is not None and page.printer.preview.isVisible(), timeout=10000)
    preview = page.printer.preview
    assert FakePrintService.calls == [(o.id, "residential_contract")]
    assert preview.page_count() == 1
    saved = preview.save_to(tmp_path / "合同")
    assert Path(saved).read_bytes().startswith(b"%PDF")
    click(qtbot, preview.close_button)


def test_window_works_without_the_printing_module(qtbot, gui_app, team, window, msgs, monkeypatch):
    monkeypatch.setattr(printing, "_module", lambda: None)
    c = resident(gui_app, team.clerk, "谢二")
    o = OrderService(gui_app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    win = window(team.clerk)
    page = win.open_order(o.id)
    assert not page.print_button.isVisible()
    assert printing.forms_for(win.session, o.id) == []
