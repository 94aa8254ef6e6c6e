"""银行代收代扣: the bank channel's page, in five tabs.

* 代扣协议 (counter): find a gas account by its number, see its agreements, sign one (bank, branch,
  holder, card number — checked by the bank's rules, shown masked), print the 协议书, suspend, resume,
  change or cancel it.
* 代扣批次 (managers): the month's count and total before the file is made, the debit file written on
  a worker thread with progress and 取消, the transmittal sheet, the return imported (all or nothing,
  every problem listed), the file again, a run withdrawn.
* 代收导入 (managers): a bank's collection file.
* 对账 (managers): per run and per day, with the differences.
* 欠费催缴 (counter): accounts in arrears after the payment window by district and address, printed
  as one PDF with progress and 取消, and the list of what was printed.

File choices go through `ask_open_path` / `ask_save_path` (a file dialog), which tests replace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.bank import (
    AgreementView,
    ArrearsCandidate,
    BankService,
    DayReconciliation,
    Difference,
    FileRefused,
    ImportResult,
    NoticePrinted,
    ReportLine,
    RunReconciliation,
    RunView,
)
from gasdesk.ui import messages
from gasdesk.ui.build import choice_box, date_edit, hbox, line_edit, push_button
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    dt_text,
    hint_label,
    make_table,
    money_text,
    outcome_banner,
    selected_row,
    title_label,
)
from gasdesk.ui.worker import BackgroundTask, run_task
from gasdesk.vocab import District

AGREEMENT_COLUMNS: list[Column[AgreementView]] = [
    Column("协议编号", lambda a: a.number, width=150),
    Column("银行", lambda a: a.bank_name, width=170),
    Column("开户网点", lambda a: a.branch, width=130),
    Column("户名", lambda a: a.holder, width=80),
    Column("银行账号", lambda a: a.masked_account, width=170),
    Column("签订日期", lambda a: a.signed_on.isoformat(), width=90),
    Column("状态", lambda a: a.status.label, width=70),
    Column("原因", lambda a: a.reason),
]
RUN_COLUMNS: list[Column[RunView]] = [
    Column("批次号", lambda r: r.number, width=150),
    Column("银行", lambda r: r.bank_name, width=170),
    Column("账期", lambda r: r.month, width=70),
    Column("状态", lambda r: r.status.label, width=110),
    Column("送盘笔数", lambda r: str(r.count), align_right=True, width=70),
    Column("送盘金额", lambda r: money_text(r.total), align_right=True, width=100),
    Column("成功", lambda r: f"{r.paid_count} / {money_text(r.paid_total)}", align_right=True, width=120),
    Column("失败", lambda r: f"{r.failed_count} / {money_text(r.failed_total)}", align_right=True, width=110),
    Column("转预存", lambda r: f"{r.credited_count} / {money_text(r.credited_total)}", align_right=True, width=100),
    Column("制盘人", lambda r: r.created_by),
]
REPORT_COLUMNS: list[Column[ReportLine]] = [
    Column("行号", lambda r: str(r.line) if r.line else "整个文件", align_right=True, width=70),
    Column("账单号", lambda r: r.bill_number, width=150),
    Column("户号", lambda r: r.account_number, width=100),
    Column("金额", lambda r: money_text(r.amount) if r.amount else "", align_right=True, width=90),
    Column("结果", lambda r: r.outcome, width=120),
    Column("说明", lambda r: r.note),
]
RECON_COLUMNS: list[Column[RunReconciliation]] = [
    Column("批次号", lambda r: r.run_number, width=140),
    Column("银行", lambda r: r.bank_name, width=110),
    Column("账期", lambda r: r.month, width=60),
    Column("状态", lambda r: r.status, width=60),
    Column("送盘", lambda r: f"{r.sent_count} / {money_text(r.sent_total)}", align_right=True, width=110),
    Column("回盘", lambda r: f"{r.returned_count} / {money_text(r.returned_total)}", align_right=True, width=110),
    Column("成功", lambda r: f"{r.paid_count} / {money_text(r.paid_total)}", align_right=True, width=110),
    Column("失败", lambda r: f"{r.failed_count} / {money_text(r.failed_total)}", align_right=True, width=100),
    Column("转预存", lambda r: f"{r.credited_count} / {money_text(r.credited_total)}", align_right=True, width=90),
    Column("已入账", lambda r: money_text(r.booked_total), align_right=True, width=90),
    Column("入账差额", lambda r: money_text(r.difference), align_right=True,
           colors=lambda r: ("#8e1c1c", "#fdecea") if r.difference else None),
]
DAY_COLUMNS: list[Column[DayReconciliation]] = [
    Column("日期", lambda d: d.day.isoformat(), width=90),
    Column("渠道", lambda d: d.channel, width=80),
    Column("银行/批次", lambda d: d.bank_name, width=170),
    Column("笔数", lambda d: str(d.count), align_right=True, width=60),
    Column("金额", lambda d: money_text(d.total), align_right=True, width=100),
    Column("付账单", lambda d: money_text(d.to_bills), align_right=True, width=100),
    Column("转预存", lambda d: money_text(d.to_balance), align_right=True),
]
DIFF_COLUMNS: list[Column[Difference]] = [
    Column("批次/流水", lambda d: d.run_number, width=150),
    Column("账单号", lambda d: d.bill_number, width=150),
    Column("户号", lambda d: d.account_number, width=100),
    Column("金额", lambda d: money_text(d.amount), align_right=True, width=90),
    Column("情况", lambda d: d.what),
]
CANDIDATE_COLUMNS: list[Column[ArrearsCandidate]] = [
    Column("户号", lambda c: c.account_number, width=100),
    Column("户名", lambda c: c.customer_name, width=90),
    Column("电话", lambda c: c.phone, width=110),
    Column("片区", lambda c: c.district, width=50),
    Column("欠费账单", lambda c: str(c.bills), align_right=True, width=70),
    Column("欠费金额", lambda c: money_text(c.owed), align_right=True, width=90),
    Column("用气地址", lambda c: c.address),
]
PRINTED_COLUMNS: list[Column[NoticePrinted]] = [
    Column("批次", lambda n: n.batch, width=140),
    Column("打印时间", lambda n: dt_text(n.printed_at), width=130),
    Column("户号", lambda n: n.account_number, width=100),
    Column("户名", lambda n: n.customer_name, width=90),
    Column("范围", lambda n: n.area, width=120),
    Column("欠费金额", lambda n: money_text(n.owed), align_right=True, width=90),
    Column("打印人", lambda n: n.staff_name),
]


def _day(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def _problems(exc: FileRefused) -> list[ReportLine]:
    return [ReportLine(line, "", "", Decimal("0"), "拒收", text) for line, text in exc.problems]


T = TypeVar("T")


class BankPage(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.service = BankService(session.app, session.actor)
        self.task: BackgroundTask | None = None
        self.cancel: threading.Event | None = None
        self.preview: Any = None
        self.account_id: int | None = None
        self.last_import: ImportResult | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("银行代收代扣"))
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.banks = self.service.banks()
        self.tabs.addTab(self._agreements_tab(), "代扣协议")
        self.manager = session.can(Permission.BANK_FILES)
        if self.manager:
            self.tabs.addTab(self._runs_tab(), "代扣批次")
            self.tabs.addTab(self._collection_tab(), "代收导入")
            self.tabs.addTab(self._reconcile_tab(), "对账")
        self.tabs.addTab(self._notices_tab(), "欠费催缴")

    # -- shared ---------------------------------------------------------------------------------------
    def _bank_combo(self) -> QComboBox:
        combo = QComboBox()
        for i, b in enumerate(self.banks):
            combo.addItem(b.name, b.code)
            combo.setItemData(i, f"文件格式：{b.format_text}", Qt.ItemDataRole.ToolTipRole)
        return combo

    def ask_open_path(self, title: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self, title, "", "银行文件 (*.txt *.dat *.ret *.return *.collection);;全部文件 (*)")
        return path

    def ask_save_path(self, title: str, name: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, name, "银行文件 (*)")
        return path

    def show_pdf(self, pdf: bytes, title: str, file_name: str) -> None:
        from gasdesk.ui.printing import PdfPreviewDialog

        self.preview = PdfPreviewDialog(pdf, title, self, file_name=file_name)
        self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview.show()

    def _work(self, fn: Any, done: Any, label: str) -> None:
        self.cancel = threading.Event()
        self.task = run_task(self, fn, done, label=label, cancel=self.cancel, on_failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, FileRefused):
            self.report_model.set_rows(_problems(exc))
            self.summary.setText(exc.message + "。问题见下表。")
            self.summary.setVisible(True)
        messages.report(self, exc)

    # -- 代扣协议 ---------------------------------------------------------------------------------------
    def _agreements_tab(self) -> QWidget:
        tab = QWidget()
        v = QVBoxLayout(tab)
        find = QHBoxLayout()
        self.account_edit = line_edit("account", "燃气户号，如 A000000001")
        self.find_button = push_button("查找", self.find_account)
        self.account_label = QLabel("")
        find.addWidget(QLabel("燃气户号"))
        find.addWidget(self.account_edit)
        find.addWidget(self.find_button)
        find.addWidget(self.account_label, 1)
        v.addLayout(find)
        self.agreements_model: RowsModel[AgreementView] = RowsModel(AGREEMENT_COLUMNS)
        self.agreements_view = make_table(self.agreements_model)
        self.agreements_view.setMaximumHeight(150)
        v.addWidget(self.agreements_view)
        self.print_agreement_button = push_button("打印协议书", self.print_agreement)
        self.suspend_button = push_button("暂停代扣…", lambda: self.set_status("suspended"))
        self.resume_button = push_button("恢复代扣", lambda: self.set_status("active"))
        self.cancel_agreement_button = push_button("撤销协议…", lambda: self.set_status("cancelled"))
        v.addLayout(hbox(self.print_agreement_button, self.suspend_button, self.resume_button,
                         self.cancel_agreement_button, None))
        form = QFormLayout()
        self.bank_combo = self._bank_combo()
        self.branch_edit = QLineEdit()
        self.holder_edit = QLineEdit()
        self.card_edit = line_edit(placeholder="银行卡号（只填数字，可用空格分组）")
        self.phone_edit = QLineEdit()
        self.signed_edit = date_edit(self.session.now().date())
        for label, w in (("签约银行", self.bank_combo), ("开户网点", self.branch_edit), ("账户户名", self.holder_edit),
                         ("银行账号", self.card_edit), ("联系电话", self.phone_edit), ("签订日期", self.signed_edit)):
            form.addRow(label, w)
        v.addLayout(form)
        self.sign_button = push_button("办理签约", self.sign, "sign")
        self.change_button = push_button("变更为以上账户", self.change)
        v.addLayout(hbox(self.sign_button, self.change_button, None))
        v.addWidget(hint_label("银行账号按所选银行的卡号长度和校验位检查；列表和日志中只显示前四位和后四位，"
                               "协议书上印全号供客户核对签字。有已送银行、尚未回盘账单的协议不能变更或撤销。"))
        v.addStretch(1)
        allowed = self.session.can(Permission.TAKE_PAYMENT)
        for button in (self.sign_button, self.change_button, self.suspend_button, self.resume_button,
                       self.cancel_agreement_button):
            button.setEnabled(allowed)
        self.account_edit.returnPressed.connect(self.find_account)
        return tab

    def find_account(self) -> None:
        try:
            aid, number, name, address = self.service.find_account(self.account_edit.text())
        except Exception as exc:  # noqa: BLE001 - shown to the clerk
            messages.report(self, exc)
            return
        self.account_id = aid
        self.account_label.setText(f"{number}　{name}　{address}")
        if not self.holder_edit.text():
            self.holder_edit.setText(name)
        self.refresh_agreements()

    def refresh_agreements(self) -> None:
        if self.account_id is not None:
            self.agreements_model.set_rows(self.service.agreements_of(self.account_id))
            if self.agreements_model.rows:
                self.agreements_view.selectRow(0)

    def _selected(self, view: QTableView, model: RowsModel[T], what: str) -> T | None:
        """The row selected in `view`; with none, a warning asks the clerk to choose `what` first."""
        row = selected_row(view)
        if row is None:
            messages.warn(self, f"请先在列表中选择{what}")
            return None
        return model.row(row)

    def _agreement(self) -> AgreementView | None:
        return self._selected(self.agreements_view, self.agreements_model, "一份协议")

    def sign(self) -> None:
        if self.account_id is None:
            messages.warn(self, "请先输入燃气户号并查找")
            return
        try:
            a = self.service.open_agreement(
                self.account_id, bank=str(self.bank_combo.currentData()), branch=self.branch_edit.text(),
                holder=self.holder_edit.text(), bank_account=self.card_edit.text(), phone=self.phone_edit.text(),
                signed_on=_day(self.signed_edit))
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)
            return
        self.card_edit.clear()
        self.refresh_agreements()
        messages.info(self, f"已签订代扣协议 {a.number}（{a.bank_name}，{a.masked_account}），请打印协议书交客户签字。")

    def change(self) -> None:
        a = self._agreement()
        if a is None:
            return
        try:
            self.service.change_agreement(a.id, branch=self.branch_edit.text(), holder=self.holder_edit.text(),
                                          bank_account=self.card_edit.text(), phone=self.phone_edit.text(),
                                          version=a.version)
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)
            return
        self.card_edit.clear()
        self.refresh_agreements()

    def set_status(self, status: str) -> None:
        a = self._agreement()
        if a is None:
            return
        reason = ""
        if status != "active":
            reason, ok = QInputDialog.getText(self, "原因", "请填写原因：")
            if not ok:
                return
        try:
            self.service.set_status(a.id, status, reason, version=a.version)
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)
            return
        self.refresh_agreements()

    def print_agreement(self) -> None:
        a = self._agreement()
        if a is not None:
            self._print(lambda: self.service.render_agreement(a.id), f"委托银行代扣协议书 {a.number}",
                        f"代扣协议-{a.number}.pdf")

    def _print(self, render: Callable[[], bytes], title: str, file_name: str) -> None:
        """A sheet rendered by the service and previewed; a refusal is shown instead."""
        try:
            pdf = render()
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)
            return
        self.show_pdf(pdf, title, file_name)

    # -- 代扣批次 ---------------------------------------------------------------------------------------
    def _runs_tab(self) -> QWidget:
        tab = self.runs_tab = QWidget()
        v = QVBoxLayout(tab)
        self.run_bank = self._bank_combo()
        self.month_edit = line_edit("month", text=self._last_month())
        self.month_edit.setMaximumWidth(90)
        self.preview_button = push_button("核对笔数金额", self.preview_run)
        self.create_button = push_button("生成代扣文件…", self.create_run, "create")
        v.addLayout(hbox(QLabel("银行"), self.run_bank, QLabel("账期"), self.month_edit, self.preview_button,
                         self.create_button, None))
        self.preview_label = QLabel("")
        self.preview_label.setObjectName("preview")
        v.addWidget(self.preview_label)
        self.runs_model: RowsModel[RunView] = RowsModel(RUN_COLUMNS)
        self.runs_view = make_table(self.runs_model)
        v.addWidget(self.runs_view, 2)
        self.import_button = push_button("导入回盘文件…", self.import_return, "import")
        self.transmittal_button = push_button("打印交接单", self.print_transmittal)
        self.export_again_button = push_button("再次导出文件…", self.export_again)
        self.withdraw_button = push_button("撤回批次…", self.withdraw)
        v.addLayout(hbox(self.import_button, self.transmittal_button, self.export_again_button,
                         self.withdraw_button, None))
        self.summary = outcome_banner("summary")
        v.addWidget(self.summary)
        self.report_model: RowsModel[ReportLine] = RowsModel(REPORT_COLUMNS)
        self.report_view = make_table(self.report_model)
        v.addWidget(self.report_view, 1)
        self.refresh_runs()
        return tab

    def _last_month(self) -> str:
        today = self.session.now().date()
        year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
        return f"{year}-{month:02d}"

    def refresh_runs(self) -> None:
        self.runs_model.set_rows(self.service.runs())

    def refresh(self) -> None:
        if self.manager:
            self.refresh_runs()
        self.refresh_agreements()

    def _run(self) -> RunView | None:
        return self._selected(self.runs_view, self.runs_model, "一个代扣批次")

    def preview_run(self) -> bool:
        try:
            p = self.service.preview_run(str(self.run_bank.currentData()), self.month_edit.text().strip())
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)
            return False
        self.preview_label.setText(f"{p.bank_name} {p.month}：可代扣 {p.count} 笔，合计 {money_text(p.total)} 元")
        return p.count > 0

    def create_run(self) -> None:
        if not self.preview_run():
            messages.warn(self, "没有可代扣的账单")
            return
        if not messages.ask(self, f"{self.preview_label.text()}。生成代扣文件？"):
            return
        bank, month = str(self.run_bank.currentData()), self.month_edit.text().strip()
        service = self.service

        def work(report: Any) -> tuple[RunView, bytes]:
            return service.create_run(bank, month, progress=report, cancel=self.cancel)

        def done(result: tuple[RunView, bytes]) -> None:
            run, data = result
            self.refresh_runs()
            self.runs_view.selectRow(0)
            self._save(run.file_name, data)
            self.summary.setText(f"已生成代扣批次 {run.number}：{run.count} 笔，合计 {money_text(run.total)} 元。"
                                 "请打印交接单随文件送交银行。")
            self.summary.setVisible(True)

        self._work(work, done, "正在生成代扣文件…")

    def _save(self, name: str, data: bytes) -> None:
        path = self.ask_save_path("保存代扣文件", name)
        if not path:
            return
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            messages.warn(self, f"保存失败：{exc}")

    def export_again(self) -> None:
        run = self._run()
        if run is None:
            return
        try:
            name, data = self.service.run_file(run.id)
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)
            return
        self._save(name, data)

    def import_return(self) -> None:
        run = self._run()
        if run is None:
            return
        path = self.ask_open_path(f"选择批次 {run.number} 的回盘文件")
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            messages.warn(self, f"读取失败：{exc}")
            return
        service, name = self.service, Path(path).name

        def checked(seen: ImportResult) -> None:
            if not messages.ask(self, f"回盘文件 {name}：扣款成功 {seen.paid_count} 笔 {money_text(seen.paid_total)} 元，"
                                      f"失败 {seen.failed_count} 笔 {money_text(seen.failed_total)} 元。\n"
                                      "确认入账？（送盘后已在柜台缴清的账单，银行扣款转为预存款）"):
                return

            def work(report: Any) -> ImportResult:
                return service.import_return(run.id, data, name, progress=report, cancel=self.cancel)

            self._work(work, self.show_import, "正在导入回盘文件…")

        def check(report: Any) -> ImportResult:
            return service.import_return(run.id, data, name, progress=report, cancel=self.cancel, preview=True)

        self._work(check, checked, "正在核对回盘文件…")

    def show_import(self, result: ImportResult) -> None:
        self.last_import = result
        text = (f"{result.bank_name} {result.run_number or '代收'}：共 {result.lines} 笔；"
                f"成功 {result.paid_count} 笔 {money_text(result.paid_total)} 元，"
                f"失败 {result.failed_count} 笔 {money_text(result.failed_total)} 元，"
                f"转预存 {result.credited_count} 笔 {money_text(result.credited_total)} 元")
        if result.first_receipt:
            text += f"；收据号 {result.first_receipt} 至 {result.last_receipt}"
        self.summary.setText(text + "。")
        self.summary.setVisible(True)
        self.report_model.set_rows(result.report)
        self.refresh_runs()
        self.session.notify_changed()

    def print_transmittal(self) -> None:
        run = self._run()
        if run is not None:
            self._print(lambda: self.service.render_transmittal(run.id), f"代扣文件交接单 {run.number}",
                        f"交接单-{run.number}.pdf")

    def withdraw(self) -> None:
        run = self._run()
        if run is None:
            return
        reason, ok = QInputDialog.getText(self, "撤回批次", "撤回原因（如：银行退回整个文件）：")
        if not ok:
            return
        try:
            self.service.withdraw_run(run.id, reason)
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)
            return
        self.refresh_runs()

    # -- 代收导入 ---------------------------------------------------------------------------------------
    def _collection_tab(self) -> QWidget:
        tab = QWidget()
        v = QVBoxLayout(tab)
        self.collection_bank = self._bank_combo()
        self.collection_button = push_button("选择代收文件并导入…", self.import_collection)
        v.addLayout(hbox(QLabel("银行"), self.collection_bank, self.collection_button, None))
        v.addWidget(hint_label("银行柜台代收的账单按银行的代收文件入账：账单不存在、户号或金额不符、流水号以前导入过、"
                               "同一文件导入两次，整个文件不导入并列出每处问题。账单已在营业厅缴清的，代收款转为预存款。"))
        self.collection_summary = outcome_banner()
        v.addWidget(self.collection_summary)
        self.collection_model: RowsModel[ReportLine] = RowsModel(REPORT_COLUMNS)
        v.addWidget(make_table(self.collection_model), 1)
        return tab

    def import_collection(self) -> None:
        path = self.ask_open_path("选择银行代收文件")
        if not path:
            return
        data = Path(path).read_bytes()
        service, bank, name = self.service, str(self.collection_bank.currentData()), Path(path).name

        def work(report: Any) -> ImportResult:
            return service.import_collection(bank, data, name, progress=report, cancel=self.cancel)

        def done(result: ImportResult) -> None:
            self.collection_summary.setText(
                f"{result.bank_name}：共 {result.lines} 笔，入账 {result.paid_count} 笔 {money_text(result.paid_total)} 元，"
                f"转预存 {result.credited_count} 笔 {money_text(result.credited_total)} 元。")
            self.collection_summary.setVisible(True)
            self.collection_model.set_rows(result.report)
            self.session.notify_changed()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, FileRefused):
                self.collection_model.set_rows(_problems(exc))
                self.collection_summary.setText(exc.message + "。问题见下表。")
                self.collection_summary.setVisible(True)
            messages.report(self, exc)

        def checked(seen: ImportResult) -> None:
            if messages.ask(self, f"代收文件 {name}：{seen.paid_count} 笔，合计 {money_text(seen.paid_total)} 元。"
                                  "确认入账？（已在营业厅缴清的账单，代收款转为预存款）"):
                self.cancel = threading.Event()
                self.task = run_task(self, work, done, label="正在导入代收文件…", cancel=self.cancel,
                                     on_failed=failed)

        def check(report: Any) -> ImportResult:
            return service.import_collection(bank, data, name, progress=report, cancel=self.cancel, preview=True)

        self.cancel = threading.Event()
        self.task = run_task(self, check, checked, label="正在核对代收文件…", cancel=self.cancel, on_failed=failed)

    # -- 对账 -------------------------------------------------------------------------------------------
    def _reconcile_tab(self) -> QWidget:
        tab = self.reconcile_tab = QWidget()
        v = QVBoxLayout(tab)
        bar = QHBoxLayout()
        today = self.session.now().date()
        self.recon_from = date_edit(today.replace(day=1))
        self.recon_to = date_edit(today)
        self.recon_button = push_button("对账", self.reconcile, "reconcile")
        for w in (QLabel("从"), self.recon_from, QLabel("至"), self.recon_to, self.recon_button):
            bar.addWidget(w)
        bar.addWidget(hint_label("导出 Excel：台账报表 → 银行代收代扣对账"), 1)
        v.addLayout(bar)
        v.addWidget(QLabel("按批次：送盘、回盘、成功、失败、转预存与已入账（入账差额应为 0）"))
        self.recon_model: RowsModel[RunReconciliation] = RowsModel(RECON_COLUMNS)
        v.addWidget(make_table(self.recon_model), 2)
        v.addWidget(QLabel("按日：银行渠道入账（与柜台现金、刷卡分开）"))
        self.day_model: RowsModel[DayReconciliation] = RowsModel(DAY_COLUMNS)
        v.addWidget(make_table(self.day_model), 1)
        v.addWidget(QLabel("差异明细：扣款失败、转预存、待回盘"))
        self.diff_model: RowsModel[Difference] = RowsModel(DIFF_COLUMNS)
        v.addWidget(make_table(self.diff_model), 2)
        return tab

    def reconcile(self) -> None:
        start, end = _day(self.recon_from), _day(self.recon_to)
        try:
            self.recon_model.set_rows(self.service.reconcile_runs(start, end))
            self.day_model.set_rows(self.service.reconcile_days(start, end))
            self.diff_model.set_rows(self.service.differences(start, end))
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)

    # -- 欠费催缴 ---------------------------------------------------------------------------------------
    def _notices_tab(self) -> QWidget:
        tab = QWidget()
        v = QVBoxLayout(tab)
        self.district_combo = choice_box([("", "全部片区"), *District.choices()])
        self.address_edit = line_edit(placeholder="地址包含（小区、街道）")
        self.find_arrears_button = push_button("查询", self.find_arrears)
        self.print_notices_button = push_button("批量打印催缴通知单…", self.print_notices)
        v.addLayout(hbox(QLabel("片区"), self.district_combo, self.address_edit, self.find_arrears_button,
                         self.print_notices_button, None))
        v.addWidget(hint_label("列出过了缴费期（抄表次月20日）仍未缴清账单的账户；每户打印一页，含各账单欠费、缴费方式和客服电话。"))
        self.candidates_model: RowsModel[ArrearsCandidate] = RowsModel(CANDIDATE_COLUMNS)
        v.addWidget(make_table(self.candidates_model), 2)
        v.addWidget(QLabel("已打印的催缴通知单"))
        self.printed_model: RowsModel[NoticePrinted] = RowsModel(PRINTED_COLUMNS)
        v.addWidget(make_table(self.printed_model), 1)
        allowed = self.session.can(Permission.PRINT_FORMS)
        self.find_arrears_button.setEnabled(allowed)
        self.print_notices_button.setEnabled(allowed)
        return tab

    def find_arrears(self) -> None:
        try:
            self.candidates_model.set_rows(self.service.arrears_candidates(
                str(self.district_combo.currentData()), self.address_edit.text()))
            self.printed_model.set_rows(self.service.notices_printed())
        except Exception as exc:  # noqa: BLE001
            messages.report(self, exc)

    def print_notices(self) -> None:
        district, address = str(self.district_combo.currentData()), self.address_edit.text()
        service = self.service

        def work(report: Any) -> tuple[str, int, bytes]:
            return service.print_arrears_notices(district, address, progress=report, cancel=self.cancel)

        def done(result: tuple[str, int, bytes]) -> None:
            batch, count, pdf = result
            self.find_arrears()
            self.show_pdf(pdf, f"欠费催缴通知单 {batch}（{count} 份）", f"催缴通知单-{batch}.pdf")

        self._work(work, done, "正在生成催缴通知单…")
