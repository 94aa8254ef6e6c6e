"""计划作业通知: announce maintenance or live-gas work at least 24 hours ahead, see the customers it
affects, print the notice and export the call list."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.errors import ServiceError
from gasdesk.services.planned_work import AffectedCustomer, PlannedWorkService, PlannedWorkView, WorkKind
from gasdesk.ui import messages
from gasdesk.ui.build import choice_box, hbox, line_edit, push_button
from gasdesk.ui.printing import PdfPreviewDialog
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    banner,
    dt_text,
    error_label,
    hint_label,
    make_table,
    report_fetch_failures,
    selected_or_ask,
    selected_row,
    show_error,
    title_label,
)
from gasdesk.ui.worker import run_task

SHOWN_AFFECTED = 500


class PlannedWorkPage(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.service = PlannedWorkService(session.service_app, session.actor)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("计划作业通知"))
        layout.addWidget(hint_label("计划检修、带气作业须提前24小时通知受影响用户，并尽量避开用气高峰。"))
        self.warning = banner("", "warning")
        self.warning.setVisible(False)
        layout.addWidget(self.warning)
        splitter = QSplitter()
        splitter.addWidget(self._form())
        splitter.addWidget(self._lists())
        splitter.setSizes([420, 900])
        layout.addWidget(splitter, 1)
        allowed = session.can(Permission.DISPATCH)
        for w in (self.create_button, self.print_button, self.export_button):
            w.setEnabled(allowed)
        if allowed:
            self.refresh()

    def _form(self) -> QGroupBox:
        box = QGroupBox("新建作业通知")
        form = QFormLayout(box)
        self.kind = choice_box(WorkKind.choices())
        self.title = line_edit("title")
        self.area = line_edit("area")
        self.terms = line_edit("terms", "街道、小区或楼栋，用逗号分隔，如：花果园R1区，中华北路")
        when = self.session.now() + timedelta(days=2)
        start = QDateTime(QDate(when.year, when.month, when.day), QTime(when.hour, when.minute))
        self.starts = QDateTimeEdit(start)
        self.ends = QDateTimeEdit(start.addSecs(4 * 3600))
        for edit in (self.starts, self.ends):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        self.emergency = QCheckBox("紧急作业（不受提前24小时限制）")
        self.note = QLineEdit()
        self.error = error_label()
        self.create_button = push_button("发布通知", self.publish, "create")
        for label, widget in (("类别：", self.kind), ("作业名称：", self.title), ("影响范围：", self.area),
                              ("涉及地址：", self.terms), ("开始时间：", self.starts), ("结束时间：", self.ends),
                              ("", self.emergency), ("备注：", self.note)):
            form.addRow(label, widget)
        form.addRow(self.error)
        form.addRow(self.create_button)
        return box

    def _lists(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        self.works: RowsModel[PlannedWorkView] = RowsModel([
            Column("通知编号", lambda w: w.number, width=130),
            Column("类别", lambda w: w.kind.label, width=70),
            Column("作业名称", lambda w: w.title, width=160),
            Column("开始", lambda w: dt_text(w.starts_at), width=120),
            Column("结束", lambda w: dt_text(w.ends_at), width=120),
            Column("户数", lambda w: str(w.affected_count), align_right=True, width=50),
            Column("状态", lambda w: {"planned": "已发布", "cancelled": "已取消"}.get(w.status, w.status), width=60),
            Column("提示", lambda w: w.peak_warning),
        ])
        report_fetch_failures(self, self.works)
        self.work_table = make_table(self.works)
        self.work_table.clicked.connect(lambda _i: self.show_affected())
        layout.addWidget(self.work_table, 1)
        self.print_button = push_button("打印通知…", self.print_notice)
        self.export_button = push_button("导出受影响用户（Excel）…", self.export)
        layout.addLayout(hbox(self.print_button, self.export_button, None))
        self.affected_model: RowsModel[AffectedCustomer] = RowsModel([
            Column("客户编号", lambda c: c.number, width=110),
            Column("户名", lambda c: c.name, width=120),
            Column("联系电话", lambda c: c.phone, width=120),
            Column("用气地址", lambda c: c.address),
        ])
        layout.addWidget(make_table(self.affected_model), 1)
        return panel

    def refresh(self) -> None:
        try:
            self.works.set_source(lambda offset, limit: self.service.list(limit=limit, offset=offset))
        except ServiceError as exc:
            messages.report(self, exc)

    def current(self) -> PlannedWorkView | None:
        row = selected_row(self.work_table)
        return self.works.row(row) if row is not None else None

    def publish(self) -> None:
        """发布通知: the notice from the form, then its affected customers."""
        terms = [t for t in self.terms.text().replace("，", ",").split(",")]
        starts_at, ends_at = self.starts.dateTime().toPython(), self.ends.dateTime().toPython()
        assert isinstance(starts_at, datetime) and isinstance(ends_at, datetime)
        try:
            work = self.service.create(
                kind=self.kind.currentData(), title=self.title.text(), area=self.area.text(), address_terms=terms,
                starts_at=starts_at, ends_at=ends_at,
                emergency=self.emergency.isChecked(), note=self.note.text())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        show_error(self.error, "")
        self.warning.setText(work.peak_warning)
        self.warning.setVisible(bool(work.peak_warning))
        self.refresh()
        self.work_table.selectRow(0)
        self.show_affected()

    def show_affected(self) -> None:
        work = self.current()
        if work is None:
            return
        try:
            self.affected_model.set_rows(self.service.affected(work.id, limit=SHOWN_AFFECTED))
        except ServiceError as exc:
            messages.report(self, exc)

    def chosen(self) -> PlannedWorkView | None:
        return selected_or_ask(self, self.current(), "请先选择一条作业通知")

    def print_notice(self) -> None:
        if (work := self.chosen()) is None:
            return

        def done(pdf: bytes) -> None:
            PdfPreviewDialog(pdf, f"{work.title}通知", self, file_name=f"{work.number}.pdf").exec()

        run_task(self, lambda _report: self.service.notice_pdf(work.id), done, label="正在生成通知……")

    def export(self) -> None:
        if (work := self.chosen()) is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "导出受影响用户", f"{work.number}-受影响用户.xlsx", "Excel (*.xlsx)")
        if not path:
            return
        run_task(self, lambda _report: self.service.export_affected(work.id, path),
                 lambda n: messages.info(self, f"已导出 {n} 户：{path}"), label="正在导出……")
