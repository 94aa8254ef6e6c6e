"""The customer page: details (masked per role), accounts with balance and meter, orders, payments."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.customers import AccountView, CustomerView
from gasdesk.services.errors import ServiceError
from gasdesk.services.payments import PaymentView
from gasdesk.services.worklists import WorkItem
from gasdesk.ui import messages
from gasdesk.ui.billing_page import BillingPage
from gasdesk.ui.build import hbox, push_button, value_grid
from gasdesk.ui.inspection import InspectionBanner
from gasdesk.ui.keys import give_mnemonics
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    balance_text,
    dt_text,
    fit_to_screen,
    make_table,
    money_text,
    paint_chip,
    plain_number,
    report_fetch_failures,
    title_label,
)
from gasdesk.ui.worklist_table import work_model
from gasdesk.vocab import CustomerStatus, OrderStatus


def _balance_colors(a: AccountView) -> tuple[str, str] | None:
    if a.balance < 0:
        return ("#b71c1c", "#fde0dc")
    if a.balance > 0:
        return ("#1b5e20", "#e3f4e4")
    return None


ACCOUNT_COLUMNS: list[Column[AccountView]] = [
    Column("燃气账户", lambda a: a.number, width=100),
    Column("状态", lambda a: a.status.label, width=72),
    Column("余额", lambda a: balance_text(a.balance), _balance_colors, width=120),
    Column("表号", lambda a: a.meter_number or "未装表", width=110),
    Column("表型号", lambda a: a.meter_model or "", width=130),
    Column("规格", lambda a: a.meter_rating or "", width=48),
    Column("最近读数（m³）", lambda a: "" if a.last_reading is None else plain_number(a.last_reading), width=104,
           align_right=True),
    Column("开户时间", lambda a: dt_text(a.opened_at), width=122),
    Column("地址", lambda a: a.address),
]

PAYMENT_COLUMNS: list[Column[PaymentView]] = [
    Column("收据号", lambda p: p.receipt_number, width=150),
    Column("时间", lambda p: dt_text(p.at), width=130),
    Column("类别", lambda p: p.kind.label, width=90),
    Column("项目", lambda p: p.item, width=160),
    Column("金额（元）", lambda p: money_text(p.amount), width=100, align_right=True),
    Column("收付", lambda p: "收款" if p.cash_effect > 0 else ("付款" if p.cash_effect < 0 else "—"), width=60),
    Column("方式", lambda p: p.method.label, width=80),
    Column("经办人", lambda p: p.staff_name, width=80),
    Column("备注", lambda p: p.note),
]


class CustomerPage(QWidget):
    def __init__(self, session: UiSession, customer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session, self.customer_id = session, customer_id
        self.customer: CustomerView | None = None
        self.accounts: list[AccountView] = []
        self.dialog: QDialog | None = None
        fit_to_screen(self, 1240, 740)
        outer = QVBoxLayout(self)
        self.title = title_label("")
        self.status_chip = QLabel()
        self.reveal_button = push_button("显示完整证件号", self.reveal)
        self.new_button = push_button("办理新业务…",
                                      lambda: self.session.new_business_requested.emit(None, self.customer_id))
        # Bills, deposits, arrears, receipts and reversals live on one page (gasdesk/ui/billing_page.py).
        self.prepay_button = push_button("燃气费：账单 / 缴费…", self.open_bills, "bills")
        self.refresh_button = push_button("刷新", lambda: self.refresh())
        outer.addLayout(hbox(self.title, self.status_chip, None, self.reveal_button, self.new_button,
                             self.prepay_button, self.refresh_button))
        self.banner = InspectionBanner(session)
        outer.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        details = QGroupBox("客户资料")
        self.details = QGridLayout(details)
        rows = [("number", "客户编号"), ("category", "客户类别"), ("name", "户名"), ("id_type", "证件类型"),
                ("id_number", "证件号码"), ("contact_person", "联系人"), ("phone", "联系电话"), ("phone2", "备用电话"),
                ("address", "用气地址"), ("district", "区域"), ("gas_use_type", "用气性质"),
                ("yearly_allowance", "年用气基数"), ("household_size", "家庭人口"), ("created_at", "建档时间"),
                ("closed_at", "注销时间")]
        self.detail_labels = value_grid(self.details, rows)
        self.details.setRowStretch(len(rows), 1)
        split.addWidget(details)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        acc_box = QGroupBox("燃气账户（余额：正数为预存，负数为欠费）")
        al = QVBoxLayout(acc_box)
        self.accounts_model: RowsModel[AccountView] = RowsModel(ACCOUNT_COLUMNS)
        self.accounts_view = make_table(self.accounts_model)
        self.accounts_view.setMaximumHeight(130)
        al.addWidget(self.accounts_view)
        rl.addWidget(acc_box)
        self.tabs = QTabWidget()
        self.orders_model = work_model(session.now, session.work_calendar)
        self.orders_model.columns = [c for c in self.orders_model.columns if c.title != "客户"]
        self.orders_model.columns.insert(3, Column("状态", lambda w: OrderStatus(w.status).label, width=70))
        self.orders_view = make_table(self.orders_model, stretch=2)
        self.tabs.addTab(self.orders_view, "业务记录")
        self.payments_model: RowsModel[PaymentView] = RowsModel(PAYMENT_COLUMNS)
        report_fetch_failures(self, self.orders_model, self.payments_model)
        self.payments_view = make_table(self.payments_model)
        self.tabs.addTab(self.payments_view, "收费记录")
        rl.addWidget(self.tabs, 1)
        split.addWidget(right)
        split.setSizes([380, 860])
        outer.addWidget(split, 1)

        self.orders_view.activated.connect(self._open_order)  # Enter and the double-click, once
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, lambda: self.refresh())
        QShortcut(QKeySequence("Esc"), self, self.close)
        give_mnemonics(self)
        self.refresh()

    def refresh(self, reveal: bool = False) -> None:
        with self.session.one_action():  # the customer, accounts, orders, payments, warnings: one staff check
            self._read(reveal)

    def _read(self, reveal: bool) -> None:
        try:
            customer = self.session.customers.reveal(self.customer_id) if reveal else \
                self.session.customers.get(self.customer_id)
            self.accounts = self.session.customers.accounts(self.customer_id)
            cid, worklists, payments = self.customer_id, self.session.worklists, self.session.payments
            self.orders_model.set_source(
                lambda offset, limit: worklists.orders_of_customer(cid, limit=limit, offset=offset))
            self.payments_model.set_source(
                lambda offset, limit: payments.for_customer(cid, limit=limit, offset=offset))
            counts = worklists.count_orders_of_customer(cid), payments.count_for_customer(cid)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.show_customer(customer)
        self.banner.load(customer_id=self.customer_id)
        self.accounts_model.set_rows(self.accounts)
        self.tabs.setTabText(0, f"业务记录（{counts[0]}）")
        self.tabs.setTabText(1, f"收费记录（{counts[1]}）")

    def show_customer(self, c: CustomerView) -> None:
        self.customer = c
        self.setWindowTitle(f"客户资料 - {c.name}（{c.number}）")
        self.title.setText(f"{c.name}　{c.number}")
        closed = c.status is CustomerStatus.CLOSED
        paint_chip(self.status_chip, c.status.label, "#757575" if closed else "#2e7d32")
        values = {
            "number": c.number, "category": c.category.label, "name": c.name, "id_type": c.id_type.label,
            "id_number": c.id_number + ("　（已脱敏）" if c.masked else ""), "contact_person": c.contact_person or "—",
            "phone": c.phone, "phone2": c.phone2 or "—", "address": c.address, "district": c.district.label,
            "gas_use_type": c.gas_use_type.label, "yearly_allowance": f"{plain_number(c.yearly_allowance)} m³",
            "household_size": f"{c.household_size} 人" if c.household_size else "—",
            "created_at": dt_text(c.created_at), "closed_at": dt_text(c.closed_at) or "—",
        }
        for key, text in values.items():
            self.detail_labels[key].setText(text)
        self.reveal_button.setVisible(self.session.can(Permission.VIEW_FULL_ID) and c.masked)
        self.new_button.setEnabled(not closed and self.session.can(Permission.OPEN_ORDER))
        self.prepay_button.setVisible(self.session.can(Permission.TAKE_PAYMENT))
        self.prepay_button.setEnabled(bool(self.accounts))

    def reveal(self) -> None:
        self.refresh(reveal=True)

    def open_bills(self) -> BillingPage:
        """The customer's bills, balance and payments: pay bills or deposit, print receipts (燃气费)."""
        page = BillingPage(self.session, self.customer_id)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page.money_changed.connect(lambda _payment_id: self.refresh())
        self.session.adopt(page)
        self.billing = page
        page.show()
        return page

    def _open_order(self, index: object) -> None:
        item: WorkItem = self.orders_model.row(index)  # type: ignore[arg-type]
        self.session.order_requested.emit(item.order_id)
