"""新建业务: one QWizard for every flow, driven by its FlowDef.

flow → customer (existing or new) → documents (the flow's checklist) → form (the flow's open
fields) → confirm (charges and refunds to expect) → the first counter step right away (受理 or the
refusal with its reason) → forms to print. Nothing is written before the confirm page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows import engine as flow_engine
from gasdesk.flows.definition import ActionDef, FieldDef, FieldKind, FlowDef, rules
from gasdesk.flows.registry import WIZARD_DEFAULT
from gasdesk.services.customers import AccountView, CustomerInput, CustomerView, SearchHit
from gasdesk.services.errors import ServiceError
from gasdesk.services.orders import OrderView
from gasdesk.ui import messages, printing
from gasdesk.ui.action_form import ActionForm
from gasdesk.ui.customer_form import CustomerForm
from gasdesk.ui.customer_search import CustomerSearchBox
from gasdesk.ui.fields import FieldForm
from gasdesk.ui.inspection import ClearanceDialog, InspectionBanner, NeedsClearance
from gasdesk.ui.keys import give_mnemonics, let_go
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import balance_text, banner, error_label, hint_label, money_text, show_error
from gasdesk.ui.worker import run_blocking
from gasdesk.validation import ValidationError, check_phone
from gasdesk.vocab import AccountStatus, Channel, CustomerCategory, CustomerStatus, OrderStatus

FLOW_PAGE, CUSTOMER_PAGE, DOCUMENTS_PAGE, FORM_PAGE, CONFIRM_PAGE, FIRST_STEP_PAGE, DONE_PAGE = range(7)
NOTE = FieldDef("note", "备注", FieldKind.LONG_TEXT, required=False)
SKIP = "__skip__"


def missing_documents(flow: FlowDef, ticked: list[str]) -> list[str]:
    return [d.label for d in flow.documents if d.required and d.code not in ticked]


def expected_charges(flow: FlowDef, settings: dict[str, Any], account: AccountView | None,
                     data: dict[str, Any] | None = None) -> list[str]:
    """Fees and settlements the flow will take, read from its definition and the fee schedule (only
    the branch chosen at opening, when a choice named one)."""
    lines: list[str] = []
    for step in flow_engine.reachable_steps(flow, data):
        for action in step.actions:
            for f in action.fields:
                if f.default_setting and f.default_setting.startswith("fees."):
                    lines.append(f"{step.label}：{f.label.replace('（元）', '')} 按收费标准 "
                                 f"{money_text(settings.get(f.default_setting, '0'))} 元（作业完成时收取）")
            money = [{"balance": "all"} if r.name == "settle_balance" else r.kwargs
                     for r in rules(action.effects) if r.name in ("settle_money", "settle_balance")]
            settle = next((m for m in money if m.get("balance")), None)
            if settle is None and any(m.get("reading") for m in money):
                lines.append(f"{step.label}：按当时表读数阶梯计算上次计费以来的气费，计入账户（金额在办理前显示）")
            if settle is not None and settle.get("reading"):
                now = "" if account is None else f"，现账户{balance_text(account.balance)}"
                what = "结清全部余额（退还预存款或收取欠费）" if settle.get("balance") == "all" else "收取欠费"
                lines.append(f"{step.label}：按当时表读数阶梯计算末次气费后{what}{now}；"
                             f"确切金额在办理该环节前逐项显示，核对后收付")
            elif settle is not None:
                if account is None or account.balance == 0:
                    lines.append(f"{step.label}：账户余额为 0，无需退费或收费")
                elif account.balance > 0:
                    lines.append(f"{step.label}：原账户预存款 {money_text(account.balance)} 元将退还客户")
                else:
                    lines.append(f"{step.label}：原账户欠费 {money_text(-account.balance)} 元需先结清")
    return list(dict.fromkeys(lines))


class _Page(QWizardPage):
    """A page of the new-business wizard: `wiz` is the wizard, whose fields collect what the pages read."""

    def __init__(self, wizard: NewOrderWizard, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)


class FlowPage(_Page):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__(wizard, "选择业务类型",
                         "请选择客户要办理的业务（↑↓ 选择，回车下一步）；客户来电办理的，先选“来电”并填写来电号码。")
        outer = QVBoxLayout(self)
        layout = QHBoxLayout()
        outer.addLayout(layout, 1)
        self.list = QListWidget()
        self.list.setObjectName("flow_list")
        for flow in ALL_FLOWS.values():
            item = QListWidgetItem(flow.label)
            item.setData(Qt.ItemDataRole.UserRole, flow.kind)
            self.list.addItem(item)
        self.list.setMaximumWidth(220)
        layout.addWidget(self.list)
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.about, 1)
        outer.addLayout(self._channel_row())
        self.caller_error = error_label()
        outer.addWidget(self.caller_error)
        self.list.currentItemChanged.connect(self._changed)
        # Enter reaches the wizard's 下一步 by itself; a double-click goes on too.
        self.list.itemDoubleClicked.connect(lambda _i: self.wiz.next())

    def _channel_row(self) -> QHBoxLayout:
        """受理方式: 来访 (the customer at the counter) or 来电 with the caller's number (Alt+L, Alt+D)."""
        row = QHBoxLayout()
        row.addWidget(QLabel("受理方式："))
        self.counter_radio = QRadioButton(f"{Channel.COUNTER.label}(&L)")
        self.counter_radio.setObjectName("channel_counter")
        self.phone_radio = QRadioButton(f"{Channel.PHONE.label}(&D)")
        self.phone_radio.setObjectName("channel_phone")
        self.counter_radio.setChecked(True)
        self.caller = QLineEdit()
        self.caller.setObjectName("caller_phone")
        self.caller.setPlaceholderText("来电号码（手机或座机）")
        self.caller.setMaximumWidth(220)
        self.caller.setEnabled(False)
        self.phone_radio.toggled.connect(self._channel_changed)
        for widget in (self.counter_radio, self.phone_radio, QLabel("来电号码："), self.caller):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _channel_changed(self, phone: bool) -> None:
        self.caller.setEnabled(phone)
        show_error(self.caller_error, "")
        if phone:
            self.caller.setFocus()

    def channel(self) -> Channel:
        return Channel.PHONE if self.phone_radio.isChecked() else Channel.COUNTER

    def select(self, kind: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == kind:
                self.list.setCurrentRow(i)

    def kind(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _changed(self, *_: Any) -> None:
        kind = self.kind()
        if kind is None:
            self.about.setText("")
        else:
            flow = ALL_FLOWS[kind]
            who = "、".join(CustomerCategory(c).label for c in flow.categories) or "所有"
            docs = "、".join(d.label + ("" if d.required else "（选交）") for d in flow.documents) or "无需提交资料"
            steps = " → ".join(s.label for s in flow.steps if not s.terminal and not s.customer_wait)
            phone = "可以电话受理，资料在客户到厅时核对" if flow.phone_intake else "须客户到营业厅办理"
            self.about.setText(
                f"<h3>{flow.label}</h3><p><b>适用客户：</b>{who}客户</p><p><b>需提交资料：</b>{docs}</p>"
                f"<p><b>服务承诺：</b>{flow.commitment or '—'}</p><p><b>办理环节：</b>{steps}</p>"
                f"<p><b>来电受理：</b>{phone}</p>")
            self.phone_radio.setEnabled(flow.phone_intake)
            if not flow.phone_intake:
                self.counter_radio.setChecked(True)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.kind() is not None

    def validatePage(self) -> bool:
        kind = self.kind()
        if kind is None:
            return False
        caller = ""
        if self.channel() is Channel.PHONE:
            try:
                caller = check_phone(self.caller.text())
            except ValidationError as exc:
                show_error(self.caller_error, f"来电号码：{exc.message}")
                self.caller.setFocus()
                return False
        show_error(self.caller_error, "")
        self.wiz.flow = ALL_FLOWS[kind]
        self.wiz.channel, self.wiz.caller_phone = self.channel(), caller
        return True


class CustomerPage(_Page):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__(wizard, "选择或新建客户")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.existing_radio = QRadioButton("已有客户（查询选择）(&Y)")
        self.new_radio = QRadioButton("新建客户(&X)")
        self.existing_radio.setChecked(True)
        row.addWidget(self.existing_radio)
        row.addWidget(self.new_radio)
        row.addStretch(1)
        layout.addLayout(row)
        self.stack = QStackedWidget()
        search_side = QWidget()
        sl = QVBoxLayout(search_side)
        sl.setContentsMargins(0, 0, 0, 0)
        self.search = CustomerSearchBox(wizard.session, compact=True)
        sl.addWidget(self.search, 1)
        account_row = QHBoxLayout()
        self.account_label = QLabel("办理账户：")
        self.account_combo = QComboBox()
        self.account_combo.setObjectName("account_combo")
        account_row.addWidget(self.account_label)
        account_row.addWidget(self.account_combo, 1)
        sl.addLayout(account_row)
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)
        sl.addWidget(self.chosen)
        self.banner = InspectionBanner(wizard.session)
        sl.addWidget(self.banner)
        self.stack.addWidget(search_side)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.form = CustomerForm()
        scroll.setWidget(self.form)
        self.stack.addWidget(scroll)
        layout.addWidget(self.stack, 1)
        self.error = error_label()
        layout.addWidget(self.error)
        self.new_radio.toggled.connect(self._new_toggled)
        self.search.selected.connect(self._selected)
        self.search.opened.connect(lambda _id: self.wiz.next())  # a double-click (Enter reaches 下一步 itself)
        self.form.edited.connect(self.wiz.mark_edited)
        self.accounts: list[AccountView] = []
        self.wanted_account: int | None = None

    def _new_toggled(self, on: bool) -> None:
        self.stack.setCurrentIndex(1 if on else 0)
        first = self.form.category if on else self.search.edit
        QTimer.singleShot(0, first.setFocus)

    def first_focus(self) -> QWidget:
        return self.form.category if self.new_radio.isChecked() else self.search.edit

    def initializePage(self) -> None:
        flow = self.wiz.flow
        assert flow is not None
        self.setSubTitle(f"{flow.label}：请查询并选择客户" + (
            "，或新建客户。" if flow.account_statuses is None else "（本业务需要客户已有燃气账户）。"))
        self.new_radio.setEnabled(flow.account_statuses is None)
        if flow.account_statuses is not None:
            self.existing_radio.setChecked(True)
        self.form.set_categories(flow.categories)
        needs_account = flow.account_statuses is not None
        self.account_label.setVisible(needs_account)
        self.account_combo.setVisible(needs_account)
        show_error(self.error, "")
        draft = self.wiz.draft_part("customer")
        if draft.get("new") and self.new_radio.isEnabled():
            self.new_radio.setChecked(True)
            self.form.set_values(draft.get("fields") or {})
        self.wanted_account = draft.get("account_id")
        if self.wiz.preset_customer is not None and not self.search.model.query:
            self.search.edit.setText(self.wiz.preset_customer.number)
            self.search.search_now()
        self._selected(self.search.current_hit())
        self.search.edit.setFocus()

    def _selected(self, hit: SearchHit | None) -> None:
        self.account_combo.clear()
        self.accounts = []
        flow = self.wiz.flow
        if hit is None or flow is None:
            self.chosen.setText("")
            self.banner.show_warnings([])
            return
        self.banner.load(customer_id=hit.customer.id)
        try:
            self.accounts = self.wiz.session.customers.accounts(hit.customer.id)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        for a in self.accounts:
            if flow.account_statuses and a.status in flow.account_statuses:
                self.account_combo.addItem(f"{a.number}（{a.status.label}，{balance_text(a.balance)}，"
                                           f"表号 {a.meter_number or '未装表'}）", a.id)
        if self.wanted_account is not None and self.account_combo.findData(self.wanted_account) >= 0:
            self.account_combo.setCurrentIndex(self.account_combo.findData(self.wanted_account))
        c = hit.customer
        self.chosen.setText(f"已选择：<b>{c.name}</b>（{c.number}，{c.category.label}，{c.status.label}）　{c.address}")

    def nextId(self) -> int:
        flow = self.wiz.flow
        # A call's documents are checked when the customer comes in (客户到厅), not now.
        calls = self.wiz.channel is Channel.PHONE
        return DOCUMENTS_PAGE if flow is not None and flow.documents and not calls else FORM_PAGE

    def validatePage(self) -> bool:
        flow = self.wiz.flow
        assert flow is not None
        show_error(self.error, "")
        if self.new_radio.isChecked():
            data = self.form.check()
            if data is None:
                return False
            self.wiz.new_customer = data
            self.wiz.customer = None
            self.wiz.account = None
            return True
        hit = self.search.current_hit()
        if hit is None:
            show_error(self.error, "请先查询并选中一位客户，或选择“新建客户”")
            return False
        c = hit.customer
        if c.status is not CustomerStatus.ACTIVE:
            show_error(self.error, "该客户已注销，不能办理新业务")
            return False
        if flow.categories and c.category not in flow.categories:
            allowed = "、".join(CustomerCategory(x).label for x in flow.categories)
            show_error(self.error, f"“{flow.label}”只适用于{allowed}客户，{c.name}是{c.category.label}客户")
            return False
        account = None
        if flow.account_statuses is not None:
            if self.account_combo.count() == 0:
                wanted = "、".join(AccountStatus(s).label for s in flow.account_statuses)
                show_error(self.error, f"该客户没有{wanted}的燃气账户，不能办理“{flow.label}”")
                return False
            account_id = self.account_combo.currentData()
            account = next(a for a in self.accounts if a.id == account_id)
        self.wiz.customer, self.wiz.account, self.wiz.new_customer = c, account, None
        return True


class DocumentsPage(_Page):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__(wizard, "核对客户提交的资料", "请逐项核对原件并勾选客户已提交的资料。")
        self.layout_ = QVBoxLayout(self)
        self.box = QWidget()
        self.box_layout = QVBoxLayout(self.box)
        self.layout_.addWidget(self.box)
        self.warning = banner("", "warning")
        self.layout_.addWidget(self.warning)
        self.layout_.addStretch(1)
        self.checks: dict[str, QCheckBox] = {}
        self._built_for: str | None = None

    def initializePage(self) -> None:
        flow = self.wiz.flow
        assert flow is not None
        if self._built_for != flow.kind:
            for box in self.checks.values():
                let_go(box)
            self.checks = {}
            for d in flow.documents:
                box = QCheckBox(d.label + ("（必需）" if d.required else "（选交）"))
                box.setObjectName(f"doc_{d.code}")
                box.toggled.connect(self._update)
                box.clicked.connect(self.wiz.mark_edited)
                self.box_layout.addWidget(box)
                self.checks[d.code] = box
            self._built_for = flow.kind
        for code in self.wiz.draft_part("documents") or []:
            if code in self.checks:
                self.checks[code].setChecked(True)
        self._update()

    def first_focus(self) -> QWidget | None:
        return next(iter(self.checks.values()), None)

    def ticked(self) -> list[str]:
        return [code for code, box in self.checks.items() if box.isChecked()]

    def _update(self) -> None:
        flow = self.wiz.flow
        missing = missing_documents(flow, self.ticked()) if flow else []
        self.warning.setVisible(bool(missing))
        self.warning.setText("缺少必需资料：" + "、".join(missing) +
                             "。可以继续登记，但受理时将被拒绝，需按“不予受理/资料不符”办理并告知客户原因。")

    def validatePage(self) -> bool:
        self.wiz.documents = self.ticked()
        return True


class FormPage(_Page):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__(wizard, "填写申请内容")
        self.layout_ = QVBoxLayout(self)
        self.form: FieldForm | None = None
        self._built_for: str | None = None
        self._filled_for: tuple[str, ...] | None = None
        self.general_error = error_label()

    def initializePage(self) -> None:
        flow = self.wiz.flow
        assert flow is not None
        self.setSubTitle(f"{flow.label}：带“选填”的项目可以不填。多行内容按 Ctrl+回车 换行，回车进入下一步。")
        if self._built_for != flow.kind:
            if self.form is not None:
                let_go(self.form)
            s = self.wiz.session
            self.form = FieldForm(flow.open_fields + (NOTE,), now=s.now(), settings=s.settings(),
                                  departments=s.departments())
            self.form.edited.connect(self.wiz.mark_edited)
            self.layout_.insertWidget(0, self.form)
            if self.layout_.indexOf(self.general_error) < 0:
                self.layout_.addWidget(self.general_error)
                self.layout_.addStretch(1)
            self._built_for = flow.kind
            self._filled_for = None
            for code, value in (self.wiz.draft_part("data") or {}).items():
                if code in self.form.editors:
                    self.form.editors[code].set_value(value)
        show_error(self.general_error, "")
        self._fill_from_customer()

    def _fill_from_customer(self) -> None:
        """Fields the customer's own details answer (联系电话), for the customer chosen now."""
        w, form = self.wiz, self.form
        assert form is not None
        key: tuple[str, ...]
        if w.customer is not None:
            c = w.customer
            values, masked, key = {"phone": c.phone, "phone2": c.phone2, "name": c.name, "address": c.address}, \
                c.masked, ("customer", str(c.id))
        elif w.new_customer is not None:
            n = w.new_customer
            values, masked, key = {"phone": n.phone, "phone2": n.phone2, "name": n.name, "address": n.address}, \
                False, ("new", n.name, n.phone)
        else:
            return
        if key == self._filled_for:
            return
        self._filled_for = key
        form.from_customer.clear()
        form.fill_from_customer(values, masked)

    def first_focus(self) -> QWidget | None:
        if self.form is None:
            return None
        return next((e.widget for e in self.form.editors.values()), None)

    def validatePage(self) -> bool:
        flow = self.wiz.flow
        assert flow is not None and self.form is not None
        values = self.form.checked_values(self.general_error)
        if values is None:
            return False
        note = str(values.pop("note", "") or "")
        # A field left empty for the customer's own value is filled by the service.
        fields = tuple(f for f in flow.open_fields if f.code in values or f.code not in self.form.from_customer)
        try:
            flow_engine.read_fields(fields, values)
        except flow_engine.ActionRefused as exc:
            if not self.form.show_error(exc.field, exc.message):
                show_error(self.general_error, exc.message)
            return False
        self.wiz.data, self.wiz.note = values, note
        return True


class ConfirmPage(_Page):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__(wizard, "确认并提交", "请与客户核对以下内容；提交后生成业务受理单。")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "提交受理(&S)")
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.summary)
        layout.addWidget(scroll, 1)

    def initializePage(self) -> None:
        w = self.wiz
        flow = w.flow
        assert flow is not None
        if w.customer is not None:
            who = f"{w.customer.name}（{w.customer.number}，{w.customer.category.label}）　{w.customer.address}"
        else:
            assert w.new_customer is not None
            who = f"新客户：{w.new_customer.name}（{CustomerCategory(w.new_customer.category).label}）　" \
                  f"{w.new_customer.address}"
        rows = [("业务", flow.label), ("客户", who)]
        if w.channel is Channel.PHONE:
            waits = "资料待客户到厅时核对原件，" if flow.documents else ""
            rows.append(("受理方式", f"来电（{w.caller_phone}）<br><span style='color:#7a4f01'>{waits}"
                                     "需客户签字的单据在客户到厅（来访）后打印</span>"))
        else:
            rows.append(("受理方式", Channel.COUNTER.label))
        if w.account is not None:
            rows.append(("燃气账户", f"{w.account.number}（{w.account.status.label}，{balance_text(w.account.balance)}）"))
        if flow.documents and w.channel is not Channel.PHONE:
            have = [d.label for d in flow.documents if d.code in w.documents]
            rows.append(("已交资料", "、".join(have) or "无"))
            missing = missing_documents(flow, w.documents)
            if missing:
                rows.append(("缺少资料", f"<span style='color:#b71c1c'>{'、'.join(missing)}</span>"))
        labels = {f.code: f for f in flow.open_fields}
        for code, value in w.data.items():
            f = labels.get(code)
            if f is not None:
                text = dict(f.choices).get(value, dict(w.session.departments()).get(value, value))
                rows.append((f.label, str(text)))
        form = w.form_page.form
        for code in sorted(form.from_customer if form is not None else ()):
            if code not in w.data:
                rows.append((labels[code].label, "客户登记的号码（办理时自动填入）"))
        if w.note:
            rows.append(("备注", w.note))
        charges = expected_charges(flow, w.session.settings(), w.account, w.data)
        if charges:
            rows.append(("收费与退费", "<br>".join(charges)))
        if flow.commitment:
            rows.append(("服务承诺", flow.commitment))
        self.summary.setText("<table cellspacing='6'>" + "".join(
            f"<tr><td style='color:#5f6b7a' valign='top'>{k}：</td><td>{v}</td></tr>" for k, v in rows) + "</table>")

    def validatePage(self) -> bool:
        return self.wiz.open_order()


class FirstStepPage(_Page):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__(wizard, "办理第一个环节")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "确定办理(&S)")
        self.layout_ = QVBoxLayout(self)
        self.head = QLabel()
        self.head.setWordWrap(True)
        self.layout_.addWidget(self.head)
        self.warning = banner("", "warning")
        self.layout_.addWidget(self.warning)
        self.choices = QVBoxLayout()
        self.layout_.addLayout(self.choices)
        self.stack = QStackedWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.stack)
        self.layout_.addWidget(scroll, 1)
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        self.forms: dict[str, ActionForm] = {}

    def initializePage(self) -> None:
        order = self.wiz.order
        assert order is not None
        self.setSubTitle(f"业务单 {order.number} 已登记，当前环节：{order.step_label}。可以立即办理，也可以稍后在业务单页面办理。")
        self.head.setText(f"<b>{order.step_label}</b>")
        for radio in self.radios.values():
            self.group.removeButton(radio)
            let_go(radio)
        while self.stack.count():
            widget = self.stack.widget(0)
            assert widget is not None
            self.stack.removeWidget(widget)
            let_go(widget)
        self.radios, self.forms = {}, {}
        missing = missing_documents(order.flow, order.documents)
        awaited = order.awaiting_visit and bool(missing)  # a call: the documents come with the customer
        preferred: str | None = None
        actions = [a for a in order.actions if a.code != flow_engine.CANCEL.code]
        for action in actions:
            blocked = bool(missing) and action.has_guard("documents_complete")
            text = action.label + (f"　（资料待客户到厅核对：{'、'.join(missing)}）" if blocked and awaited else
                                   f"　（资料不齐全，缺少：{'、'.join(missing)}，将被拒绝）" if blocked else "")
            prefill = ({"reason": "资料不齐全，缺少：" + "、".join(missing)}
                       if missing and action.needs_reason and not awaited else {})
            self._add_choice(action.code, text, ActionForm(self.wiz.session, action, prefill=prefill))
            self.radios[action.code].setEnabled(not blocked)
            if missing and not awaited and preferred is None and action.needs_reason:
                preferred = action.code
            # The first action that fits what was registered (a complaint is not an enquiry answered).
            if not missing and preferred is None and not blocked and action.suggested_for(order.data):
                preferred = action.code
        self._add_choice(SKIP, "暂不办理，稍后在业务单页面继续", QLabel("业务单已保存，可在工作台或客户资料中打开继续办理。"))
        self.warning.setVisible(bool(missing))
        if awaited:
            self.warning.setText("来电受理：客户到厅时在业务单页面点“客户到厅…”核对资料（" + "、".join(missing)
                                 + "）后继续办理；在此之前计时暂停（客户原因）。")
        else:
            self.warning.setText("客户资料不齐全（缺少：" + "、".join(missing) + "），不能受理，"
                                 "请按不予受理（或资料不符）办理并将原因告知客户。")
        if not actions:
            self.head.setText(f"<b>{order.step_label}</b>：该环节不由您的岗位办理，业务已转交相关岗位。")
        self.radios[preferred or SKIP].setChecked(True)
        self._tab_order()
        give_mnemonics(self)

    def _tab_order(self) -> None:
        """As the page reads: the choices, then the chosen one's fields (the forms are made before
        their choice's button, which would put each form's fields before its button)."""
        chain: list[QWidget] = list(self.radios.values())
        for form in self.forms.values():
            chain += [e.widget for e in form.form.editors.values()]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    def first_focus(self) -> QWidget | None:
        """The chosen action's first field when it has one to fill, else the choice itself (↑↓ choose)."""
        form = self.forms.get(self.chosen())
        if form is not None and any(e.field.required for e in form.form.editors.values()):
            return next(iter(form.form.editors.values())).widget
        return self.radios.get(self.chosen())

    def _add_choice(self, code: str, text: str, widget: QWidget) -> None:
        radio = QRadioButton(text)
        radio.setObjectName(f"first_{code}")
        self.group.addButton(radio)
        self.choices.addWidget(radio)
        self.radios[code] = radio
        if isinstance(widget, ActionForm):
            self.forms[code] = widget
            widget.form.edited.connect(self.wiz.mark_edited)
        index = self.stack.addWidget(widget)

        def toggled(on: bool, i: int = index) -> None:
            if on:
                self.stack.setCurrentIndex(i)

        radio.toggled.connect(toggled)

    def chosen(self) -> str:
        for code, radio in self.radios.items():
            if radio.isChecked():
                return code
        return SKIP

    def validatePage(self) -> bool:
        code = self.chosen()
        if code == SKIP:
            return True
        assert self.wiz.order is not None
        view = self.forms[code].perform(self.wiz.order)
        if view is None:
            return False
        self.wiz.order = view
        self.wiz.session.notify_changed()
        return True


class DonePage(_Page):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__(wizard, "办理完成")
        layout = QVBoxLayout(self)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        self.forms_box = QWidget()
        self.forms_layout = QVBoxLayout(self.forms_box)
        self.forms_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.forms_box)
        self.open_button = QPushButton("打开业务单(&O)")
        self.open_button.setObjectName("open_order")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.open_button.clicked.connect(self._open)
        self.printer = printing.FormPrinter(wizard.session, self)
        self.print_buttons: dict[str, QPushButton] = {}

    def initializePage(self) -> None:
        order = self.wiz.order
        assert order is not None
        text = f"业务单 <b>{order.number}</b>（{order.kind_label}）　当前：<b>{order.step_label}</b>　状态：{order.status.label}"
        if order.status is OrderStatus.REJECTED:
            text += f"<br><span style='color:#b71c1c'>已不予受理，原因：{order.reason}</span><br>请打印不予受理告知书交给客户。"
        self.result.setText(text)
        while self.forms_layout.count():
            item = self.forms_layout.takeAt(0)
            if item is not None and (widget := item.widget()):
                let_go(widget)
        self.print_buttons = {}
        if not printing.available():
            self.forms_layout.addWidget(hint_label("打印模块尚未安装：可稍后在业务单页面打印单据。"))
            return
        forms = []
        try:
            forms = printing.forms_for(self.wiz.session, order.id)
        except Exception as exc:  # noqa: BLE001 - printing must not break the wizard
            messages.report(self, exc)
        self.forms_layout.addWidget(QLabel("可打印的单据："))
        grid = QFormLayout()
        if forms:
            self.print_all_button = QPushButton(f"打印全部单据（{len(forms)} 份，一次打印）…")
            self.print_all_button.setObjectName("print_all")
            self.print_all_button.clicked.connect(lambda: self.printer.print_all(order.id, order.number))
            grid.addRow(self.print_all_button)
        for f in forms:
            button = QPushButton(f"打印预览：{f.label or f.title}")
            button.setAutoDefault(False)
            key = f.code if f.payment_id is None else f"{f.code}_{f.payment_id}"
            button.setObjectName(f"print_{key}")
            button.setEnabled(not f.withheld)
            button.clicked.connect(
                lambda _=False, f=f: self.printer.render(order.id, f.code, f.title, f.payment_id))
            self.print_buttons[key] = button
            grid.addRow(button)
        holder = QWidget()
        holder.setLayout(grid)
        self.forms_layout.addWidget(holder)
        give_mnemonics(self)  # clear of the wizard's own buttons

    def first_focus(self) -> QWidget | None:
        return self.wiz.button(QWizard.WizardButton.FinishButton)

    def _open(self) -> None:
        if self.wiz.order is not None:
            self.wiz.session.order_requested.emit(self.wiz.order.id)
            self.wiz.accept()


BUTTON_TEXTS = ((QWizard.WizardButton.BackButton, "‹ 上一步(&B)"), (QWizard.WizardButton.NextButton, "下一步(&N) ›"),
                (QWizard.WizardButton.FinishButton, "完成(&F)"), (QWizard.WizardButton.CancelButton, "取消(&C)"),
                (QWizard.WizardButton.CommitButton, "提交(&S)"))
CLOSE_BEFORE_SUBMIT = ("已填写的内容尚未提交。\n关闭后保存为草稿，下次打开“新建业务”时可以继续办理。\n确定关闭吗？")
CLOSE_AFTER_SUBMIT = "业务单已登记，但本环节填写的内容尚未办理。\n确定放弃这些内容并关闭吗？"


class NewOrderWizard(QWizard):
    """Enter goes forward on every page (下一步 / 提交 / 完成 are the default button, 上一步 and 取消 are
    reached by Alt+B and Esc only); what is typed is kept as the clerk's draft until submitted."""

    def __init__(self, session: UiSession, *, kind: str | None = None, customer_id: int | None = None,
                 parent: QWidget | None = None, draft: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.draft = draft or {}
        self.edited = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(1500)
        self._save_timer.timeout.connect(self.save_draft)
        self.flow: FlowDef | None = None
        self.customer: CustomerView | None = None
        self.new_customer: CustomerInput | None = None
        self.created_customer: CustomerView | None = None
        self.account: AccountView | None = None
        self.documents: list[str] = []
        self.data: dict[str, Any] = {}
        self.note = ""
        self.channel = Channel.COUNTER
        self.caller_phone = ""
        self.order: OrderView | None = None
        self.preset_customer: CustomerView | None = None
        self.setWindowTitle("新建业务")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        for which, text in BUTTON_TEXTS:
            self.setButtonText(which, text)
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            button = self.button(which)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never reached by Tab, never made default by focus
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        self.resize(960, 660)
        self.flow_page = FlowPage(self)
        self.customer_page = CustomerPage(self)
        self.documents_page = DocumentsPage(self)
        self.form_page = FormPage(self)
        self.confirm_page = ConfirmPage(self)
        self.first_step_page = FirstStepPage(self)
        self.done_page = DonePage(self)
        for pid, page in ((FLOW_PAGE, self.flow_page), (CUSTOMER_PAGE, self.customer_page),
                          (DOCUMENTS_PAGE, self.documents_page), (FORM_PAGE, self.form_page),
                          (CONFIRM_PAGE, self.confirm_page), (FIRST_STEP_PAGE, self.first_step_page),
                          (DONE_PAGE, self.done_page)):
            self.setPage(pid, page)
        customer_id = self.draft.get("customer", {}).get("id") or customer_id
        if customer_id is not None:
            try:
                self.preset_customer = session.customers.get(customer_id)
            except ServiceError as exc:
                messages.report(parent, exc)
        self.flow_page.select(self.draft.get("kind") or kind or WIZARD_DEFAULT)
        if self.draft.get("channel") == Channel.PHONE and self.flow_page.phone_radio.isEnabled():
            self.flow_page.phone_radio.setChecked(True)
            self.flow_page.caller.setText(str(self.draft.get("caller_phone") or ""))
        self.flow_page.phone_radio.toggled.connect(self.mark_edited)
        self.flow_page.caller.textEdited.connect(self.mark_edited)
        self.currentIdChanged.connect(self._page_changed)

    # focus and drafts -------------------------------------------------------------------------
    def _page_changed(self, page_id: int) -> None:
        if page_id < 0:  # closing
            return
        give_mnemonics(self)  # the buttons a page made since (the search box's 查询, the forms to print)
        page = self.page(page_id)
        first = getattr(page, "first_focus", None)
        widget = first() if first is not None else None
        if widget is not None:
            QTimer.singleShot(0, widget.setFocus)
        if self.order is None and self.edited:
            self.save_draft()

    def mark_edited(self, *_: Any) -> None:
        self.edited = True
        if self.order is None:
            self._save_timer.start()

    def draft_part(self, key: str) -> Any:
        """What the resumed draft holds for a page (applied once)."""
        return self.draft.pop(key, None) or ({} if key == "customer" else None)

    def draft_data(self) -> dict[str, Any]:
        """Everything typed so far, to resume from (nothing of it is in the database yet)."""
        page = self.customer_page
        new = page.new_radio.isChecked()
        hit = page.search.current_hit()
        form = self.form_page.form
        values = form.values() if form is not None and self.form_page._built_for == (self.flow and self.flow.kind) else {}
        customer = self.customer or (hit.customer if hit is not None and not new else None)
        return {
            "kind": self.flow.kind if self.flow else self.flow_page.kind(),
            "channel": str(self.flow_page.channel()), "caller_phone": self.flow_page.caller.text().strip(),
            "page": self.currentId(),
            "saved_at": self.session.now().isoformat(timespec="minutes"),
            "customer": {"new": new, "fields": page.form.values() if new else {},
                         "id": customer.id if customer is not None and not new else None,
                         "account_id": page.account_combo.currentData(),
                         "label": page.form.edit("name").text() if new else (customer.name if customer else "")},
            "documents": self.documents_page.ticked(),
            "data": values,
        }

    def save_draft(self) -> None:
        self._save_timer.stop()
        if self.order is None and self.edited and self.currentId() >= 0:
            self.session.drafts.save(self.draft_data())

    def resume(self, page_id: int) -> None:
        """Walk forward to where the draft was left (never past the confirm page: nothing is written)."""
        target = min(page_id, CONFIRM_PAGE)
        while self.currentId() < target:
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break

    def reject(self) -> None:
        """Esc or the close box: typed input is not thrown away without asking; before submission it
        stays as the clerk's draft."""
        if self.currentId() == DONE_PAGE or not self.edited:
            if self.order is not None:
                self.session.drafts.discard()
            super().reject()
            return
        if self.order is None:
            if not messages.ask(self, CLOSE_BEFORE_SUBMIT):
                return
            self.save_draft()
        elif not messages.ask(self, CLOSE_AFTER_SUBMIT):
            return
        super().reject()

    def discard_draft(self) -> None:
        self._save_timer.stop()
        self.session.drafts.discard()

    def open_order(self) -> bool:
        """Create the new customer (once) and open the order; False keeps the wizard on its page."""
        flow = self.flow
        assert flow is not None
        s = self.session
        try:
            if self.customer is None:
                if self.created_customer is None:
                    assert self.new_customer is not None
                    new = self.new_customer
                    self.created_customer = run_blocking(self, lambda: s.customers.create(new))
                customer_id = self.created_customer.id
            else:
                customer_id = self.customer.id
            account_id = self.account.id if self.account else None
            documents = [] if self.channel is Channel.PHONE else self.documents
            self.order = run_blocking(self, lambda: s.orders.open(
                flow.kind, customer_id, account_id=account_id, documents=documents, data=self.data,
                note=self.note, channel=self.channel, caller_phone=self.caller_phone))
        except NeedsClearance as exc:
            # An open 一级 safety hazard: a manager confirms, then the order is submitted again.
            clearance = ClearanceDialog(s, exc, flow.label, self)
            clearance.accepted.connect(self.next)
            self.clearance = clearance
            clearance.open()
            return False
        except ServiceError as exc:
            messages.report(self, exc)
            return False
        self.discard_draft()  # submitted: the draft has done its work
        self.edited = False
        s.notify_changed()
        return True

    def current_action_form(self) -> ActionForm | None:
        return self.first_step_page.forms.get(self.first_step_page.chosen())


__all__ = ["ActionDef", "NewOrderWizard"]
