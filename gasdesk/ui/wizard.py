"""新建业务: one QWizard for every flow, driven by its FlowDef.

flow → customer (existing or new) → documents (the flow's checklist) → form (the flow's open
fields) → confirm (charges and refunds to expect) → the first counter step right away (受理 or the
refusal with its reason) → forms to print. Nothing is written before the confirm page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
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
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import balance_text, banner, error_label, hint_label, money_text, show_error
from gasdesk.ui.worker import run_blocking
from gasdesk.vocab import AccountStatus, CustomerCategory, CustomerStatus, OrderStatus

FLOW_PAGE, CUSTOMER_PAGE, DOCUMENTS_PAGE, FORM_PAGE, CONFIRM_PAGE, FIRST_STEP_PAGE, DONE_PAGE = range(7)
NOTE = FieldDef("note", "备注", FieldKind.LONG_TEXT, required=False)
SKIP = "__skip__"


def missing_documents(flow: FlowDef, ticked: list[str]) -> list[str]:
    return [d.label for d in flow.documents if d.required and d.code not in ticked]


def expected_charges(flow: FlowDef, settings: dict[str, Any], account: AccountView | None) -> list[str]:
    """Fees and settlements the flow will take, read from its definition and the fee schedule."""
    lines: list[str] = []
    for step in flow.steps:
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


class FlowPage(QWizardPage):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("选择业务类型")
        self.setSubTitle("请选择客户要办理的业务（↑↓ 选择，回车下一步）。")
        layout = QHBoxLayout(self)
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
        self.list.currentItemChanged.connect(self._changed)
        self.list.itemActivated.connect(lambda _i: self.wiz.next())

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
            self.about.setText(
                f"<h3>{flow.label}</h3><p><b>适用客户：</b>{who}客户</p><p><b>需提交资料：</b>{docs}</p>"
                f"<p><b>服务承诺：</b>{flow.commitment or '—'}</p><p><b>办理环节：</b>{steps}</p>")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.kind() is not None

    def validatePage(self) -> bool:
        kind = self.kind()
        if kind is None:
            return False
        self.wiz.flow = ALL_FLOWS[kind]
        return True


class CustomerPage(QWizardPage):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("选择或新建客户")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.existing_radio = QRadioButton("已有客户（查询选择）")
        self.new_radio = QRadioButton("新建客户")
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
        self.stack.addWidget(search_side)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.form = CustomerForm()
        scroll.setWidget(self.form)
        self.stack.addWidget(scroll)
        layout.addWidget(self.stack, 1)
        self.error = error_label()
        layout.addWidget(self.error)
        self.new_radio.toggled.connect(lambda on: self.stack.setCurrentIndex(1 if on else 0))
        self.search.selected.connect(self._selected)
        self.search.opened.connect(lambda _id: self.wiz.next())
        self.accounts: list[AccountView] = []

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
            return
        try:
            self.accounts = self.wiz.session.customers.accounts(hit.customer.id)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        for a in self.accounts:
            if flow.account_statuses and a.status in flow.account_statuses:
                self.account_combo.addItem(f"{a.number}（{a.status.label}，{balance_text(a.balance)}，"
                                           f"表号 {a.meter_number or '未装表'}）", a.id)
        c = hit.customer
        self.chosen.setText(f"已选择：<b>{c.name}</b>（{c.number}，{c.category.label}，{c.status.label}）　{c.address}")

    def nextId(self) -> int:
        flow = self.wiz.flow
        return DOCUMENTS_PAGE if flow is not None and flow.documents else FORM_PAGE

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


class DocumentsPage(QWizardPage):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("核对客户提交的资料")
        self.setSubTitle("请逐项核对原件并勾选客户已提交的资料。")
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
                box.deleteLater()
            self.checks = {}
            for d in flow.documents:
                box = QCheckBox(d.label + ("（必需）" if d.required else "（选交）"))
                box.setObjectName(f"doc_{d.code}")
                box.toggled.connect(self._update)
                self.box_layout.addWidget(box)
                self.checks[d.code] = box
            self._built_for = flow.kind
        self._update()

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


class FormPage(QWizardPage):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("填写申请内容")
        self.layout_ = QVBoxLayout(self)
        self.form: FieldForm | None = None
        self._built_for: str | None = None
        self.general_error = error_label()

    def initializePage(self) -> None:
        flow = self.wiz.flow
        assert flow is not None
        self.setSubTitle(f"{flow.label}：带“选填”的项目可以不填。")
        if self._built_for != flow.kind:
            if self.form is not None:
                self.form.deleteLater()
            s = self.wiz.session
            self.form = FieldForm(flow.open_fields + (NOTE,), now=s.now(), settings=s.settings(),
                                  departments=s.departments())
            self.layout_.insertWidget(0, self.form)
            if self.layout_.indexOf(self.general_error) < 0:
                self.layout_.addWidget(self.general_error)
                self.layout_.addStretch(1)
            self._built_for = flow.kind

    def validatePage(self) -> bool:
        flow = self.wiz.flow
        assert flow is not None and self.form is not None
        self.form.clear_errors()
        values = self.form.values()
        note = str(values.pop("note", "") or "")
        try:
            flow_engine.read_fields(flow.open_fields, values)
        except flow_engine.ActionRefused as exc:
            if not self.form.show_error(exc.field, exc.message):
                show_error(self.general_error, exc.message)
            return False
        self.wiz.data, self.wiz.note = values, note
        return True


class ConfirmPage(QWizardPage):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("确认并提交")
        self.setSubTitle("请与客户核对以下内容；提交后生成业务受理单。")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "提交受理")
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
        if w.account is not None:
            rows.append(("燃气账户", f"{w.account.number}（{w.account.status.label}，{balance_text(w.account.balance)}）"))
        if flow.documents:
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
        if w.note:
            rows.append(("备注", w.note))
        charges = expected_charges(flow, w.session.settings(), w.account)
        if charges:
            rows.append(("收费与退费", "<br>".join(charges)))
        if flow.commitment:
            rows.append(("服务承诺", flow.commitment))
        self.summary.setText("<table cellspacing='6'>" + "".join(
            f"<tr><td style='color:#5f6b7a' valign='top'>{k}：</td><td>{v}</td></tr>" for k, v in rows) + "</table>")

    def validatePage(self) -> bool:
        return self.wiz.open_order()


class FirstStepPage(QWizardPage):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("办理第一个环节")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "确定办理")
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
            radio.deleteLater()
        while self.stack.count():
            widget = self.stack.widget(0)
            assert widget is not None
            self.stack.removeWidget(widget)
            widget.deleteLater()
        self.radios, self.forms = {}, {}
        missing = missing_documents(order.flow, order.documents)
        preferred: str | None = None
        actions = [a for a in order.actions if a.code != flow_engine.CANCEL.code]
        for action in actions:
            blocked = bool(missing) and action.has_guard("documents_complete")
            text = action.label + (f"　（资料不齐全，缺少：{'、'.join(missing)}，将被拒绝）" if blocked else "")
            prefill = {"reason": "资料不齐全，缺少：" + "、".join(missing)} if missing and action.needs_reason else {}
            self._add_choice(action.code, text, ActionForm(self.wiz.session, action, prefill=prefill))
            self.radios[action.code].setEnabled(not blocked)
            if missing and preferred is None and action.needs_reason:
                preferred = action.code
            if not missing and preferred is None and not blocked:
                preferred = action.code
        self._add_choice(SKIP, "暂不办理，稍后在业务单页面继续", QLabel("业务单已保存，可在工作台或客户资料中打开继续办理。"))
        self.warning.setVisible(bool(missing))
        self.warning.setText("客户资料不齐全（缺少：" + "、".join(missing) + "），不能受理，"
                             "请按不予受理（或资料不符）办理并将原因告知客户。")
        if not actions:
            self.head.setText(f"<b>{order.step_label}</b>：该环节不由您的岗位办理，业务已转交相关岗位。")
        self.radios[preferred or SKIP].setChecked(True)

    def _add_choice(self, code: str, text: str, widget: QWidget) -> None:
        radio = QRadioButton(text)
        radio.setObjectName(f"first_{code}")
        self.group.addButton(radio)
        self.choices.addWidget(radio)
        self.radios[code] = radio
        if isinstance(widget, ActionForm):
            self.forms[code] = widget
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


class DonePage(QWizardPage):
    def __init__(self, wizard: NewOrderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("办理完成")
        layout = QVBoxLayout(self)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        self.forms_box = QWidget()
        self.forms_layout = QVBoxLayout(self.forms_box)
        self.forms_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.forms_box)
        self.open_button = QPushButton("打开业务单")
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
                widget.deleteLater()
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
            key = f.code if f.payment_id is None else f"{f.code}_{f.payment_id}"
            button.setObjectName(f"print_{key}")
            button.clicked.connect(
                lambda _=False, f=f: self.printer.render(order.id, f.code, f.title, f.payment_id))
            self.print_buttons[key] = button
            grid.addRow(button)
        holder = QWidget()
        holder.setLayout(grid)
        self.forms_layout.addWidget(holder)

    def _open(self) -> None:
        if self.wiz.order is not None:
            self.wiz.session.order_requested.emit(self.wiz.order.id)
            self.wiz.accept()


class NewOrderWizard(QWizard):
    def __init__(self, session: UiSession, *, kind: str | None = None, customer_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.flow: FlowDef | None = None
        self.customer: CustomerView | None = None
        self.new_customer: CustomerInput | None = None
        self.created_customer: CustomerView | None = None
        self.account: AccountView | None = None
        self.documents: list[str] = []
        self.data: dict[str, Any] = {}
        self.note = ""
        self.order: OrderView | None = None
        self.preset_customer: CustomerView | None = None
        self.setWindowTitle("新建业务")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        for button, text in ((QWizard.WizardButton.BackButton, "< 上一步"), (QWizard.WizardButton.NextButton, "下一步 >"),
                             (QWizard.WizardButton.FinishButton, "完成"), (QWizard.WizardButton.CancelButton, "取消"),
                             (QWizard.WizardButton.CommitButton, "提交")):
            self.setButtonText(button, text)
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
        if customer_id is not None:
            try:
                self.preset_customer = session.customers.get(customer_id)
            except ServiceError as exc:
                messages.report(parent, exc)
        self.flow_page.select(kind or WIZARD_DEFAULT)

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
            self.order = run_blocking(self, lambda: s.orders.open(
                flow.kind, customer_id, account_id=account_id, documents=self.documents, data=self.data,
                note=self.note))
        except ServiceError as exc:
            messages.report(self, exc)
            return False
        s.notify_changed()
        return True

    def current_action_form(self) -> ActionForm | None:
        return self.first_step_page.forms.get(self.first_step_page.chosen())


__all__ = ["ActionDef", "NewOrderWizard"]
