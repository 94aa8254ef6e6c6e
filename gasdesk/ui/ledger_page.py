"""台账报表: pick a ledger, a period and filters, export to Excel or to a PDF ready to print, on a worker
thread with progress and cancel."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.context import Actor, App
from gasdesk.services.errors import ServiceError
from gasdesk.services.ledgers import (
    LEDGERS,
    PLAN_FILTER,
    ExportResult,
    LedgerDef,
    LedgerFilter,
    LedgerService,
)
from gasdesk.ui import messages
from gasdesk.ui.widgets import banner, hint_label, title_label
from gasdesk.ui.worker import BackgroundTask, run_task
from gasdesk.vocab import Channel

ALL = "（全部）"


class _ProgressBridge(QObject):
    """Emitted on the worker thread, delivered (queued) on the UI thread."""

    progressed = Signal(int, int)


class LedgerPage(QWidget):
    """The ledger export page. `exported` fires with the ExportResult (cancelled ones too)."""

    exported = Signal(object)

    def __init__(self, app: App, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.actor = app, actor
        self.service = LedgerService(app, actor)
        self.allowed = actor.can(Permission.EXPORT_LEDGERS)
        self.task: BackgroundTask | None = None
        self.progress: QProgressDialog | None = None
        self.last_path: Path | None = None
        self._cancel = threading.Event()
        self._bridge = _ProgressBridge(self)
        self._bridge.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label("台账报表"))
        if not self.allowed:
            layout.addWidget(banner(f"您的岗位（{actor.role.label}）无权导出台账，请联系管理人员。", "warning"))

        body = QHBoxLayout()
        self.ledger_list = QListWidget()
        self.ledger_list.setObjectName("ledger_list")
        self.ledger_list.setMaximumWidth(230)
        for ledger in LEDGERS.values():
            item = QListWidgetItem(ledger.title)
            item.setData(Qt.ItemDataRole.UserRole, ledger.name)
            item.setToolTip(ledger.description)
            self.ledger_list.addItem(item)
        body.addWidget(self.ledger_list)

        right = QVBoxLayout()
        self.description = hint_label()
        right.addWidget(self.description)
        box = QGroupBox("筛选条件")
        form = QFormLayout(box)
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.date_to)
        self.quick: dict[str, QPushButton] = {}
        for key, text in (("this_month", "本月"), ("last_month", "上月"), ("this_year", "本年")):
            button = QPushButton(text)
            button.setObjectName(key)
            button.clicked.connect(lambda _=False, k=key: self.set_period(k))
            self.quick[key] = button
            dates.addWidget(button)
        dates.addStretch(1)
        self.date_basis = QLabel()
        self.date_basis.setStyleSheet("color: #5f6b7a;")
        form.addRow("统计期间", dates)
        form.addRow("", self.date_basis)
        self.kind_combo, self.status_combo = QComboBox(), QComboBox()
        self.department_combo, self.clerk_combo = QComboBox(), QComboBox()
        self.clerk_label = QLabel("受理人")
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channel")
        # 业务受理台账 is the counter's: what inspection plans opened by the thousand stays out unless ticked.
        self.plan_check = QCheckBox(f"含{Channel.PLAN.label}工单(&A)")
        self.plan_check.setObjectName("plan_orders")
        self.plan_check.setToolTip(f"不勾选时，{Channel.PLAN.label}批量生成的安全检查工单不列入台账，"
                                   "导出后显示未列入的张数；隐患停气等其他工单照常列入")
        channel_row = QHBoxLayout()
        channel_row.addWidget(self.channel_combo)
        channel_row.addWidget(self.plan_check)
        channel_row.addStretch(1)
        form.addRow("业务类型", self.kind_combo)
        form.addRow("受理方式", channel_row)
        form.addRow("办理状态", self.status_combo)
        form.addRow("责任部门", self.department_combo)
        form.addRow(self.clerk_label, self.clerk_combo)
        right.addWidget(box)

        buttons = QHBoxLayout()
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setObjectName("export")
        self.export_button.setDefault(True)
        self.pdf_button = QPushButton("导出 PDF（打印）…")
        self.pdf_button.setObjectName("export_pdf")
        self.pdf_button.setToolTip("生成可直接打印的 PDF：横向/纵向自动选择，每页重复表头并标页码")
        self.open_button = QPushButton("打开文件")
        self.open_button.setEnabled(False)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.status = hint_label()
        self.status.setObjectName("status")
        right.addWidget(self.status)
        right.addStretch(1)
        body.addLayout(right, 1)
        layout.addLayout(body, 1)

        self._fill_choices()
        self.set_period("this_month")
        self.ledger_list.currentRowChanged.connect(lambda _row: self._ledger_changed())
        self.channel_combo.currentIndexChanged.connect(lambda _i: self._plan_check_enabled())
        self.export_button.clicked.connect(lambda: self.export())
        self.pdf_button.clicked.connect(lambda: self.export(pdf=True))
        self.open_button.clicked.connect(self.open_last)
        self.ledger_list.setCurrentRow(0)
        self.export_button.setEnabled(self.allowed)
        self.pdf_button.setEnabled(self.allowed)

    # --- choices ------------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        for combo in (self.kind_combo, self.status_combo, self.department_combo, self.clerk_combo,
                      self.channel_combo):
            combo.clear()
            combo.addItem(ALL, None)
        if not self.allowed:
            return
        try:
            choices = self.service.choices()
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self._kinds = choices.kinds
        for code, label in choices.statuses:
            self.status_combo.addItem(label, code)
        for dept_id, name in choices.departments:
            self.department_combo.addItem(name, dept_id)
        for staff_id, name in choices.clerks:
            self.clerk_combo.addItem(name, staff_id)
        for code, label in choices.channels:
            self.channel_combo.addItem(label, code)

    @property
    def ledger(self) -> LedgerDef:
        item = self.ledger_list.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item else next(iter(LEDGERS))
        return LEDGERS[name]

    def select_ledger(self, name: str) -> None:
        for row in range(self.ledger_list.count()):
            if self.ledger_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.ledger_list.setCurrentRow(row)
                return
        raise KeyError(name)

    def _ledger_changed(self) -> None:
        ledger = self.ledger
        self.description.setText(f"<b>{ledger.title}</b>　{ledger.description}")
        self.date_basis.setText(f"按{ledger.date_basis}统计" + ("；超期以当前时间为准" if ledger.name == "overdue" else ""))
        kinds = getattr(self, "_kinds", [])
        wanted = set(ledger.kinds) if ledger.kinds is not None else None
        current = self.kind_combo.currentData()
        self.kind_combo.clear()
        self.kind_combo.addItem(ALL, None)
        for code, label in kinds:
            if wanted is None or code in wanted:
                self.kind_combo.addItem(label, code)
        i = self.kind_combo.findData(current)
        self.kind_combo.setCurrentIndex(max(i, 0))
        for key, combo in (("kind", self.kind_combo), ("status", self.status_combo),
                           ("department", self.department_combo), ("clerk", self.clerk_combo),
                           ("channel", self.channel_combo)):
            combo.setEnabled(self.allowed and key in ledger.filters)
        self.clerk_label.setText("收费员" if ledger.name == "cash_daily" else "受理人")
        self._plan_check_enabled()

    def _plan_check_enabled(self) -> None:
        """Only a ledger with the plan filter, and only while no one 受理方式 is chosen."""
        self.plan_check.setEnabled(self.allowed and PLAN_FILTER in self.ledger.filters
                                   and self._chosen(self.channel_combo) is None)

    @staticmethod
    def _chosen(combo: QComboBox) -> Any:
        return combo.currentData() if combo.isEnabled() else None

    def set_period(self, key: str) -> None:
        today = self.app.clock.now().date()
        if key == "this_month":
            start, end = today.replace(day=1), today
        elif key == "last_month":
            end = today.replace(day=1) - timedelta(days=1)
            start = end.replace(day=1)
        else:
            start, end = date(today.year, 1, 1), today
        self.date_from.setDate(QDate(start.year, start.month, start.day))
        self.date_to.setDate(QDate(end.year, end.month, end.day))

    def current_filter(self) -> LedgerFilter:
        def day(edit: QDateEdit) -> date:
            d = edit.date()
            return date(d.year(), d.month(), d.day())

        data = self._chosen
        return LedgerFilter(date_from=day(self.date_from), date_to=day(self.date_to), kind=data(self.kind_combo),
                            status=data(self.status_combo), department_id=data(self.department_combo),
                            clerk_id=data(self.clerk_combo), channel=data(self.channel_combo),
                            plan_orders=self.plan_check.isChecked() or not self.plan_check.isEnabled())

    def default_file_name(self, suffix: str = ".xlsx") -> str:
        f = self.current_filter()
        title = re.sub(r'[\\/:*?"<>|]', "", self.ledger.title)
        return f"{title}_{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}{suffix}"

    # --- export -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.task is not None

    def export(self, pdf: bool = False) -> None:
        """Ask where to save, then export: the workbook, or with `pdf` a PDF ready to print."""
        if self.busy:
            return
        flt = self.current_filter()
        if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
            messages.warn(self, "开始日期不能晚于结束日期")
            return
        suffix, kind = (".pdf", "PDF 文件 (*.pdf)") if pdf else (".xlsx", "Excel 工作簿 (*.xlsx)")
        folder = self.last_path.parent if self.last_path else Path.home()
        chosen, _ = QFileDialog.getSaveFileName(self, "导出台账 PDF" if pdf else "导出台账",
                                                str(folder / self.default_file_name(suffix)), kind)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.start_export(self.ledger.name, flt, path)

    def start_export(self, name: str, flt: LedgerFilter, path: Path) -> None:
        """Run the export on a worker thread; the window stays live, the dialog shows rows written."""
        self._cancel = threading.Event()
        dialog = QProgressDialog(f"正在导出“{LEDGERS[name].title}”…", "取消", 0, 0, self)
        dialog.setWindowTitle("导出台账")
        dialog.setObjectName("export_progress")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self._cancel.set)
        dialog.show()
        self.progress = dialog
        self.export_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.status.setText("正在导出…")
        service, cancel, bridge = self.service, self._cancel, self._bridge

        def progress(done: int, total: int) -> bool:
            bridge.progressed.emit(done, total)
            return not cancel.is_set()

        def work(_report: Any) -> ExportResult:
            return service.export(name, flt, path, progress=progress)

        self.task = run_task(self, work, self._finished, on_failed=self._failed, progress=False)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        dialog = self.progress
        if dialog is None or self._cancel.is_set():
            return
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        dialog.setLabelText(f"正在导出“{self.ledger.title}”：已写入 {done:,} / {total:,} 行")

    def cancel(self) -> None:
        """What the dialog's 取消 button does."""
        if self.progress is not None:
            self.progress.cancel()
        self._cancel.set()

    def _end(self) -> None:
        self.task = None
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.export_button.setEnabled(self.allowed)
        self.pdf_button.setEnabled(self.allowed)

    def _finished(self, result: ExportResult) -> None:
        self._end()
        if result.cancelled:
            self.status.setText("已取消导出，未生成文件。")
        else:
            self.last_path = result.path
            self.open_button.setEnabled(True)
            masked = "（证件号码、电话已脱敏）" if result.masked else ""
            left_out = (f"\n另有{Channel.PLAN.label}工单 {result.left_out:,} 张未列入（勾选“含{Channel.PLAN.label}工单”"
                        "可一并导出）" if result.left_out else "")
            self.status.setText(f"已导出 {result.rows:,} 行{masked}：{result.path}{left_out}")
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._end()
        self.status.setText("导出未完成，未生成文件。")
        messages.report(self, exc)

    def open_last(self) -> None:
        if self.last_path is not None and self.last_path.exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_path)))

    def refresh(self) -> None:
        """Staff and departments may have changed (the main window's F5)."""
        combos = (self.department_combo, self.clerk_combo, self.channel_combo)
        kinds_before = tuple(combo.currentData() for combo in combos)
        self._fill_choices()
        self._ledger_changed()
        for combo, value in zip(combos, kinds_before, strict=True):
            combo.setCurrentIndex(max(combo.findData(value), 0))
