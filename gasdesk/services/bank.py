"""Paying at the bank (委托银行代收代扣): debit agreements, debit runs, the bank's return and collection
files, reconciliation and arrears notices.

Rules (what the finance office and its bank expect):

* **Agreements** are opened, changed, suspended, resumed and cancelled at the counter and audited; the
  bank account number is checked against the bank's layout (length, Luhn where its cards use it) and
  shown masked everywhere but the signed agreement. One live agreement per gas account. While an
  agreement has bills at the bank (a run waiting for its return) its account cannot be changed or
  cancelled: the bank debits the account it was sent.
* **A debit run** takes, for one bank and one billing month (the month of the reading), every bill not
  paid in full of an account with an active agreement at that bank, for its outstanding amount. A
  bill is in at most one open run (a unique constraint decides between two counters).
* **A return file** is read whole and checked before anything is written: every sent line answered
  once, with the sent bill and amount, the header's batch and the counts and totals right, the file
  not seen before. Any problem refuses the whole file with a report of each line; nothing is written.
  Then, in one transaction: each paid line is a bank payment (method 银行代扣) with its own receipt
  number in the same payment table as the counter's, paying that bill; each failed line leaves the
  bill unpaid and keeps the bank's reason; the run closes and its bills may go into a later run.
* **Paid at the counter after the bill went to the bank**: the bank's paid line still took the
  customer's money, so it is entered (never refused: the money is in the company's bank account);
  it pays what the bill still owes, if anything, and the rest becomes prepaid balance on the account
  (预存款: it pays the next bills, or the customer asks for it back as a refund). Such lines are
  marked 转预存 and listed in the import's report and in the reconciliation.
* **Collection files** (bills paid at a bank's counters, 代收) are imported the same way: unknown bills,
  amounts that are neither what the bill owes nor its amount, a serial number seen before, or the same
  file twice refuse the whole file; a bill already paid takes the money as prepaid balance as above.

Bulk work (200,000 lines): a run is one INSERT … SELECT. A return (or collection file) reads the
lines' accounts under lock and their bills in one statement each, works out every payment, allocation,
bill and balance in Python with the digest of each sealed row, and writes each table in one go
(gasdesk.services.bulk: COPY on PostgreSQL, one executemany on SQLite), receipt numbers reserved as
one block; the digests go into chained seal entries (audit.seal_written) and one audit entry records
the import (file hash, counts, totals, receipt range). All in the one unit of work: a refusal, an
error or 取消 leaves nothing written.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Table,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gasdesk.bankfiles import KIND_LABELS, Layout, LayoutError, layouts, mask_account
from gasdesk.models import (
    Account,
    ArrearsNotice,
    AuditEntry,
    BankAgreement,
    BankCollection,
    BankFileImport,
    BankRun,
    BankRunLine,
    Bill,
    BillAllocation,
    Customer,
    Money,
    Payment,
    Staff,
)
from gasdesk.models.audit import SEALED, row_digest
from gasdesk.permissions import Permission
from gasdesk.reports import bank as papers
from gasdesk.services import audit, billing, bulk, numbering
from gasdesk.services import settings as settings_store
from gasdesk.services.as_of import Since, entry_point
from gasdesk.services.context import Actor, Service, must_get, name_of
from gasdesk.services.errors import NotFound, Refused, refusing
from gasdesk.services.printing import company_profile
from gasdesk.validation import check_required, clean_text, mask_phone
from gasdesk.vocab import AccountStatus, District, Labelled, PaymentKind, PaymentMethod

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
CHUNK = 5000

Progress = Callable[[int, str], None]


# The audited writes the customer signs: the agreement opened, its bank account changed.
SIGNED = ("create", "amend")


class AgreementStatus(Labelled):
    ACTIVE = ("active", "有效")
    SUSPENDED = ("suspended", "暂停代扣")
    CANCELLED = ("cancelled", "已撤销")


class RunStatus(Labelled):
    SENT = ("sent", "已送盘，待回盘")
    RETURNED = ("returned", "已回盘")
    WITHDRAWN = ("withdrawn", "已撤回")


class LineOutcome(Labelled):
    WAITING = ("", "待回盘")
    PAID = ("paid", "扣款成功")
    FAILED = ("failed", "扣款失败")
    CREDITED = ("credited", "扣款成功，转预存")


class Cancelled(Refused):
    """The person running the work pressed 取消; nothing was written."""

    def __init__(self) -> None:
        super().__init__("已取消，未写入任何数据")


class FileRefused(Refused):
    """A bank file refused as a whole; `problems` lists (line number, reason), 0 for the whole file."""

    def __init__(self, message: str, problems: Sequence[tuple[int, str]]) -> None:
        super().__init__(message)
        self.problems = list(problems)


# --- views ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BankInfo:
    code: str
    name: str
    format_text: str
    account_lengths: tuple[int, ...]
    luhn: bool


@dataclass(frozen=True)
class AgreementView:
    id: int
    number: str
    account_id: int
    account_number: str
    customer_name: str
    bank_code: str
    bank_name: str
    branch: str
    holder: str
    masked_account: str
    phone: str
    signed_on: date
    status: AgreementStatus
    reason: str
    version: int


@dataclass(frozen=True)
class RunView:
    id: int
    number: str
    bank_code: str
    bank_name: str
    month: str
    status: RunStatus
    file_name: str
    count: int
    total: Decimal
    created_at: datetime
    created_by: str
    paid_count: int = 0
    paid_total: Decimal = ZERO
    failed_count: int = 0
    failed_total: Decimal = ZERO
    credited_count: int = 0
    credited_total: Decimal = ZERO


@dataclass(frozen=True)
class RunPreview:
    bank_name: str
    month: str
    count: int
    total: Decimal


@dataclass(frozen=True)
class ReportLine:
    """One line of an import's report: what happened to it."""

    line: int
    bill_number: str
    account_number: str
    amount: Decimal
    outcome: str
    note: str


@dataclass
class ImportResult:
    kind: str
    bank_name: str
    file_name: str
    run_number: str
    lines: int = 0
    paid_count: int = 0
    paid_total: Decimal = ZERO
    failed_count: int = 0
    failed_total: Decimal = ZERO
    credited_count: int = 0
    credited_total: Decimal = ZERO
    first_receipt: str = ""
    last_receipt: str = ""
    report: list[ReportLine] = field(default_factory=list)


@dataclass(frozen=True)
class RunReconciliation:
    run_number: str
    bank_name: str
    month: str
    status: str
    sent_count: int
    sent_total: Decimal
    returned_count: int
    returned_total: Decimal
    paid_count: int
    paid_total: Decimal
    failed_count: int
    failed_total: Decimal
    credited_count: int
    credited_total: Decimal
    booked_total: Decimal

    @property
    def difference(self) -> Decimal:
        """What the bank answered that the books do not show: returned paid minus payments booked."""
        return self.paid_total + self.credited_total - self.booked_total

    @property
    def unanswered(self) -> int:
        return self.sent_count - self.returned_count


@dataclass(frozen=True)
class DayReconciliation:
    day: date
    channel: str
    bank_name: str
    count: int
    total: Decimal
    to_bills: Decimal
    to_balance: Decimal


@dataclass(frozen=True)
class Difference:
    run_number: str
    bill_number: str
    account_number: str
    amount: Decimal
    what: str


@dataclass(frozen=True)
class ArrearsCandidate:
    account_id: int
    account_number: str
    customer_name: str
    phone: str
    address: str
    district: str
    owed: Decimal
    bills: int


@dataclass(frozen=True)
class NoticePrinted:
    batch: str
    account_number: str
    customer_name: str
    area: str
    owed: Decimal
    bills: int
    printed_at: datetime
    staff_name: str


# --- helpers -------------------------------------------------------------------------------------

def bank_layouts(session: Session) -> dict[str, Layout]:
    try:
        return layouts(settings_store.get(session, "bank.banks") or [])
    except LayoutError as exc:
        raise Refused(f"银行文件格式设置有误：{exc.message}") from exc


def _layout(session: Session, code: str) -> Layout:
    found = bank_layouts(session).get(code)
    if found is None:
        raise Refused("请选择签约银行", field="bank")
    return found


def month_bounds(month: str) -> tuple[date, date]:
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    except (ValueError, TypeError) as exc:
        raise Refused("账期应为“年-月”，如 2026-10", field="month") from exc
    nxt = date(year + 1, 1, 1) if mon == 12 else date(year, mon + 1, 1)
    return first, nxt - timedelta(days=1)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _agreement_view(a: BankAgreement, account_number: str, customer_name: str) -> AgreementView:
    return AgreementView(
        id=a.id, number=a.number, account_id=a.account_id, account_number=account_number,
        customer_name=customer_name, bank_code=a.bank_code, bank_name=a.bank_name, branch=a.branch,
        holder=a.holder, masked_account=mask_account(a.bank_account), phone=a.phone, signed_on=a.signed_on,
        status=AgreementStatus(a.status), reason=a.reason, version=a.version,
    )


def _run_view(r: BankRun, staff_name: str, imp: BankFileImport | None = None) -> RunView:
    extra: dict[str, Any] = {}
    if imp is not None:
        extra = dict(paid_count=imp.paid_count, paid_total=imp.paid_total, failed_count=imp.failed_count,
                     failed_total=imp.failed_total, credited_count=imp.credited_count,
                     credited_total=imp.credited_total)
    return RunView(id=r.id, number=r.number, bank_code=r.bank_code, bank_name=r.bank_name, month=r.month,
                   status=RunStatus(r.status), file_name=r.file_name, count=r.count, total=r.total,
                   created_at=r.created_at, created_by=staff_name, **extra)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def _fixed_text(value: str, label: str, limit: int, field_name: str) -> str:
    text = clean_text(value)
    if not text:
        raise Refused(f"请填写{label}", field=field_name)
    if len(text) > limit:
        raise Refused(f"{label}最多 {limit} 个字", field=field_name)
    return text


# --- the service ---------------------------------------------------------------------------------

class BankService(Service):
    """Banks, agreements, debit runs and bank files; every read and write first checks the actor's staff
    record as it is now (a manager disabled mid-session runs no debit)."""

    # banks ---------------------------------------------------------------------------------------
    def banks(self) -> list[BankInfo]:
        with self.app.reading() as s:
            return [BankInfo(b.code, b.name, f"{b.format_label}，{b.encoding.upper()}，金额单位{b.amount_label}",
                             b.account_lengths, b.luhn) for b in bank_layouts(s).values()]

    def layout(self, code: str) -> Layout:
        with self.app.reading() as s:
            return _layout(s, code)

    # agreements ------------------------------------------------------------------------------------
    def open_agreement(self, account_id: int, *, bank: str, branch: str, holder: str, bank_account: str,
                       phone: str = "", signed_on: date | None = None) -> AgreementView:
        self.actor.require(Permission.TAKE_PAYMENT)
        now = self.app.clock.now()
        signed = signed_on or now.date()
        if signed > now.date():
            raise Refused("签订日期不能晚于今天", field="signed_on")
        branch_text = _fixed_text(branch, "开户网点", 60, "branch")
        holder_text = _fixed_text(holder, "账户户名", 60, "holder")
        phone_text = clean_text(phone)[:30] if len(clean_text(phone)) <= 30 else None
        if phone_text is None:
            raise Refused("联系电话最多 30 个字符", field="phone")
        with self.app.unit_of_work() as s:
            layout = _layout(s, bank)
            digits = self._check_account(layout, bank_account, holder_text)
            account = must_get(s, Account, account_id, "账户不存在", lock=True)
            if account.status == AccountStatus.CLOSED:
                raise Refused("账户已销户，不能办理代扣")
            live = s.scalar(select(BankAgreement).where(BankAgreement.current_account_id == account_id))
            if live is not None:
                raise Refused(f"该账户已有代扣协议 {live.number}（{AgreementStatus(live.status).label}），"
                              "请先变更或撤销")
            customer = s.get(Customer, account.customer_id)
            assert customer is not None
            a = BankAgreement(
                number=numbering.order_number(s, "DK", now.date()), account_id=account.id,
                customer_id=account.customer_id, current_account_id=account.id, customer_number=customer.number,
                customer_name=customer.name, account_number=account.number, address=account.address,
                bank_code=layout.code,
                bank_name=layout.name, branch=branch_text, holder=holder_text, bank_account=digits,
                phone=phone_text, signed_on=signed, status=AgreementStatus.ACTIVE, reason="", created_at=now,
                created_by_id=self.actor.staff_id, changed_at=now, changed_by_id=self.actor.staff_id,
            )
            s.add(a)
            try:
                s.flush()
            except IntegrityError as exc:
                raise Refused("该账户已有代扣协议，请刷新后查看") from exc
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_agreement", entity_id=a.id,
                         action="create", changes={
                             "number": [None, a.number], "account_id": [None, a.account_id],
                             "bank": [None, a.bank_code], "branch": [None, a.branch], "holder": [None, a.holder],
                             "bank_account": [None, mask_account(digits)], "signed_on": [None, a.signed_on]})
            return self._view(s, a)

    def _check_account(self, layout: Layout, bank_account: str, holder: str) -> str:
        try:
            digits = layout.check_bank_account(bank_account or "")
        except LayoutError as exc:
            raise Refused(exc.message, field="bank_account") from exc
        try:
            holder.encode(layout.encoding)
        except UnicodeEncodeError as exc:
            raise Refused(f"账户户名含有银行文件（{layout.encoding.upper()}）不能表示的字，请按银行卡上的户名填写",
                          field="holder") from exc
        width = layout.width_of("debit", "holder")
        if width is not None and len(holder.encode(layout.encoding)) > width:
            raise Refused(f"{layout.name}的代扣文件户名最多 {width // 2} 个汉字（{width} 字节）", field="holder")
        return digits

    def _view(self, s: Session, a: BankAgreement) -> AgreementView:
        return _agreement_view(a, a.account_number, a.customer_name)

    def _live(self, s: Session, agreement_id: int, version: int | None) -> BankAgreement:
        a = must_get(s, BankAgreement, agreement_id, "代扣协议不存在", lock=True)
        if version is not None and a.version != version:
            raise Refused("该协议已被其他柜台修改，请刷新后重新办理")
        if a.status == AgreementStatus.CANCELLED:
            raise Refused("协议已撤销")
        return a

    def _at_bank(self, s: Session, agreement_id: int) -> bool:
        return s.scalar(select(BankRunLine.id).where(BankRunLine.agreement_id == agreement_id,
                                                     BankRunLine.pending_bill_id.is_not(None)).limit(1)) is not None

    def change_agreement(self, agreement_id: int, *, branch: str, holder: str, bank_account: str, phone: str = "",
                         version: int | None = None) -> AgreementView:
        """A new bank account (same bank) for the agreement; refused while bills are at the bank."""
        self.actor.require(Permission.TAKE_PAYMENT)
        now = self.app.clock.now()
        branch_text = _fixed_text(branch, "开户网点", 60, "branch")
        holder_text = _fixed_text(holder, "账户户名", 60, "holder")
        with self.app.unit_of_work() as s:
            a = self._live(s, agreement_id, version)
            digits = self._check_account(_layout(s, a.bank_code), bank_account, holder_text)
            if self._at_bank(s, a.id):
                raise Refused("该协议有已送银行、尚未回盘的账单，回盘后再变更账户")
            changes: dict[str, list[Any]] = {}
            for name, new, shown in (("branch", branch_text, branch_text), ("holder", holder_text, holder_text),
                                     ("bank_account", digits, mask_account(digits)),
                                     ("phone", clean_text(phone)[:30], clean_text(phone)[:30])):
                old = getattr(a, name)
                if old != new:
                    changes[name] = [mask_account(old) if name == "bank_account" else old, shown]
                    setattr(a, name, new)
            if not changes:
                raise Refused("没有修改任何内容")
            a.changed_at, a.changed_by_id = now, self.actor.staff_id
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_agreement", entity_id=a.id,
                         action="amend", changes=changes)
            return self._view(s, a)

    def set_status(self, agreement_id: int, status: AgreementStatus | str, reason: str = "",
                   version: int | None = None) -> AgreementView:
        """Suspend (暂停代扣), resume (active) or cancel (撤销) an agreement; a reason for the first and last."""
        self.actor.require(Permission.TAKE_PAYMENT)
        try:
            target = AgreementStatus(status)
        except ValueError as exc:
            raise Refused("请选择协议状态", field="status") from exc
        why = clean_text(reason)
        if target is not AgreementStatus.ACTIVE and not why:
            raise Refused("请填写原因", field="reason")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            a = self._live(s, agreement_id, version)
            if a.status == target:
                raise Refused(f"协议已是“{target.label}”状态")
            if target is AgreementStatus.CANCELLED and self._at_bank(s, a.id):
                raise Refused("该协议有已送银行、尚未回盘的账单，回盘后再撤销")
            old = a.status
            a.status, a.reason = target, why
            if target is AgreementStatus.CANCELLED:
                a.current_account_id = None
            a.changed_at, a.changed_by_id = now, self.actor.staff_id
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_agreement", entity_id=a.id,
                         action="status", changes={"status": [old, str(target)], "reason": [None, why]})
            return self._view(s, a)

    def agreements_of(self, account_id: int) -> list[AgreementView]:
        with self.app.reading() as s:
            rows = s.scalars(select(BankAgreement).where(BankAgreement.account_id == account_id)
                             .order_by(BankAgreement.id.desc()))
            return [self._view(s, a) for a in rows]

    def find_account(self, number: str) -> tuple[int, str, str, str]:
        """(id, number, customer's name, address) of a gas account by its number."""
        with self.app.reading() as s:
            row = s.execute(select(Account.id, Account.number, Customer.name, Account.address)
                            .join(Customer, Customer.id == Account.customer_id)
                            .where(Account.number == number.strip().upper())).first()
            if row is None:
                raise NotFound("没有这个燃气户号")
            return row[0], row[1], row[2], row[3]

    def render_agreement(self, agreement_id: int) -> bytes:
        """The agreement as signed: the values recorded on it (not today's customer details).

        Its step is its signing: the agreement opened, or its bank account changed since (the
        customer signs the changed agreement). The company profile, the status and the clerk (经办人:
        who signed it with the customer) are those of that moment (services/as_of.py), so a reprint
        after the profile is edited, the agreement suspended or the clerk renamed reads the same."""
        self.actor.require(Permission.PRINT_FORMS)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            a = must_get(s, BankAgreement, agreement_id, "代扣协议不存在")
            copy = s.scalar(select(func.count()).select_from(AuditEntry).where(  # earlier prints of it
                AuditEntry.entity == "bank_agreement", AuditEntry.entity_id == str(a.id),
                AuditEntry.action == "print")) or 0
            point, signer = entry_point(s, "bank_agreement", a.id, SIGNED, a.created_at)
            clerk_id = signer if signer is not None else a.created_by_id
            then = Since(s, [point], [clerk_id], rows={"bank_agreement": [a.id]})
            values = then.settings(settings_store.read_all(s), point)
            status = then.row("bank_agreement", a.id, {"status": a.status}, point)["status"]
            sheet = papers.AgreementSheet(
                number=a.number, customer_number=a.customer_number, customer_name=a.customer_name,
                account_number=a.account_number, address=a.address, phone=a.phone,
                bank_name=a.bank_name, branch=a.branch, holder=a.holder, bank_account=a.bank_account,
                signed_on=a.signed_on, status_label=AgreementStatus(status).label,
                clerk=then.staff_name(_names(s, [clerk_id]), clerk_id, point),
                printed_at=now, printed_by=name_of(s, self.actor), copy=bool(copy),
            )
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_agreement", entity_id=a.id,
                         action="print", changes={"copy": [None, bool(copy)]})
            return papers.render_agreement(company_profile(values), sheet,
                                           font_path=values.get("printing.font_path") or None)

    # runs ------------------------------------------------------------------------------------------
    def _candidates(self, bank: str, month: str) -> Any:
        first, last = month_bounds(month)
        pending = exists().where(BankRunLine.pending_bill_id == Bill.id)
        return (
            select(Bill.id, Bill.account_id, BankAgreement.id, Bill.number, Account.number,
                   BankAgreement.bank_account, BankAgreement.holder, Bill.amount - Bill.paid)
            .join(Account, Account.id == Bill.account_id)
            .join(BankAgreement, BankAgreement.current_account_id == Bill.account_id)
            .where(BankAgreement.bank_code == bank, BankAgreement.status == AgreementStatus.ACTIVE,
                   Account.status != AccountStatus.CLOSED, Bill.status != billing.BillStatus.PAID,
                   Bill.period_end >= first, Bill.period_end <= last, ~pending)
        )

    def preview_run(self, bank: str, month: str) -> RunPreview:
        """How many bills and how much a run would send now (shown before the file is made)."""
        self.actor.require(Permission.BANK_FILES)
        with self.app.reading() as s:
            layout = _layout(s, bank)
            sub = self._candidates(bank, month).subquery()
            count, total = s.execute(select(func.count(), type_coerce(func.sum(sub.c[7]), Money()))).one()
            return RunPreview(layout.name, month, int(count or 0), total or ZERO)

    def create_run(self, bank: str, month: str, *, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> tuple[RunView, bytes]:
        """Make the debit file of a month for one bank; returns the run and the file's bytes."""
        self.actor.require(Permission.BANK_FILES)
        month_bounds(month)
        report = progress or (lambda _p, _t: None)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            layout = _layout(s, bank)
            run = BankRun(number=numbering.order_number(s, "DKPC", now.date()), bank_code=layout.code,
                          bank_name=layout.name, month=month, status=RunStatus.SENT, file_name="", file_sha256="",
                          layout=dict(next(e for e in settings_store.get(s, "bank.banks") if e["code"] == bank)),
                          count=0, total=ZERO, created_at=now, created_by_id=self.actor.staff_id)
            s.add(run)
            s.flush()
            report(5, "正在选取账单…")
            cand = self._candidates(bank, month).order_by(Bill.id).subquery()
            seq = func.row_number().over(order_by=cand.c[0])
            chosen = select(
                literal(run.id).label("run_id"), seq.label("seq"),
                cand.c[0], cand.c[0].label("pending"), cand.c[1], cand.c[2], cand.c[3], cand.c[4], cand.c[5], cand.c[6],
                cand.c[7], literal(""),
            )
            # The amount column is copied as stored (fen on SQLite, NUMERIC on PostgreSQL): same type.
            try:
                s.execute(insert(BankRunLine).from_select(
                    ["run_id", "seq", "bill_id", "pending_bill_id", "account_id", "agreement_id", "bill_number",
                     "account_number", "bank_account", "holder", "amount", "outcome"], chosen))
            except IntegrityError as exc:
                raise Refused("有账单正被其他柜台放入代扣批次，请稍后重试") from exc
            _check(cancel)
            count, total = s.execute(select(func.count(), type_coerce(func.sum(BankRunLine.amount), Money()))
                                     .where(BankRunLine.run_id == run.id)).one()
            if not count:
                raise Refused(f"{layout.name} {month} 没有可代扣的账单（协议有效、未缴清、不在其他待回盘批次中）")
            report(30, f"正在生成代扣文件（{count} 笔）…")
            data = self._file(s, layout, run, int(count), report, cancel)
            run.count, run.total = int(count), total or ZERO
            run.file_name = layout.name_of("debit", run.number)
            run.file_sha256 = _sha(data)
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_run", entity_id=run.id,
                         action="create", changes={"number": [None, run.number], "bank": [None, bank],
                                                   "month": [None, month], "count": [None, run.count],
                                                   "total": [None, run.total], "sha256": [None, run.file_sha256]})
            report(100, "完成")
            return _run_view(run, name_of(s, self.actor)), data

    def _file(self, s: Session, layout: Layout, run: BankRun, count: int, report: Progress,
              cancel: threading.Event | None) -> bytes:
        rows = s.execute(select(BankRunLine.seq, BankRunLine.bill_number, BankRunLine.account_number,
                                BankRunLine.bank_account, BankRunLine.holder, BankRunLine.amount)
                         .where(BankRunLine.run_id == run.id).order_by(BankRunLine.seq)
                         .execution_options(yield_per=CHUNK))
        details: list[dict[str, Any]] = []
        for seq, bill_no, acc_no, bank_acc, holder, amount in rows:
            details.append({"seq": seq, "bill_number": bill_no, "account_number": acc_no, "bank_account": bank_acc,
                            "holder": holder, "amount": amount, "month": run.month})
            if len(details) % CHUNK == 0:
                _check(cancel)
                report(30 + int(50 * len(details) / max(count, 1)), f"已写入 {len(details)} / {count} 笔")
        try:
            return layout.write("debit", details, batch=run.number, file_date=run.created_at.date())
        except LayoutError as exc:
            raise Refused(f"代扣文件不能生成：{exc.message}") from exc

    def run_file(self, run_id: int) -> tuple[str, bytes]:
        """The run's debit file again, byte for byte as sent (checked against its SHA-256)."""
        self.actor.require(Permission.BANK_FILES)
        with self.app.reading() as s:
            run = must_get(s, BankRun, run_id, "代扣批次不存在")
            layout = Layout.from_dict(run.layout)
            data = self._file(s, layout, run, run.count, lambda _p, _t: None, None)
            if _sha(data) != run.file_sha256:
                raise Refused("重新生成的文件与送盘时不一致，请联系系统管理员")
            return run.file_name, data

    def withdraw_run(self, run_id: int, reason: str) -> RunView:
        """The bank refused the whole file (or it was never sent): the run closes without payments and
        its bills may go into another run."""
        self.actor.require(Permission.BANK_FILES)
        with refusing():
            why = check_required(reason, "撤回原因", field="reason")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            run = must_get(s, BankRun, run_id, "代扣批次不存在", lock=True)
            if run.status != RunStatus.SENT:
                raise Refused(f"批次{RunStatus(run.status).label}，不能撤回")
            s.execute(update(BankRunLine).where(BankRunLine.run_id == run.id)
                      .values(pending_bill_id=None, outcome=LineOutcome.FAILED, reason="批次撤回"))
            run.status, run.closed_at, run.closed_by_id = RunStatus.WITHDRAWN, now, self.actor.staff_id
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_run", entity_id=run.id,
                         action="withdraw", changes={"reason": [None, why]})
            return _run_view(run, "")

    def runs(self, limit: int = 200) -> list[RunView]:
        with self.app.reading() as s:
            rows = s.execute(select(BankRun, Staff.name, BankFileImport)
                             .join(Staff, Staff.id == BankRun.created_by_id)
                             .outerjoin(BankFileImport, BankFileImport.run_id == BankRun.id)
                             .order_by(BankRun.id.desc()).limit(limit)).all()
            return [_run_view(r, name, imp) for r, name, imp in rows]

    def run_by_number(self, number: str) -> RunView:
        self.actor.require(Permission.BANK_FILES)
        with self.app.reading() as s:
            row = s.execute(select(BankRun, Staff.name, BankFileImport).join(Staff, Staff.id == BankRun.created_by_id)
                            .outerjoin(BankFileImport, BankFileImport.run_id == BankRun.id)
                            .where(BankRun.number == number.strip().upper())).first()
            if row is None:
                raise NotFound(f"没有代扣批次 {number.strip()}", field="run")
            return _run_view(*row)

    def run_for_return(self, bank: str, data: bytes) -> RunView:
        """The run a return file answers: the one whose number its header carries (read in each run's
        own layout), else the bank's only run still waiting for its return."""
        self.actor.require(Permission.BANK_FILES)
        with self.app.reading() as s:
            layout = _layout(s, bank)
            runs = s.scalars(select(BankRun).where(BankRun.bank_code == layout.code)
                             .order_by(BankRun.id.desc())).all()
            for run in runs:
                try:
                    header = Layout.from_dict(run.layout).read("return", data).header or {}
                except LayoutError:
                    continue
                if header.get("batch") == run.number:
                    return self.run_by_number(run.number)
            waiting = [r for r in runs if r.status == RunStatus.SENT]
            if len(waiting) == 1:
                return self.run_by_number(waiting[0].number)
            if not waiting:
                raise Refused(f"{layout.name}没有待回盘的代扣批次，文件首行也没有本系统的批次号", field="run")
            raise Refused(f"回盘文件首行没有可识别的批次号，{layout.name}有 {len(waiting)} 个待回盘批次，请指定批次号",
                          field="run")

    def run_lines(self, run_id: int, limit: int = 1000) -> list[ReportLine]:
        with self.app.reading() as s:
            rows = s.execute(select(BankRunLine).where(BankRunLine.run_id == run_id)
                             .order_by(BankRunLine.seq).limit(limit)).scalars()
            return [ReportLine(r.seq, r.bill_number, r.account_number, r.amount, LineOutcome(r.outcome).label,
                               r.reason) for r in rows]

    def render_transmittal(self, run_id: int) -> bytes:
        """The sheet that goes to the bank with the run's file. Its step is the file made (the run
        created): the company profile and the name of who made it are those of then (services/as_of.py)."""
        self.actor.require(Permission.PRINT_FORMS)
        now = self.app.clock.now()
        with self.app.reading() as s:
            run = must_get(s, BankRun, run_id, "代扣批次不存在")
            layout = Layout.from_dict(run.layout)
            point, _by = entry_point(s, "bank_run", run.id, ["create"], run.created_at)
            then = Since(s, [point], [run.created_by_id])
            values = then.settings(settings_store.read_all(s), point)
            sheet = papers.TransmittalSheet(
                run_number=run.number, bank_name=run.bank_name, merchant=layout.merchant, month=run.month,
                file_name=run.file_name, file_sha256=run.file_sha256,
                layout_text=f"{layout.format_label}，{layout.encoding.upper()} 编码，金额单位{layout.amount_label}",
                count=run.count, total=run.total, created_at=run.created_at,
                created_by=then.staff_name(_names(s, [run.created_by_id]), run.created_by_id, point),
                printed_at=now, printed_by=name_of(s, self.actor))
        return papers.render_transmittal(company_profile(values), sheet,
                                         font_path=values.get("printing.font_path") or None)

    # the return ------------------------------------------------------------------------------------
    def import_return(self, run_id: int, data: bytes, file_name: str = "", *, progress: Progress | None = None,
                      cancel: threading.Event | None = None, preview: bool = False) -> ImportResult:
        """Take in the bank's return of a run: all of it or, with a report of every problem, nothing.

        `preview`: check the file and count what it says (paid, failed) without writing anything, so
        the amount is shown before the money moves."""
        self.actor.require(Permission.BANK_FILES)
        report = progress or (lambda _p, _t: None)
        now = self.app.clock.now()
        sha = _sha(data)
        with self.app.unit_of_work() as s:
            run = must_get(s, BankRun, run_id, "代扣批次不存在", lock=True)
            seen = s.scalar(select(BankFileImport).where(BankFileImport.sha256 == sha))
            if seen is not None:
                raise FileRefused("这个文件已经导入过", [(0, f"同一文件已于 {seen.imported_at:%Y-%m-%d %H:%M} 导入")])
            if run.status != RunStatus.SENT:
                raise FileRefused(f"批次 {run.number} {RunStatus(run.status).label}，不能再导入回盘",
                                  [(0, f"批次状态：{RunStatus(run.status).label}")])
            layout = Layout.from_dict(run.layout)
            report(2, "正在读取回盘文件…")
            parsed = _read(layout, "return", data)
            problems = list(parsed.problems)
            if parsed.header and "batch" in parsed.header and parsed.header["batch"] != run.number:
                problems.append((1, f"回盘批次号 {parsed.header['batch']} 不是 {run.number}"))
            _check(cancel)
            report(10, "正在核对明细…")
            sent = {seq: (line_id, bill_id, account_id, bill_no, acc_no, amount) for
                    line_id, seq, bill_id, account_id, bill_no, acc_no, amount in s.execute(
                        select(BankRunLine.id, BankRunLine.seq, BankRunLine.bill_id, BankRunLine.account_id,
                               BankRunLine.bill_number, BankRunLine.account_number, BankRunLine.amount)
                        .where(BankRunLine.run_id == run.id).execution_options(yield_per=CHUNK))}
            by_bill = {v[3]: seq for seq, v in sent.items()}
            answered: dict[int, tuple[int, dict[str, Any]]] = {}
            for number, d in parsed.details:
                seq: int | None = d["seq"] if "seq" in d else by_bill.get(d["bill_number"])
                line = sent.get(seq) if seq is not None else None
                if seq is None or line is None or line[3] != d["bill_number"]:
                    problems.append((number, f"账单 {d['bill_number']} 不在本批次送盘明细中"))
                    continue
                if seq in answered:
                    problems.append((number, f"账单 {d['bill_number']} 重复回盘（第 {answered[seq][0]} 行已有）"))
                    continue
                if d["amount"] != line[5]:
                    problems.append((number, f"账单 {d['bill_number']} 回盘金额 {d['amount']} 与送盘金额 {line[5]} 不符"))
                    continue
                answered[seq] = (number, d)
            missing = [v[3] for seq, v in sent.items() if seq not in answered]
            if missing and len(problems) < 1000:
                shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
                problems.append((0, f"送盘的 {len(missing)} 笔没有回盘：{shown}"))
            if problems:
                raise FileRefused(f"回盘文件有 {len(problems)} 处问题，未导入任何数据", problems)
            _check(cancel)
            result = ImportResult(kind="return", bank_name=run.bank_name, file_name=file_name,
                                  run_number=run.number, lines=len(parsed.details))
            paid: list[tuple[int, int, tuple[Any, ...]]] = []  # (line no, seq, sent)
            line_updates: list[dict[str, Any]] = []
            for seq, (number, d) in sorted(answered.items()):
                line = sent[seq]
                code = str(d.get("result", "")).strip()
                if code in layout.paid_codes:
                    paid.append((number, seq, line))
                else:
                    reason = layout.reasons.get(code) or clean_text(str(d.get("message") or "")) or f"银行返回码 {code}"
                    reason = reason[:60]
                    line_updates.append({"line_id": line[0], "outcome": LineOutcome.FAILED, "code": code[:10],
                                         "reason": reason, "pay": None})
                    result.failed_count += 1
                    result.failed_total += line[5]
                    result.report.append(ReportLine(number, line[3], line[4], line[5], LineOutcome.FAILED.label,
                                                    reason))
            if preview:
                result.paid_count = len(paid)
                result.paid_total = sum((line[5] for _n, _q, line in paid), ZERO)
                return result
            report(25, f"正在入账 {len(paid)} 笔扣款成功的账单…")
            settled = _settle(s, self.actor, now, PaymentMethod.BANK_DEBIT, run.number,
                              [(number, line[1], line[2], line[5], line[3], line[4]) for number, _seq, line in paid],
                              report, cancel, result)
            report(85, "正在记录回盘结果…")
            for (_n, seq, line), (payment_id, outcome, note) in zip(paid, settled, strict=True):
                code = str(answered[seq][1].get("result", "")).strip()[:10]
                line_updates.append({"line_id": line[0], "outcome": outcome, "code": code, "reason": note[:60],
                                     "pay": payment_id})
            bulk.update_rows(s, _table(BankRunLine), [
                {"id": u["line_id"], "outcome": str(u["outcome"]), "result_code": u["code"], "reason": u["reason"],
                 "payment_id": u["pay"], "pending_bill_id": None} for u in line_updates])
            _check(cancel)
            run.status, run.closed_at, run.closed_by_id = RunStatus.RETURNED, now, self.actor.staff_id
            imp = BankFileImport(kind="return", bank_code=run.bank_code, sha256=sha, file_name=file_name[:200],
                                 run_id=run.id, lines=result.lines, paid_count=result.paid_count,
                                 paid_total=result.paid_total, failed_count=result.failed_count,
                                 failed_total=result.failed_total, credited_count=result.credited_count,
                                 credited_total=result.credited_total, imported_at=now, staff_id=self.actor.staff_id)
            s.add(imp)
            try:
                s.flush()
            except IntegrityError as exc:
                raise FileRefused("这个文件已经导入过", [(0, "同一文件已导入")]) from exc
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_run", entity_id=run.id,
                         action="return", changes={
                             "sha256": [None, sha], "paid": [None, f"{result.paid_count} 笔 {result.paid_total}"],
                             "failed": [None, f"{result.failed_count} 笔 {result.failed_total}"],
                             "credited": [None, f"{result.credited_count} 笔 {result.credited_total}"],
                             "receipts": [None, f"{result.first_receipt} … {result.last_receipt}"]})
            _check(cancel)
            report(100, "完成")
            return result

    # collection files ------------------------------------------------------------------------------
    def import_collection(self, bank: str, data: bytes, file_name: str = "", *, progress: Progress | None = None,
                          cancel: threading.Event | None = None, preview: bool = False) -> ImportResult:
        """A bank's file of bills paid at its counters (代收). `preview`: check and count, write nothing."""
        self.actor.require(Permission.BANK_FILES)
        report = progress or (lambda _p, _t: None)
        now = self.app.clock.now()
        sha = _sha(data)
        with self.app.unit_of_work() as s:
            layout = _layout(s, bank)
            seen = s.scalar(select(BankFileImport).where(BankFileImport.sha256 == sha))
            if seen is not None:
                raise FileRefused("这个文件已经导入过", [(0, f"同一文件已于 {seen.imported_at:%Y-%m-%d %H:%M} 导入")])
            parsed = _read(layout, "collection", data)
            problems = list(parsed.problems)
            numbers = [d["bill_number"] for _, d in parsed.details]
            bills: dict[str, tuple[int, int, str, Decimal, Decimal]] = {}
            for i in range(0, len(numbers), CHUNK):
                for bid, aid, bno, ano, amount, paid_ in s.execute(
                        select(Bill.id, Bill.account_id, Bill.number, Account.number, Bill.amount, Bill.paid)
                        .join(Account, Account.id == Bill.account_id).where(Bill.number.in_(numbers[i:i + CHUNK]))):
                    bills[bno] = (bid, aid, ano, amount, paid_)
            serials = [str(d["serial"]) for _, d in parsed.details]
            known: set[str] = set()
            for i in range(0, len(serials), CHUNK):
                known.update(s.scalars(select(BankCollection.serial).where(
                    BankCollection.bank_code == layout.code, BankCollection.serial.in_(serials[i:i + CHUNK]))))
            in_file: dict[str, int] = {}
            lines: list[tuple[int, dict[str, Any], tuple[int, int, str, Decimal, Decimal]]] = []
            for number, d in parsed.details:
                serial = str(d["serial"])
                bill = bills.get(d["bill_number"])
                if not serial or len(serial) > 40:
                    problems.append((number, "银行流水号为空或过长"))
                elif serial in known:
                    problems.append((number, f"流水号 {serial} 已在以前的代收文件中导入"))
                elif serial in in_file:
                    problems.append((number, f"流水号 {serial} 与第 {in_file[serial]} 行重复"))
                elif bill is None:
                    problems.append((number, f"账单 {d['bill_number']} 不存在"))
                elif d.get("account_number") and d["account_number"] != bill[2]:
                    problems.append((number, f"账单 {d['bill_number']} 不属于户号 {d['account_number']}"))
                elif d["amount"] not in (bill[3] - bill[4], bill[3]) or d["amount"] <= 0:
                    problems.append((number, f"账单 {d['bill_number']} 代收金额 {d['amount']} 与账单金额 {bill[3]}"
                                             f"（欠缴 {bill[3] - bill[4]}）不符"))
                else:
                    lines.append((number, d, bill))
                in_file.setdefault(serial, number)
            if len({d["bill_number"] for _, d, _ in lines}) != len(lines):
                problems.append((0, "同一账单在文件中出现多次"))
            if problems:
                raise FileRefused(f"代收文件有 {len(problems)} 处问题，未导入任何数据", problems)
            _check(cancel)
            result = ImportResult(kind="collection", bank_name=layout.name, file_name=file_name, run_number="",
                                  lines=len(lines))
            if preview:
                result.paid_count = len(lines)
                result.paid_total = sum((d["amount"] for _n, d, _b in lines), ZERO)
                return result
            imp = BankFileImport(kind="collection", bank_code=layout.code, sha256=sha, file_name=file_name[:200],
                                 run_id=None, lines=len(lines), paid_count=0, paid_total=ZERO, failed_count=0,
                                 failed_total=ZERO, credited_count=0, credited_total=ZERO, imported_at=now,
                                 staff_id=self.actor.staff_id)
            s.add(imp)
            try:
                s.flush()
            except IntegrityError as exc:
                raise FileRefused("这个文件已经导入过", [(0, "同一文件已导入")]) from exc
            settled = _settle(s, self.actor, now, PaymentMethod.BANK_COLLECTION, f"{layout.name}代收",
                              [(number, bill[0], bill[1], d["amount"], d["bill_number"], bill[2])
                               for number, d, bill in lines], report, cancel, result)
            rows = [{"import_id": imp.id, "bank_code": layout.code, "serial": str(d["serial"]), "bill_id": bill[0],
                     "amount": d["amount"], "paid_on": d.get("paid_date") or now.date(),
                     "branch": clean_text(str(d.get("branch") or ""))[:60], "outcome": outcome, "payment_id": pid}
                    for (number, d, bill), (pid, outcome, _note) in zip(lines, settled, strict=True)]
            for i in range(0, len(rows), CHUNK):
                s.execute(insert(BankCollection), rows[i:i + CHUNK])
            imp.paid_count, imp.paid_total = result.paid_count, result.paid_total
            imp.credited_count, imp.credited_total = result.credited_count, result.credited_total
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="bank_file_import", entity_id=imp.id,
                         action="collection", changes={
                             "bank": [None, layout.code], "sha256": [None, sha],
                             "paid": [None, f"{result.paid_count} 笔 {result.paid_total}"],
                             "credited": [None, f"{result.credited_count} 笔 {result.credited_total}"],
                             "receipts": [None, f"{result.first_receipt} … {result.last_receipt}"]})
            report(100, "完成")
            return result

    # reconciliation --------------------------------------------------------------------------------
    def reconcile_runs(self, date_from: date, date_to: date) -> list[RunReconciliation]:
        self.actor.require(Permission.BANK_FILES)
        with self.app.reading() as s:
            return run_reconciliation(s, date_from, date_to)

    def reconcile_days(self, date_from: date, date_to: date) -> list[DayReconciliation]:
        self.actor.require(Permission.BANK_FILES)
        with self.app.reading() as s:
            return day_reconciliation(s, date_from, date_to)

    def differences(self, date_from: date, date_to: date, limit: int = 5000) -> list[Difference]:
        self.actor.require(Permission.BANK_FILES)
        with self.app.reading() as s:
            return differences(s, date_from, date_to, limit)

    # arrears notices -------------------------------------------------------------------------------
    def arrears_candidates(self, district: str = "", address: str = "", limit: int = 100_000) -> list[ArrearsCandidate]:
        """Accounts owing on bills whose payment window (to the 20th of the month after reading) has ended."""
        self.actor.require(Permission.PRINT_FORMS)
        today = self.app.clock.now().date()
        owed = type_coerce(func.sum(Bill.amount - Bill.paid), Money())
        stmt = (select(Account.id, Account.number, Customer.name, Customer.phone, Account.address, Customer.district,
                       owed, func.count(Bill.id))
                .join(Account, Account.id == Bill.account_id).join(Customer, Customer.id == Account.customer_id)
                .where(Bill.status != billing.BillStatus.PAID, Bill.due_to < today)
                .group_by(Account.id, Account.number, Customer.name, Customer.phone, Account.address,
                          Customer.district)
                .order_by(Account.address, Account.id).limit(limit))
        if district:
            stmt = stmt.where(Customer.district == district)
        text = clean_text(address)
        if text:
            stmt = stmt.where(Account.address.contains(text, autoescape=True))
        full = self.actor.can(Permission.VIEW_FULL_ID)
        with self.app.reading() as s:
            return [ArrearsCandidate(aid, ano, name, phone if full else mask_phone(phone), addr,
                                     District(dist).label, amount or ZERO, int(n))
                    for aid, ano, name, phone, addr, dist, amount, n in s.execute(stmt)]

    def print_arrears_notices(self, district: str = "", address: str = "", *, progress: Progress | None = None,
                              cancel: threading.Event | None = None) -> tuple[str, int, bytes]:
        """One notice per account in arrears in the area; logged per account. Returns (batch, count, PDF).

        The notices' step is the batch made, and they are printed in the transaction that records it
        (there is no reprint): the company profile read here is the one of the batch's place in the
        audit chain (the chain's lock, taken when the transaction begins, keeps a profile edit from
        committing in between)."""
        self.actor.require(Permission.PRINT_FORMS)
        report = progress or (lambda _p, _t: None)
        now = self.app.clock.now()
        today = now.date()
        area = "、".join(x for x in (District(district).label if district else "全部片区", clean_text(address)) if x)
        with self.app.unit_of_work() as s:
            values = settings_store.read_all(s)
            ids = [c.account_id for c in self.arrears_candidates(district, address)]
            if not ids:
                raise Refused("该范围内没有过了缴费期仍欠费的账户")
            batch = numbering.order_number(s, "CJ", today)
            sheets: list[papers.ArrearsNoticeSheet] = []
            notices: list[dict[str, Any]] = []
            for i in range(0, len(ids), CHUNK):
                chunk = ids[i:i + CHUNK]
                per: dict[int, list[papers.NoticeBill]] = defaultdict(list)
                for aid, number, start, end, amount, paid_, due_to in s.execute(
                        select(Bill.account_id, Bill.number, Bill.period_start, Bill.period_end, Bill.amount, Bill.paid,
                               Bill.due_to).where(Bill.account_id.in_(chunk), Bill.status != billing.BillStatus.PAID,
                                                  Bill.due_to < today).order_by(Bill.period_end, Bill.id)):
                    per[aid].append(papers.NoticeBill(number, f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}", amount,
                                                      amount - paid_, due_to))
                banks = dict(s.execute(select(BankAgreement.account_id, BankAgreement.bank_name).where(
                    BankAgreement.current_account_id.in_(chunk), BankAgreement.status == AgreementStatus.ACTIVE)).all())
                for aid, ano, name, addr in s.execute(
                        select(Account.id, Account.number, Customer.name, Account.address)
                        .join(Customer, Customer.id == Account.customer_id).where(Account.id.in_(chunk))
                        .order_by(Account.address, Account.id)):
                    bills = per.get(aid, [])
                    owed = sum((b.owed for b in bills), ZERO)
                    if owed <= 0:
                        continue
                    sheets.append(papers.ArrearsNoticeSheet(ano, name, addr, area, bills, owed, banks.get(aid, ""),
                                                            now, batch))
                    notices.append({"batch": batch, "account_id": aid, "area": area[:60], "owed": owed,
                                    "bills": [{"number": b.number, "period": b.period, "amount": str(b.amount),
                                               "owed": str(b.owed), "due_to": b.due_to.isoformat()} for b in bills],
                                    "printed_at": now, "staff_id": self.actor.staff_id})
                _check(cancel)
            report(10, f"正在排版 {len(sheets)} 份通知单…")

            def paged(done: int, total: int) -> bool:
                report(10 + int(85 * done / max(total, 1)), f"已排版 {done} / {total} 份")
                return not (cancel is not None and cancel.is_set())

            try:
                pdf = papers.render_arrears_notices(company_profile(values), sheets, progress=paged,
                                                    font_path=values.get("printing.font_path") or None)
            except papers.Cancelled as exc:
                raise Cancelled() from exc
            for i in range(0, len(notices), CHUNK):
                s.execute(insert(ArrearsNotice), notices[i:i + CHUNK])
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="arrears_notice", entity_id=batch,
                         action="print", changes={"area": [None, area], "count": [None, len(notices)]})
            report(100, "完成")
            return batch, len(notices), pdf

    def notices_printed(self, limit: int = 2000) -> list[NoticePrinted]:
        with self.app.reading() as s:
            rows = s.execute(select(ArrearsNotice, Account.number, Customer.name, Staff.name)
                             .join(Account, Account.id == ArrearsNotice.account_id)
                             .join(Customer, Customer.id == Account.customer_id)
                             .join(Staff, Staff.id == ArrearsNotice.staff_id)
                             .order_by(ArrearsNotice.id.desc()).limit(limit)).all()
            return [NoticePrinted(n.batch, ano, name, n.area, n.owed, len(n.bills or []), n.printed_at, staff)
                    for n, ano, name, staff in rows]


def _names(s: Session, ids: Iterable[int]) -> dict[int, str]:
    """Today's names of some staff (as_of.Since.staff_name undoes the renames since)."""
    return {int(i): str(n) for i, n in s.execute(select(Staff.id, Staff.name).where(Staff.id.in_(list(ids))))}


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _read(layout: Layout, kind: str, data: bytes) -> Any:
    try:
        return layout.read(kind, data)
    except LayoutError as exc:
        raise FileRefused(f"{KIND_LABELS[kind]}不能读取：{exc.message}", [(0, exc.message)]) from exc


# --- settling bank money ---------------------------------------------------------------------------

Line = tuple[int, int, int, Decimal, str, str]  # line no, bill id, account id, amount, bill no, account no


def _settle(s: Session, actor: Actor, now: datetime, method: PaymentMethod, source: str, lines: Sequence[Line],
            report: Progress, cancel: threading.Event | None, result: ImportResult) -> list[tuple[int, str, str]]:
    """Enter the bank's money for these lines and return (payment id, outcome, note) for each, in order.

    The lines' accounts are locked (in id order, as the counter locks them) and read with their bills.
    A line whose bill still owes exactly its amount (the common case) is written in bulk: its payment
    (one block of receipt numbers), its allocation, the bill paid, the account's balance raised, each
    row with the digest of its fields, and the digests named in chained seal entries, as the audit
    trail records every write of a sealed row. Every line of an account where some bill no longer owes
    the line's amount (paid at the counter meanwhile) goes through the counter's own path: a payment,
    the bill's outstanding paid, the rest prepaid balance.
    """
    if not lines:
        return []
    pay_t, bill_t, acc_t, alloc_t = (_table(m) for m in (Payment, Bill, Account, BillAllocation))
    conn = s.connection()
    # Lock before deciding: the accounts first (id order), then their bills read in a statement of
    # its own, so a counter payment that held an account is seen (read committed: a new snapshot).
    accounts: dict[int, dict[str, Any]] = {}
    acc_cols = [acc_t.c.id, acc_t.c.version, *(acc_t.c[f] for f in SEALED["account"])]
    keys = [c.name for c in acc_cols]
    for where in bulk.id_lists(s, acc_t.c.id, sorted({ln[2] for ln in lines})):
        for row in conn.execute(select(*acc_cols).where(where).order_by(acc_t.c.id).with_for_update()):
            accounts[row[0]] = dict(zip(keys, row, strict=True))
        _check(cancel)
    report(30, "正在核对账单…")
    bills: dict[int, dict[str, Any]] = {}
    bill_cols = [bill_t.c.id, *(bill_t.c[f] for f in SEALED["bill"])]
    keys = [c.name for c in bill_cols]
    for where in bulk.id_lists(s, bill_t.c.id, [ln[1] for ln in lines]):
        for row in conn.execute(select(*bill_cols).where(where)):
            bills[row[0]] = dict(zip(keys, row, strict=True))
    _check(cancel)
    odd_accounts = {ln[2] for ln in lines if bills[ln[1]]["amount"] - bills[ln[1]]["paid"] != ln[3]}
    item_prefix = method.label
    first = numbering.reserve(s, f"SJ-{now:%Y%m%d}", len(lines))
    stamp = f"SJ-{now:%Y%m%d}-"
    receipts = [f"{stamp}{first + i:05d}" for i in range(len(lines))]
    result.first_receipt, result.last_receipt = receipts[0], receipts[-1]
    out: list[tuple[int, str, str] | None] = [None] * len(lines)

    # The plain lines, in bulk.
    plain = [i for i, ln in enumerate(lines) if ln[2] not in odd_accounts]
    ids = bulk.new_ids(s, pay_t, len(plain))
    report(40, f"正在入账 {len(plain)} 笔…")
    pay_rows: list[dict[str, Any]] = []
    alloc_rows: list[dict[str, Any]] = []
    bill_rows: list[dict[str, Any]] = []
    raised: dict[int, Decimal] = defaultdict(lambda: ZERO)
    seals: list[tuple[str, int, str]] = []
    kind, how, paid_status = str(PaymentKind.ARREARS), str(method), str(billing.BillStatus.PAID)
    for i, pid in zip(plain, ids, strict=True):
        _no, bid, aid, amount, bno, _ano = lines[i]
        bill = bills[bid]
        pay = {"id": pid, "receipt_number": receipts[i], "kind": kind, "amount": amount, "cash_effect": amount,
               "balance_effect": amount, "method": how, "customer_id": bill["customer_id"], "account_id": aid,
               "order_id": None, "staff_id": actor.staff_id, "at": now, "item": f"{item_prefix} {bno}"[:60],
               "note": source, "reverses_id": None}
        pay["digest"] = row_digest("payment", pay)
        pay_rows.append(pay)
        alloc_rows.append({"bill_id": bid, "payment_id": pid, "amount": amount, "at": now,
                           "staff_id": actor.staff_id, "note": "缴费"})
        bill.update(paid=bill["amount"], status=paid_status)
        digest = row_digest("bill", bill)
        bill_rows.append({"id": bid, "paid": bill["amount"], "status": paid_status, "digest": digest})
        seals += [("payment", pid, pay["digest"]), ("bill", bid, digest)]
        raised[aid] += amount
        out[i] = (pid, LineOutcome.PAID, "")
        result.paid_count += 1
        result.paid_total += amount
    acc_rows: list[dict[str, Any]] = []
    for aid, add in raised.items():
        account = accounts[aid]
        account["balance"] = (account["balance"] + add).quantize(CENT)
        digest = row_digest("account", account)
        acc_rows.append({"id": aid, "balance": account["balance"], "version": account["version"] + 1,
                         "digest": digest})
        seals.append(("account", aid, digest))
    _check(cancel)
    report(50, f"正在写入 {len(pay_rows)} 笔收款…")
    bulk.insert_rows(s, pay_t, pay_rows)
    _check(cancel)
    report(58, "正在付清账单…")
    bulk.insert_rows(s, alloc_t, alloc_rows)
    bulk.update_rows(s, bill_t, bill_rows)
    _check(cancel)
    report(68, "正在更新账户余额…")
    bulk.update_rows(s, acc_t, acc_rows)
    _check(cancel)
    report(74, "正在封存审计记录…")
    audit.seal_written(s, at=now, staff_id=actor.staff_id, rows=seals)
    _check(cancel)

    report(78, "正在处理柜台已缴的账单…")
    # The accounts where a bill was paid at the counter after it was sent: the counter's own path.
    for i, ln in enumerate(lines):
        if ln[2] not in odd_accounts:
            continue
        number, bid, aid, amount, bno, ano = ln
        account_obj = s.get(Account, aid)
        bill_obj = s.get(Bill, bid)
        assert account_obj is not None and bill_obj is not None
        p = Payment(receipt_number=receipts[i], kind=PaymentKind.ARREARS, amount=amount, cash_effect=amount,
                    balance_effect=amount, method=method, customer_id=bill_obj.customer_id, account_id=aid,
                    order_id=None, staff_id=actor.staff_id, at=now, item=f"{item_prefix} {bno}"[:60], note=source,
                    reverses_id=None)
        s.add(p)
        old = account_obj.balance
        account_obj.balance = (account_obj.balance + amount).quantize(CENT)
        s.flush()
        owes = bill_obj.amount - bill_obj.paid
        if owes > 0:
            billing.pay_exactly(s, [bill_obj], p, at=now, staff_id=actor.staff_id)
        billing.settle_account(s, account_obj, at=now, staff_id=actor.staff_id, payments=[p])
        audit.append(s, at=now, staff_id=actor.staff_id, entity="account", entity_id=aid,
                     action=f"payment:{method.value}", changes={"balance": [old, account_obj.balance]})
        audit.append(s, at=now, staff_id=actor.staff_id, entity="payment", entity_id=p.id, action="create",
                     changes=audit.snapshot(p, ["receipt_number", "kind", "amount", "method", "account_id"]))
        if owes >= amount:
            out[i] = (p.id, LineOutcome.PAID, "")
            result.paid_count += 1
            result.paid_total += amount
        else:
            note = (f"账单已在柜台缴清，{amount - max(owes, ZERO)} 元转为预存款" if owes <= 0
                    else f"账单尚欠 {owes} 元已付清，其余 {amount - owes} 元转为预存款")
            out[i] = (p.id, LineOutcome.CREDITED, note)
            result.credited_count += 1
            result.credited_total += amount
            result.report.append(ReportLine(number, bno, ano, amount, LineOutcome.CREDITED.label, note))
    s.flush()
    return [o for o in out if o is not None]


# --- reconciliation queries (the ledger in gasdesk.services.ledgers.bank_reconciliation reads the same) ---

def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    if date_to < date_from:
        raise Refused("结束日期不能早于开始日期")
    return datetime.combine(date_from, time.min), datetime.combine(date_to + timedelta(days=1), time.min)


def run_reconciliation(s: Session, date_from: date, date_to: date) -> list[RunReconciliation]:
    """Runs made in the period: sent, returned, paid, failed, credited, and the payments booked."""
    start, end = _bounds(date_from, date_to)
    runs = s.scalars(select(BankRun).where(BankRun.created_at >= start, BankRun.created_at < end)
                     .order_by(BankRun.created_at, BankRun.id)).all()
    out = []
    for r in runs:
        rows = s.execute(select(BankRunLine.outcome, func.count(), type_coerce(func.sum(BankRunLine.amount), Money()))
                         .where(BankRunLine.run_id == r.id).group_by(BankRunLine.outcome)).all()
        by = {o: (int(n), t or ZERO) for o, n, t in rows}
        booked = s.scalar(select(type_coerce(func.sum(Payment.amount), Money()))
                          .join(BankRunLine, BankRunLine.payment_id == Payment.id)
                          .where(BankRunLine.run_id == r.id)) or ZERO
        paid, failed, credited = (by.get(k, (0, ZERO)) for k in ("paid", "failed", "credited"))
        returned = (paid[0] + failed[0] + credited[0], paid[1] + failed[1] + credited[1])
        if r.status == RunStatus.WITHDRAWN:
            returned = (0, ZERO)
        out.append(RunReconciliation(
            run_number=r.number, bank_name=r.bank_name, month=r.month, status=RunStatus(r.status).label,
            sent_count=r.count, sent_total=r.total, returned_count=returned[0], returned_total=returned[1],
            paid_count=paid[0], paid_total=paid[1], failed_count=failed[0] if r.status != RunStatus.WITHDRAWN else 0,
            failed_total=failed[1] if r.status != RunStatus.WITHDRAWN else ZERO, credited_count=credited[0],
            credited_total=credited[1], booked_total=booked))
    return out


BANK_METHODS = (PaymentMethod.BANK_DEBIT, PaymentMethod.BANK_COLLECTION)


def day_reconciliation(s: Session, date_from: date, date_to: date) -> list[DayReconciliation]:
    """Per day, channel (代扣/代收) and bank: the bank payments booked, and how much paid bills vs went
    to prepaid balance."""
    start, end = _bounds(date_from, date_to)
    rows = s.execute(select(Payment.id, Payment.at, Payment.method, Payment.amount, Payment.note)
                     .where(Payment.at >= start, Payment.at < end, Payment.method.in_(BANK_METHODS))
                     .order_by(Payment.at, Payment.id)).all()
    to_bills: dict[int, Decimal] = {}
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), CHUNK):
        for pid, amount in s.execute(select(BillAllocation.payment_id, type_coerce(func.sum(BillAllocation.amount),
                                                                                   Money()))
                                     .where(BillAllocation.payment_id.in_(ids[i:i + CHUNK]))
                                     .group_by(BillAllocation.payment_id)):
            assert pid is not None
            to_bills[pid] = amount or ZERO
    run_banks = dict(s.execute(select(BankRun.number, BankRun.bank_name)).all())
    groups: dict[tuple[date, str, str], list[Any]] = {}
    for pid, at, method, amount, note in rows:
        bank = run_banks.get(note, note.removesuffix("代收"))
        g = groups.setdefault((at.date(), PaymentMethod(method).label, bank), [0, ZERO, ZERO])
        g[0] += 1
        g[1] += amount
        g[2] += to_bills.get(pid, ZERO)
    return [DayReconciliation(day, channel, bank, n, total, billed, total - billed)
            for (day, channel, bank), (n, total, billed) in sorted(groups.items())]


def differences(s: Session, date_from: date, date_to: date, limit: int = 5000) -> list[Difference]:
    """What needs a person: failed debits (with the bank's reason), money taken as prepaid balance,
    and lines of runs still waiting for their return."""
    start, end = _bounds(date_from, date_to)
    rows = s.execute(
        select(BankRun.number, BankRun.status, BankRunLine.bill_number, BankRunLine.account_number,
               BankRunLine.amount, BankRunLine.outcome, BankRunLine.reason)
        .join(BankRunLine, BankRunLine.run_id == BankRun.id)
        .where(BankRun.created_at >= start, BankRun.created_at < end,
               or_(BankRunLine.outcome.in_([LineOutcome.FAILED, LineOutcome.CREDITED]),
                   BankRunLine.pending_bill_id.is_not(None)))
        .order_by(BankRun.id, BankRunLine.seq).limit(limit)).all()
    out = []
    for run, status, bno, ano, amount, outcome, reason in rows:
        if status == RunStatus.WITHDRAWN:
            what = "批次撤回"
        elif outcome == LineOutcome.WAITING:
            what = "待回盘"
        else:
            what = f"{LineOutcome(outcome).label}：{reason}" if reason else LineOutcome(outcome).label
        out.append(Difference(run, bno, ano, amount, what))
    credited = s.execute(
        select(BankCollection.serial, Bill.number, Account.number, BankCollection.amount, BankFileImport.bank_code)
        .join(Bill, Bill.id == BankCollection.bill_id).join(Account, Account.id == Bill.account_id)
        .join(BankFileImport, BankFileImport.id == BankCollection.import_id)
        .where(BankFileImport.imported_at >= start, BankFileImport.imported_at < end,
               BankCollection.outcome == LineOutcome.CREDITED).limit(limit)).all()
    for serial, bno, ano, amount, _bank in credited:
        out.append(Difference(f"代收 {serial}", bno, ano, amount, "代收时账单已缴，转为预存款"))
    return out


def bank_paid_subquery(ids: Iterable[int] | None = None) -> Any:
    """Per bill, what bank money (代扣/代收) paid of it: for the bill ledgers."""
    stmt = (select(BillAllocation.bill_id, type_coerce(func.sum(BillAllocation.amount), Money()).label("bank"))
            .join(Payment, Payment.id == BillAllocation.payment_id)
            .where(Payment.method.in_(BANK_METHODS)).group_by(BillAllocation.bill_id))
    if ids is not None:
        stmt = stmt.where(BillAllocation.bill_id.in_(list(ids)))
    return stmt.subquery()


__all__ = [
    "AgreementStatus", "AgreementView", "BANK_METHODS", "BankService", "Cancelled", "DayReconciliation",
    "Difference", "FileRefused", "ImportResult", "LineOutcome", "ReportLine", "RunReconciliation", "RunStatus",
    "RunView", "bank_layouts", "day_reconciliation", "differences", "month_bounds", "run_reconciliation",
]
