"""The small form of one action (its fields, a reason when the customer must be told why, a note)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from gasdesk.flows.definition import ActionDef, FieldDef, FieldKind
from gasdesk.services.errors import Conflict, ServiceError
from gasdesk.services.orders import OrderView
from gasdesk.ui import messages
from gasdesk.ui.fields import FieldForm
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import banner, dialog_buttons, error_label, show_error

REASON = FieldDef("reason", "原因（将告知客户）", FieldKind.LONG_TEXT)
NOTE = FieldDef("note", "备注", FieldKind.TEXT, required=False)


class ActionForm(QWidget):
    """Fields of an ActionDef + reason + note; `perform()` takes the action through OrderService."""

    def __init__(self, session: UiSession, action: ActionDef, *, prefill: dict[str, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.action = session, action
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
        self.general_error = error_label()
        layout.addWidget(self.general_error)
        for code, value in (prefill or {}).items():
            if code in self.form.editors:
                self.form.editors[code].set_value(value)

    def perform(self, order: OrderView) -> OrderView | None:
        """Take the action; a refusal is shown beside its field (or as a message) and None returned."""
        self.form.clear_errors()
        show_error(self.general_error, "")
        values = self.form.values()
        reason = str(values.pop("reason", "") or "")
        note = str(values.pop("note", "") or "")
        try:
            return self.session.orders.perform(order.id, self.action.code, values, reason=reason, note=note,
                                               expected_version=order.version)
        except ServiceError as exc:
            if not isinstance(exc, Conflict) and self.form.show_error(exc.field, exc.message):
                return None
            show_error(self.general_error, exc.message)
            messages.report(self, exc)
            return None


class ActionDialog(QDialog):
    """Opened by an action button of the order page or the dispatch queue."""

    performed = Signal(object)

    def __init__(self, session: UiSession, order: OrderView, action: ActionDef, *,
                 prefill: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.order, self.action = order, action
        self.result_view: OrderView | None = None
        self.setWindowTitle(action.label)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        head = QLabel(f"业务单 <b>{order.number}</b>（{order.kind_label}） · 客户：{order.customer_name}<br>"
                      f"当前环节：<b>{order.step_label}</b><br>操作：<b>{action.label}</b>")
        head.setWordWrap(True)
        layout.addWidget(head)
        self.action_form = ActionForm(session, action, prefill=prefill)
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
        self.performed.emit(view)
        self.accept()
