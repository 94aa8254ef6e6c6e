"""The counter's billing: bills, payments on them, prepayment, reversal, arrears, tariffs, billing ledgers.

The rules themselves (pricing by tier, issuing a bill, how payments and the prepaid balance pay bills,
and how bills follow any moved balance before a unit of work commits) are in gasdesk.services.bills;
the services here check the actor, open the unit of work and call them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError

from gasdesk.models import (
    Account,
    Bill,
    BillAllocation,
    Customer,
    MeterReading,
    Money,
    Payment,
    Staff,
    Tariff,
)
from gasdesk.permissions import Permission
from gasdesk.services import audit, payments
from gasdesk.services.bills import (
    CENT,
    DEFAULT_TARIFFS,
    ONE_DAY,
    PRICE_PLACES,
    ZERO,
    BillLine,
    BillStatus,
    BillView,
    PricedReading,
    Rate,
    bill_view,
    default_rates,
    due_window,
    ensure_tariffs,
    issue_bill,
    pay_exactly,
    price_lines,
    price_reading,
    prorate,
    rate_of,
    rates_for,
    settle_account,
    status_of,
    tier_limits,
)
from gasdesk.services.context import Actor, App, Service, must_get, name_of
from gasdesk.services.errors import NotFound, Refused, refusing
from gasdesk.services.payments import PaymentService, PaymentView
from gasdesk.services.readings import ReadingOutcome, ReadingService
from gasdesk.validation import ValidationError, check_amount, check_meter_reading, check_text, mask_phone
from gasdesk.vocab import AccountStatus, GasUseType, PaymentKind, PaymentMethod


@dataclass(frozen=True)
class AllocationView:
    bill_number: str
    receipt_number: str | None
    amount: Decimal
    at: datetime
    note: str


@dataclass(frozen=True)
class ArrearsRow:
    """One account in the arrears list for reminders: overdue bills only."""

    account_id: int
    account_number: str
    account_status: AccountStatus
    customer_id: int
    customer_number: str
    customer_name: str
    phone: str
    address: str
    owed: Decimal
    bills: int
    oldest_due: date
    days_overdue: int


def _method(method: PaymentMethod | str) -> PaymentMethod:
    try:
        chosen = PaymentMethod(method)
    except ValueError as exc:
        raise Refused("请选择支付方式", field="method") from exc
    if chosen.at_bank:
        raise Refused("银行代扣、代收只能通过导入银行文件入账", field="method")
    return chosen


class BillingService(Service):
    """The counter's view of bills: list, pay, prepay, reverse, arrears, readings."""

    # reading -----------------------------------------------------------------------------------
    def bills_of(self, account_id: int, limit: int = 240) -> list[BillView]:
        """The account's bills, newest first."""
        with self.app.reading() as s:
            account = must_get(s, Account, account_id, "账户不存在")
            rows = s.execute(select(Bill, MeterReading).join(MeterReading, MeterReading.id == Bill.reading_id)
                             .where(Bill.account_id == account_id)
                             .order_by(Bill.period_end.desc(), Bill.id.desc()).limit(limit)).all()
            return [bill_view(b, account.number, r) for b, r in rows]

    def unpaid(self, account_id: int) -> list[BillView]:
        """The account's bills not paid in full, oldest first."""
        return sorted((b for b in self.bills_of(account_id, limit=10_000) if b.status is not BillStatus.PAID),
                      key=lambda b: (b.period_end, b.id))

    def allocations_of(self, bill_id: int) -> list[AllocationView]:
        with self.app.reading() as s:
            rows = s.execute(
                select(BillAllocation, Bill.number, Payment.receipt_number)
                .join(Bill, Bill.id == BillAllocation.bill_id)
                .outerjoin(Payment, Payment.id == BillAllocation.payment_id)
                .where(BillAllocation.bill_id == bill_id).order_by(BillAllocation.id)
            ).all()
            return [AllocationView(number, receipt, a.amount, a.at, a.note) for a, number, receipt in rows]

    def payments_of(self, account_id: int, limit: int = 500) -> list[PaymentView]:
        """The account's payments (and reversals), newest first."""
        with self.app.reading() as s:
            rows = s.execute(
                select(Payment, Staff.name).join(Staff, Staff.id == Payment.staff_id)
                .where(Payment.account_id == account_id).order_by(Payment.at.desc(), Payment.id.desc())
                .limit(limit)
            ).all()
            return [payments.view(p, name) for p, name in rows]

    def reversed_ids(self, payment_ids: Iterable[int]) -> set[int]:
        """Which of these payments have been reversed already."""
        ids = list(payment_ids)
        if not ids:
            return set()
        with self.app.reading() as s:
            return set(s.scalars(select(Payment.reverses_id).where(Payment.reverses_id.in_(ids))))

    # money -------------------------------------------------------------------------------------
    def pay_bills(self, account_id: int, bill_ids: Sequence[int], method: PaymentMethod | str,
                  note: str = "") -> PaymentView:
        """Take the outstanding sums of exactly these bills as one payment, and allocate it to them."""
        self.actor.require(Permission.TAKE_PAYMENT)
        chosen = set(bill_ids)
        if not chosen:
            raise Refused("请选择要缴纳的账单")
        pay_method = _method(method)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            account = must_get(s, Account, account_id, "账户不存在", lock=True)
            bills = list(s.scalars(select(Bill).where(Bill.id.in_(chosen), Bill.account_id == account_id)
                                   .with_for_update()))
            if len(bills) != len(chosen):
                raise NotFound("所选账单不存在或不属于该账户")
            done = [b.number for b in bills if b.paid >= b.amount]
            if done:
                raise Refused("账单已缴清：" + "、".join(sorted(done)))
            bills.sort(key=lambda b: (b.period_end, b.id))
            total = sum((b.amount - b.paid for b in bills), ZERO)
            numbers = [b.number for b in bills]
            item = f"燃气费 {numbers[0]}" if len(numbers) == 1 else f"燃气费（{len(numbers)}张账单）"
            text = "账单：" + "、".join(numbers)
            p = payments.record(s, actor=self.actor, at=now, kind=PaymentKind.ARREARS, amount=total,
                                method=pay_method, customer_id=account.customer_id, account=account, item=item,
                                note=f"{text}；{note.strip()}" if note.strip() else text)
            pay_exactly(s, bills, p, at=now, staff_id=self.actor.staff_id)
            return payments.view(p, name_of(s, self.actor))

    def prepay(self, account_id: int, amount: Decimal | str, method: PaymentMethod | str,
               note: str = "") -> PaymentView:
        """A deposit (or arrears payment) of any amount: PaymentService.prepay; it pays the oldest unpaid
        bills first and the rest stays on the account as prepaid balance."""
        _method(method)
        return PaymentService(self.app, self.actor).prepay(account_id, amount, method, note)

    def reverse(self, payment_id: int, reason: str) -> PaymentView:
        """A manager takes a payment back (PaymentService.reverse); the bills it paid are unpaid again."""
        return PaymentService(self.app, self.actor).reverse(payment_id, reason)

    def arrears_list(self, min_amount: Decimal | str = "0.01", older_than_days: int = 0, limit: int = 100,
                     offset: int = 0) -> list[ArrearsRow]:
        """Accounts owing on bills whose payment window (1st-20th) ended more than `older_than_days`
        days ago, owing at least `min_amount` on those bills; longest overdue first. For reminders."""
        self.actor.require(Permission.TAKE_PAYMENT)
        try:
            minimum = check_amount(str(min_amount))
        except ValidationError as exc:
            raise Refused(exc.message, field="min_amount") from exc
        today = self.app.clock.now().date()
        cutoff = today - timedelta(days=max(0, int(older_than_days)))
        owed = type_coerce(func.sum(Bill.amount - Bill.paid), Money())
        oldest = func.min(Bill.due_to)
        grouped = (
            select(Bill.account_id, owed.label("owed"), func.count(Bill.id).label("bills"), oldest.label("oldest"))
            .where(Bill.status != BillStatus.PAID, Bill.due_to < cutoff)
            .group_by(Bill.account_id)
            .having(owed >= max(minimum, CENT))
            .subquery()
        )
        full = self.actor.can(Permission.VIEW_FULL_ID)
        with self.app.reading() as s:
            rows = s.execute(
                select(grouped.c.account_id, type_coerce(grouped.c.owed, Money()), grouped.c.bills,
                       grouped.c.oldest, Account, Customer)
                .join(Account, Account.id == grouped.c.account_id)
                .join(Customer, Customer.id == Account.customer_id)
                .order_by(grouped.c.oldest, grouped.c.account_id).limit(limit).offset(offset)
            ).all()
            result = []
            for account_id, amount, count, first_due, account, customer in rows:
                first = first_due if isinstance(first_due, date) else date.fromisoformat(str(first_due))
                result.append(ArrearsRow(
                    account_id=account_id, account_number=account.number, account_status=AccountStatus(account.status),
                    customer_id=customer.id, customer_number=customer.number, customer_name=customer.name,
                    phone=customer.phone if full else mask_phone(customer.phone), address=account.address,
                    owed=amount, bills=int(count), oldest_due=first, days_overdue=(today - first).days,
                ))
            return result

    def record_reading(self, meter_number: str, read_on: date | str, reading: Decimal | str) -> ReadingOutcome:
        """A reading entered at the counter; the bill it makes is returned with it."""
        return ReadingService(self.app, self.actor).record(meter_number, read_on, reading)


# --- tariff administration ----------------------------------------------------------------------

class TariffService(Service):
    """The price list: read by everyone, extended (never edited) by whoever may edit the settings."""

    def all(self) -> list[Rate]:
        with self.app.reading() as s:
            rows = [rate_of(t) for t in s.scalars(select(Tariff).order_by(Tariff.gas_use_type, Tariff.effective_from))]
        return rows or default_rates()

    def current(self, day: date | None = None) -> dict[str, Rate]:
        when = day or self.app.clock.now().date()
        result: dict[str, Rate] = {}
        for r in self.all():
            if r.effective_from <= when:
                result[r.gas_use_type] = r
        return result

    def add(self, gas_use_type: str, effective_from: date, price1: Decimal | str,
            price2: Decimal | str | None = None, price3: Decimal | str | None = None,
            tier1_limit: Decimal | str | None = None, tier2_limit: Decimal | str | None = None,
            note: str = "") -> Rate:
        """A new price from a date on. Residential prices need both tier limits and three prices.

        Bills already issued are never repriced, so a new price must start after the last day billed
        for that gas-use type.
        """
        self.actor.require(Permission.EDIT_SETTINGS)
        try:
            use = GasUseType(gas_use_type)
        except ValueError as exc:
            raise Refused("请选择用气性质", field="gas_use_type") from exc
        p1 = _price(price1, "price1")
        p2: Decimal | None
        p3: Decimal | None
        t1: Decimal | None
        t2: Decimal | None
        tiered = use is GasUseType.RESIDENTIAL
        if tiered:
            if price2 in (None, "") or price3 in (None, "") or tier1_limit in (None, "") or tier2_limit in (None, ""):
                raise Refused("居民阶梯气价须填写第一、二阶梯年用气量上限和三档价格")
            p2, p3 = _price(price2, "price2"), _price(price3, "price3")
            t1, t2 = _limit(tier1_limit, "tier1_limit"), _limit(tier2_limit, "tier2_limit")
            if not t1 < t2:
                raise Refused("第二阶梯上限须大于第一阶梯上限", field="tier2_limit")
            if not p1 <= p2 <= p3:
                raise Refused("阶梯价格应逐档不降（第一档≤第二档≤第三档）", field="price2")
        else:
            p2 = p3 = t1 = t2 = None
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            ensure_tariffs(s)
            billed_to = s.scalar(select(func.max(Bill.period_end)).where(Bill.gas_use_type == use))
            if billed_to is not None and effective_from <= billed_to:
                raise Refused(f"{use.label}已出账至 {billed_to.isoformat()}，新气价的执行日期须晚于该日",
                              field="effective_from")
            if s.scalar(select(Tariff.id).where(Tariff.gas_use_type == use, Tariff.effective_from == effective_from)):
                raise Refused(f"{use.label}在 {effective_from.isoformat()} 已有气价", field="effective_from")
            t = Tariff(gas_use_type=use, effective_from=effective_from, tier1_limit=t1, tier2_limit=t2, price1=p1,
                       price2=p2, price3=p3, note=_note(note), created_by_id=self.actor.staff_id, created_at=now)
            s.add(t)
            try:
                with s.begin_nested():
                    s.flush()
            except IntegrityError:  # another administrator added it a moment ago
                raise Refused(f"{use.label}在 {effective_from.isoformat()} 已有气价", field="effective_from") from None
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="tariff", entity_id=t.id, action="create",
                         changes=audit.snapshot(t, ["gas_use_type", "effective_from", "tier1_limit", "tier2_limit",
                                                    "price1", "price2", "price3"]))
            return rate_of(t)


def _note(text: str) -> str:
    with refusing():
        return check_text(text, "备注", 200, field="note", multiline=True)


def _price(value: Decimal | str | None, field_name: str) -> Decimal:
    try:
        price = Decimal(str(value).strip())
    except Exception as exc:  # noqa: BLE001 - any unparsable text
        raise Refused("气价应为数字（元/立方米）", field=field_name) from exc
    if not price.is_finite() or price <= 0 or price != price.quantize(PRICE_PLACES) or price >= 1000:
        raise Refused("气价应为大于零、最多四位小数的数（元/立方米）", field=field_name)
    return price.quantize(PRICE_PLACES)


def _limit(value: Decimal | str | None, field_name: str) -> Decimal:
    try:
        return check_meter_reading(str(value), field=field_name)
    except ValidationError as exc:
        raise Refused(exc.message.replace("表读数", "阶梯气量"), field=field_name) from exc


# --- ledger queries (registered by gasdesk.services.ledgers) ----------------------------------------

@dataclass(frozen=True)
class BillIssuedRow:
    number: str
    issued_at: datetime
    account_number: str
    customer_number: str
    customer_name: str
    address: str
    gas_use_type: str
    period_start: date
    period_end: date
    volume: Decimal
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    status: str
    due_to: date
    issued_by: str


@dataclass(frozen=True)
class ClerkDayRow:
    """Payments of one clerk on one day with one method: what the drawer (cash) or the terminal
    (card, mobile) must show. received - paid_out = net = the sum of the payments' cash effects."""

    day: date
    staff_login: str
    staff_name: str
    method: str
    count: int
    received: Decimal
    paid_out: Decimal
    net: Decimal
    bills_paid: Decimal


@dataclass(frozen=True)
class ArrearsAgeRow:
    """Money owed on bills as of a day, by the bill's age = days from its reading (period end)."""

    account_number: str
    account_status: str
    customer_number: str
    customer_name: str
    phone: str
    address: str
    days_0_30: Decimal
    days_31_90: Decimal
    days_over_90: Decimal
    total: Decimal
    oldest_period_end: date


def _day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    if date_to < date_from:
        raise Refused("结束日期不能早于开始日期")
    return datetime.combine(date_from, time.min), datetime.combine(date_to + ONE_DAY, time.min)


def bills_issued(app: App, actor: Actor, date_from: date, date_to: date) -> list[BillIssuedRow]:
    """Bills issued between two days (inclusive), in the order issued."""
    actor.require(Permission.EXPORT_LEDGERS)
    start, end = _day_bounds(date_from, date_to)
    with app.reading() as s:
        rows = s.execute(
            select(Bill, Account.number, Account.address, Customer.number, Customer.name, Staff.name)
            .join(Account, Account.id == Bill.account_id).join(Customer, Customer.id == Bill.customer_id)
            .join(Staff, Staff.id == Bill.staff_id)
            .where(Bill.issued_at >= start, Bill.issued_at < end).order_by(Bill.issued_at, Bill.id)
        ).all()
        return [BillIssuedRow(
            number=b.number, issued_at=b.issued_at, account_number=acc, customer_number=cno, customer_name=name,
            address=address, gas_use_type=GasUseType(b.gas_use_type).label,
            period_start=b.period_start, period_end=b.period_end, volume=b.volume, amount=b.amount, paid=b.paid,
            outstanding=b.amount - b.paid, status=BillStatus(b.status).label, due_to=b.due_to, issued_by=staff,
        ) for b, acc, address, cno, name, staff in rows]


def payments_per_clerk_day(app: App, actor: Actor, date_from: date, date_to: date) -> list[ClerkDayRow]:
    """Per day, clerk and method: count, money received, money paid out, net, and how much of it paid
    bills. The nets add up to the sum of the period's payments' cash effects (the drawer)."""
    actor.require(Permission.EXPORT_LEDGERS)
    start, end = _day_bounds(date_from, date_to)
    with app.reading() as s:
        plist = s.execute(
            select(Payment.id, Payment.at, Payment.staff_id, Payment.method, Payment.cash_effect)
            .where(Payment.at >= start, Payment.at < end).order_by(Payment.at, Payment.id)
        ).all()
        staff = {sid: (login, name) for sid, login, name in s.execute(select(Staff.id, Staff.login, Staff.name))}
        to_bills: dict[int, Decimal] = defaultdict(lambda: ZERO)
        ids = [r[0] for r in plist]
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start:chunk_start + 500]
            for pid, amount in s.execute(
                select(BillAllocation.payment_id, type_coerce(func.sum(BillAllocation.amount), Money()))
                .where(BillAllocation.payment_id.in_(chunk)).group_by(BillAllocation.payment_id)
            ):
                assert pid is not None  # payment_id IN (chunk)
                to_bills[pid] = amount or ZERO
    groups: dict[tuple[date, int, str], list[Any]] = {}
    for pid, at, staff_id, method, cash in plist:
        g = groups.setdefault((at.date(), staff_id, method), [0, ZERO, ZERO, ZERO])
        g[0] += 1
        if cash > 0:
            g[1] += cash
        else:
            g[2] += -cash
        g[3] += to_bills.get(pid, ZERO)
    result = []
    for (day, staff_id, method), (count, received, paid_out, billed) in sorted(
            groups.items(), key=lambda kv: (kv[0][0], staff.get(kv[0][1], ("", ""))[0], kv[0][2])):
        login, name = staff.get(staff_id, ("", ""))
        result.append(ClerkDayRow(day, login, name, PaymentMethod(method).label, count, received, paid_out,
                                  received - paid_out, billed))
    return result


def arrears_by_age(app: App, actor: Actor, as_of: date) -> list[ArrearsAgeRow]:
    """What each account owed on its bills at the end of `as_of`, split by the bills' age in days since
    the reading that made them: 0-30, 31-90, over 90. Allocations made after that day do not count,
    so a past date gives that day's picture. Largest total first."""
    actor.require(Permission.EXPORT_LEDGERS)
    end = datetime.combine(as_of + ONE_DAY, time.min)
    full = actor.can(Permission.VIEW_FULL_ID)
    paid_by = (select(BillAllocation.bill_id, type_coerce(func.sum(BillAllocation.amount), Money()).label("paid"))
               .where(BillAllocation.at < end).group_by(BillAllocation.bill_id).subquery())
    settled_later = select(BillAllocation.bill_id).where(BillAllocation.at >= end)
    with app.reading() as s:
        rows = s.execute(
            select(Bill.account_id, Bill.amount, type_coerce(paid_by.c.paid, Money()), Bill.period_end)
            .outerjoin(paid_by, paid_by.c.bill_id == Bill.id)
            .where(Bill.issued_at < end, or_(Bill.status != BillStatus.PAID, Bill.id.in_(settled_later)))
        ).all()
        per_account: dict[int, list[Any]] = {}
        for account_id, amount, paid, period_end in rows:
            owed = amount - (paid or ZERO)
            if owed <= 0:
                continue
            age = (as_of - period_end).days
            bucket = 0 if age <= 30 else (1 if age <= 90 else 2)
            entry = per_account.setdefault(account_id, [ZERO, ZERO, ZERO, period_end])
            entry[bucket] += owed
            entry[3] = min(entry[3], period_end)
        if not per_account:
            return []
        ids = list(per_account)
        details: dict[int, tuple[str, str, str, str, str, str]] = {}
        for start in range(0, len(ids), 500):
            for a_id, a_no, a_status, a_addr, c_no, c_name, c_phone in s.execute(
                select(Account.id, Account.number, Account.status, Account.address, Customer.number, Customer.name,
                       Customer.phone).join(Customer, Customer.id == Account.customer_id)
                .where(Account.id.in_(ids[start:start + 500]))):
                details[a_id] = (a_no, a_status, a_addr, c_no, c_name, c_phone)
    result = []
    for account_id, (a0, a1, a2, oldest) in per_account.items():
        a_no, a_status, a_addr, c_no, c_name, c_phone = details[account_id]
        result.append(ArrearsAgeRow(
            account_number=a_no, account_status=AccountStatus(a_status).label, customer_number=c_no,
            customer_name=c_name, phone=c_phone if full else mask_phone(c_phone), address=a_addr,
            days_0_30=a0, days_31_90=a1, days_over_90=a2, total=a0 + a1 + a2, oldest_period_end=oldest,
        ))
    result.sort(key=lambda r: (-r.total, r.account_number))
    return result


__all__ = [
    "AllocationView", "ArrearsAgeRow", "ArrearsRow", "BillIssuedRow", "BillLine", "BillStatus", "BillView",
    "BillingService", "ClerkDayRow", "DEFAULT_TARIFFS", "PricedReading", "Rate", "ReadingOutcome",
    "TariffService", "arrears_by_age", "bills_issued", "due_window", "ensure_tariffs", "issue_bill",
    "pay_exactly", "payments_per_clerk_day", "price_lines", "price_reading", "prorate", "rates_for",
    "settle_account", "status_of", "tier_limits",
]
