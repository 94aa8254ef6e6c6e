"""Importing the meter readers' Excel sheet (表号 / 抄表日期 / 读数): choose the .xlsx, import on a worker
thread with a progress bar, then see what went in and, row by row, what did not and why.

Embed: `ReadingsImportPage(ui_session)` as a page or a window. It emits `imported(ImportResult)` and calls
`ui_session.notify_changed()` when an import ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gasdesk.permissions import Permission
from gasdesk.services.readings import ImportResult, ReadingService, RejectedRow, template_xlsx
from gasdesk.ui import messages
from gasdesk.ui.build import push_button
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    hint_label,
    make_table,
    money_text,
    outcome_banner,
    title_label,
)
from gasdesk.ui.worker import BackgroundTask, run_task

REJECTED_COLUMNS: list[Column[RejectedRow]] = [
    Column("行号", lambda r: str(r.row), width=60, align_right=True),
    Column("表号", lambda r: r.meter, width=150),
    Column("未导入原因", lambda r: r.reason),
]


class ReadingsImportPage(QWidget):
    imported = Signal(object)

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window if parent is None else Qt.WindowType.Widget)
        self.session = session
        self.path: Path | None = None
        self.result: ImportResult | None = None
        self.task: BackgroundTask | None = None
        self.setWindowTitle("抄表数据导入")
        self.resize(860, 600)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("抄表数据导入"))
        layout.addWidget(hint_label(
            "导入抄表员的 Excel 表格（.xlsx）：第一行为表头“表号、抄表日期、读数”，每行一块表。"
            "读数小于上次读数、表号不存在、重复抄表、日期或读数有误的行不导入，并在下方列出原因；"
            "其余各行导入后立即按阶梯气价出账。"))
        bar = QHBoxLayout()
        self.choose_button = push_button("选择文件…", self.choose, "choose")
        self.template_button = push_button("下载模板…", self.save_template)
        self.start_button = push_button("开始导入", self.start, "start")
        self.start_button.setEnabled(False)
        self.file_label = QLabel("未选择文件")
        self.file_label.setObjectName("file")
        for w in (self.choose_button, self.template_button, self.start_button):
            bar.addWidget(w)
        bar.addWidget(self.file_label, 1)
        layout.addLayout(bar)
        self.summary = outcome_banner("summary")
        layout.addWidget(self.summary)
        self.rejected_model: RowsModel[RejectedRow] = RowsModel(REJECTED_COLUMNS)
        self.rejected_view = make_table(self.rejected_model)
        self.rejected_view.setObjectName("rejected")
        layout.addWidget(self.rejected_view, 1)

        allowed = session.can(Permission.TAKE_PAYMENT)
        self.choose_button.setEnabled(allowed)
        if not allowed:
            self.file_label.setText("您的岗位无权导入抄表数据")

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择抄表表格", "", "Excel 表格 (*.xlsx)")
        if path:
            self.set_path(path)

    def set_path(self, path: str | Path) -> None:
        self.path = Path(path)
        self.file_label.setText(str(self.path))
        self.start_button.setEnabled(True)

    def save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存抄表表格模板", "抄表数据模板.xlsx", "Excel 表格 (*.xlsx)")
        if not path:
            return
        try:
            Path(path).write_bytes(template_xlsx())
        except OSError as exc:
            messages.warn(self, messages.file_error(exc))
            return
        messages.info(self, f"模板已保存到 {path}")

    def start(self) -> None:
        if self.path is None:
            return
        path = self.path
        service = ReadingService(self.session.app, self.session.actor)
        self.start_button.setEnabled(False)
        self.choose_button.setEnabled(False)

        def work(report: Any) -> ImportResult:
            report(0, "正在读取表格…")

            def progress(done: int, total: int) -> None:
                report(int(done * 100 / total) if total else 100, f"已处理 {done} / {total} 行")

            return service.import_file(path, progress)

        def failed(exc: BaseException) -> None:
            self._unlock()
            messages.report(self, exc)

        self.task = run_task(self, work, self.show_result, label="正在导入抄表数据…", on_failed=failed)

    def _unlock(self) -> None:
        self.start_button.setEnabled(self.path is not None)
        self.choose_button.setEnabled(self.session.can(Permission.TAKE_PAYMENT))

    def show_result(self, result: ImportResult) -> None:
        self.result = result
        self._unlock()
        text = (f"共 {result.rows} 行：导入 {result.imported} 行，出账 {result.bills} 张、合计 "
                f"{money_text(result.billed)} 元；未导入 {len(result.rejected)} 行")
        self.summary.setText(text + ("，原因见下表。" if result.rejected else "。"))
        self.summary.setVisible(True)
        self.rejected_model.set_rows(result.rejected)
        self.imported.emit(result)
        self.session.notify_changed()
