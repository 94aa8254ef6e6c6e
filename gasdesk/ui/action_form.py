"""The small form of one action (its fields, a reason when the customer must be told why, a note)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget, QWizard

from gasdesk.flows.definition import ActionDef, FieldDef, FieldKind
from gasdesk.flows.rules import Settlement
from gasdesk.reports.forms.receipt import settlement_rows
from gasdesk.services.errors import Conflict, ServiceError, SessionEnded
from gasdesk.services.orders import OrderView
from gasdesk.ui import messages, printing
from gasdesk.ui.build import dialog_buttons
from gasdesk.ui.fields import FieldForm
from gasdesk.ui.keys import GuardedDialog
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import banner, error_label, show_error
from gasdesk.ui.worker import run_blocking

REASON = FieldDef("reason", "原因（将告知客户）", FieldKind.LONG_TEXT)
NOTE = FieldDef("note", "备注", FieldKind.TEXT, required=False)


def settlement_html(plan: Settlement) -> str:
    """The money an action will move, row by row as the receipt prints it."""
    rows = settlement_rows(plan.as_json())
    lines = [f"{escape(k)}：{escape(v)}" for k, v in rows]
    lines[-2] = f"<b>{lines[-2]}</b>"  # the total: what changes hands
    return "<b>收退费明细（办理前核对）</b><br>" + "<br>".join(lines)


class ActionForm(QWidget):
    """Fields of an ActionDef + reason + note; `perform()` takes the action through OrderService.

    For an action that moves money (a settlement, a final reading, a fee) the form shows the amounts
    before the action is taken (OrderService.preview), and perform() pays only that amount."""

    def __init__(self, session: UiSession, action: ActionDef, *, prefill: dict[str, Any] | None = None,
                 order: OrderView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.action, self.order = session, action, order
        self.plan: Settlement | None = None
        extra = ((REASON,) if action.needs_reason else ()) + (NOTE,)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if action.needs_reason:
            text = "请填写原因，原因将记入业务单并打印在告知书上交给客户。"
            if action.target == "rejected":
                text = "本操作将结束业务（不予受理）。" + text
            layout.addWidget(banner(text, "warning"))
        self.form = FieldForm(action.fields + extra, now=session.now(), settings=session.settings(),
                              departments=session.departments())
        layout.addWidget(self.form)
        self.money = QLabel()
        self.money.setObjectName("settlement")
        self.money.setTextFormat(Qt.TextFormat.RichText)
        self.money.setWordWrap(False)  # one fact a line; a wrapped label mis-sizes its dialog
        self.money.setVisible(False)
        layout.addWidget(self.money)
        self.general_error = error_label()
        layout.addWidget(self.general_error)
        for code, value in (prefill or {}).items():
            if code in self.form.editors:
                self.form.editors[code].set_value(value)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh_money)
        for editor in self.form.editors.values():
            widget = editor.widget
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _t: self._timer.start())
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i: self._timer.start())
        if order is not None:
            self.refresh_money()

    def set_order(self, order: OrderView) -> None:
        self.order = order
        self.refresh_money()

    def refresh_money(self) -> None:
        """Price the action with what is typed now; an entry not yet valid shows nothing to pay."""
        self.plan = None
        if self.order is None:
            return
        values = {k: v for k, v in self.form.values().items() if k not in ("reason", "note")}
        try:
            self.plan = self.session.orders.preview(self.order.id, self.action.code, values)
        except ServiceError as exc:
            self.money.setText(f"<span style='color:#8e1c1c'>暂不能计算收退费：{escape(exc.message)}</span>")
            self.money.setVisible(True)
            self._fit()
            return
        if self.plan is None:
            self.money.setVisible(False)
            return
        self.money.setText(settlement_html(self.plan))
        self.money.setVisible(True)
        self._fit()

    def _fit(self) -> None:
        """A dialog grows to show the whole breakdown (a wizard page scrolls instead)."""
        window = self.window()
        if isinstance(window, QDialog) and not isinstance(window, QWizard):
            window.adjustSize()

    def perform(self, order: OrderView) -> OrderView | None:
        """Take the action; a refusal is shown beside its field (or as a message) and None returned."""
        values = self.form.checked_values(self.general_error)
        if values is None:
            return None
        reason = str(values.pop("reason", "") or "")
        note = str(values.pop("note", "") or "")
        if self.order is not None and self._timer.isActive():
            # Typed just now: the amounts on screen may not be those of what is typed. When they change,
            # show them first and let the clerk confirm again.
            self._timer.stop()
            shown = self.plan.due if self.plan is not None else None
            self.refresh_money()
            if self.plan is not None and self.plan.due != shown:
                show_error(self.general_error, "收退费金额已按刚输入的内容重新计算，请与客户核对后再确定")
                return None
        expected_due = self.plan.due if self.plan is not None else None
        try:
            # Off the UI thread: a busy database shows the busy indicator, never a frozen window.
            return run_blocking(self, lambda: self.session.orders.perform(
                order.id, self.action.code, values, reason=reason, note=note, expected_version=order.version,
                expected_due=expected_due))
        except ServiceError as exc:
            if not isinstance(exc, Conflict) and self.form.show_error(exc.field, exc.message):
                return None
            if isinstance(exc, Conflict | SessionEnded):  # the order or the sign-in changed: a message to read
                messages.report(self, exc)
            else:  # once, under the form: no box repeating the red line
                show_error(self.general_error, exc.message)
            return None


class ActionDialog(GuardedDialog):
    """Opened by an action button of the order page or the dispatch queue."""

    performed = Signal(object)

    def __init__(self, session: UiSession, order: OrderView, action: ActionDef, *,
                 prefill: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.order, self.action = order, action
        self.result_view: OrderView | None = None
        self.receipt_printer: printing.FormPrinter | None = None
        self.setWindowTitle(action.label)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        head = QLabel(f"业务单 <b>{order.number}</b>（{order.kind_label}） · 客户：{order.customer_name}<br>"
                      f"当前环节：<b>{order.step_label}</b><br>操作：<b>{action.label}</b>")
        head.setWordWrap(True)
        layout.addWidget(head)
        self.action_form = ActionForm(session, action, prefill=prefill, order=order)
        layout.addWidget(self.action_form)
        layout.addStretch(1)
        self.buttons = dialog_buttons("确定办理")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.ok_button = self.buttons.findChild(QWidget, "ok")

    @property
    def form(self) -> FieldForm:
        return self.action_form.form

    def submit(self) -> None:
        view = self.action_form.perform(self.order)
        if view is None:
            return
        self.result_view = view
        if self.action_form.plan is not None:  # money moved: its receipt, as the clerk chose
            self.receipt_printer = printing.print_new_receipts(self.action_form.session, self.parentWidget() or self,
                                                               view.id, view.number)
        self.performed.emit(view)
        self.accept()
