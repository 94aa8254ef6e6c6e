"""The counter's gas-bill page for one customer: bills, balance, payments and readings of an account;
pay the selected bills or prepay, print the receipt (副本 on reprints), a manager's reversal with a
reason, and a reading entered at the counter.

Embed: `BillingPage(ui_session, customer_id, account_id=None)`; a window of its own (Qt.Window) or a tab.
It emits `money_changed(payment_id)` after a payment or reversal and calls `ui_session.notify_changed()`.
`TariffsPanel(ui_session)` is the price list (气价设置) for the settings page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.flows.definition import FieldDef, FieldKind
from gasdesk.permissions import Permission, roles_with
from gasdesk.services.billing import (
    BillingService,
    BillLine,
    BillStatus,
    BillView,
    Rate,
    ReadingOutcome,
    TariffService,
)
from gasdesk.services.customers import AccountView
from gasdesk.services.errors import ServiceError
from gasdesk.services.payments import PaymentView
from gasdesk.services.readings import ReadingService, ReadingView
from gasdesk.services.receipts import ReceiptService
from gasdesk.ui import local_settings, messages
from gasdesk.ui.build import FormDialog, choice_box, date_edit, hbox, line_edit, push_button
from gasdesk.ui.fields import make_editor
from gasdesk.ui.inspection import ClearanceDialog, InspectionBanner, NeedsClearance
from gasdesk.ui.keys import LongTextEdit, give_mnemonics
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    balance_text,
    dt_text,
    fit_to_screen,
    hint_label,
    make_table,
    money_text,
    selected_or_ask,
    title_label,
)
from gasdesk.ui.worker import BackgroundTask, run_blocking, run_task
from gasdesk.vocab import AccountStatus, GasUseType, PaymentKind, PaymentMethod

STATUS_COLORS = {
    BillStatus.UNPAID: ("#b71c1c", "#fde0dc"),
    BillStatus.PARTLY_PAID: ("#7a5200", "#fff1c9"),
    BillStatus.PAID: ("#1b5e20", "#e3f4e4"),
}

BILL_COLUMNS: list[Column[BillView]] = [
    Column("账单号", lambda b: b.number, width=150),
    Column("用气周期", lambda b: f"{b.period_start:%Y-%m-%d} 至 {b.period_end:%Y-%m-%d}", width=190),
    Column("上次读数", lambda b: str(b.previous_reading), width=90, align_right=True),
    Column("本次读数", lambda b: str(b.reading), width=90, align_right=True),
    Column("用气量（m³）", lambda b: str(b.volume), width=95, align_right=True),
    Column("金额（元）", lambda b: money_text(b.amount), width=90, align_right=True),
    Column("已缴（元）", lambda b: money_text(b.paid), width=90, align_right=True),
    Column("未缴（元）", lambda b: money_text(b.outstanding), width=90, align_right=True),
    Column("状态", lambda b: b.status.label, lambda b: STATUS_COLORS[b.status], width=80),
    Column("缴费期", lambda b: f"{b.due_from:%m-%d} 至 {b.due_to:%m-%d}", width=110),
    Column("出账时间", lambda b: dt_text(b.issued_at)),
]

LINE_COLUMNS: list[Column[BillLine]] = [
    Column("阶梯", lambda x: f"第{'一二三'[x.tier - 1]}档", width=70),
    Column("计费日期", lambda x: f"{x.start:%Y-%m-%d} 至 {x.end:%Y-%m-%d}", width=190),
    Column("气量（m³）", lambda x: str(x.volume), width=100, align_right=True),
    Column("单价（元/m³）", lambda x: str(x.price), width=110, align_right=True),
    Column("金额（元）", lambda x: money_text(x.amount), align_right=True),
]


def payment_columns(reversed_ids: set[int]) -> list[Column[PaymentView]]:
    return [
        Column("收据号", lambda p: p.receipt_number, width=150),
        Column("时间", lambda p: dt_text(p.at), width=130),
        Column("类别", lambda p: p.kind.label, width=80),
        Column("项目", lambda p: p.item, width=170),
        Column("金额（元）", lambda p: money_text(p.amount), width=90, align_right=True),
        Column("余额变动", lambda p: money_text(p.balance_effect), width=90, align_right=True),
        Column("方式", lambda p: p.method.label, width=70),
        Column("经办人", lambda p: p.staff_name, width=70),
        Column("冲正", lambda p: "已冲正" if p.id in reversed_ids else "", width=60),
        Column("备注", lambda p: p.note),
    ]


READING_COLUMNS: list[Column[ReadingView]] = [
    Column("抄表日期", lambda r: f"{r.read_on:%Y-%m-%d}", width=95),
    Column("表号", lambda r: r.meter_number, width=110),
    Column("上次读数", lambda r: str(r.previous), width=90, align_right=True),
    Column("本次读数", lambda r: str(r.reading), width=90, align_right=True),
    Column("用气量（m³）", lambda r: str(r.volume), width=95, align_right=True),
    Column("来源", lambda r: r.source.label, width=100),
    Column("账单", lambda r: r.bill_number or "（无用气，不出账）", width=160),
    Column("金额（元）", lambda r: money_text(r.bill_amount), width=90, align_right=True),
    Column("录入人", lambda r: r.staff_name),
]


def _number_field(form: QFormLayout, field: FieldDef, session: UiSession) -> tuple[QLineEdit, QLabel]:
    """An amount or a reading, checked as it is typed (a minus sign is refused beside it), with its
    error line below; named `code` and `code_error`."""
    editor = make_editor(field, now=session.now())
    edit = editor.widget
    assert isinstance(edit, QLineEdit)
    edit.setObjectName(field.code)
    editor.error.setObjectName(f"{field.code}_error")
    form.addRow(f"{field.label}：", edit)
    form.addRow("", editor.error)
    return edit, editor.error


class _TakePaymentDialog(FormDialog):
    """What every counter payment asks: the account, the method, whether to print the receipt; `take()`
    calls the service, a refusal shows under the form and the dialog stays open."""

    def __init__(self, session: UiSession, account: AccountView, title: str, parent: QWidget | None) -> None:
        super().__init__(title, parent)
        self.session, self.account = session, account
        self.payment: PaymentView | None = None

    def finish_payment(self, hint: str = "") -> None:
        self.method = choice_box(((code, label) for code, label in PaymentMethod.choices()
                                  if code != PaymentMethod.TRANSFER), "method")
        self.form.addRow("支付方式：", self.method)
        if hint:
            self.form.addRow(hint_label(hint))
        self.print_receipt = QCheckBox("收款后打印收据")
        self.print_receipt.setObjectName("print_receipt")
        # The clerk's own choice (系统设置 → 我的设置) sets the tick; this payment may differ.
        self.print_receipt.setChecked(local_settings.receipt_mode(self.session.actor.login) != local_settings.RECEIPT_NONE)
        self.form.addRow(self.print_receipt)
        self.finish("收款")

    def take(self, billing: BillingService) -> Callable[[], PaymentView]:
        """The payment as typed, read here on the UI thread, to be taken on a worker thread."""
        raise NotImplementedError

    def submit(self) -> None:
        try:
            billing = BillingService(self.session.app, self.session.actor)
            self.payment = run_blocking(self, self.take(billing))
        except NeedsClearance as exc:
            # An open 一级 safety hazard: a manager confirms at this counter, then the payment is taken.
            clearance = ClearanceDialog(self.session, exc, self.detail(), self)
            clearance.accepted.connect(self.save)
            self.clearance = clearance
            clearance.open()
            raise  # its message stays on the error line meanwhile

    def detail(self) -> str:
        """What the manager is asked to confirm (the amount, for a sale of gas)."""
        return ""


class PayBillsDialog(_TakePaymentDialog):
    """Confirm the bills, their total and the payment method; takes the payment."""

    def __init__(self, session: UiSession, account: AccountView, bills: Sequence[BillView],
                 parent: QWidget | None = None) -> None:
        super().__init__(session, account, "缴纳燃气费", parent)
        self.bills = list(bills)
        total = sum((b.outstanding for b in self.bills), Decimal("0.00"))
        self.form.addRow("燃气账户：", QLabel(account.number))
        listing = QLabel("<br>".join(f"{b.number}　{b.period_start:%Y-%m-%d} 至 {b.period_end:%Y-%m-%d}　"
                                     f"未缴 {money_text(b.outstanding)} 元" for b in self.bills))
        self.form.addRow("账单：", listing)
        self.total_label = QLabel(f"<b>{money_text(total)} 元</b>")
        self.total_label.setObjectName("total")
        self.form.addRow("应收合计：", self.total_label)
        self.finish_payment()

    def take(self, billing: BillingService) -> Callable[[], PaymentView]:
        account_id, bills, method = self.account.id, [b.id for b in self.bills], self.method.currentData()
        return lambda: billing.pay_bills(account_id, bills, method)


class PrepayDialog(_TakePaymentDialog):
    """A deposit of any amount: it pays the oldest unpaid bills first, the rest stays prepaid."""

    def __init__(self, session: UiSession, account: AccountView, parent: QWidget | None = None) -> None:
        super().__init__(session, account, "预存燃气费", parent)
        self.form.addRow("燃气账户：", QLabel(f"{account.number}（{balance_text(account.balance)}）"))
        self.amount, self.amount_error = _number_field(self.form, FieldDef("amount", "金额（元）", FieldKind.MONEY),
                                                       session)
        self.finish_payment("预存款先抵扣未缴账单（从最早的开始），余额留作预存，出新账单时自动抵扣。")

    def take(self, billing: BillingService) -> Callable[[], PaymentView]:
        account_id, amount, method = self.account.id, self.amount.text(), self.method.currentData()
        return lambda: billing.prepay(account_id, amount, method)

    def detail(self) -> str:
        return f"预存 {self.amount.text().strip()} 元"


class ReverseDialog(FormDialog):
    """A manager's reversal: a new, opposite entry with the reason; the original stays."""

    def __init__(self, session: UiSession, payment: PaymentView, parent: QWidget | None = None) -> None:
        super().__init__("冲正收费记录", parent)
        self.session, self.original = session, payment
        self.payment: PaymentView | None = None
        form = self.form
        form.addRow("收据号：", QLabel(payment.receipt_number))
        form.addRow("金额：", QLabel(f"{money_text(payment.amount)} 元（{payment.kind.label}，{payment.method.label}）"))
        self.reason = LongTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("请填写冲正原因（必填）")
        self.reason.setFixedHeight(70)
        form.addRow("冲正原因：", self.reason)
        form.addRow(hint_label("冲正记一笔反向记录，原记录保留；该笔已支付的账单恢复为未缴。"))
        self.print_receipt = QCheckBox("冲正后打印冲正收据（列出原收费和冲正）")
        self.print_receipt.setObjectName("print_receipt")
        self.print_receipt.setChecked(True)
        form.addRow(self.print_receipt)
        self.finish("冲正")

    def submit(self) -> None:
        self.payment = BillingService(self.session.app, self.session.actor).reverse(
            self.original.id, self.reason.toPlainText())


class ReadingDialog(FormDialog):
    """A reading entered at the counter: the bill it makes is shown afterwards."""

    def __init__(self, session: UiSession, meter_number: str, parent: QWidget | None = None) -> None:
        super().__init__("录入表读数", parent, width=400)
        self.session = session
        self.outcome: ReadingOutcome | None = None
        form = self.form
        self.meter = line_edit("meter_number", text=meter_number)
        form.addRow("表号：", self.meter)
        today = session.now().date()
        self.read_on = date_edit(today, "read_on")
        self.read_on.setMaximumDate(QDate(today.year, today.month, today.day))
        form.addRow("抄表日期：", self.read_on)
        self.reading, self.reading_error = _number_field(form, FieldDef("reading", "读数（m³）", FieldKind.READING),
                                                         session)
        self.finish("保存并出账")

    def submit(self) -> None:
        day = self.read_on.date().toPython()
        assert isinstance(day, date)
        self.outcome = ReadingService(self.session.app, self.session.actor).record(
            self.meter.text(), day, self.reading.text())


class BillingPage(QWidget):
    money_changed = Signal(int)

    def __init__(self, session: UiSession, customer_id: int, account_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window if parent is None else Qt.WindowType.Widget)
        self.session, self.customer_id = session, customer_id
        self.service = BillingService(session.app, session.actor)
        self.accounts: list[AccountView] = []
        self.bills: list[BillView] = []
        self.dialog: QDialog | None = None
        self.task: BackgroundTask | None = None
        self.preview: QDialog | None = None
        self.last_pdf: bytes | None = None
        fit_to_screen(self, 1180, 720)

        outer = QVBoxLayout(self)
        self.title = title_label("燃气费")
        self.account_box = QComboBox()
        self.account_box.setObjectName("account")
        self.account_box.setMinimumWidth(260)
        self.balance = QLabel()
        self.balance.setObjectName("balance")
        self.prepay_button = push_button("预存…", self.prepay, "prepay")
        self.refresh_button = push_button("刷新", lambda: self.refresh())
        outer.addLayout(hbox(self.title, 16, QLabel("燃气账户："), self.account_box, self.balance, None,
                             self.prepay_button, self.refresh_button))
        self.banner = InspectionBanner(session)
        outer.addWidget(self.banner)

        self.tabs = QTabWidget()
        # bills
        bills_tab = QWidget()
        bl = QVBoxLayout(bills_tab)
        self.select_unpaid_button = push_button("选中全部未缴", self.select_unpaid)
        self.pay_button = push_button("缴纳所选账单…", self.pay_selected, "pay_bills")
        self.selected_label = QLabel()
        bl.addLayout(hbox(self.select_unpaid_button, self.pay_button, self.selected_label, None,
                          hint_label("账单于抄表次月1日至20日缴纳；预存款自动抵扣新账单。")))
        split = QSplitter(Qt.Orientation.Vertical)
        self.bills_model: RowsModel[BillView] = RowsModel(BILL_COLUMNS)
        self.bills_view = make_table(self.bills_model)
        self.bills_view.setObjectName("bills")
        self.bills_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        split.addWidget(self.bills_view)
        self.lines_model: RowsModel[BillLine] = RowsModel(LINE_COLUMNS)
        self.lines_view = make_table(self.lines_model)
        split.addWidget(self.lines_view)
        split.setSizes([420, 160])
        bl.addWidget(split, 1)
        self.tabs.addTab(bills_tab, "账单")
        # payments
        pay_tab = QWidget()
        pl = QVBoxLayout(pay_tab)
        self.receipt_button = push_button("打印收据", self.print_selected_receipt, "print_receipt")
        self.reverse_button = push_button("冲正…", self.reverse_selected, "reverse")
        # A clerk sees the button greyed, with who may reverse (the permission table says it).
        who = "或".join(r.label for r in roles_with(Permission.REVERSE_PAYMENT))
        self.reverse_hint = hint_label(f"冲正需由{who}办理")
        self.reverse_hint.setObjectName("reverse_hint")
        self.reverse_hint.setWordWrap(False)
        pl.addLayout(hbox(self.receipt_button, self.reverse_button, self.reverse_hint, None))
        self.reversed_ids: set[int] = set()
        self.payments_model: RowsModel[PaymentView] = RowsModel(payment_columns(self.reversed_ids))
        self.payments_view = make_table(self.payments_model)
        self.payments_view.setObjectName("payments")
        pl.addWidget(self.payments_view, 1)
        self.tabs.addTab(pay_tab, "收费记录")
        # readings
        read_tab = QWidget()
        rl = QVBoxLayout(read_tab)
        self.reading_button = push_button("录入读数…", self.enter_reading, "enter_reading")
        rl.addLayout(hbox(self.reading_button, None))
        self.readings_model: RowsModel[ReadingView] = RowsModel(READING_COLUMNS)
        self.readings_view = make_table(self.readings_model)
        rl.addWidget(self.readings_view, 1)
        self.tabs.addTab(read_tab, "抄表记录")
        outer.addWidget(self.tabs, 1)

        can_take = session.can(Permission.TAKE_PAYMENT)
        for b in (self.prepay_button, self.pay_button, self.select_unpaid_button, self.reading_button):
            b.setVisible(can_take)
        self.receipt_button.setVisible(session.can(Permission.PRINT_FORMS))
        can_reverse = session.can(Permission.REVERSE_PAYMENT)
        self.reverse_button.setVisible(can_reverse or can_take)
        self.reverse_button.setEnabled(can_reverse)
        self.reverse_hint.setVisible(not can_reverse and can_take)
        if not can_reverse:
            self.reverse_button.setToolTip(self.reverse_hint.text())

        self.account_box.currentIndexChanged.connect(lambda _i: self.load_account())
        self.bills_view.selectionModel().selectionChanged.connect(lambda *_: self._bills_selected())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, lambda: self.refresh())
        give_mnemonics(self)
        self.refresh(account_id)

    # loading -----------------------------------------------------------------------------------
    @property
    def account(self) -> AccountView | None:
        account_id = self.account_box.currentData()
        return next((a for a in self.accounts if a.id == account_id), None)

    def refresh(self, account_id: int | None = None) -> None:
        keep = account_id if account_id is not None else self.account_box.currentData()
        try:
            customer = self.session.customers.get(self.customer_id)
            self.accounts = [a for a in self.session.customers.accounts(self.customer_id)
                             if a.status is not AccountStatus.APPLYING]
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.setWindowTitle(f"燃气费 - {customer.name}（{customer.number}）")
        self.title.setText(f"燃气费　{customer.name}　{customer.number}")
        self.account_box.blockSignals(True)
        self.account_box.clear()
        for a in self.accounts:
            self.account_box.addItem(f"{a.number}（{a.status.label}）　表号 {a.meter_number or '—'}", a.id)
        index = self.account_box.findData(keep) if keep is not None else -1
        if index < 0:
            open_ones = [i for i, a in enumerate(self.accounts) if a.status is not AccountStatus.CLOSED]
            index = open_ones[0] if open_ones else (0 if self.accounts else -1)
        self.account_box.setCurrentIndex(index)
        self.account_box.blockSignals(False)
        self.load_account()

    def load_account(self) -> None:
        account = self.account
        self.banner.load(account_id=account.id if account is not None else None)
        if account is None:
            self.bills_model.set_rows([])
            self.payments_model.set_rows([])
            self.readings_model.set_rows([])
            self.balance.setText("（没有已开通的燃气账户）")
            for b in (self.prepay_button, self.pay_button, self.reading_button):
                b.setEnabled(False)
            return
        try:
            self.bills = self.service.bills_of(account.id)
            payments = self.service.payments_of(account.id)
            self.reversed_ids.clear()
            self.reversed_ids.update(self.service.reversed_ids(p.id for p in payments))
            readings = ReadingService(self.session.app, self.session.actor).readings_of(account.id)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        color = "#b71c1c" if account.balance < 0 else ("#1b5e20" if account.balance > 0 else "#333333")
        self.balance.setText(f"余额：{balance_text(account.balance)}")
        self.balance.setStyleSheet(f"font-size: 12pt; font-weight: bold; color: {color}; padding-left: 12px;")
        self.bills_model.set_rows(self.bills)
        self.payments_model.set_rows(payments)
        self.readings_model.set_rows(readings)
        unpaid = [b for b in self.bills if b.status is not BillStatus.PAID]
        self.tabs.setTabText(0, f"账单（未缴 {len(unpaid)}）" if unpaid else "账单")
        self.tabs.setTabText(1, f"收费记录（{len(payments)}）")
        self.tabs.setTabText(2, f"抄表记录（{len(readings)}）")
        closed = account.status is AccountStatus.CLOSED
        self.prepay_button.setEnabled(not closed)
        self.reading_button.setEnabled(not closed and bool(account.meter_number))
        self.lines_model.set_rows([])
        self._bills_selected()

    # selection ---------------------------------------------------------------------------------
    def selected_bills(self) -> list[BillView]:
        model = self.bills_view.selectionModel()
        rows = sorted({i.row() for i in model.selectedRows()}) if model else []
        return [self.bills_model.row(r) for r in rows]

    def select_unpaid(self) -> None:
        self.bills_view.clearSelection()
        mode = self.bills_view.selectionMode()
        self.bills_view.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for i, b in enumerate(self.bills_model.rows):
            if b.status is not BillStatus.PAID:
                self.bills_view.selectRow(i)
        self.bills_view.setSelectionMode(mode)

    def _bills_selected(self) -> None:
        chosen = self.selected_bills()
        due = [b for b in chosen if b.status is not BillStatus.PAID]
        total = sum((b.outstanding for b in due), Decimal("0.00"))
        self.selected_label.setText(f"已选 {len(due)} 张未缴账单，合计 {money_text(total)} 元" if due else "")
        self.pay_button.setEnabled(bool(due))
        self.lines_model.set_rows(chosen[0].lines if len(chosen) == 1 else [])

    def selected_payment(self) -> PaymentView | None:
        model = self.payments_view.selectionModel()
        rows = model.selectedRows() if model else []
        return self.payments_model.row(rows[0].row()) if rows else None

    # actions -----------------------------------------------------------------------------------
    def pay_selected(self) -> None:
        account = self.account
        due = [b for b in self.selected_bills() if b.status is not BillStatus.PAID]
        if account is None or not due:
            messages.info(self, "请先在列表中选择要缴纳的未缴账单")
            return
        self._open_payment(PayBillsDialog(self.session, account, due, self))

    def prepay(self) -> None:
        account = self.account
        if account is not None:
            self._open_payment(PrepayDialog(self.session, account, self))

    def reverse_selected(self) -> None:
        payment = selected_or_ask(self, self.selected_payment(), "请先在收费记录中选择要冲正的一笔")
        if payment is None:
            return
        if payment.kind is PaymentKind.REVERSAL or payment.id in self.reversed_ids:
            messages.warn(self, "冲正记录或已冲正的收费不能再冲正")
            return
        self._open_payment(ReverseDialog(self.session, payment, self))

    def _open_payment(self, dialog: PayBillsDialog | PrepayDialog | ReverseDialog) -> None:
        """A dialog that takes or reverses money: after it the page is read again and the receipt printed."""
        dialog.accepted.connect(lambda: self._paid(dialog.payment, dialog.print_receipt.isChecked()))
        self.dialog = dialog
        dialog.open()

    def enter_reading(self) -> None:
        account = self.account
        if account is None:
            return
        dialog = ReadingDialog(self.session, account.meter_number or "", self)
        dialog.accepted.connect(lambda: self._read(dialog))
        self.dialog = dialog
        dialog.open()

    def _read(self, dialog: ReadingDialog) -> None:
        outcome = dialog.outcome
        self.refresh()
        self.session.notify_changed()
        if outcome is not None:
            bill = outcome.bill
            text = (f"已出账单 {bill.number}：用气 {bill.volume} m³，金额 {money_text(bill.amount)} 元"
                    f"（{bill.status.label}）" if bill else "本次无用气量，不出账单")
            messages.info(self, f"读数已保存。{text}")

    def _paid(self, payment: PaymentView | None, print_receipt: bool) -> None:
        self.refresh()
        self.session.notify_changed()
        if payment is None:
            return
        self.money_changed.emit(payment.id)
        if print_receipt:
            direct = local_settings.receipt_mode(self.session.actor.login) == local_settings.RECEIPT_DIRECT
            self.print_receipt(payment.id, payment.receipt_number, direct=direct)

    def print_selected_receipt(self) -> None:
        payment = selected_or_ask(self, self.selected_payment(), "请先在收费记录中选择一笔")
        if payment is not None:
            self.print_receipt(payment.id, payment.receipt_number)

    def print_receipt(self, payment_id: int, receipt_number: str, *, direct: bool = False) -> None:
        """Render on a worker thread, then preview (QtPdf) or, without QtPdf, save as PDF; `direct`
        sends it straight to the default printer when there is one."""
        service = ReceiptService(self.session.app, self.session.actor)
        title = f"收据 {receipt_number}"

        def work(report: object) -> bytes:
            report(10, f"正在生成“{title}”…")  # type: ignore[operator]
            return service.render(payment_id)

        def done(pdf: bytes) -> None:
            from gasdesk.ui.printing import print_directly

            if direct and print_directly(pdf, self):
                self.last_pdf = pdf
                return
            self._show_pdf(pdf, title)

        self.task = run_task(self, work, done, label=f"正在生成“{title}”…")

    def _show_pdf(self, pdf: bytes, title: str) -> None:
        self.last_pdf = pdf
        try:
            from gasdesk.ui.printing import PdfPreviewDialog
        except ImportError:
            path, _ = QFileDialog.getSaveFileName(self, "保存收据", f"{title}.pdf", "PDF 文件 (*.pdf)")
            if path:
                with open(path, "wb") as fh:
                    fh.write(pdf)
            self.refresh()
            return
        preview = PdfPreviewDialog(pdf, title, self, file_name=f"{title}.pdf")
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = preview
        preview.open()


# --- the price list (气价设置): for the settings page ------------------------------------------------

TARIFF_COLUMNS: list[Column[Rate]] = [
    Column("用气性质", lambda r: r.use_label, width=110),
    Column("执行日期", lambda r: f"{r.effective_from:%Y-%m-%d}", width=95),
    Column("第一阶梯上限（m³/年）", lambda r: "" if r.tier1_limit is None else str(r.tier1_limit.normalize()),
           width=150, align_right=True),
    Column("第二阶梯上限（m³/年）", lambda r: "" if r.tier2_limit is None else str(r.tier2_limit.normalize()),
           width=150, align_right=True),
    Column("第一档/单价（元/m³）", lambda r: str(r.price1), width=135, align_right=True),
    Column("第二档", lambda r: "" if r.price2 is None else str(r.price2), width=80, align_right=True),
    Column("第三档", lambda r: "" if r.price3 is None else str(r.price3), width=80, align_right=True),
    Column("说明", lambda r: r.note),
]


class TariffDialog(FormDialog):
    """A new price from a date on (prices are never edited: a later row supersedes)."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__("新增气价", parent)
        self.session = session
        self.rate: Rate | None = None
        form = self.form
        self.use = choice_box(GasUseType.choices(), "gas_use_type")
        form.addRow("用气性质：", self.use)
        self.effective_from = date_edit(session.now().date() + timedelta(days=1), "effective_from")
        form.addRow("执行日期：", self.effective_from)
        self.edits: dict[str, QLineEdit] = {}
        for code, label in (("price1", "第一档/单价（元/m³）"), ("price2", "第二档（元/m³）"), ("price3", "第三档（元/m³）"),
                            ("tier1_limit", "第一阶梯上限（m³/年）"), ("tier2_limit", "第二阶梯上限（m³/年）")):
            self.edits[code] = line_edit(code)
            form.addRow(label + "：", self.edits[code])
        self.note = line_edit(placeholder="如：依据市发改委价格文件")
        form.addRow("说明：", self.note)
        form.addRow(hint_label("居民用气按年度阶梯计价：须填三档价格和两个阶梯上限；其他用气性质只填单价。"
                               "已出账的时段不能改价，执行日期须晚于最后出账日。"))
        self.finish("保存")
        self.use.currentIndexChanged.connect(lambda _i: self._tiers())
        self._tiers()

    def _tiers(self) -> None:
        tiered = self.use.currentData() == GasUseType.RESIDENTIAL
        for code in ("price2", "price3", "tier1_limit", "tier2_limit"):
            self.edits[code].setEnabled(tiered)

    def submit(self) -> None:
        values = {k: (e.text().strip() or None) if e.isEnabled() else None for k, e in self.edits.items()}
        effective_from = self.effective_from.date().toPython()
        assert isinstance(effective_from, date)
        self.rate = TariffService(self.session.app, self.session.actor).add(
            self.use.currentData(), effective_from, values["price1"] or "",
            values["price2"], values["price3"], values["tier1_limit"], values["tier2_limit"], self.note.text())


class TariffsPanel(QWidget):
    """The price list with the date each price takes effect; 新增气价 for whoever may edit the settings."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        self.add_button = push_button("新增气价…", self.add, "add_tariff")
        self.add_button.setVisible(session.can(Permission.EDIT_SETTINGS))
        layout.addLayout(hbox(title_label("气价设置", 11), None, self.add_button))
        self.model: RowsModel[Rate] = RowsModel(TARIFF_COLUMNS)
        self.view = make_table(self.model)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint_label("居民阶梯气量按户、按自然年累计；家庭的年用气基数（气量变更）高于第一阶梯上限时，"
                                    "第一、二阶梯上限同时上调相同的量。价格变动跨抄表周期时按天数拆分气量。"))
        self.refresh()

    def refresh(self) -> None:
        try:
            self.model.set_rows(TariffService(self.session.app, self.session.actor).all())
        except ServiceError as exc:
            messages.report(self, exc)

    def add(self) -> None:
        dialog = TariffDialog(self.session, self)
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
