"""Tariffs, tiered bills and allocations, worked on an open session: the billing rules that the counter
(gasdesk.services.billing), meter readings (gasdesk.services.readings) and the unit of work share.

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
the flows' settle_balance effect): the models record a `BalanceMoved` event for every account whose
balance changed in a unit of work (gasdesk.models.events), and `settle_moved` below, subscribed by
gasdesk.services.handlers, calls `settle_account` for it just before the commit. `settle_account` is
idempotent, so calling it explicitly as well does no harm.

Nothing here knows the application, the actor or a permission: the services check those and call in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import exists, func, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gasdesk.models import (
    Account,
    AuditEntry,
    BalanceMoved,
    Bill,
    BillAllocation,
    Customer,
    MeterReading,
    Money,
    Payment,
    Tariff,
)
from gasdesk.services import audit, numbering
from gasdesk.services.errors import Refused
from gasdesk.vocab import GasUseType, Labelled, PaymentKind

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
        if session.scalar(select(exists().where(BillAllocation.payment_id == p.id))):
            continue  # already taken back
        rows = session.execute(
            select(BillAllocation.bill_id, func.sum(BillAllocation.amount))
            .where(BillAllocation.payment_id == p.reverses_id).group_by(BillAllocation.bill_id)
        ).all()
        for bill_id, net in rows:
            bill = session.get(Bill, bill_id)
            assert bill is not None  # an allocation's bill (a foreign key)
            if net > 0:
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


# --- what follows a moved balance -----------------------------------------------------------------

def settle_moved(session: Session, moved: BalanceMoved) -> None:
    """Handler of BalanceMoved (before the unit of work commits): the account's bills follow its balance."""
    account = session.get(Account, moved.account_id)
    if account is None:
        return
    last = moved.payments[-1] if moved.payments else None
    at = last.at if last is not None else datetime.now().replace(microsecond=0)
    settle_account(session, account, at=at, staff_id=last.staff_id if last is not None else None,
                   payments=moved.payments)


# --- the balance at a past moment ----------------------------------------------------------------

# The audit actions that write a payment (its prints are audited on it too, later).
WRITTEN = ("create", "reverse")


def written_at(session: Session, payment: Payment) -> int | None:
    """The payment's place in the audit chain: the id of the entry that wrote it (None for payments
    written in bulk without one, a bank file's plain lines). Entries are chained one transaction after
    another, so this orders the payment against every other audited write, even in the same second."""
    return written_places(session, [payment.id]).get(payment.id)


def written_places(session: Session, payment_ids: Iterable[int]) -> dict[int, int]:
    """`written_at` of many payments in one query: payment id -> place (absent: none)."""
    keys = sorted({str(i) for i in payment_ids})
    if not keys:
        return {}
    return {int(key): int(place) for key, place in session.execute(
        select(AuditEntry.entity_id, func.min(AuditEntry.id))
        .where(AuditEntry.entity == "payment", AuditEntry.entity_id.in_(keys), AuditEntry.action.in_(WRITTEN))
        .group_by(AuditEntry.entity_id))}


def balance_after(session: Session, payment: Payment) -> Decimal | None:
    """The account's balance right after this payment was written (None without an account): the
    same figure on every day it is asked, whatever was paid, billed or reversed since.

    By the money rule (and audit.check's balance check): the opening entries carried over from an
    earlier system, plus the balance effects of the account's payments up to this one (ids follow
    the order of payments on an account, which the account's row lock serializes), minus the bills
    issued before it. Bills and opening entries are placed against the payment by their audit
    entries (a bill issued at the same second, before or after the payment, falls on the right
    side); one without an audit entry, or a payment without one, by their times (a bill of the
    same second counts as before, as a settlement bills a reading before it settles)."""
    if payment.account_id is None:
        return None
    account_id = payment.account_id
    place = written_at(session, payment)
    paid = session.scalar(select(type_coerce(func.sum(Payment.balance_effect), Money()))
                          .where(Payment.account_id == account_id, Payment.id <= payment.id)) or ZERO
    bills = session.execute(select(Bill.id, Bill.amount, Bill.issued_at).where(Bill.account_id == account_id)).all()
    issued: dict[str, int] = {}
    keys = [str(bill_id) for bill_id, _, _ in bills]
    for start in range(0, len(keys), 500):
        for key, entry in session.execute(
                select(AuditEntry.entity_id, func.min(AuditEntry.id))
                .where(AuditEntry.entity == "bill", AuditEntry.action == "issue",
                       AuditEntry.entity_id.in_(keys[start:start + 500]))
                .group_by(AuditEntry.entity_id)):
            issued[key] = int(entry)

    def before(entry: int | None, at: datetime) -> bool:
        return entry < place if entry is not None and place is not None else at <= payment.at

    billed = sum((amount for bill_id, amount, at in bills if before(issued.get(str(bill_id)), at)), ZERO)
    opening = ZERO
    for entry, at, changes in session.execute(
            select(AuditEntry.id, AuditEntry.at, AuditEntry.changes)
            .where(AuditEntry.entity == "account", AuditEntry.entity_id == str(account_id),
                   AuditEntry.action.in_(audit.OPENING_ACTIONS))):
        if before(entry, at):
            try:  # read as audit.check reads them
                old, new = changes["balance"]
                opening += Decimal(str(new)) - Decimal(str(old))
            except (KeyError, TypeError, ValueError, ArithmeticError):
                continue
    return (opening + paid - billed).quantize(CENT)


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
