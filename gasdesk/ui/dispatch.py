"""派工 (输配中心): orders waiting for a site visit; book crew and time, record the visit result."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows import engine as flow_engine
from gasdesk.flows.definition import ActionDef
from gasdesk.services.errors import ServiceError
from gasdesk.services.orders import OrderView
from gasdesk.services.worklists import WorkItem
from gasdesk.ui import messages
from gasdesk.ui.action_form import ActionDialog
from gasdesk.ui.keys import give_mnemonics, let_go
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    RowsModel,
    dt_text,
    hint_label,
    make_table,
    report_fetch_failures,
    selected_row,
    title_label,
)
from gasdesk.ui.worker import Report, run_task
from gasdesk.ui.worklist_table import work_model
from gasdesk.vocab import Channel

# How many further pages select_order reads looking for an order before it gives up.
SELECT_PAGES = 3


def plan_note(queue: int, waiting: int, shown: bool) -> str:
    """What the page says of the inspection plans' orders it leaves out (or shows)."""
    plan = Channel.PLAN.label
    parts = "、".join(f"{where} {n} 张" for where, n in (("待上门作业", queue), ("等待客户重新预约", waiting)) if n)
    if shown:
        return f"已含{plan}工单 {queue + waiting} 张（{parts}）。"
    return f"另有{plan}工单 {queue + waiting} 张未显示（{parts}），勾选“含{plan}工单”显示。"


class DispatchPage(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.order: OrderView | None = None
        self.dialog: QDialog | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(title_label("派工（输配中心）"))
        head.addStretch(1)
        # The visits inspection plans open by the thousand wait out of sight unless asked for; orders
        # raised from a hazard (隐患停气) always show.
        self.plan_check = QCheckBox(f"含{Channel.PLAN.label}工单(&A)")
        self.plan_check.setObjectName("plan_orders")
        self.plan_check.setToolTip(f"{Channel.PLAN.label}批量生成的入户安检工单；隐患停气等急办工单始终显示")
        self.plan_check.toggled.connect(lambda _on: self.refresh())
        head.addWidget(self.plan_check)
        self.batch_button = QPushButton("批量打印今日作业单…")
        self.batch_button.setObjectName("batch_print")
        self.batch_button.clicked.connect(self.print_today)
        head.addWidget(self.batch_button)
        self.refresh_button = QPushButton("刷新（F5）")
        head.addWidget(self.refresh_button)
        layout.addLayout(head)
        layout.addWidget(hint_label("未预约的排在前面。选中一张业务单后，可派工预约上门，或登记上门作业结果。"))
        self.plan_note = hint_label()
        self.plan_note.setObjectName("plan_note")
        layout.addWidget(self.plan_note)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.queue = work_model(session.now, session.work_calendar, dispatch=True)
        self.queue_view = make_table(self.queue, stretch=3)
        self.tabs.addTab(self.queue_view, "待上门作业")
        self.waiting = work_model(session.now, session.work_calendar, dispatch=True)
        report_fetch_failures(self, self.queue, self.waiting)
        self.waiting_view = make_table(self.waiting, stretch=3)
        self.tabs.addTab(self.waiting_view, "等待客户重新预约")
        split.addWidget(self.tabs)
        side = QGroupBox("选中的业务单")
        sl = QVBoxLayout(side)
        self.detail = QLabel("请在左侧选择业务单")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        sl.addWidget(self.detail)
        self.buttons_box = QVBoxLayout()
        sl.addLayout(self.buttons_box)
        self.open_button = QPushButton("打开业务单（流程图、办理记录）")
        sl.addWidget(self.open_button)
        sl.addStretch(1)
        split.addWidget(side)
        split.setSizes([950, 260])
        layout.addWidget(split, 1)
        for view, model in ((self.queue_view, self.queue), (self.waiting_view, self.waiting)):
            view.selectionModel().currentRowChanged.connect(lambda cur, _prev, m=model: self._select(m, cur.row()))
            view.doubleClicked.connect(lambda idx, m=model: self.session.order_requested.emit(m.row(idx.row()).order_id))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(lambda: self.order and self.session.order_requested.emit(self.order.id))
        session.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        keep = self.order.id if self.order else None
        lists, plan = self.session.worklists, self.plan_check.isChecked()
        try:
            self.queue.set_source(
                lambda offset, limit: lists.dispatch_queue(limit=limit, offset=offset, plan_orders=plan))
            self.waiting.set_source(
                lambda offset, limit: lists.rebooking_queue(limit=limit, offset=offset, plan_orders=plan))
            queue, waiting = lists.tally_dispatch_queue(), lists.tally_rebooking_queue()
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.tabs.setTabText(0, f"待上门作业（{queue.shown(plan)}）")
        self.tabs.setTabText(1, f"等待客户重新预约（{waiting.shown(plan)}）")
        self.plan_note.setText(plan_note(queue.plan, waiting.plan, plan))
        self.plan_note.setVisible(bool(queue.plan or waiting.plan))
        self._show(None)
        if keep is not None:
            self.select_order(keep)

    def current_model(self) -> RowsModel[WorkItem]:
        return self.queue if self.tabs.currentIndex() == 0 else self.waiting

    def select_order(self, order_id: int) -> bool:
        """Select the order in whichever tab holds it, fetching up to SELECT_PAGES more pages a tab."""
        for tab, (view, model) in enumerate(((self.queue_view, self.queue), (self.waiting_view, self.waiting))):
            fetched = 0
            while True:
                row = next((i for i, item in enumerate(model.rows) if item.order_id == order_id), None)
                if row is not None:
                    self.tabs.setCurrentIndex(tab)
                    view.selectRow(row)
                    self._select(model, row)
                    return True
                if fetched == SELECT_PAGES or not model.canFetchMore():
                    break
                model.fetchMore()
                fetched += 1
        return False

    def _tab_changed(self, index: int) -> None:
        view = self.queue_view if index == 0 else self.waiting_view
        row = selected_row(view)
        self._select(self.current_model(), row if row is not None else -1)

    def _select(self, model: RowsModel[WorkItem], row: int) -> None:
        if row < 0 or row >= len(model.rows):
            self._show(None)
            return
        try:
            self._show(self.session.orders.get(model.row(row).order_id))
        except ServiceError as exc:
            messages.report(self, exc)

    def _show(self, order: OrderView | None) -> None:
        self.order = order
        while self.buttons_box.count():
            item = self.buttons_box.takeAt(0)
            if item is not None and (widget := item.widget()):
                let_go(widget)
        self.action_buttons = {}
        self.open_button.setEnabled(order is not None)
        if order is None:
            self.detail.setText("请在左侧选择业务单")
            return
        self.detail.setText(
            f"<b>{order.number}</b>　{order.kind_label}<br>环节：{order.step_label}<br>客户：{order.customer_name}"
            f"<br>地址：{self._address(order)}"
            f"<br>班组：{order.crew or '未派工'}<br>预约：{dt_text(order.appointment_at) or '未预约'}")
        for action in order.actions:
            if action.code == flow_engine.CANCEL.code:
                continue
            button = QPushButton(action.label)
            button.setObjectName(f"action_{action.code}")
            button.clicked.connect(lambda _=False, a=action: self.start_action(a))
            self.buttons_box.addWidget(button)
            self.action_buttons[action.code] = button
        give_mnemonics(self)  # the step's actions, clear of the page's other buttons

    def _address(self, order: OrderView) -> str:
        for item in [*self.queue.rows, *self.waiting.rows]:
            if item.order_id == order.id:
                return f"{item.address}　{item.phone}"
        return ""

    def start_action(self, action: ActionDef) -> ActionDialog:
        assert self.order is not None
        dialog = ActionDialog(self.session, self.order, action, parent=self)
        dialog.performed.connect(lambda _v: self.session.notify_changed())
        self.dialog = dialog
        dialog.open()
        return dialog

    def today_jobs(self) -> list[tuple[int, str, int | None]]:
        """The work form of every visit booked for today (e.g. all of today's ignition notices)."""
        jobs: list[tuple[int, str, int | None]] = []
        for item in self.session.worklists.visits_booked_on(self.session.now().date()):
            forms = ALL_FLOWS[item.kind].step(item.step).forms
            if forms:
                jobs.append((item.order_id, forms[0], None))
        return jobs

    def print_today(self) -> None:
        from gasdesk.services.printing import PrintService
        from gasdesk.ui.printing import PdfPreviewDialog

        jobs = self.today_jobs()
        if not jobs:
            messages.info(self, "今天没有已预约的上门作业")
            return
        cancel = threading.Event()
        printer = PrintService(self.session.service_app, self.session.actor)

        def work(report: Report) -> bytes:
            def progress(done: int, total: int) -> bool:
                report(int(done * 100 / max(total, 1)), f"正在生成第 {min(done + 1, total)} / {total} 张作业单……")
                return not cancel.is_set()
            return printer.render_batch(jobs, progress)

        def done(pdf: bytes) -> None:
            self.preview = PdfPreviewDialog(pdf, f"今日作业单（{len(jobs)} 张）", self,
                                            file_name=f"作业单-{self.session.now():%Y%m%d}.pdf")
            self.preview.open()

        self.batch_task = run_task(self, work, done, label=f"正在生成 {len(jobs)} 张作业单……", cancel=cancel)
