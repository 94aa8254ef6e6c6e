"""The demo hall's bank channel (委托银行代收代扣): agreements, two months of debit runs, the banks' answers,
bank-counter collections, bills paid at the counter meanwhile, and arrears notices.

Called by `gasdesk.demo` once the hall's own stories have been replayed, on households no story
touched (no order, no payment in the period), so nothing here contradicts what the stories did. The
clock is set back to each move's own time.

* **Bulk where it is only setup.** Most agreements were signed before the period: they are inserted
  in one unit of work, each bank account checked by its bank's layout (length, Luhn, the holder's
  name in the file's encoding) as `BankService.open_agreement` checks it, each with the audit entry
  that method writes (action 'demo_import'). The two months' readings and bills the bank's story
  starts from are written in one unit of work each, priced by the billing rules and sealed in the
  audit chain (the readings import would take ~30 ms a meter).
* **Through the services where behaviour matters.** A few agreements are signed, suspended and
  cancelled at the counter during the period; each month's debit file per bank, the bank's return
  (some lines failed, one bill paid at the counter after it was sent: prepaid credit), the banks'
  collection files, the counter payments of failed debits and a batch of arrears notices are each
  one ordinary service call.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, exists, select

from gasdesk.bankfiles import Layout, LayoutError, luhn_complete
from gasdesk.clock import FixedClock
from gasdesk.models import Account, BankAgreement, Bill, Customer, Meter, MeterReading, Payment, ServiceOrder
from gasdesk.models.audit import SEALED, row_digest
from gasdesk.services import audit, bills, bulk, numbering
from gasdesk.services.bank import AgreementStatus, BankService, bank_layouts
from gasdesk.services.billing import BillingService
from gasdesk.services.context import Actor, App
from gasdesk.services.errors import ServiceError
from gasdesk.vocab import AccountStatus, CustomerCategory, MeterStatus

# Per 3,000 customers: households paying by direct debit, and households billed in the two months
# who pay at a bank's counter (代收) or at the hall.
AGREEMENTS = 150
COLLECTORS = 30
OTHERS = 24
# Of the agreements, how many are signed at the counter during the period (the rest came before it).
SIGNED_IN_PERIOD = 0.06
# The bank's answers: share of lines failed, and the result codes with their weights.
FAILED = 0.07
FAILURE_CODES = (("3001", 8), ("3002", 1), ("3003", 1), ("3004", 1))
BRANCHES = ("安顺分行营业部", "塔山支行", "中华路支行", "西秀支行", "黄果树大街支行", "平坝支行", "普定支行",
            "镇宁支行")
CARD_PREFIXES = {"GH": ("622202", "621226", "622208"), "NH": ("622848", "622845", "623052")}
IMPORT_ACTION = "demo_import"


@dataclass
class BankDemo:
    agreements: int = 0
    runs: int = 0
    sent: int = 0
    paid: int = 0
    failed: int = 0
    credited: int = 0
    collected: int = 0
    notices: int = 0
    service_calls: int = 0

    def line(self) -> str:
        return (f"银行代收代扣：代扣协议 {self.agreements} 份，代扣批次 {self.runs} 个（送盘 {self.sent} 笔，"
                f"扣款成功 {self.paid} 笔，失败 {self.failed} 笔，转预存 {self.credited} 笔），"
                f"银行柜台代收 {self.collected} 笔，欠费催缴通知单 {self.notices} 份")


def build_bank_demo(app: App, *, clerks: list[Actor], managers: list[Actor], admin: Actor, start: datetime,
                    end: datetime, seed: int, scale: float) -> BankDemo:
    """The bank channel of the demo hall between `start` and `end` (app.clock is a FixedClock)."""
    assert isinstance(app.clock, FixedClock)
    return _Bank(app, app.clock, clerks, managers, admin, start, end, seed, scale).build()


class _Bank:
    def __init__(self, app: App, clock: FixedClock, clerks: list[Actor], managers: list[Actor], admin: Actor,
                 start: datetime, end: datetime, seed: int, scale: float) -> None:
        self.app, self.clock, self.clerks, self.managers, self.admin = app, clock, clerks, managers, admin
        self.start, self.end = start, end
        self.rng = random.Random(f"bank-{seed}")
        self.scale = scale
        self.calendar = app.calendar()
        self.out = BankDemo()
        self.used: dict[int, dict[int, Decimal]] = {}  # account -> year -> m³ billed (the tiers)
        self.failed_accounts: set[int] = set()
        with app.reading() as s:
            self.layouts = bank_layouts(s)

    # --- the story ---------------------------------------------------------------------------------

    def build(self) -> BankDemo:
        months = self._months()
        if months is None or not self.layouts:
            return self.out
        (read_a, month_a), (read_b, month_b) = months
        households = self._households()
        if len(households) < 3:  # a hall too small to have households no story touched
            return self.out
        n_agree = min(len(households), max(2, round(AGREEMENTS * self.scale)))
        n_collect = min(len(households) - n_agree, round(COLLECTORS * self.scale))
        n_other = min(len(households) - n_agree - n_collect, round(OTHERS * self.scale))
        debit = households[:n_agree]
        collectors = households[n_agree:n_agree + n_collect]
        others = households[n_agree + n_collect:n_agree + n_collect + n_other]
        self._agreements(debit, before=read_a)
        # Month A: the readers' sheet, the debit files, the return, the window to the 20th, the notices.
        self._bill_month(debit + collectors + others, read_a)
        sent_on = self._working(read_a + timedelta(days=1))
        runs = self._runs(month_a, sent_on)
        paid_meanwhile = self._pay_at_counter(debit, sent_on + timedelta(days=1), limit=1)
        self._returns(runs, self._working(sent_on + timedelta(days=5)), paid_meanwhile)
        window_start = (read_a.replace(day=1) + timedelta(days=32)).replace(day=1)
        self._collections(collectors, window_start)
        self._counter_payments(others + [h for h in debit if h[0] in self.failed_accounts], window_start)
        notices_day = self._working(window_start.replace(day=21))
        if datetime.combine(notices_day, time(10)) < self.end:
            self._notices(notices_day)
        # Month B: the next sheet and its debit files; the return when the bank has answered by now.
        if read_b is not None:
            self._bill_month(debit, read_b)
            sent_b = self._working(read_b + timedelta(days=1))
            runs_b = self._runs(month_b, sent_b)
            back_b = self._working(sent_b + timedelta(days=5))
            if datetime.combine(back_b, time(16)) < self.end:
                self._returns(runs_b, back_b, set())
        return self.out

    def _months(self) -> tuple[tuple[date, str], tuple[date | None, str]] | None:
        """Two reading days (the 20th) inside the period: month A's return and payment window behind
        us if the period allows, month B the latest."""
        last = self.end.date() - timedelta(days=1)
        b = last.replace(day=20) if last.day > 20 else (last.replace(day=1) - timedelta(days=1)).replace(day=20)
        a = (b.replace(day=1) - timedelta(days=1)).replace(day=20)
        earliest = self.start.date() + timedelta(days=1)
        if a <= earliest:
            if b <= earliest:
                return None
            return (b, f"{b:%Y-%m}"), (None, "")
        return (a, f"{a:%Y-%m}"), (b, f"{b:%Y-%m}")

    def _working(self, day: date) -> date:
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        at = datetime.combine(day, time(hour, minute))
        self.clock.set(at)
        return at

    # --- who ---------------------------------------------------------------------------------------

    def _households(self) -> list[tuple[int, int, str, Decimal, str, str, str, Decimal]]:
        """Households no story touched (no order, no payment, the meter last read before the period) and
        without prepaid money:
        (account id, customer id, name, balance, phone, meter, address,
        last reading), in a shuffled order."""
        with self.app.reading() as s:
            ordered = exists().where(ServiceOrder.customer_id == Customer.id)
            paid = exists().where(Payment.account_id == Account.id)
            rows = s.execute(
                select(Account.id, Customer.id, Customer.name, Account.balance, Customer.phone, Meter.number,
                       Account.address, Meter.last_reading)
                .join(Customer, Customer.id == Account.customer_id).join(Meter, Meter.account_id == Account.id)
                .where(Account.status == AccountStatus.ACTIVE, Meter.status == MeterStatus.IN_SERVICE,
                       Customer.category == CustomerCategory.RESIDENTIAL, Meter.last_read_at < self.start,
                       Account.balance <= 0, ~ordered, ~paid)
                .order_by(Account.id)).all()
        found = [tuple(r) for r in rows]
        self.rng.shuffle(found)
        return found  # type: ignore[return-value]

    # --- agreements ----------------------------------------------------------------------------------

    def _card(self, layout: Layout) -> str:
        length = self.rng.choice(layout.account_lengths or (19,))
        prefix = self.rng.choice(CARD_PREFIXES.get(layout.code, ("622202",)))
        body = prefix + "".join(self.rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
        return luhn_complete(body)

    def _agreements(self, households: list[Any], before: date) -> None:
        codes = sorted(self.layouts)
        weights = [3 if c == codes[0] else 2 for c in codes]
        banks = [self.rng.choices(codes, weights)[0] for _ in households]
        at_counter = max(1, round(len(households) * SIGNED_IN_PERIOD))
        imported = [(h, b) for h, b in zip(households[at_counter:], banks[at_counter:], strict=True)]
        self._import_agreements(imported)
        # Signed at the counter in the weeks before month A's reading, by the clerk on duty.
        counter = list(zip(households[:at_counter], banks[:at_counter], strict=True))
        first = max(self.start.date() + timedelta(days=1), before - timedelta(days=40))
        span = max(1, (before - first).days)
        days = sorted(first + timedelta(days=self.rng.randrange(span)) for _ in counter)
        for ((aid, _cid, name, _bal, phone, _m, _addr, _last), bank), day in zip(counter, days, strict=True):
            self._at(self._working(day), self.rng.randint(9, 16), self.rng.randrange(60))
            clerk = self.rng.choice(self.clerks)
            try:
                BankService(self.app, clerk).open_agreement(
                    aid, bank=bank, branch=self.rng.choice(BRANCHES), holder=name,
                    bank_account=self._card(self.layouts[bank]), phone=phone)
            except ServiceError:
                continue
            self.out.agreements += 1
            self.out.service_calls += 1
        # One customer asks to pause the debit (the run leaves it out); one moved banks: cancelled.
        with self.app.reading() as s:
            live = s.scalars(select(BankAgreement.id).where(BankAgreement.status == AgreementStatus.ACTIVE)
                             .order_by(BankAgreement.id)).all()
        for agreement_id, status, reason in zip(live[:2], (AgreementStatus.SUSPENDED, AgreementStatus.CANCELLED),
                                                ("客户要求暂停代扣，改为到营业厅缴费", "客户银行卡已注销，撤销代扣"),
                                                strict=False):
            self._at(self._working(before - timedelta(days=3)), 10, self.rng.randrange(60))
            BankService(self.app, self.rng.choice(self.clerks)).set_status(agreement_id, status, reason)
            self.out.service_calls += 1

    def _import_agreements(self, rows: list[tuple[Any, str]]) -> None:
        """Agreements signed before the period, migrated in one unit of work, checked and audited as
        BankService.open_agreement checks and audits them."""
        at = self._at(self.start.date(), 8, 30)
        checked = []
        for (aid, cid, name, _bal, phone, _m, address, _last), bank in rows:
            layout = self.layouts[bank]
            card = self._card(layout)
            try:
                digits = layout.check_bank_account(card)
                name.encode(layout.encoding)
            except (LayoutError, UnicodeEncodeError):
                continue
            width = layout.width_of("debit", "holder")
            if width is not None and len(name.encode(layout.encoding)) > width:
                continue
            signed = self.start.date() - timedelta(days=self.rng.randint(30, 2000))
            checked.append((aid, cid, name, phone, address, layout, digits, signed))
        if not checked:
            return
        with self.app.unit_of_work() as s:
            numbers = {a.id: (a.number, c.number) for a, c in s.execute(
                select(Account, Customer).join(Customer, Customer.id == Account.customer_id)
                .where(Account.id.in_([r[0] for r in checked])))}
            first = numbering.reserve(s, f"DK-{at:%Y%m%d}", len(checked))
            made = []
            for k, (aid, cid, name, phone, address, layout, digits, signed) in enumerate(checked):
                account_number, customer_number = numbers[aid]
                made.append(BankAgreement(
                    number=f"DK-{at:%Y%m%d}-{first + k:04d}", account_id=aid, customer_id=cid, current_account_id=aid,
                    customer_number=customer_number, customer_name=name, account_number=account_number,
                    address=address, bank_code=layout.code, bank_name=layout.name,
                    branch=self.rng.choice(BRANCHES), holder=name, bank_account=digits, phone=phone,
                    signed_on=signed, status=AgreementStatus.ACTIVE, reason="", created_at=at,
                    created_by_id=self.admin.staff_id, changed_at=at, changed_by_id=self.admin.staff_id))
            s.add_all(made)
            s.flush()
            for a in made:
                audit.append(s, at=at, staff_id=self.admin.staff_id, entity="bank_agreement", entity_id=a.id,
                             action=IMPORT_ACTION, changes={
                                 "number": [None, a.number], "account_id": [None, a.account_id],
                                 "bank": [None, a.bank_code], "branch": [None, a.branch],
                                 "holder": [None, a.holder], "bank_account": [None, f"****{a.bank_account[-4:]}"],
                                 "signed_on": [None, a.signed_on]})
        self.out.agreements += len(made)
        self.out.service_calls += 1

    # --- readings and money ------------------------------------------------------------------------

    def _bill_month(self, households: list[Any], day: date) -> None:
        """The meter readers' sheet of `day` and its bills, taken in the next working morning: setup in
        bulk (the bank's story starts from the bills). Each bill is priced by the billing rules (tiers
        by the household's volume of the year, `bills.price_lines`) and lowers the balance; bills,
        balances and their seals are written as the bank import writes them (gasdesk.services.bulk),
        with the audit entries the readings import writes. Households with prepaid money are left out
        (their bills would be paid from it and never reach the bank)."""
        if not households:
            return
        at = self._at(self._working(day + timedelta(days=1)), 8, 40)
        reader = self.rng.choice(self.clerks).staff_id
        meter_t, reading_t, bill_t, acc_t = (cast(Table, m.__table__) for m in (Meter, MeterReading, Bill, Account))
        with self.app.unit_of_work() as s:
            numbers = [h[5] for h in households]
            meters = {r.number: r for r in s.execute(select(meter_t).where(meter_t.c.number.in_(numbers)))}
            acc_cols = [acc_t.c.id, acc_t.c.version, *(acc_t.c[f] for f in SEALED["account"])]
            accounts = {r.id: dict(r._mapping) for r in s.execute(
                select(*acc_cols).where(acc_t.c.id.in_([h[0] for h in households])))}
            people = {r.id: r for r in s.execute(select(Customer.id, Customer.gas_use_type, Customer.yearly_allowance)
                                                 .where(Customer.id.in_([h[1] for h in households])))}
            rates: dict[str, Any] = {}
            reading_ids = bulk.new_ids(s, reading_t, len(households))
            bill_ids = bulk.new_ids(s, bill_t, len(households))
            first = numbering.reserve(s, f"ZD-{at:%Y%m}", len(households))
            due_from, due_to = bills.due_window(day)
            readings, made, meter_rows, notes = [], [], [], []
            for k, h in enumerate(households):
                meter, account, person = meters[h[5]], accounts[h[0]], people[h[1]]
                if person.gas_use_type not in rates:
                    rates[person.gas_use_type] = bills.rates_for(s, person.gas_use_type)
                previous, previous_on = meter.last_reading, (meter.last_read_at or meter.installed_at).date()
                volume = Decimal(self.rng.randint(60, 380)) / 10
                lines = bills.price_lines(volume, previous_on, day, rates[person.gas_use_type],
                                          self.used.setdefault(h[0], defaultdict(lambda: Decimal("0.000"))),
                                          person.yearly_allowance)
                for line in lines:
                    self.used[h[0]][line.start.year] += line.volume
                amount = sum((line.amount for line in lines), Decimal("0.00"))
                readings.append({"id": reading_ids[k], "meter_id": meter.id, "account_id": h[0], "read_on": day,
                                 "reading": previous + volume, "previous": previous, "previous_on": previous_on,
                                 "volume": volume, "source": "import", "order_id": None, "staff_id": reader,
                                 "created_at": at})
                bill = {"id": bill_ids[k], "number": f"ZD-{at:%Y%m}-{first + k:06d}", "account_id": h[0],
                        "customer_id": h[1], "reading_id": reading_ids[k], "gas_use_type": person.gas_use_type,
                        "period_start": previous_on, "period_end": day, "volume": volume, "amount": amount,
                        "lines": [line.as_json() for line in lines], "issued_at": at, "due_from": due_from,
                        "due_to": due_to, "paid": Decimal("0.00"), "status": "unpaid", "staff_id": reader}
                bill["digest"] = row_digest("bill", bill)
                made.append(bill)
                meter_rows.append({"id": meter.id, "last_reading": previous + volume,
                                   "last_read_at": datetime.combine(day, time.min)})
                old = account["balance"]
                account["balance"] = old - amount
                account["version"] += 1
                notes.append((bill, old, account["balance"], meter.id, previous, previous + volume))
            account_rows = [{"id": a["id"], "balance": a["balance"], "version": a["version"],
                             "digest": row_digest("account", a)} for a in accounts.values()]
            bulk.insert_rows(s, reading_t, readings)
            bulk.update_rows(s, meter_t, meter_rows)
            bulk.insert_rows(s, bill_t, made)
            bulk.update_rows(s, acc_t, account_rows)
            for bill, old, new, meter_id, before, after in notes:
                audit.append(s, at=at, staff_id=reader, entity="bill", entity_id=bill["id"], action=IMPORT_ACTION,
                             changes={"number": [None, bill["number"]], "account_id": [None, bill["account_id"]],
                                      "period_end": [None, bill["period_end"]], "volume": [None, bill["volume"]],
                                      "amount": [None, bill["amount"]], "due_to": [None, bill["due_to"]],
                                      "meter_id": [None, meter_id], "last_reading": [before, after]})
                audit.append(s, at=at, staff_id=reader, entity="account", entity_id=bill["account_id"],
                             action="bill", changes={"balance": [old, new], "bill": [None, bill["number"]]})
            audit.seal_written(s, at=at, staff_id=reader,
                               rows=[("bill", b["id"], b["digest"]) for b in made]
                               + [("account", a["id"], a["digest"]) for a in account_rows])
        self.out.service_calls += 1

    def _runs(self, month: str, day: date) -> list[tuple[Any, date, bytes]]:
        out = []
        for k, code in enumerate(sorted(self.layouts)):
            self._at(day, 9, 30 + 10 * k)
            try:
                run, data = BankService(self.app, self.managers[0]).create_run(code, month)
            except ServiceError:
                continue
            self.out.runs += 1
            self.out.sent += run.count
            self.out.service_calls += 1
            out.append((run, day, data))
        return out

    def _pay_at_counter(self, households: list[Any], day: date, limit: int) -> set[str]:
        """Customers whose bill went to the bank pay it at the hall anyway (the bank's later paid line
        becomes prepaid credit). Returns their gas account numbers."""
        done: set[str] = set()
        for h in households:
            if len(done) >= limit:
                break
            with self.app.reading() as s:
                bill_ids = s.scalars(select(Bill.id).where(Bill.account_id == h[0], Bill.status != "paid")).all()
                number = s.scalar(select(Account.number).where(Account.id == h[0]))
            if not bill_ids or number is None:
                continue
            self._at(self._working(day), 10, self.rng.randrange(60))
            BillingService(self.app, self.rng.choice(self.clerks)).pay_bills(h[0], list(bill_ids), "cash")
            done.add(number)
            self.out.service_calls += 1
        return done

    def _returns(self, runs: list[tuple[Any, date, bytes]], day: date, paid_meanwhile: set[str]) -> None:
        codes = [code for code, _w in FAILURE_CODES]
        weights = [w for _c, w in FAILURE_CODES]
        for k, (run, _sent, data) in enumerate(runs):
            service = BankService(self.app, self.managers[-1])
            layout = Layout.from_dict(self._layout_of(run.id))
            parsed = layout.read("debit", data)
            answers = []
            # Some lines fail (at least one in a file of a few lines, so a small hall shows one too).
            sure = len(parsed.details) - 1 if len(parsed.details) >= 3 else -1
            for i, (_, d) in enumerate(parsed.details):
                failed = (self.rng.random() < FAILED or i == sure) and d["account_number"] not in paid_meanwhile
                code = self.rng.choices(codes, weights)[0] if failed else layout.paid_codes[0]
                answers.append(dict(d, result=code, message=layout.reasons.get(code, "") if failed else ""))
            back = layout.write("return", answers, batch=run.number, file_date=day)
            self._at(day, 15, 10 * k)
            result = service.import_return(run.id, back, layout.name_of("return", run.number))
            self.out.paid += result.paid_count
            self.out.credited += result.credited_count
            self.out.failed += result.failed_count
            self.out.service_calls += 1
            with self.app.reading() as s:
                self.failed_accounts |= set(s.scalars(select(Bill.account_id).where(
                    Bill.number.in_([r.bill_number for r in result.report if r.outcome == "扣款失败"]))))

    def _layout_of(self, run_id: int) -> dict[str, Any]:
        from gasdesk.models import BankRun

        with self.app.reading() as s:
            run = s.get(BankRun, run_id)
            assert run is not None
            return dict(run.layout)

    def _collections(self, households: list[Any], window: date) -> None:
        """Bills paid at the banks' counters in the payment window: each bank's daily file, imported the
        next working day."""
        with self.app.reading() as s:
            owing = s.execute(select(Bill.account_id, Bill.number, Account.number, Bill.amount, Bill.paid)
                              .join(Account, Account.id == Bill.account_id)
                              .where(Bill.account_id.in_([h[0] for h in households]), Bill.status != "paid")
                              .order_by(Bill.id)).all()
        days = sorted({self._working(window + timedelta(days=self.rng.randrange(3, 18))) for _ in range(3)})
        per_file: dict[tuple[date, str], list[dict[str, Any]]] = {}
        codes = sorted(self.layouts)
        for k, (_aid, bill_no, account_no, amount, paid) in enumerate(owing):
            owed = amount - paid
            if owed <= 0:
                continue
            day, code = days[k % len(days)], codes[k % len(codes)]
            per_file.setdefault((day, code), []).append({
                "serial": f"{code}{day:%Y%m%d}{k + 1:06d}", "bill_number": bill_no, "account_number": account_no,
                "amount": owed, "paid_date": day, "branch": self.rng.choice(BRANCHES)})
        for (day, code), lines in sorted(per_file.items()):
            layout = self.layouts[code]
            data = layout.write("collection", lines, batch="", file_date=day)
            self._at(self._working(day + timedelta(days=1)), 9, 10)
            if self.clock.now() >= self.end:
                continue
            result = BankService(self.app, self.managers[-1]).import_collection(
                code, data, f"{layout.merchant}_collection_{day:%Y%m%d}.txt")
            self.out.collected += result.paid_count
            self.out.service_calls += 1

    def _counter_payments(self, households: list[Any], window: date) -> None:
        """About half of the failed debits and of the other billed households pay at the hall in the window."""
        for h in households:
            if self.rng.random() < 0.5:
                continue
            day = self._working(window + timedelta(days=self.rng.randrange(1, 19)))
            at = self._at(day, self.rng.randint(9, 19), self.rng.randrange(60))
            if at >= self.end:
                continue
            with self.app.reading() as s:
                bill_ids = s.scalars(select(Bill.id).where(Bill.account_id == h[0], Bill.status != "paid")).all()
            if not bill_ids:
                continue
            BillingService(self.app, self.rng.choice(self.clerks)).pay_bills(
                h[0], list(bill_ids), self.rng.choice(("cash", "mobile", "card")))
            self.out.service_calls += 1

    def _notices(self, day: date) -> None:
        """After the payment window, a batch of arrears notices for the city's households."""
        self._at(day, 10, 0)
        try:
            _batch, count, _pdf = BankService(self.app, self.managers[0]).print_arrears_notices("urban")
        except ServiceError:
            return
        self.out.notices += count
        self.out.service_calls += 1
