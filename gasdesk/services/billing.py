"""Tariffs, tiered gas bills, and how payments and the prepaid balance pay them.

Money rule: an account's balance = the sum of its payments' balance effects - the sum of its bills.
A bill lowers the balance by its amount when issued (so arrears are a negative balance); the bills'
`paid` sums always say which bills that balance covers:

* a bill issued while the balance is positive is paid from it at once (allocation without a payment,
  预存款抵扣);
* money that raises the balance (a counter payment, a deposit, arrears collected by a transfer or a
  closure) pays the oldest unpaid bills; `BillingService.pay_bills` pays exactly the bills chosen;
* a reversal (PaymentService.reverse) takes the reversed payment's allocations back, and when the
  balance then no longer covers bills that the prepaid balance had paid, the newest of those are
  unpaid again.

The last two also happen for money moved by code that knows nothing of bills (gasdesk.services.payments,
the flows' settle_balance effect): a session hook (registered in gasdesk.models.billing, calling
`collect_moved` / `settle_moved` below) notes every account whose balance changed in a unit of work and
calls `settle_account` for it just before the commit. `settle_account` is idempotent, so calling it
explicitly as well does no harm.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, or_, select, type_coerce
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

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
from gasdesk.services import audit, numbering, payments
from gasdesk.services.context import Actor, App
from gasdesk.services.errors import NotFound, Refused
from gasdesk.services.payments import PaymentService, PaymentView
from gasdesk.validation import ValidationError, check_amount, check_reading, mask_phone
from gasdesk.vocab import AccountStatus, GasUseType, Labelled, PaymentKind, PaymentMethod

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
PRICE_PLACES = Decimal("0.0001")
ONE_DAY = timedelta(days=1)


class BillStatus(Labelled):
    UNPAID = ("unpaid", "未缴费")
    PARTLY_PAID = ("partly_paid", "部分缴费")
    PAID = ("paid", "已缴清")


def status_of(amount: Decimal, paid: Decimal) -> BillStatus:
    if paid >= amount:
        return BillStatus.PAID
    return BillStatus.PARTLY_PAID if paid > 0 else BillStatus.UNPAID


# --- tariffs ------------------------------------------------------------------------------------

# Illustrative prices only, not any city's published tariff: they are written to the tariff table the
# first time a bill is priced on an empty table, and the office replaces them by adding its own rows.
# (tier1_limit, tier2_limit, price1, price2, price3); limits are m³ per household and calendar year.
DEFAULT_TARIFFS: dict[GasUseType, tuple[Decimal | None, Decimal | None, Decimal, Decimal | None, Decimal | None]] = {
    GasUseType.RESIDENTIAL: (Decimal("350"), Decimal("500"), Decimal("2.65"), Decimal("3.18"), Decimal("3.98")),
    GasUseType.COMMERCIAL: (None, None, Decimal("3.45"), None, None),
    GasUseType.INDUSTRIAL: (None, None, Decimal("3.20"), None, None),
    GasUseType.PUBLIC: (None, None, Decimal("3.00"), None, None),
    GasUseType.HEATING: (None, None, Decimal("2.90"), None, None),
}
DEFAULT_EFFECTIVE_FROM = date(2000, 1, 1)


@dataclass(frozen=True)
class Rate:
    """One tariff row as plain data. Tiered when it has tier limits (residential)."""

    gas_use_type: str
    effective_from: date
    tier1_limit: Decimal | None
    tier2_limit: Decimal | None
    price1: Decimal
    price2: Decimal | None = None
    price3: Decimal | None = None
    id: int | None = None
    note: str = ""

    @property
    def tiered(self) -> bool:
        return self.tier1_limit is not None

    @property
    def use_label(self) -> str:
        return GasUseType(self.gas_use_type).label


def rate_of(t: Tariff) -> Rate:
    return Rate(t.gas_use_type, t.effective_from, t.tier1_limit, t.tier2_limit, t.price1, t.price2, t.price3,
                t.id, t.note)


def default_rates() -> list[Rate]:
    return [Rate(use.value, DEFAULT_EFFECTIVE_FROM, *values, note="示例气价（仅供演示，请按物价部门文件调整）")
            for use, values in DEFAULT_TARIFFS.items()]


def ensure_tariffs(session: Session) -> None:
    """Write the illustrative default prices when the tariff table is empty (first use).

    Like a migration's data, this is not an act of any clerk, so it is not audited; every tariff added
    later is. Concurrent first uses are harmless: the insert skips a row that already exists.
    """
    if session.scalar(select(Tariff.id).limit(1)) is not None:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = datetime.now().replace(microsecond=0)
    for r in default_rates():
        stmt = insert(Tariff).values(
            gas_use_type=r.gas_use_type, effective_from=r.effective_from, tier1_limit=r.tier1_limit,
            tier2_limit=r.tier2_limit, price1=r.price1, price2=r.price2, price3=r.price3, note=r.note,
            created_by_id=None, created_at=now,
        ).on_conflict_do_nothing(index_elements=[Tariff.gas_use_type, Tariff.effective_from])
        session.execute(stmt)


def rates_for(session: Session, gas_use_type: str) -> list[Rate]:
    """Every price of one gas-use type, oldest first."""
    ensure_tariffs(session)
    rows = session.scalars(select(Tariff).where(Tariff.gas_use_type == gas_use_type)
                           .order_by(Tariff.effective_from))
    return [rate_of(t) for t in rows]


def rate_on(rates: Sequence[Rate], day: date) -> Rate:
    """The price in force on a day: the row with the latest effective date not after it."""
    found: Rate | None = None
    for r in rates:
        if r.effective_from <= day:
            found = r
    if found is None:
        label = GasUseType(rates[0].gas_use_type).label if rates else "该用气性质"
        raise Refused(f"{label}在 {day.isoformat()} 没有适用的气价，请先在气价设置中添加")
    return found


# --- tier arithmetic (pure) ---------------------------------------------------------------------

def tier_limits(rate: Rate, allowance: Decimal | None) -> tuple[Decimal, Decimal]:
    """The yearly tier limits of one household under a tiered price.

    Rule: tier 1 ends at max(the tariff's tier-1 limit, the household's own yearly allowance
    (Customer.yearly_allowance, raised by the allowance-change flow for large households)); tier 2
    ends at the tariff's tier-2 limit moved up by the same amount, so a raised allowance shifts both
    limits and keeps tier 2 as wide as the tariff says. An allowance below the tariff's limit never
    lowers it. Volumes are counted per household = per gas account, over the calendar year.
    """
    assert rate.tier1_limit is not None and rate.tier2_limit is not None
    lift = max(ZERO, (allowance or ZERO) - rate.tier1_limit)
    return rate.tier1_limit + lift, rate.tier2_limit + lift


@dataclass(frozen=True)
class BillLine:
    """Gas of one tier at one price within one year: `start`..`end` are the days it covers."""

    tier: int
    volume: Decimal
    price: Decimal
    amount: Decimal
    start: date
    end: date

    def as_json(self) -> dict[str, Any]:
        return {"tier": self.tier, "volume": str(self.volume), "price": str(self.price),
                "amount": str(self.amount), "from": self.start.isoformat(), "to": self.end.isoformat()}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> BillLine:
        return cls(int(d["tier"]), Decimal(d["volume"]), Decimal(d["price"]), Decimal(d["amount"]),
                   date.fromisoformat(d["from"]), date.fromisoformat(d["to"]))


def consumption_days(previous_on: date, read_on: date) -> tuple[date, date]:
    """The days a reading's gas was used on: the day after the previous reading up to the reading day.
    Two readings on the same day: the gas counts on that day."""
    if read_on > previous_on:
        return previous_on + ONE_DAY, read_on
    return read_on, read_on


def segments(first: date, last: date, rates: Sequence[Rate]) -> list[tuple[date, date, Rate]]:
    """Split the days first..last where a calendar year starts or a new price takes effect."""
    cuts = {first}
    cuts.update(date(y, 1, 1) for y in range(first.year + 1, last.year + 1))
    cuts.update(r.effective_from for r in rates if first < r.effective_from <= last)
    starts = sorted(cuts)
    result = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - ONE_DAY if i + 1 < len(starts) else last
        result.append((start, end, rate_on(rates, start)))
    return result


def prorate(volume: Decimal, day_counts: Sequence[int]) -> list[Decimal]:
    """Split a volume in proportion to day counts, to 0.001 m³, the parts adding up exactly: each part
    is the difference of the rounded running totals."""
    total = sum(day_counts)
    parts: list[Decimal] = []
    running, done = 0, ZERO
    for days in day_counts:
        running += days
        upto = (volume * running / total).quantize(MILLI, rounding=ROUND_HALF_UP)
        parts.append(upto - done)
        done = upto
    return parts


def price_lines(volume: Decimal, previous_on: date, read_on: date, rates: Sequence[Rate],
                used_before: Mapping[int, Decimal], allowance: Decimal | None) -> list[BillLine]:
    """The lines of a bill for `volume` m³ used between two readings.

    The days are split at each 1 January and at each price change; the volume is shared among the
    parts by their number of days (prorate). Within each part the household's volume already billed in
    that calendar year (`used_before`, plus the earlier parts) decides the tier; each line's amount is
    rounded to the fen (ROUND_HALF_UP), and the bill is the sum of its lines.
    """
    if volume <= 0:
        return []
    first, last = consumption_days(previous_on, read_on)
    parts = segments(first, last, rates)
    volumes = prorate(volume, [(end - start).days + 1 for start, end, _ in parts])
    used: dict[int, Decimal] = defaultdict(lambda: Decimal("0.000"), used_before)
    lines: list[BillLine] = []
    for (start, end, rate), part in zip(parts, volumes, strict=True):
        if part <= 0:
            continue
        position = used[start.year]
        bands: list[tuple[int, Decimal | None, Decimal]]
        if rate.tiered and rate.price2 is not None and rate.price3 is not None:
            t1, t2 = tier_limits(rate, allowance)
            bands = [(1, t1, rate.price1), (2, t2, rate.price2), (3, None, rate.price3)]
        else:
            bands = [(1, None, rate.price1)]
        left = part
        for tier, upper, price in bands:
            if left <= 0:
                break
            take = left if upper is None else min(left, max(Decimal("0.000"), upper - position))
            if take <= 0:
                continue
            amount = (take * price).quantize(CENT, rounding=ROUND_HALF_UP)
            lines.append(BillLine(tier, take, price, amount, start, end))
            position += take
            left -= take
        used[start.year] += part
    return lines


# --- issuing bills ------------------------------------------------------------------------------

def due_window(read_on: date) -> tuple[date, date]:
    """Bills are queried and paid from the 1st to the 20th of the month after the reading."""
    year, month = (read_on.year + 1, 1) if read_on.month == 12 else (read_on.year, read_on.month + 1)
    return date(year, month, 1), date(year, month, 20)


def bill_number(session: Session, day: date) -> str:
    stamp = day.strftime("%Y%m")
    return f"ZD-{stamp}-{numbering.next_value(session, f'ZD-{stamp}'):06d}"


def yearly_volumes(session: Session, account_id: int, years: Iterable[int]) -> dict[int, Decimal]:
    """Volume already billed to the account in each of these calendar years (from the bills' lines)."""
    wanted = set(years)
    result = {y: Decimal("0.000") for y in wanted}
    if not wanted:
        return result
    rows = session.scalars(select(Bill.lines).where(
        Bill.account_id == account_id, Bill.period_end >= date(min(wanted), 1, 1),
        Bill.period_start <= date(max(wanted), 12, 31)))
    for lines in rows:
        for line in lines or []:
            year = date.fromisoformat(line["from"]).year
            if year in wanted:
                result[year] += Decimal(line["volume"])
    return result


@dataclass(frozen=True)
class PricedReading:
    """What a reading will be billed, worked out before anything is written."""

    gas_use_type: str
    lines: list[BillLine]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def price_reading(session: Session, account: Account, volume: Decimal, previous_on: date,
                  read_on: date) -> PricedReading:
    """Price the gas of a reading for the account's household; raises Refused (and writes nothing but
    the default tariffs on first use) when no price applies."""
    customer = session.get(Customer, account.customer_id)
    assert customer is not None
    if volume <= 0:
        return PricedReading(customer.gas_use_type, [])
    rates = rates_for(session, customer.gas_use_type)
    first, last = consumption_days(previous_on, read_on)
    used = yearly_volumes(session, account.id, range(first.year, last.year + 1))
    lines = price_lines(volume, previous_on, read_on, rates, used, customer.yearly_allowance)
    return PricedReading(customer.gas_use_type, lines)


def issue_bill(session: Session, *, at: datetime, staff_id: int, account: Account, reading: MeterReading,
               priced: PricedReading) -> Bill | None:
    """Write the bill of a reading (none for no gas used), lower the balance, pay it from a prepaid
    balance. `priced` comes from price_reading() for the same reading."""
    if reading.volume <= 0 or not priced.lines:
        return None
    due_from, due_to = due_window(reading.read_on)
    amount = priced.amount
    bill = Bill(
        number=bill_number(session, at.date()), account_id=account.id, customer_id=account.customer_id,
        reading_id=reading.id, gas_use_type=priced.gas_use_type, period_start=reading.previous_on,
        period_end=reading.read_on, volume=reading.volume, amount=amount,
        lines=[line.as_json() for line in priced.lines], issued_at=at, due_from=due_from, due_to=due_to,
        paid=ZERO, status=BillStatus.UNPAID if amount > 0 else BillStatus.PAID, staff_id=staff_id,
    )
    session.add(bill)
    session.flush()
    audit.append(session, at=at, staff_id=staff_id, entity="bill", entity_id=bill.id, action="issue",
                 changes=audit.snapshot(bill, ["number", "account_id", "period_start", "period_end", "volume",
                                               "amount", "due_to"]))
    old = account.balance
    account.balance = (old - amount).quantize(CENT)
    audit.append(session, at=at, staff_id=staff_id, entity="account", entity_id=account.id,
                 action="bill", changes={"balance": [old, account.balance], "bill": [None, bill.number]})
    settle_account(session, account, at=at, staff_id=staff_id)
    return bill


# --- allocations --------------------------------------------------------------------------------

class _Changes:
    """Bills whose paid sum moved in one settle, audited once each."""

    def __init__(self) -> None:
        self.before: dict[int, tuple[Bill, Decimal, str]] = {}

    def put(self, session: Session, bill: Bill, amount: Decimal, *, at: datetime, staff_id: int | None,
            payment: Payment | None, note: str) -> None:
        if amount == 0:
            return
        self.before.setdefault(bill.id, (bill, bill.paid, bill.status))
        session.add(BillAllocation(bill_id=bill.id, payment_id=payment.id if payment else None, amount=amount,
                                   at=at, staff_id=staff_id, note=note))
        bill.paid = (bill.paid + amount).quantize(CENT)
        bill.status = status_of(bill.amount, bill.paid)

    def audit(self, session: Session, *, at: datetime, staff_id: int | None) -> None:
        for bill, old_paid, old_status in self.before.values():
            audit.append(session, at=at, staff_id=staff_id, entity="bill", entity_id=bill.id, action="allocate",
                         changes={"paid": [old_paid, bill.paid], "status": [old_status, str(bill.status)]})


def _allocated_by(session: Session, payment_id: int) -> Decimal:
    total = session.scalar(select(func.sum(BillAllocation.amount)).where(BillAllocation.payment_id == payment_id))
    return total or ZERO


def settle_account(session: Session, account: Account, *, at: datetime, staff_id: int | None,
                   payments: Sequence[Payment] = ()) -> list[Bill]:
    """Make the account's bills agree with its balance; returns the bills whose paid sum changed.

    `payments` are this unit of work's payments on the account: a reversal among them takes back what
    the reversed payment paid; money still free after that pays the oldest unpaid bills, attributed to
    the payments that brought it (else to the prepaid balance); a shortfall unpays the newest bills
    that the prepaid balance had paid. Every change is a new allocation row (negative to take money
    back); a bill's `paid` and `status` are only the running sum of its rows.
    """
    changes = _Changes()
    session.flush()
    for p in payments:
        if p.id is None or p.kind != PaymentKind.REVERSAL or p.reverses_id is None:
            continue
        if session.scalar(select(BillAllocation.id).where(BillAllocation.payment_id == p.id).limit(1)):
            continue  # already taken back
        rows = session.execute(
            select(BillAllocation.bill_id, func.sum(BillAllocation.amount))
            .where(BillAllocation.payment_id == p.reverses_id).group_by(BillAllocation.bill_id)
        ).all()
        for bill_id, net in rows:
            bill = session.get(Bill, bill_id)
            if bill is not None and net and net > 0:
                changes.put(session, bill, -min(net, bill.paid), at=at, staff_id=staff_id, payment=p,
                            note="冲正撤销")
    session.flush()
    open_bills = list(session.scalars(select(Bill).where(Bill.account_id == account.id, Bill.status != BillStatus.PAID)
                                      .order_by(Bill.period_end, Bill.id)))
    outstanding = sum((b.amount - b.paid for b in open_bills), ZERO)
    free = account.balance + outstanding
    if free > 0 and open_bills:
        sources: list[list[Any]] = []
        for p in payments:
            if p.id is not None and p.kind != PaymentKind.REVERSAL and p.balance_effect > 0:
                left = p.balance_effect - _allocated_by(session, p.id)
                if left > 0:
                    sources.append([p, left])
        for bill in open_bills:
            need = min(bill.amount - bill.paid, free)
            while need > 0:
                source = next((s for s in sources if s[1] > 0), None)
                chunk = min(need, source[1]) if source else need
                changes.put(session, bill, chunk, at=at, staff_id=staff_id,
                            payment=source[0] if source else None, note="缴费" if source else "预存款抵扣")
                if source:
                    source[1] -= chunk
                need -= chunk
                free -= chunk
            if free <= 0:
                break
    elif free < 0:
        short = -free
        covered = session.scalars(select(Bill).where(Bill.account_id == account.id, Bill.paid > 0)
                                  .order_by(Bill.period_end.desc(), Bill.id.desc()))
        for bill in covered:
            back = min(bill.paid, short)
            changes.put(session, bill, -back, at=at, staff_id=staff_id, payment=None, note="余额不足，撤销抵扣")
            short -= back
            if short <= 0:
                break
    session.flush()
    changes.audit(session, at=at, staff_id=staff_id)
    return [bill for bill, _, _ in changes.before.values()]


def pay_exactly(session: Session, bills: Sequence[Bill], payment: Payment, *, at: datetime, staff_id: int) -> None:
    """Allocate a payment to exactly these bills' outstanding sums."""
    changes = _Changes()
    for bill in sorted(bills, key=lambda b: (b.period_end, b.id)):
        changes.put(session, bill, bill.amount - bill.paid, at=at, staff_id=staff_id, payment=payment, note="缴费")
    session.flush()
    changes.audit(session, at=at, staff_id=staff_id)


# The session hook (registered by gasdesk.models.billing, so it is active wherever the models are):
# money moved by code that does not know bills is allocated before the unit of work commits.
_PENDING = "gasdesk.billing.pending"


def collect_moved(session: Session) -> None:
    """before_flush: note the accounts whose balance changed and the payments that moved it."""
    pending: dict[int, list[Payment]] = session.info.setdefault(_PENDING, {})
    for obj in session.new:
        if isinstance(obj, Payment) and obj.account_id is not None and obj.balance_effect:
            pending.setdefault(obj.account_id, []).append(obj)
    for obj in session.dirty:
        if isinstance(obj, Account) and obj.id is not None and sa_inspect(obj).attrs.balance.history.has_changes():
            pending.setdefault(obj.id, [])
    if not pending:
        session.info.pop(_PENDING, None)


def settle_moved(session: Session) -> None:
    """before_commit: settle_account() for every account noted in this unit of work."""
    for _ in range(3):
        session.flush()
        pending: dict[int, list[Payment]] | None = session.info.pop(_PENDING, None)
        if not pending:
            return
        for account_id, moved in pending.items():
            account = session.get(Account, account_id)
            if account is None:
                continue
            last = moved[-1] if moved else None
            at = last.at if last is not None else datetime.now().replace(microsecond=0)
            settle_account(session, account, at=at, staff_id=last.staff_id if last is not None else None,
                           payments=moved)


def forget_moved(session: Session) -> None:
    """after a rollback: nothing noted survives."""
    session.info.pop(_PENDING, None)


# --- views --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BillView:
    id: int
    number: str
    account_id: int
    account_number: str
    gas_use_type: GasUseType
    period_start: date
    period_end: date
    previous_reading: Decimal
    reading: Decimal
    volume: Decimal
    amount: Decimal
    paid: Decimal
    status: BillStatus
    issued_at: datetime
    due_from: date
    due_to: date
    lines: list[BillLine] = field(default_factory=list)

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


def bill_view(b: Bill, account_number: str, reading: MeterReading | None) -> BillView:
    return BillView(
        id=b.id, number=b.number, account_id=b.account_id, account_number=account_number,
        gas_use_type=GasUseType(b.gas_use_type), period_start=b.period_start, period_end=b.period_end,
        previous_reading=reading.previous if reading else Decimal("0.000"),
        reading=reading.reading if reading else Decimal("0.000"), volume=b.volume, amount=b.amount, paid=b.paid,
        status=BillStatus(b.status), issued_at=b.issued_at, due_from=b.due_from, due_to=b.due_to,
        lines=[BillLine.from_json(d) for d in b.lines or []],
    )


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


@dataclass(frozen=True)
class ReadingOutcome:
    """A reading entered at the counter and the bill it made (None when no gas was used)."""

    reading_id: int
    meter_number: str
    read_on: date
    reading: Decimal
    volume: Decimal
    bill: BillView | None


def _method(method: PaymentMethod | str) -> PaymentMethod:
    try:
        chosen = PaymentMethod(method)
    except ValueError as exc:
        raise Refused("请选择支付方式", field="method") from exc
    if chosen.at_bank:
        raise Refused("银行代扣、代收只能通过导入银行文件入账", field="method")
    return chosen


class BillingService:
    """The counter's view of bills: list, pay, prepay, reverse, arrears, readings."""

    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app, actor

    # reading -----------------------------------------------------------------------------------
    def bills_of(self, account_id: int, limit: int = 240) -> list[BillView]:
        """The account's bills, newest first."""
        with self.app.reading() as s:
            account = s.get(Account, account_id)
            if account is None:
                raise NotFound("账户不存在")
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
            account = s.get(Account, account_id, with_for_update=True)
            if account is None:
                raise NotFound("账户不存在")
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
            return payments.view(p, self.actor.name)

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
        from gasdesk.services.readings import ReadingService

        return ReadingService(self.app, self.actor).record(meter_number, read_on, reading)


# --- tariff administration ----------------------------------------------------------------------

class TariffService:
    """The price list: read by everyone, extended (never edited) by whoever may edit the settings."""

    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app, actor

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
                       price2=p2, price3=p3, note=note.strip(), created_by_id=self.actor.staff_id, created_at=now)
            s.add(t)
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="tariff", entity_id=t.id, action="create",
                         changes=audit.snapshot(t, ["gas_use_type", "effective_from", "tier1_limit", "tier2_limit",
                                                    "price1", "price2", "price3"]))
            return rate_of(t)


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
        return check_reading(str(value), field=field_name)
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
    "settle_account", "tier_limits",
]
