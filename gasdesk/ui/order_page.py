"""The order page: the flow chart, deadlines with time left, the timeline, and the actions allowed now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.flows.definition import ActionDef, FieldKind, FlowDef
from gasdesk.permissions import Permission
from gasdesk.services.calendar import PROVISIONAL_MARK, ClockNote
from gasdesk.services.errors import ServiceError
from gasdesk.services.inspection import InspectionService
from gasdesk.services.orders import HOLD_KIND_KEY, DeadlineView, OrderView, StepLogView, correctable_fields
from gasdesk.ui import messages, printing
from gasdesk.ui.action_form import ActionDialog
from gasdesk.ui.build import (
    FormDialog,
    choice_box,
    dialog_buttons,
    dialog_footer,
    hbox,
    line_edit,
    push_button,
    value_grid,
)
from gasdesk.ui.fields import make_editor
from gasdesk.ui.flow_chart import FlowChartView
from gasdesk.ui.inspection import (
    CLOSING_ACTIONS,
    HANDLED_ACTIONS,
    RESULT_ACTIONS,
    SUPPLY_STOPPED,
    InspectionBanner,
    InspectionPanel,
    RectifyDialog,
    ResultDialog,
    stop_supply,
)
from gasdesk.ui.keys import GuardedDialog, give_mnemonics, let_go, relabel
from gasdesk.ui.local_settings import remember_splitter
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    dt_text,
    fit_to_screen,
    make_table,
    paint_chip,
    paint_label,
    show_error,
    show_long_text,
    time_left,
    title_label,
    value_label,
)
from gasdesk.ui.worker import run_blocking
from gasdesk.vocab import DeadlineScope, DeadlineStatus, OrderStatus, PauseKind, TimeUnit
from gasdesk.workdays import WorkCalendar

# Facts the services remember on the order besides the recorded fields.
DERIVED_LABELS = {
    "old_meter_number": "原表号", "old_meter_model": "原表型号", "old_meter_rating": "原表规格",
    "old_last_reading": "原表上次读数", "settled_balance": "结算前余额（元）", "settlement_receipt": "结算收据号",
    "fee_receipt": "收费收据号", "new_customer_number": "新客户编号", "new_account_number": "新燃气账户",
    "department_name": "承办部门", "old_allowance": "原年用气基数（m³）", "reason": "原因",
}
D = TypeVar("D", bound=QDialog)
STATUS_COLORS = {OrderStatus.OPEN: "#0d47a1", OrderStatus.ARCHIVED: "#1b5e20", OrderStatus.REJECTED: "#b71c1c",
                 OrderStatus.CANCELLED: "#616161"}


def field_labels(flow: FlowDef) -> dict[str, tuple[str, dict[str, str]]]:
    """code -> (label, choice labels) over every field the flow records."""
    result: dict[str, tuple[str, dict[str, str]]] = {}
    fields = list(flow.open_fields)
    for s in flow.steps:
        for a in s.actions:
            fields += a.fields
    for f in fields:
        result.setdefault(f.code, (f.label, dict(f.choices) if f.kind is FieldKind.CHOICE else {}))
    return result


def recorded_values(order: OrderView, departments: dict[str, str]) -> list[tuple[str, str]]:
    labels = field_labels(order.flow)
    rows = []
    for code, value in order.data.items():
        if code.startswith("_") or value in (None, "", [], {}):
            continue
        if code in labels:
            label, choices = labels[code]
            text = choices.get(str(value), departments.get(str(value), str(value)))
        elif code in DERIVED_LABELS:
            label, text = DERIVED_LABELS[code], str(value)
        else:
            continue
        if isinstance(value, dict):
            text = "；".join(f"{k}：{v}" for k, v in value.items())
        rows.append((label, text))
    return rows


def current_reason(order: OrderView) -> str:
    """The reason that explains where the order stands now: why it was refused or cancelled, or why it
    was sent to the step it waits in; a reason given earlier on the way to an archived order is history."""
    if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
        return order.reason
    if order.status is not OrderStatus.OPEN:
        return ""
    moves = [h for h in order.history if h.to_step == order.step and h.from_step != h.to_step]
    return str(moves[-1].data.get("reason") or "") if moves else ""


def deadline_text(d: DeadlineView | None, now: Any, note: ClockNote | None = None,
                  calendar: WorkCalendar | None = None) -> tuple[str, str]:
    """What the clerk reads for a clock, and its colour; `note` adds the paused working days and the
    mark of a due date counted across a year whose holiday notice is not yet confirmed."""
    if d is None:
        return "无时限（不计入承诺时限）", ""
    limit = f"{d.amount}{TimeUnit(d.unit).label}"
    extra = ""
    if note is not None and d.unit == TimeUnit.WORKING_DAYS:
        if note.paused_working_days:
            extra += f"；已暂停 {note.paused_working_days} 个工作日，不计入时限"
        running = [n for began, ended, n in note.pauses if ended is None and n is not None]
        if d.status is DeadlineStatus.PAUSED and running:
            extra += f"；本次暂停至今 {running[-1]} 个工作日"
        if note.provisional:
            extra += f"\n⚠ {PROVISIONAL_MARK}"
    if d.status is DeadlineStatus.PAUSED:
        left = "" if d.remaining is None else (f"，剩余 {d.remaining}{TimeUnit(d.unit).label}"
                                               if d.unit == TimeUnit.WORKING_DAYS else "")
        return f"已暂停：{d.pause_reason or '原因未记录'}（时限 {limit}{left}）{extra}", "paused"
    if d.status in (DeadlineStatus.MET, DeadlineStatus.MISSED, DeadlineStatus.CANCELLED):
        urgency = {DeadlineStatus.MET: "green", DeadlineStatus.MISSED: "red"}.get(d.status, "")
        return f"{d.status.label}（时限 {limit}，到期 {dt_text(d.due_at)}）{extra}", urgency
    text, urgency = time_left(d.due_at, now, calendar or WorkCalendar(), d.unit, d.started_at)
    return f"{text}（时限 {limit}，{dt_text(d.due_at)} 到期）{extra}", urgency


def pauses_text(note: ClockNote | None) -> str:
    """The pauses of a clock, one a line, with the working days each took out (the pause rule)."""
    if note is None or not note.pauses:
        return ""
    lines = [f"{dt_text(began)} 至 {dt_text(ended) if ended else '今'}"
             + (f"：{n} 个工作日" if n is not None else "") for began, ended, n in note.pauses]
    return "暂停记录（暂停开始当天计入时限，恢复当天不计入）：\n" + "\n".join(lines)


def _history_columns() -> list[Column[StepLogView]]:
    def remark(h: StepLogView) -> str:
        parts = []
        if h.data.get("reason"):
            parts.append(f"原因：{h.data['reason']}")
        if h.note:
            parts.append(h.note)
        return "；".join(parts)

    return [
        Column("时间", lambda h: dt_text(h.at), width=118),
        Column("环节", lambda h: h.from_label or "—", width=150),
        Column("操作", lambda h: h.action_label, width=170),
        Column("办理人", lambda h: h.actor_name, width=64),
        Column("转入环节", lambda h: h.to_label if h.to_step != h.from_step else "", width=130),
        Column("原因/备注", remark),
    ]


class TextPromptDialog(GuardedDialog):
    """A one-line question (pause reason...) answered without blocking the window."""

    answered = Signal(str)

    def __init__(self, title: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(label))
        self.edit = QLineEdit()
        layout.addWidget(self.edit)
        self.error = dialog_footer(self, layout, "确定", self._ok)

    def _ok(self) -> None:
        if not self.edit.text().strip():
            show_error(self.error, "请填写内容")
            return
        self.answered.emit(self.edit.text().strip())
        self.accept()


class CorrectFieldDialog(FormDialog):
    """Correct a value recorded earlier on the open order, before a later step uses it (with a reason)."""

    def __init__(self, session: UiSession, order: OrderView, parent: QWidget | None = None) -> None:
        super().__init__("更正登记内容", parent, width=480)
        self.session, self.order = session, order
        self.result_view: OrderView | None = None
        self.fields = {f.code: f for f in correctable_fields(order)}
        self.form.addRow(QLabel(f"业务单 {order.number}：更正将记入办理记录（原值、新值、原因、经办人）"))
        self.which = choice_box(((code, f.label) for code, f in self.fields.items()), "which")
        self.form.addRow("更正项目：", self.which)
        self.old = QLabel()
        self.form.addRow("原登记值：", self.old)
        self.editor_holder = QVBoxLayout()
        holder = QWidget()
        holder.setLayout(self.editor_holder)
        self.editor_holder.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("更正为：", holder)
        self.reason = line_edit("reason")
        self.form.addRow("更正原因：", self.reason)
        self.finish("更正")
        self.editor: Any = None
        self.which.currentIndexChanged.connect(self._pick)
        self._pick()

    def _pick(self, *_: Any) -> None:
        code = self.which.currentData()
        if self.editor is not None:
            self.editor.widget.setParent(None)
            self.editor.error.setParent(None)
            self.editor = None
        if code is None:
            self.old.setText("本业务单目前没有可更正的登记内容")
            return
        f = self.fields[code]
        value = self.order.data.get(code)
        self.old.setText(dict(f.choices).get(str(value), str(value)) if f.choices else str(value))
        self.editor = make_editor(f, now=self.session.now())
        self.editor.widget.setObjectName("new_value")
        self.editor.set_value(value)
        self.editor_holder.addWidget(self.editor.widget)
        self.editor_holder.addWidget(self.editor.error)
        # made after 更正原因: put it back in reading order (项目 → 更正为 → 原因)
        QWidget.setTabOrder(self.which, self.editor.widget)
        QWidget.setTabOrder(self.editor.widget, self.reason)

    def save(self) -> None:
        if self.which.currentData() is None or self.editor is None:
            self.reject()  # nothing here may be corrected
            return
        super().save()

    def submit(self) -> None:
        code, value, reason, order = self.which.currentData(), self.editor.value(), self.reason.text(), self.order
        self.result_view = run_blocking(self, lambda: self.session.orders.correct_field(
            order.id, code, value, reason, expected_version=order.version))


class DocumentsDialog(GuardedDialog):
    """Tick the documents the customer brought (again, after 资料不符)."""

    def __init__(self, session: UiSession, order: OrderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.order = session, order
        self.result_view: OrderView | None = None
        # A call's customer comes in: the documents are checked against the originals, and the visit recorded.
        self.visit = order.awaiting_visit
        self.setWindowTitle("客户到厅（来访）" if self.visit else "资料清单")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            f"业务单 {order.number}（{order.channel_text}）：客户已到厅，请核对原件并勾选客户提交的资料；"
            "确认后计时恢复，需客户签字的单据可以打印" if self.visit else
            f"业务单 {order.number}：请勾选客户已提交的资料"))
        self.boxes: dict[str, QCheckBox] = {}
        for d in order.flow.documents:
            box = QCheckBox(d.label + ("" if d.required else "（选交）"))
            box.setObjectName(f"doc_{d.code}")
            box.setChecked(d.code in order.documents)
            self.boxes[d.code] = box
            layout.addWidget(box)
        buttons = dialog_buttons("确认客户到厅" if self.visit else "保存")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        docs = [code for code, box in self.boxes.items() if box.isChecked()]
        record = self.session.orders.customer_arrived if self.visit else self.session.orders.set_documents
        try:
            order = self.order
            self.result_view = run_blocking(self, lambda: record(order.id, docs, expected_version=order.version))
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.accept()


class OrderPage(QWidget):
    """One order in its own window. `refresh()` reads it again; action buttons follow order.actions."""

    changed = Signal(object)

    def __init__(self, session: UiSession, order_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session, self.order_id = session, order_id
        self.order: OrderView | None = None
        self.dialog: QDialog | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.printer = printing.FormPrinter(session, self)
        fit_to_screen(self, 1300, 760)
        self._build()
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        QShortcut(QKeySequence("Esc"), self, self.close)
        give_mnemonics(self)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_all)
        self.refresh()

    # layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = title_label("")
        self.status_chip = QLabel()
        self.customer_button = push_button("客户资料", self._open_customer)
        self.documents_button = push_button("资料清单…", self.edit_documents)
        self.correct_button = push_button("更正登记内容…", self.correct_field)
        self.pause_button = push_button("暂停计时（客户原因）…", self.ask_pause)
        self.permit_button = push_button("暂停计时（审批）…", self.ask_permit_pause)
        self.permit_button.setToolTip(f"{PauseKind.PERMIT.label}：办理审批的时间不计入承诺时限")
        self.resume_button = push_button("恢复计时", self.resume)
        self.print_button = push_button("打印单据", self.show_print_menu)
        self.print_button.setToolTip("打印单据：可选“打印全部”（Ctrl+P），合并为一次打印")
        self.refresh_button = push_button("刷新", self.refresh)
        outer.addLayout(hbox(self.title, self.status_chip, None, self.customer_button, self.documents_button,
                             self.correct_button, self.pause_button, self.permit_button, self.resume_button,
                             self.print_button, self.refresh_button))
        self.banner = InspectionBanner(self.session)
        outer.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        chart_box = QGroupBox("业务流程图（绿色：已办，黄色：当前环节）")
        cl = QVBoxLayout(chart_box)
        self.chart = FlowChartView()
        cl.addWidget(self.chart)
        split.addWidget(chart_box)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        info = QGroupBox("业务信息")
        self.info_labels = value_grid(QGridLayout(info), [
            ("customer", "客户"), ("account", "燃气账户"), ("opened", "受理"), ("step", "当前环节"), ("crew", "派工"),
            ("reason", "最近原因"), ("step_deadline", "环节时限"), ("order_deadline", "全程时限"), ("hold", "计时")])
        rl.addWidget(info)

        self.actions_box = QGroupBox("可办理的操作")
        self.actions_layout = QHBoxLayout(self.actions_box)
        self.actions_layout.setContentsMargins(8, 6, 8, 6)
        rl.addWidget(self.actions_box)

        self.tabs = QTabWidget()
        self.history_model: RowsModel[StepLogView] = RowsModel(_history_columns())
        self.history_view = make_table(self.history_model)
        self.history_view.setToolTip("双击一行查看完整的原因或备注")
        self.history_view.doubleClicked.connect(self._show_history_row)
        self.tabs.addTab(self.history_view, "办理记录")
        self.values_widget = QWidget()
        self.values_form = QFormLayout(self.values_widget)
        values_scroll = QScrollArea()  # an installation past construction records dozens of values
        values_scroll.setWidgetResizable(True)
        values_scroll.setWidget(self.values_widget)
        self.tabs.addTab(values_scroll, "登记内容")
        self.documents_label = QLabel()
        self.documents_label.setWordWrap(True)
        self.documents_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(self.documents_label, "资料清单")
        # An inspection order's visits, hazards and photos (shown for orders that have an inspection).
        self.inspection_panel: InspectionPanel | None = None
        self.is_inspection = False
        rl.addWidget(self.tabs, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 6)
        split.setSizes([540, 740])
        remember_splitter(split, "order_page")
        outer.addWidget(split, 1)

    # data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        with self.session.one_action():  # the order, its clocks, warnings and inspection: one staff check
            try:
                order = self.session.orders.get(self.order_id)
            except ServiceError as exc:
                messages.report(self, exc)
                return
            self.show_order(order)

    def show_order(self, order: OrderView) -> None:
        self.order = order
        now = self.session.now()
        self.setWindowTitle(f"业务单 {order.number} - {order.kind_label}")
        self.title.setText(f"{order.kind_label}　{order.number}")
        paint_chip(self.status_chip, order.status.label, STATUS_COLORS.get(order.status, "#333"))
        self.chart.show_flow(order.flow, order)
        info = self.info_labels
        info["customer"].setText(f"{order.customer_name}（{order.customer_number}）")
        info["account"].setText(order.account_number or "—")
        info["opened"].setText(f"{dt_text(order.opened_at)}　{order.opened_by}　{order.channel_text}"
                               + ("（客户尚未到厅）" if order.awaiting_visit and order.status is OrderStatus.OPEN else "")
                               + (f"　办结 {dt_text(order.closed_at)}" if order.closed_at else ""))
        info["step"].setText(f"<b>{order.step_label}</b>" + (f"　（{order.flow.rounds_label or '轮次'}：{order.rounds}）" if order.rounds else ""))
        crew = "　".join(x for x in (order.crew, f"预约 {dt_text(order.appointment_at)}" if order.appointment_at
                                      else "") if x)
        info["crew"].setText(crew or "—")
        info["reason"].setText(current_reason(order) or "—")
        try:
            notes = self.session.calendar.clock_notes(order.id)
        except ServiceError:
            notes = {}
        for key, scope in (("step_deadline", DeadlineScope.STEP), ("order_deadline", DeadlineScope.ORDER)):
            d = order.open_deadline(scope)
            if d is None and order.status is not OrderStatus.OPEN:
                finished = [x for x in order.deadlines if x.scope == scope]
                d = finished[-1] if finished else None
            note = notes.get(d.id) if d is not None else None
            text, urgency = deadline_text(d, now, note, self.session.work_calendar())
            info[key].setToolTip(pauses_text(note))
            if d is None and scope is DeadlineScope.ORDER and not order.flow.total_limit:
                text = "本业务无全程承诺时限"
            info[key].setText(text)
            paint_label(info[key], urgency)
        hold = order.data.get("_on_hold")
        paused = [d for d in order.deadlines if d.status is DeadlineStatus.PAUSED]
        if hold:
            kind = PauseKind(order.data.get(HOLD_KIND_KEY) or PauseKind.CUSTOMER)
            hold_text = f"{kind.label}暂停中：{hold}"
        elif order.status is not OrderStatus.OPEN:
            hold_text = "已结束"
        elif paused:
            hold_text = "部分暂停：" + "；".join(dict.fromkeys(d.pause_reason for d in paused if d.pause_reason))
        else:
            hold_text = "计时中"
        info["hold"].setText(hold_text)
        paint_label(info["hold"], "paused" if hold or paused else "")
        self.banner.load(account_id=order.account_id)
        self._show_inspection(order)
        self._show_actions(order)
        self.history_model.set_rows(order.history)
        self.history_view.resizeRowsToContents()
        while self.values_form.rowCount():
            self.values_form.removeRow(0)
        departments = dict(self.session.departments())
        for label, text in recorded_values(order, departments):
            self.values_form.addRow(label + "：", value_label(text, f"{order.number} {label}"))
        docs = {d.code: d for d in order.flow.documents}
        lines = [("■ " if code in order.documents else "□ ") + d.label + ("" if d.required else "（选交）")
                 for code, d in docs.items()]
        self.documents_label.setText("\n".join(lines) or "本业务不需要提交资料")
        is_open = order.status is OrderStatus.OPEN
        can_pause = self.session.can(Permission.PAUSE_CLOCK) and is_open
        self.pause_button.setVisible(can_pause and not order.on_hold)
        self.permit_button.setVisible(can_pause and not order.on_hold and PauseKind.PERMIT in order.flow.pause_kinds)
        self.resume_button.setVisible(can_pause and order.on_hold)
        relabel(self.documents_button, "客户到厅…" if order.awaiting_visit else "资料清单…")
        self.documents_button.setVisible((bool(order.flow.documents) or order.awaiting_visit) and is_open
                                         and self.session.can(Permission.OPEN_ORDER))
        self.correct_button.setVisible(bool(correctable_fields(order)) and self.session.can(Permission.OPEN_ORDER))
        self.print_button.setVisible(printing.available() and self.session.can(Permission.PRINT_FORMS))
        give_mnemonics(self)  # the step's actions and the inspection panel, clear of the window's others

    def _show_actions(self, order: OrderView) -> None:
        while self.actions_layout.count():
            item = self.actions_layout.takeAt(0)
            if item is not None and (widget := item.widget()):
                let_go(widget)
        self.action_buttons = {}
        if not order.actions:
            why = "业务已办结" if order.status is not OrderStatus.OPEN else \
                f"当前环节由其他岗位办理（您的岗位：{self.session.actor.role.label}）"
            self.actions_layout.addWidget(QLabel(why))
        actions = list(order.actions)
        if self.is_inspection:
            actions = self._inspection_actions(order)
        for action in actions:
            button = QPushButton(action.label)
            button.setObjectName(f"action_{action.code}")
            if action.target in ("rejected", "cancelled"):
                button.setStyleSheet("color: #b71c1c;")
            button.clicked.connect(lambda _=False, a=action: self.start_action(a))
            self.action_buttons[action.code] = button
            self.actions_layout.addWidget(button)
        self.actions_layout.addStretch(1)

    def _show_history_row(self, index: Any) -> None:
        """A history row whole (a long reason is cut in its column), read-only."""
        h = self.history_model.row(index)
        lines = [f"{c.title}：{c.text(h)}" for c in self.history_model.columns]
        show_long_text(self, f"办理记录 {dt_text(h.at)}", "\n".join(lines))

    # safety inspection ---------------------------------------------------------------------
    def _show_inspection(self, order: OrderView) -> None:
        try:
            self.is_inspection = InspectionService(self.session.app, self.session.actor).inspection_of(
                order.id) is not None
        except ServiceError:
            self.is_inspection = False
        if not self.is_inspection:
            return
        if self.inspection_panel is None:
            self.inspection_panel = InspectionPanel(self.session, self)
            self.inspection_panel.changed.connect(self.refresh)
            self.tabs.insertTab(0, self.inspection_panel, "安全检查")
            self.tabs.setCurrentIndex(0)
        self.inspection_panel.show_order(order)

    def _inspection_actions(self, order: OrderView) -> list[ActionDef]:
        """The result, rectification and stop-supply actions go through their own dialogs."""
        codes = {a.code for a in order.actions}
        for code, label, slot in (("result", "录入检查结果…", self.enter_result),
                                  ("rectify", "隐患整改销项…", self.rectify),
                                  ("stop_supply", "停止供气…", self.ask_stop_supply)):
            wanted = {"result": RESULT_ACTIONS, "rectify": CLOSING_ACTIONS,
                      "stop_supply": (SUPPLY_STOPPED,)}[code]
            if codes & set(wanted):
                button = QPushButton(label)
                button.setObjectName(f"inspection_{code}")
                button.setStyleSheet("font-weight: bold;")
                button.clicked.connect(lambda _=False, f=slot: f())
                self.action_buttons[code] = button
                self.actions_layout.addWidget(button)
        return [a for a in order.actions if a.code not in HANDLED_ACTIONS]

    def enter_result(self) -> ResultDialog | None:
        if self.order is None:
            return None
        dialog = ResultDialog(self.session, self.order, self)
        dialog.performed.connect(self._performed)
        return self._show(dialog)

    def rectify(self) -> RectifyDialog | None:
        if self.order is None:
            return None
        try:
            hazards = InspectionService(self.session.app, self.session.actor).hazards(order_id=self.order.id,
                                                                                    open_only=True)
        except ServiceError as exc:
            messages.report(self, exc)
            return None
        dialog = RectifyDialog(self.session, self.order, hazards, self)
        dialog.performed.connect(self._performed)
        return self._show(dialog)

    def ask_stop_supply(self) -> None:
        self._ask("停止供气", "一级隐患拒不整改，依照供用气合同停止供气。请填写原因：", self._stop_supply)

    def _stop_supply(self, reason: str) -> None:
        if self.order is None:
            return
        view = stop_supply(self, self.session, self.order, reason)
        if view is not None:
            self._performed(view)

    def _open_customer(self) -> None:
        if self.order:
            self.session.customer_requested.emit(self.order.customer_id)

    # actions ------------------------------------------------------------------------------
    def start_action(self, action: ActionDef, prefill: dict[str, Any] | None = None) -> ActionDialog:
        assert self.order is not None
        dialog = ActionDialog(self.session, self.order, action, prefill=prefill, parent=self)
        dialog.performed.connect(self._performed)
        dialog.finished.connect(lambda _r: self.refresh())
        return self._show(dialog)

    def _show(self, dialog: D) -> D:
        """Open the dialog over this window, kept here while it is open."""
        self.dialog = dialog
        dialog.open()
        return dialog

    def _performed(self, view: OrderView) -> None:
        self.show_order(view)
        self.session.notify_changed()
        self.changed.emit(view)

    def edit_documents(self) -> None:
        self._change(DocumentsDialog)

    def correct_field(self) -> None:
        self._change(CorrectFieldDialog)

    def _change(self, make: type[DocumentsDialog | CorrectFieldDialog]) -> None:
        """A dialog that changes the order: the order as saved is shown when it closes with OK."""
        if self.order is None:
            return
        dialog = make(self.session, self.order, self)

        def accepted() -> None:
            if dialog.result_view:
                self._performed(dialog.result_view)

        dialog.accepted.connect(accepted)
        self._show(dialog)

    def ask_pause(self) -> None:
        self._ask("暂停计时", "因客户原因暂停计时（如：客户外出、客户要求延后上门），请填写原因：", self.pause)

    def ask_permit_pause(self) -> None:
        self._ask("暂停计时（审批）", f"{PauseKind.PERMIT.label}期间暂停计时，不计入承诺时限。"
                  "请填写审批事项（如：道路挖掘许可，已向市政部门申请）：",
                  lambda reason: self.pause(reason, PauseKind.PERMIT))

    def _ask(self, title: str, question: str, then: Callable[[str], object]) -> None:
        """A reason asked in a small dialog; `then` gets the answer."""
        dialog = TextPromptDialog(title, question, self)
        dialog.answered.connect(then)
        self._show(dialog)

    def pause(self, reason: str, kind: PauseKind = PauseKind.CUSTOMER) -> None:
        try:
            view = run_blocking(self, lambda: self.session.orders.pause_clock(self.order_id, reason, kind))
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self._performed(view)

    def resume(self) -> None:
        try:
            view = run_blocking(self, lambda: self.session.orders.resume_clock(self.order_id))
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self._performed(view)

    def print_all(self) -> printing.PrintAllDialog | None:
        """打印全部 (Ctrl+P): the forms of the step just done ticked, one PDF, one print job."""
        if self.order is None or not self.print_button.isVisible():
            return None
        return self.printer.print_all(self.order_id, self.order.number)

    def show_print_menu(self) -> None:
        menu = self.printer.menu(self.order_id, self.order.number if self.order else "")
        self.print_menu = menu
        menu.popup(self.print_button.mapToGlobal(self.print_button.rect().bottomLeft()))
