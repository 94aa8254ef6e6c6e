"""业务 → 打印今日收费日结单: the signed-in cashier's day as a printed form, previewed before printing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from gasdesk.services.cash_report import CashReportService
from gasdesk.ui.session import UiSession
from gasdesk.ui.worker import run_task

TITLE = "收费日结单"


def print_todays_cash_report(parent: QWidget, session: UiSession) -> Any:
    """Render on a worker thread (it appends the print to the audit trail), then preview it."""
    service = CashReportService(session.service_app, session.actor)
    day = session.app.clock.now().date()

    def work(report: Any) -> bytes:
        report(10, f"正在生成{TITLE}…")
        pdf, _data = service.print_day(day)
        return pdf

    def show(pdf: bytes) -> None:
        name = f"{TITLE}-{day:%Y%m%d}-{session.actor.name}.pdf"
        try:
            from gasdesk.ui.printing import PdfPreviewDialog
        except ImportError:
            path, _ = QFileDialog.getSaveFileName(parent, f"保存{TITLE}", name, "PDF 文件 (*.pdf)")
            if path:
                with open(path, "wb") as fh:
                    fh.write(pdf)
            return
        preview = PdfPreviewDialog(pdf, TITLE, parent, file_name=name)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        setattr(parent, "cash_report_preview", preview)  # noqa: B010 - kept for whoever looks
        preview.open()

    return run_task(parent, work, show, label=f"正在生成{TITLE}…")
