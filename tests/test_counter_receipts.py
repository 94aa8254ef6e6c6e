"""The receipt of a counter payment states what the payment did, as it did it: the bills it paid (or, a
reversal, took back) with their periods, volumes and amounts, and the account's balance before and right
after it. A reprint after later payments, bills, a reversal, the customer renamed and the clerk renamed
reads the same apart from the copy marks (副本, the footer). On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from gasdesk.demo import post_opening_balance
from gasdesk.models import Bill, Customer, Payment
from gasdesk.services import bills
from gasdesk.services.bank import BankService
from gasdesk.services.billing import BillingService
from gasdesk.services.customers import CustomerService
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.receipts import ReceiptService
from gasdesk.services.staff import StaffService
from gasdesk.validation import make_resident_id
from tests.bank_helpers import agree, answer, billed
from tests.helpers import active_resident, balance_of, make_team

D = Decimal


@pytest.fixture
def team(app):
    return make_team(app)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def without_copy_marks(text: str) -> str:
    """The text without what a reprint may change: the footer's print time and printer, 副本."""
    text = re.sub(r"打印时间：[^\n]*", "", text)
    text = re.sub(r"副\s*本", "", text)
    return flat(text)


def at(clock, y, m, d, hour=10):
    clock.set(datetime(y, m, d, hour, 0))


def bill_numbers(app, account_id):
    with app.reading() as s:
        return list(s.scalars(select(Bill.number).where(Bill.account_id == account_id).order_by(Bill.id)))


def derived(app, payment_id):
    with app.reading() as s:
        return bills.balance_after(s, s.get(Payment, payment_id))


def rename(app, team, customer_id):
    """The customer's name and phone corrected through 用户信息更改, the contact's phone at the counter."""
    clerk = OrderService(app, team.clerk)
    o = clerk.open("detail_change", customer_id, documents=["id_copy"])
    o = clerk.perform(o.id, "approve", {"new_name": "改名后", "new_phone": "13512345678",
                                        "new_contact_person": "新联系人"})
    o = clerk.perform(o.id, "details_changed")
    clerk.perform(o.id, "agreement_signed")
    customers = CustomerService(app, team.clerk)
    view = customers.get(customer_id)
    customers.update_contact(customer_id, view.version, phone2="13688889999")
    with app.reading() as s:
        assert s.get(Customer, customer_id).name == "改名后"


def test_the_balance_after_a_payment_is_the_one_it_left_whatever_came_later(app, team, clock):
    """bills.balance_after(payment) equals the account's real balance read right after the payment,
    asked at the end, after later payments, bills (one in the same second as a payment, after it), a
    reversal, an opening balance and a transfer's settlement that bills and refunds in one action."""
    _, act = active_resident(app, team, meter="M-BA")
    aid = act.account_id
    counter, manager = PaymentService(app, team.clerk), PaymentService(app, team.manager)
    billing = BillingService(app, team.clerk)
    right_after: dict[int, Decimal] = {}

    def took(view):
        right_after[view.id] = balance_of(app, aid)
        return view

    at(clock, 2026, 12, 20)
    assert post_opening_balance(app, team.admin, aid, D("30")) == D("-30.00")
    billing.record_reading("M-BA", date(2026, 12, 10), "20")                   # 53.00 → -83.00
    p1 = took(counter.prepay(aid, "100", "cash"))                              # same second → 17.00
    billing.record_reading("M-BA", date(2026, 12, 20), "30")                   # same second, after p1
    assert balance_of(app, aid) == D("-9.50")
    clock.advance(hours=1)
    unpaid = [b.id for b in billing.unpaid(aid)]
    took(billing.pay_bills(aid, unpaid, "mobile"))                             # 9.50 → 0.00
    at(clock, 2027, 1, 15)
    billing.record_reading("M-BA", date(2027, 1, 15), "60")                    # 79.50 → -79.50
    took(counter.prepay(aid, "200", "cash"))                                   # 120.50
    r = took(manager.reverse(p1.id, "重复收费"))                                # same second → 20.50
    assert right_after[r.id] == D("20.50")
    clock.advance(days=3)
    took(counter.prepay(aid, "50.25", "card"))                                 # 70.75
    clock.advance(days=3)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("transfer", act.customer_id, documents=["both_ids", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {
        "new_name": "王芳", "new_id_type": "resident_id", "new_phone": "13700000001",
        "new_id_number": make_resident_id("520103", date(1990, 5, 6), 12)})
    clerk.perform(o.id, "settled", {"settle_method": "cash", "final_reading": "70"})  # bill 26.50, refund rest
    with app.reading() as s:
        refund = s.scalar(select(Payment).where(Payment.order_id == o.id, Payment.account_id == aid))
        assert refund is not None and refund.amount == D("44.25")
        right_after[refund.id] = D("0.00")
        assert s.scalar(select(Payment.id).where(Payment.account_id == aid, Payment.id.not_in(right_after))) is None
    assert balance_of(app, aid) == D("0.00")
    assert {pid: derived(app, pid) for pid in right_after} == right_after
    assert right_after[p1.id] == D("17.00")  # today's balance is 0.00


def test_a_counter_receipt_lists_the_bills_paid_and_reprints_the_same_text(app, team, clock):
    c, act = active_resident(app, team, "周明", meter="M-RC")
    aid = act.account_id
    billing = BillingService(app, team.clerk)
    at(clock, 2026, 12, 1)
    billing.record_reading("M-RC", date(2026, 12, 1), "20")     # 20 m³ × 2.65 = 53.00
    at(clock, 2026, 12, 15)
    billing.record_reading("M-RC", date(2026, 12, 15), "56.6")  # 36.6 m³ = 96.99
    first_bill, second_bill = bill_numbers(app, aid)
    at(clock, 2026, 12, 18)
    paid = billing.pay_bills(aid, [b.id for b in billing.unpaid(aid)], "cash")
    assert paid.amount == D("149.99")
    first = text_of(ReceiptService(app, team.clerk).render(paid.id))
    body = flat(first)
    assert "本次缴费明细" in body and "副本" not in body
    # one row a bill: number, period, volume (m³), bill amount, paid now
    assert f"{first_bill}2026-11-27至2026-12-012053.0053.00" in body
    assert f"{second_bill}2026-12-01至2026-12-1536.696.9996.99" in body
    assert "合计2张账单149.99" in body
    assert "收款前账户余额-149.99元" in body and "收款后账户余额0.00元" in body
    assert "周明" in body and "李娜" in body

    # A month later: another payment, another bill, the customer and the clerk renamed.
    at(clock, 2027, 1, 15)
    billing.record_reading("M-RC", date(2027, 1, 15), "70")
    PaymentService(app, team.clerk).prepay(aid, "300", "cash")
    rename(app, team, c.id)
    StaffService(app, team.admin).update(team.clerk.staff_id, name="李娜娜")
    again = text_of(ReceiptService(app, team.manager).render(paid.id))
    assert "副本" in flat(again) and "改名后" not in again and "13512345678" not in again and "李娜娜" not in again
    assert without_copy_marks(again) == without_copy_marks(first)


def test_a_deposit_receipt_shows_the_bills_it_paid_and_what_stays_prepaid(app, team, clock):
    _, act = active_resident(app, team, meter="M-RD")
    aid = act.account_id
    billing = BillingService(app, team.clerk)
    at(clock, 2026, 12, 15)
    billing.record_reading("M-RD", date(2026, 12, 15), "20")    # 53.00
    (number,) = bill_numbers(app, aid)
    deposit = PaymentService(app, team.clerk).prepay(aid, "100", "cash")
    body = flat(text_of(ReceiptService(app, team.clerk).render(deposit.id)))
    assert "本次缴费明细" in body and f"{number}2026-" in body and "53.0053.00" in body
    assert "收款前账户余额-53.00元" in body and "收款后账户余额47.00元" in body
    # a deposit that pays no bill states the balances only
    more = PaymentService(app, team.clerk).prepay(aid, "20", "cash")
    body = flat(text_of(ReceiptService(app, team.clerk).render(more.id)))
    assert "本次缴费明细" in body and "账单编号" not in body
    assert "收款前账户余额47.00元" in body and "收款后账户余额67.00元" in body


def test_a_reversal_receipt_states_the_bills_taken_back_and_leaves_the_original_as_printed(app, team, clock):
    _, act = active_resident(app, team, meter="M-RV")
    aid = act.account_id
    billing = BillingService(app, team.clerk)
    at(clock, 2026, 12, 15)
    billing.record_reading("M-RV", date(2026, 12, 15), "20")    # 53.00
    (number,) = bill_numbers(app, aid)
    at(clock, 2026, 12, 16)
    paid = billing.pay_bills(aid, [b.id for b in billing.unpaid(aid)], "cash")
    original = text_of(ReceiptService(app, team.clerk).render(paid.id))
    assert "收款后账户余额0.00元" in flat(original)
    at(clock, 2026, 12, 17)
    reversal = BillingService(app, team.manager).reverse(paid.id, "重复收费")
    body = flat(text_of(ReceiptService(app, team.manager).render(reversal.id)))
    assert "冲正收据" in body and "被冲正的原收费" in body and paid.receipt_number in body
    assert "本次冲正明细" in body and "本次冲回（元）" in body and f"{number}2026-" in body
    assert "合计1张账单53.00" in body
    assert "冲正前账户余额0.00元" in body and "冲正后账户余额-53.00元" in body
    assert "本次缴费明细" not in body
    # the original's reprint still states the balance it left, not the one after the reversal
    again = text_of(ReceiptService(app, team.clerk).render(paid.id))
    assert "冲正收据" not in again
    assert without_copy_marks(again) == without_copy_marks(original)


def test_a_bank_debit_receipt_reprints_the_same_after_later_bills_and_payments(app, team, clock):
    """A bank file's plain lines are written set-wise, without an audit entry per payment: the
    receipt places the payment by its time."""
    c, o, bill = billed(app, team, clock, "张伟", "M-BANK-R", "30")
    agree(app, team, o.account_id)
    bank = BankService(app, team.manager)
    clock.set(datetime(2026, 12, 21, 9, 30))
    run, debit = bank.create_run("GH", "2026-12")
    clock.set(datetime(2026, 12, 27, 15, 0))
    bank.import_return(run.id, answer(bank.layout("GH"), debit, {}), "return.txt")
    with app.reading() as s:
        pay = s.scalar(select(Payment).where(Payment.account_id == o.account_id, Payment.method == "bank_debit"))
        assert pay is not None and bills.written_at(s, pay) is None
        pid = pay.id
    # printed only after a later bill and the customer's renaming
    at(clock, 2027, 1, 10)
    BillingService(app, team.clerk).record_reading("M-BANK-R", date(2027, 1, 10), "50")
    rename(app, team, c.id)
    first = text_of(ReceiptService(app, team.clerk).render(pid))
    body = flat(first)
    assert f"{bill.number}2026-11-27至2026-12-20" in body and "收款后账户余额0.00元" in body
    assert "张伟" in body and "改名后" not in body
    PaymentService(app, team.clerk).prepay(o.account_id, "500", "cash")
    again = text_of(ReceiptService(app, team.manager).render(pid))
    assert "副本" in flat(again)
    assert without_copy_marks(again) == without_copy_marks(first)
