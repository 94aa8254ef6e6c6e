"""Printing the order's forms: PrintService when the services provide it, a PDF preview, print or save.

gasdesk.services.printing may not exist yet (it is built separately); every entry point here checks
`available()` first, so the window works without it.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.ui import local_settings, messages
from gasdesk.ui.build import dialog_footer, hbox, push_button
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import fit_to_screen, show_error
from gasdesk.ui.worker import BackgroundTask, run_task

log = logging.getLogger(__name__)


def _module() -> Any | None:
    try:
        return importlib.import_module("gasdesk.services.printing")
    except ImportError:
        return None
    except Exception:  # noqa: BLE001 - a broken printing module must not take the window down
        log.exception("gasdesk.services.printing failed to import")
        return None


def available() -> bool:
    module = _module()
    return module is not None and hasattr(module, "PrintService")


def service(session: UiSession) -> Any | None:
    module = _module()
    if module is None or not hasattr(module, "PrintService"):
        return None
    return module.PrintService(session.app, session.actor)


@dataclass(frozen=True)
class FormChoice:
    """One printable form of an order (a receipt names its payment)."""

    code: str
    title: str
    payment_id: int | None = None
    label: str = ""
    printed_before: bool = False
    latest: bool = False
    # Waits for the customer to come in (a call's forms the customer signs): listed, not printable.
    withheld: bool = False


def _choice(item: Any) -> FormChoice:
    if isinstance(item, tuple):
        code, title = item[0], item[1]
        return FormChoice(code, title, item[2] if len(item) > 2 else None, title)
    return FormChoice(item.code, item.title, getattr(item, "payment_id", None), getattr(item, "label", item.title),
                      bool(getattr(item, "printed_before", False)), bool(getattr(item, "latest", False)),
                      bool(getattr(item, "withheld", False)))


def default_choice(forms: list[FormChoice]) -> list[FormChoice]:
    """What 打印全部 ticks first: every form not printed yet; when all were, those of the latest step."""
    fresh = [f for f in forms if not f.printed_before and not f.withheld]
    return fresh or [f for f in forms if f.latest and not f.withheld]


class PrintAllDialog(QDialog):
    """打印全部: the order's forms with a tick each (those not printed yet ticked); 打印 makes them one
    PDF, one preview and one print job."""

    def __init__(self, forms: list[FormChoice], order_number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms = forms
        self.setWindowTitle(f"打印全部单据 - {order_number}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"业务单 <b>{order_number}</b>：勾选要打印的单据，合并为一份文件、一次打印。"))
        self.boxes: list[QCheckBox] = []
        ticked = default_choice(forms)
        for i, f in enumerate(forms):
            box = QCheckBox(f.label or f.title)
            box.setObjectName(f"form_{i}")
            box.setChecked(f in ticked)
            box.setEnabled(not f.withheld)  # a call's forms the customer signs wait for the visit
            self.boxes.append(box)
            layout.addWidget(box)
        self.all_button = push_button("全选(&A)", lambda: self._tick_all(True))
        self.none_button = push_button("全不选(&N)", lambda: self._tick_all(False))
        layout.addLayout(hbox(self.all_button, self.none_button, None))
        self.error = dialog_footer(self, layout, "打印所选(&P)", self._ok)
        self.ok_button = self.findChild(QPushButton, "ok")

    def _tick_all(self, on: bool) -> None:
        for box in self.boxes:
            box.setChecked(on)

    def chosen(self) -> list[FormChoice]:
        return [f for f, box in zip(self.forms, self.boxes, strict=True) if box.isChecked()]

    def _ok(self) -> None:
        if not self.chosen():
            show_error(self.error, "请至少勾选一张单据")
            return
        self.accept()


def forms_for(session: UiSession, order_id: int) -> list[FormChoice]:
    svc = service(session)
    if svc is None:
        return []
    return [_choice(x) for x in svc.forms_for(order_id)]


class PdfPreviewDialog(QDialog):
    """Shows PDF bytes with QtPdf; 打印 sends the pages to a printer, 另存为PDF writes the file."""

    def __init__(self, pdf: bytes, title: str, parent: QWidget | None = None, *, file_name: str = "单据.pdf") -> None:
        super().__init__(parent)
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        self.pdf = pdf
        self.file_name = file_name
        self.setWindowTitle(f"打印预览 - {title}")
        fit_to_screen(self, 900, 740)
        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout = QVBoxLayout(self)
        self.print_button = push_button("打印…", self.print_pages)
        self.save_button = push_button("另存为PDF…", self.save_as)
        self.close_button = push_button("关闭", self.accept)
        layout.addLayout(hbox(QLabel(f"<b>{title}</b>　共 {self.document.pageCount()} 页"), None,
                              self.print_button, self.save_button, self.close_button))
        layout.addWidget(self.view, 1)

    def page_count(self) -> int:
        return int(self.document.pageCount())

    def save_to(self, path: str | Path) -> Path:
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        target.write_bytes(self.pdf)
        return target

    def save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "另存为PDF", self.file_name, "PDF 文件 (*.pdf)")
        if path:
            try:
                saved = self.save_to(path)
            except OSError as exc:
                messages.warn(self, messages.file_error(exc))
                return
            messages.info(self, f"已保存到 {saved}")

    def print_pages(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: Any) -> None:
        """Render every page as an image at the printer's resolution (QtPdf has no vector print path)."""
        painter = QPainter()
        if not painter.begin(printer):
            messages.warn(self, "无法连接打印机，请检查打印机设置")
            return
        try:
            dpi = printer.resolution()
            for i in range(self.page_count()):
                if i:
                    printer.newPage()
                points = self.document.pagePointSize(i)
                size = QSize(int(points.width() / 72 * dpi), int(points.height() / 72 * dpi))
                image = self.document.render(i, size)
                target = painter.viewport()
                scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QPointF(0, 0), image.scaled(scaled, Qt.AspectRatioMode.KeepAspectRatio,
                                                              Qt.TransformationMode.SmoothTransformation))
        finally:
            painter.end()


def default_printer() -> Any | None:
    """The system's default printer, None where there is none (tests replace this)."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def print_directly(pdf: bytes, parent: QWidget | None = None) -> bool:
    """Send the pages straight to the default printer, no dialog; False when there is no printer."""
    printer = default_printer()
    if printer is None:
        return False
    preview = PdfPreviewDialog(pdf, "", parent)
    try:
        preview.print_to(printer)
    finally:
        preview.deleteLater()
    return True


class FormPrinter(QObject):
    """Renders a form on a worker thread and opens the preview; one per requesting widget."""

    shown = Signal(object)
    printed_directly = Signal(bytes)

    def __init__(self, session: UiSession, parent: QWidget) -> None:
        super().__init__(parent)
        self.session, self.parent_widget = session, parent
        self.task: BackgroundTask | None = None
        self.preview: PdfPreviewDialog | None = None
        self.chooser: PrintAllDialog | None = None

    def menu(self, order_id: int, order_number: str = "") -> QMenu:
        menu = QMenu(self.parent_widget)
        try:
            forms = forms_for(self.session, order_id)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, logged
            messages.report(self.parent_widget, exc)
            forms = []
        if not forms:
            menu.addAction("（没有可打印的单据）").setEnabled(False)
        else:
            menu.addAction("打印全部…（合并为一次打印）", lambda: self.print_all(order_id, order_number))
            menu.addSeparator()
        for f in forms:
            def chosen(f: FormChoice = f) -> None:
                self.render(order_id, f.code, f.title, f.payment_id)

            menu.addAction(f.label or f.title, chosen).setEnabled(not f.withheld)
        return menu

    def print_all(self, order_id: int, order_number: str) -> PrintAllDialog | None:
        """打印全部: choose the forms (those not printed yet ticked), then one PDF and one preview."""
        try:
            forms = forms_for(self.session, order_id)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, logged
            messages.report(self.parent_widget, exc)
            return None
        if not forms:
            messages.info(self.parent_widget, "本业务单目前没有可打印的单据")
            return None
        dialog = PrintAllDialog(forms, order_number, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.render_many(order_id, order_number, dialog.chosen()))
        self.chooser = dialog
        dialog.open()
        return dialog

    def render_many(self, order_id: int, order_number: str, forms: list[FormChoice], *,
                    direct: bool = False) -> None:
        """The forms as ONE PDF (each print logged under its form's name), previewed once -- or, with
        `direct`, sent straight to the default printer (the preview when there is none)."""
        svc = service(self.session)
        if svc is None:
            messages.warn(self.parent_widget, "打印模块尚未安装，暂不能打印单据")
            return
        jobs = [(order_id, f.code, f.payment_id) for f in forms]
        title = forms[0].title if len(forms) == 1 else f"业务单 {order_number} 单据（{len(forms)} 份）"

        def work(report: Any) -> bytes:
            report(10, f"正在生成 {len(jobs)} 份单据…")
            return bytes(svc.render_batch(jobs))

        def done(pdf: bytes) -> None:
            if direct and print_directly(pdf, self.parent_widget):
                self.printed_directly.emit(pdf)
                return
            self.preview = PdfPreviewDialog(pdf, title, self.parent_widget, file_name=f"{title}.pdf")
            self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.preview.open()
            self.shown.emit(self.preview)

        self.task = run_task(self.parent_widget, work, done, label=f"正在生成 {len(jobs)} 份单据…")

    def render(self, order_id: int, code: str, title: str, payment_id: int | None = None) -> None:
        svc = service(self.session)
        if svc is None:
            messages.warn(self.parent_widget, "打印模块尚未安装，暂不能打印单据")
            return

        def work(report: Any) -> bytes:
            report(10, f"正在生成“{title}”…")
            if payment_id is not None:
                return bytes(svc.render(order_id, code, payment_id=payment_id))
            return bytes(svc.render(order_id, code))

        def done(pdf: bytes) -> None:
            self.preview = PdfPreviewDialog(pdf, title, self.parent_widget, file_name=f"{title}.pdf")
            self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.preview.open()
            self.shown.emit(self.preview)

        self.task = run_task(self.parent_widget, work, done, label=f"正在生成“{title}”…")


def print_new_receipts(session: UiSession, parent: QWidget, order_id: int, order_number: str) -> FormPrinter | None:
    """After an action that took or paid back money: its receipt straight to the printer when the clerk
    chose so in 我的设置 (otherwise it waits, ticked, in 打印全部)."""
    mode = local_settings.receipt_mode(session.actor.login)
    if mode != local_settings.RECEIPT_DIRECT or not available() or not session.can(Permission.PRINT_FORMS):
        return None
    try:
        receipts = [f for f in forms_for(session, order_id) if f.code == "receipt" and not f.printed_before]
    except Exception as exc:  # noqa: BLE001 - the action is done; printing can be done from the menu
        messages.report(parent, exc)
        return None
    if not receipts:
        return None
    printer = FormPrinter(session, parent)
    printer.render_many(order_id, order_number, receipts, direct=True)
    return printer
