"""The route sheet (安检路线单) on the plan page: 导出路线单… writes the selected plan's waiting orders to
Excel for the inspectors; 导入路线单… records the filled sheet row by row with progress and 取消, then
shows every row that was not recorded and why (savable as Excel)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gasdesk.services.errors import ServiceError
from gasdesk.services.inspection_sheet import (
    STATUS_LABELS,
    RouteSheetService,
    RowResult,
    SheetExport,
    SheetImport,
)
from gasdesk.ui import messages
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import Column, RowsModel, make_table
from gasdesk.ui.worker import BackgroundTask, run_task

REPORT_COLUMNS: list[Column[RowResult]] = [
    Column("行号", lambda r: str(r.row), width=48, align_right=True),
    Column("安检单号", lambda r: r.order_number, width=150),
    Column("客户", lambda r: r.customer, width=90),
    Column("检查结果", lambda r: r.outcome, width=80),
    Column("处理结果", lambda r: STATUS_LABELS[r.status], width=150),
    Column("原因", lambda r: r.message),
]


class ImportReportDialog(QDialog):
    """What an import did: the counts, and every row not recorded now (refused first) with why."""

    def __init__(self, result: SheetImport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = result
        self.setWindowTitle("路线单导入结果")
        self.resize(980, 460)
        layout = QVBoxLayout(self)
        self.summary = QLabel(result.summary() + (
            "。未导入的行没有写入任何内容，改正后可再次导入同一文件（已登记的行不会重复写入）" if result.refused else "。"))
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        shown = sorted((r for r in result.rows if r.status in ("refused", "already")),
                       key=lambda r: (r.status != "refused", r.row))
        self.model: RowsModel[RowResult] = RowsModel(REPORT_COLUMNS)
        self.model.set_rows(shown)
        self.table = make_table(self.model)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("保存报告…")
        self.save_button.setObjectName("save_report")
        self.save_button.setEnabled(bool(shown))
        close = QPushButton("关闭")
        close.setObjectName("ok")
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(lambda: self.save())
        close.clicked.connect(self.accept)

    def ask_save_path(self) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "保存导入报告", f"{Path(self.outcome.file_name).stem}-导入结果.xlsx",
                                              "Excel 工作簿 (*.xlsx)")
        return path

    def save(self, path: str | None = None) -> Path | None:
        chosen = path or self.ask_save_path()
        if not chosen:
            return None
        try:
            saved = self.outcome.save_report(chosen)
        except ServiceError as exc:
            messages.report(self, exc)
            return None
        messages.info(self, f"已保存：{saved}")
        return saved


class RouteSheets:
    """The plan page's two buttons and what they do; `plan_id()` names the selected plan."""

    def __init__(self, page: QWidget, session: UiSession, plan_id: Callable[[], int | None],
                 refresh: Callable[[], None]) -> None:
        self.page, self.session, self.plan_id, self.refresh = page, session, plan_id, refresh
        self.export_button = QPushButton("导出路线单…")
        self.export_button.setObjectName("export_sheet")
        self.export_button.setToolTip("把本计划待上门的安检单导出为 Excel 路线单，交安检员现场填写")
        self.import_button = QPushButton("导入路线单…")
        self.import_button.setObjectName("import_sheet")
        self.import_button.setToolTip("导入安检员填好的路线单，逐行登记到访结果；有误的行列出原因，不写入")
        self.export_button.clicked.connect(lambda: self.export_sheet())
        self.import_button.clicked.connect(lambda: self.import_sheet())
        self.task: BackgroundTask | None = None
        self.cancel: threading.Event | None = None
        self.last_export: SheetExport | None = None
        self.last_import: SheetImport | None = None
        self.report: ImportReportDialog | None = None

    def buttons(self) -> tuple[QPushButton, QPushButton]:
        return self.export_button, self.import_button

    def service(self) -> RouteSheetService:
        return RouteSheetService(self.session.app, self.session.actor)

    def ask_save_path(self, name: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.page, "导出安检路线单", str(Path.home() / name), "Excel 工作簿 (*.xlsx)")
        return path

    def ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self.page, "选择填好的安检路线单", str(Path.home()), "Excel 工作簿 (*.xlsx)")
        return path

    def _plan(self) -> int | None:
        plan_id = self.plan_id()
        if plan_id is None:
            messages.info(self.page, "请先选择一个安检计划")
        return plan_id

    def export_sheet(self, path: str | None = None) -> None:
        plan_id = self._plan()
        if plan_id is None:
            return
        chosen = path or self.ask_save_path("安检路线单.xlsx")
        if not chosen:
            return
        svc = self.service()

        def done(result: SheetExport) -> None:
            self.last_export = result
            messages.info(self.page, f"已导出路线单：{result.rows} 户待上门，{result.path}")

        self.task = run_task(self.page, lambda _report: svc.export(plan_id, chosen), done,
                             label="正在导出路线单…")

    def import_sheet(self, path: str | None = None) -> None:
        plan_id = self._plan()
        if plan_id is None:
            return
        chosen = path or self.ask_open_path()
        if not chosen:
            return
        svc, cancel = self.service(), threading.Event()
        self.cancel = cancel

        def work(report: Any) -> SheetImport:
            return svc.import_sheet(plan_id, chosen, progress=report, cancel=cancel)

        self.task = run_task(self.page, work, self._imported, label="正在导入路线单…", cancel=cancel,
                             on_failed=self._failed)

    def _imported(self, result: SheetImport) -> None:
        self.last_import = result
        self.refresh()
        self.session.notify_changed()
        self.report = ImportReportDialog(result, self.page)
        self.report.open()

    def _failed(self, exc: BaseException) -> None:
        self.refresh()
        messages.report(self.page, exc)


__all__ = ["ImportReportDialog", "RouteSheets"]
