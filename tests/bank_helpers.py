"""Builders for the bank tests: customers with December bills, agreements, a bank's answer to a file."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from gasdesk.bankfiles import Layout, luhn_complete
from gasdesk.services.bank import BankService
from gasdesk.services.billing import BillingService
from tests.helpers import active_resident

# Valid card numbers (Luhn) for the example banks.
CARD_19 = luhn_complete("622202100000000001")
CARD_19B = luhn_complete("622848000000000002")
CARD_16 = luhn_complete("622588000000001")


def billed(app, team, clock, name: str, meter: str, reading: str, day: date = date(2026, 12, 20)):
    """An active household with one bill for gas read on `day` (billing month = that month)."""
    clock.set(datetime(2026, 11, 27, 10, 0))
    c, o = active_resident(app, team, name, meter=meter)
    clock.set(datetime.combine(day, datetime.min.time()).replace(hour=10))
    outcome = BillingService(app, team.clerk).record_reading(meter, day, reading)
    assert outcome.bill is not None
    return c, o, outcome.bill


def agree(app, team, account_id: int, bank: str = "GH", card: str = CARD_19, holder: str = "张伟"):
    return BankService(app, team.clerk).open_agreement(
        account_id, bank=bank, branch="示例市人民路支行", holder=holder, bank_account=card, phone="13900000000",
        signed_on=date(2026, 11, 27))


def answer(layout: Layout, debit: bytes, outcomes: dict[str, str], *, batch: str | None = None,
           amounts: dict[str, Decimal] | None = None, drop: set[str] = frozenset(), extra: list[dict[str, Any]] = ()
           ) -> bytes:
    """The bank's return of a debit file: each bill number's result code (default paid)."""
    parsed = layout.read("debit", debit)
    assert not parsed.problems, parsed.problems
    details = []
    for _, d in parsed.details:
        if d["bill_number"] in drop:
            continue
        code = outcomes.get(d["bill_number"], "0000")
        row = dict(d, result=code, message="" if code == "0000" else layout.reasons.get(code, "失败"))
        if amounts and d["bill_number"] in amounts:
            row["amount"] = amounts[d["bill_number"]]
        details.append(row)
    details += list(extra)
    header = parsed.header or {}
    return layout.write("return", details, batch=batch or header.get("batch", ""), file_date=date(2026, 12, 27))
