"""抢险抢修: register a call, dispatch a crew, record the arrival and the result; a live board of open
calls with the minutes left, refreshed by itself every few seconds."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gasdesk import sla
from gasdesk.permissions import Permission
from gasdesk.services.emergency import CallKind, CallView, EmergencyService, Excuse
from gasdesk.services.errors import ServiceError
from gasdesk.ui import messages
from gasdesk.ui.build import choice_box, dialog_footer, hbox, line_edit, push_button
from gasdesk.ui.keys import GuardedDialog, LongTextEdit
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    URGENCY_COLORS,
    Column,
    RowsModel,
    dt_text,
    error_label,
    hint_label,
    make_table,
    selected_or_ask,
    selected_row,
    show_error,
    title_label,
)
from gasdesk.vocab import District

REFRESH_MS = 5_000


def minutes_text(call: CallView, session: UiSession) -> str:
    if call.arrived_at is not None:
        return call.outcome.label if call.outcome else "已到场"
    left = call.minutes_left(session.now())
    return f"剩余 {left} 分钟" if left >= 0 else f"超时 {-left} 分钟"


def minutes_colors(call: CallView, session: UiSession) -> tuple[str, str] | None:
    if call.arrived_at is not None:
        return URGENCY_COLORS["red" if call.outcome == "late" else "green"]
    left = call.minutes_left(session.now())
    # The application's one colour rule: amber with a third of the limit or less left.
    return URGENCY_COLORS[sla.urgency(overdue=left < 0, seconds_left=left * 60,
                                      limit_seconds=(call.limit_minutes or 0) * 60 or None)]


class _Dialog(GuardedDialog):
    """A small form with OK/Cancel and a red message line."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        self.error = dialog_footer(self, layout, "确定", self.accept)


class EmergencyBoard(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.service = EmergencyService(session.service_app, session.actor)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("抢险抢修"))
        layout.addWidget(hint_label("燃气泄漏、着火、中毒、爆炸：市区30分钟、郊区60分钟内到达现场；低压/管网故障"
                                    "及时处理（按设置的时限，默认当日）；其他报修当日到达。"
                                    "交通拥堵、道路封闭、自然灾害造成的超时可免责。"))
        layout.addWidget(self._register_box())
        board = QGroupBox("未结案报修（自动刷新）")
        board_layout = QVBoxLayout(board)
        self.model: RowsModel[CallView] = RowsModel([
            Column("报修单号", lambda c: c.number, width=140),
            Column("来电时间", lambda c: dt_text(c.called_at), width=130),
            Column("类别", lambda c: c.kind.label, width=100),
            Column("区域", lambda c: c.district.label, width=50),
            Column("地址", lambda c: c.address, width=220),
            Column("状态", lambda c: c.status.label, width=70),
            Column("抢修班组", lambda c: c.crew, width=90),
            Column("时限", lambda c: minutes_text(c, session), lambda c: minutes_colors(c, session), width=120),
            Column("来电人", lambda c: f"{c.caller_name} {c.caller_phone}"),
        ])
        self.table = make_table(self.model)
        self.table.setObjectName("emergency_table")
        board_layout.addWidget(self.table)
        self.dispatch_button = push_button("派遣抢修班组…", self.dispatch)
        self.arrive_button = push_button("登记到场…", self.arrive)
        self.close_button = push_button("结案…", self.close_call)
        for b in (self.dispatch_button, self.arrive_button, self.close_button):
            b.setEnabled(session.can(Permission.DISPATCH))
        board_layout.addLayout(hbox(self.dispatch_button, self.arrive_button, self.close_button, None))
        layout.addWidget(board, 1)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(REFRESH_MS)
        self.refresh()

    def _register_box(self) -> QGroupBox:
        box = QGroupBox("登记报修来电")
        form = QFormLayout(box)
        self.kind = choice_box(CallKind.choices())
        self.district = choice_box(District.choices())
        self.caller = line_edit("caller")
        self.phone = line_edit("caller_phone")
        self.address = line_edit("address")
        self.description = QLineEdit()
        self.register_error = error_label()
        form.addRow("类别 / 区域：", hbox(self.kind, self.district))
        form.addRow("来电人：", self.caller)
        form.addRow("联系电话：", self.phone)
        form.addRow("地址：", self.address)
        form.addRow("情况描述：", self.description)
        self.register_button = push_button("登记（计时开始）", self.register, "register")
        form.addRow(self.register_error, self.register_button)
        return box

    # --- actions ------------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            calls = self.service.open_calls()
        except ServiceError as exc:
            self.timer.stop()
            messages.report(self, exc)
            return
        selected = self.current()
        self.model.set_rows(calls)
        if selected is not None:
            for i, c in enumerate(calls):
                if c.id == selected.id:
                    self.table.selectRow(i)

    def current(self) -> CallView | None:
        row = selected_row(self.table)
        return self.model.row(row) if row is not None else None

    def register(self) -> None:
        try:
            self.service.register(kind=self.kind.currentData(), district=self.district.currentData(),
                                  caller_name=self.caller.text(), caller_phone=self.phone.text(),
                                  address=self.address.text(), description=self.description.text())
        except ServiceError as exc:
            show_error(self.register_error, exc.message)
            return
        show_error(self.register_error, "")
        for edit in (self.caller, self.phone, self.address, self.description):
            edit.clear()
        self.refresh()

    def _ask_and_apply(self, dialog: _Dialog, apply) -> None:  # type: ignore[no-untyped-def]
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                apply()
            except ServiceError as exc:
                show_error(dialog.error, exc.message)
                continue
            self.refresh()
            return

    def _chosen_call(self) -> CallView | None:
        return selected_or_ask(self, self.current(), "请先在列表中选择一条报修")

    def dispatch(self) -> None:
        if (call := self._chosen_call()) is None:
            return
        dialog = _Dialog(f"派遣 {call.number}", self)
        crew = line_edit("crew", text=call.crew)
        dialog.form.addRow("抢修班组：", crew)
        self._ask_and_apply(dialog, lambda: self.service.dispatch(call.id, crew.text()))

    def arrive(self) -> None:
        if (call := self._chosen_call()) is None:
            return
        dialog = _Dialog(f"到场 {call.number}", self)
        excuse = choice_box(Excuse.choices(), "excuse")
        note = line_edit("excuse_note")
        dialog.form.addRow("超时原因（可免责）：", excuse)
        dialog.form.addRow("具体情况：", note)
        self._ask_and_apply(dialog, lambda: self.service.arrive(call.id, excuse=excuse.currentData(),
                                                                 excuse_note=note.text()))

    def close_call(self) -> None:
        if (call := self._chosen_call()) is None:
            return
        dialog = _Dialog(f"结案 {call.number}", self)
        result = LongTextEdit()
        result.setObjectName("result")
        first = QCheckBox("一次到场即修复")
        first.setChecked(True)
        dialog.form.addRow("处理结果：", result)
        dialog.form.addRow("", first)
        self._ask_and_apply(dialog, lambda: self.service.close(call.id, result.toPlainText(), first.isChecked()))
