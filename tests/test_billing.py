"""Tiered bills, payments and their allocation, reversals, the flows that settle bills, receipts,
arrears and the ledger queries; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from gasdesk.models import Account, Bill, BillAllocation, Payment, ReceiptPrint
from gasdesk.services import audit, billing
from gasdesk.services.billing import BillingService, BillStatus, Rate, TariffService, price_lines, prorate
from gasdesk.services.errors import NotAllowed, NotFound, Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.receipts import ReceiptService
from tests.helpers import active_resident, business, make_team

D = Decimal
RESIDENTIAL = Rate("residential", date(2000, 1, 1), D("350"), D("500"), D("2.65"), D("3.18"), D("3.98"))


@pytest.fixture
def team(app):
    return make_team(app)


def on(clock, y, m, d, hour=10):
    clock.set(datetime(y, m, d, hour, 0))


def read(app, actor, clock, meter, y, m, d, value):
    on(clock, y, m, d)
    return BillingService(app, actor).record_reading(meter, date(y, m, d), value)


def books_balance(app, account_id):
    """Check the money rules of one account and return its balance:
    balance = payments' balance effects - bills; each bill's paid = its allocations; bills owe exactly the arrears."""
    with app.reading() as s:
        balance = s.get(Account, account_id).balance
        paid_in = s.scalar(select(func.sum(Payment.balance_effect)).where(Payment.account_id == account_id)) or D("0")
        billed = s.scalar(select(func.sum(Bill.amount)).where(Bill.account_id == account_id)) or D("0")
        assert balance == paid_in - billed
        outstanding = D("0.00")
        for bill in s.scalars(select(Bill).where(Bill.account_id == account_id)):
            allocated = s.scalar(select(func.sum(BillAllocation.amount)).where(BillAllocation.bill_id == bill.id))
            assert bill.paid == (allocated or D("0.00")), bill.number
            assert D("0") <= bill.paid <= bill.amount
            assert bill.status == billing.status_of(bill.amount, bill.paid)
            outstanding += bill.amount - bill.paid
        assert outstanding == max(D("0.00"), -balance)
        return balance


# --- tier arithmetic (pure) ----------------------------------------------------------------------

def test_prorate_parts_add_up_exactly():
    assert prorate(D("10.000"), [1, 1, 1]) == [D("3.333"), D("3.334"), D("3.333")]
    parts = prorate(D("100.001"), [7, 11, 13])
    assert sum(parts) == D("100.001") and all(p >= 0 for p in parts)


def test_tiers_across_a_year_boundary_restart_the_yearly_count():
    # 60 m³ from 21 Dec to 10 Jan: 11 days in 2026, 10 days in 2027.
    lines = price_lines(D("60.000"), date(2026, 12, 20), date(2027, 1, 10), [RESIDENTIAL],
                        {2026: D("340.000")}, D("350"))
    assert [(x.tier, x.volume, x.price, x.amount, x.start.year) for x in lines] == [
        (1, D("10.000"), D("2.6500"), D("26.50"), 2026),    # the last 10 m³ of 2026's tier 1
        (2, D("21.429"), D("3.1800"), D("68.14"), 2026),    # 31.429 m³ of 2026, above 350
        (1, D("28.571"), D("2.6500"), D("75.71"), 2027),    # 2027 starts at tier 1 again
    ]
    assert sum(x.volume for x in lines) == D("60.000")


def test_a_raised_allowance_lifts_tier_one_and_moves_tier_two_by_as_much():
    assert billing.tier_limits(RESIDENTIAL, D("520")) == (D("520"), D("670"))
    assert billing.tier_limits(RESIDENTIAL, D("200")) == (D("350"), D("500"))  # never lowered
    lines = price_lines(D("200.000"), date(2026, 6, 1), date(2026, 6, 30), [RESIDENTIAL], {2026: D("500.000")},
                        D("520"))
    assert [(x.tier, x.volume, x.amount) for x in lines] == [
        (1, D("20.000"), D("53.00")), (2, D("150.000"), D("477.00")), (3, D("30.000"), D("119.40"))]


def test_a_price_change_inside_the_period_splits_the_volume_by_days():
    dearer = Rate("residential", date(2026, 12, 11), D("350"), D("500"), D("2.80"), D("3.36"), D("4.20"))
    lines = price_lines(D("230.000"), date(2026, 11, 27), date(2026, 12, 20), [RESIDENTIAL, dearer], {}, D("350"))
    # 13 days at the old price (28 Nov - 10 Dec), 10 days at the new one (11 - 20 Dec).
    assert [(x.volume, x.price, x.amount, x.start, x.end) for x in lines] == [
        (D("130.000"), D("2.6500"), D("344.50"), date(2026, 11, 28), date(2026, 12, 10)),
        (D("100.000"), D("2.8000"), D("280.00"), date(2026, 12, 11), date(2026, 12, 20)),
    ]


def test_amounts_round_half_up_to_the_fen_and_lines_add_up_to_the_bill():
    lines = price_lines(D("0.001"), date(2026, 1, 1), date(2026, 1, 2), [RESIDENTIAL], {}, D("350"))
    assert lines[0].amount == D("0.00")  # 0.00265 yuan
    lines = price_lines(D("1.000"), date(2026, 1, 1), date(2026, 1, 2),
                        [Rate("commercial", date(2000, 1, 1), None, None, D("3.4550"))], {}, None)
    assert lines[0].amount == D("3.46")  # 3.455 rounds up


# --- bills from readings -------------------------------------------------------------------------

def test_readings_make_bills_across_the_year_boundary(app, team, clock):
    _, act = active_resident(app, team, meter="M-Y")
    first = read(app, team.clerk, clock, "M-Y", 2026, 12, 20, "340")
    assert first.bill.amount == D("901.00") and first.bill.number == "ZD-202612-000001"
    assert (first.bill.due_from, first.bill.due_to) == (date(2027, 1, 1), date(2027, 1, 20))
    second = read(app, team.clerk, clock, "M-Y", 2027, 1, 10, "400")
    assert second.bill.amount == D("170.35") and second.bill.number == "ZD-202701-000001"
    assert sum(x.amount for x in second.bill.lines) == second.bill.amount
    assert (second.bill.due_from, second.bill.due_to) == (date(2027, 2, 1), date(2027, 2, 20))
    assert books_balance(app, act.account_id) == D("-1071.35")


def test_the_allowance_change_flow_raises_tier_one_for_later_bills(app, team, clock):
    c, act = active_resident(app, team, meter="M-A")
    read(app, team.clerk, clock, "M-A", 2026, 12, 1, "340")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("allowance_change", c.id, documents=["id_copy", "property_proof", "community_certificate",
                                                         "household_register", "supply_agreement"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {"household_size": "6", "new_allowance": "520"})
    clerk.perform(o.id, "allowance_changed")
    bill = read(app, team.clerk, clock, "M-A", 2026, 12, 20, "540").bill
    # 340 used; tier 1 now ends at 520 -> 180 m³ at 2.65 and 20 m³ at 3.18 (tier 2 now ends at 670).
    assert [(x.tier, x.volume) for x in bill.lines] == [(1, D("180.000")), (2, D("20.000"))]
    assert bill.amount == D("477.00") + D("63.60")


def test_a_new_tariff_applies_from_its_date_and_splits_the_period(app, team, clock):
    _, act = active_resident(app, team, meter="M-P")
    tariffs = TariffService(app, team.admin)
    with pytest.raises(NotAllowed):
        TariffService(app, team.clerk).add("residential", date(2026, 12, 11), "2.80", "3.36", "4.20", "350", "500")
    with pytest.raises(Refused, match="阶梯"):
        tariffs.add("residential", date(2026, 12, 11), "2.80")
    tariffs.add("residential", date(2026, 12, 11), "2.80", "3.36", "4.20", "350", "500", note="调价")
    bill = read(app, team.clerk, clock, "M-P", 2026, 12, 20, "230").bill
    assert [(x.volume, x.price) for x in bill.lines] == [(D("130.000"), D("2.6500")), (D("100.000"), D("2.8000"))]
    assert bill.amount == D("624.50")
    # bills are never repriced: a price may not start inside time already billed
    with pytest.raises(Refused, match="已出账至 2026-12-20"):
        tariffs.add("residential", date(2026, 12, 15), "3", "3.5", "4", "350", "500")
    assert TariffService(app, team.clerk).current(date(2026, 12, 20))["residential"].price1 == D("2.8000")


def test_non_residential_gas_has_one_price(app, team, clock):
    b = business(app, team.clerk)
    orders = OrderService(app, team.clerk)
    o = orders.open("installation", b.id, documents=["business_license", "agent_id", "site_proof"],
                    data={"project_name": "餐厅", "expected_monthly_volume": "3000"})
    from gasdesk.models import Meter

    with app.unit_of_work() as s:  # take a finished installation as given
        s.get(Account, o.account_id).status = "active"
        s.add(Meter(number="M-B", model="G10", rating="G10", account_id=o.account_id, status="in_service",
                    initial_reading=D("0"), last_reading=D("0"), last_read_at=clock.now(), installed_at=clock.now()))
    bill = read(app, team.clerk, clock, "M-B", 2026, 12, 20, "1000").bill
    assert [(x.tier, x.volume, x.price) for x in bill.lines] == [(1, D("1000.000"), D("3.4500"))]
    assert bill.amount == D("3450.00")


# --- paying --------------------------------------------------------------------------------------

def test_a_prepaid_balance_pays_new_bills_automatically(app, team, clock):
    _, act = active_resident(app, team, meter="M-1", balance=D("500"))
    bill = read(app, team.clerk, clock, "M-1", 2026, 12, 20, "100").bill
    assert (bill.amount, bill.paid, bill.status) == (D("265.00"), D("265.00"), BillStatus.PAID)
    assert books_balance(app, act.account_id) == D("235.00")
    bill = read(app, team.clerk, clock, "M-1", 2027, 1, 20, "200").bill
    assert (bill.paid, bill.status) == (D("235.00"), BillStatus.PARTLY_PAID)
    assert books_balance(app, act.account_id) == D("-30.00")
    allocations = BillingService(app, team.clerk).allocations_of(bill.id)
    assert [(a.receipt_number, a.amount, a.note) for a in allocations] == [(None, D("235.00"), "预存款抵扣")]


def test_pay_selected_bills_exactly_and_the_books_reconcile_to_the_fen(app, team, clock):
    _, act = active_resident(app, team, meter="M-2")
    svc = BillingService(app, team.clerk)
    for i, (month, value) in enumerate([(12, "33.333"), (1, "71.071"), (2, "120.007")]):
        read(app, team.clerk, clock, "M-2", 2026 + (i > 0), month, 15, value)
    bills = svc.unpaid(act.account_id)
    assert len(bills) == 3
    middle = bills[1]
    with pytest.raises(Refused, match="选择"):
        svc.pay_bills(act.account_id, [], "cash")
    with pytest.raises(Refused, match="支付方式"):
        svc.pay_bills(act.account_id, [middle.id], "cheque")
    with pytest.raises(NotFound):
        svc.pay_bills(act.account_id, [middle.id, 99999], "cash")
    p = svc.pay_bills(act.account_id, [middle.id], "card")
    assert (p.kind, p.amount, p.method) == ("arrears", middle.amount, "card")
    assert p.item == f"燃气费 {middle.number}"
    left = svc.unpaid(act.account_id)
    assert [b.id for b in left] == [bills[0].id, bills[2].id]
    with pytest.raises(Refused, match="已缴清"):
        svc.pay_bills(act.account_id, [middle.id], "cash")
    p2 = svc.pay_bills(act.account_id, [b.id for b in left], "mobile")
    assert p2.amount == left[0].amount + left[1].amount and p2.item == "燃气费（2张账单）"
    assert svc.unpaid(act.account_id) == []
    assert books_balance(app, act.account_id) == D("0.00")
    PaymentService(app, team.clerk).prepay(act.account_id, "0.01", "cash")
    assert books_balance(app, act.account_id) == D("0.01")


def test_a_deposit_pays_the_oldest_bills_first_and_keeps_the_rest(app, team, clock):
    _, act = active_resident(app, team, meter="M-3")
    read(app, team.clerk, clock, "M-3", 2026, 12, 15, "10")    # 26.50
    read(app, team.clerk, clock, "M-3", 2027, 1, 15, "30")     # 53.00
    svc = BillingService(app, team.clerk)
    p = svc.prepay(act.account_id, "40", "cash")
    assert p.kind == "arrears"
    first, second = sorted(svc.bills_of(act.account_id), key=lambda b: b.period_end)
    assert (first.status, second.paid, second.status) == (BillStatus.PAID, D("13.50"), BillStatus.PARTLY_PAID)
    assert [a.receipt_number for a in svc.allocations_of(second.id)] == [p.receipt_number]
    svc.prepay(act.account_id, "100", "cash")
    assert svc.unpaid(act.account_id) == []
    assert books_balance(app, act.account_id) == D("60.50")


def test_a_balance_moved_by_code_that_knows_no_bills_pays_them_in_the_same_commit(app, team, clock):
    """The models record BalanceMoved as the session flushes; the services' handler (services/handlers.py)
    settles the account's bills just before the commit, and a rolled-back unit of work leaves nothing."""
    _, act = active_resident(app, team, meter="M-EV")
    bill = read(app, team.clerk, clock, "M-EV", 2026, 12, 15, "10").bill            # 26.50 owed
    with pytest.raises(RuntimeError), app.unit_of_work() as s:
        s.get(Account, act.account_id).balance += D("26.50")
        s.flush()
        raise RuntimeError("the counter's PC lost power")
    svc = BillingService(app, team.clerk)
    assert [b.paid for b in svc.unpaid(act.account_id)] == [D("0.00")]
    with app.unit_of_work() as s:
        s.get(Account, act.account_id).balance += D("26.50")
    assert svc.unpaid(act.account_id) == []
    assert [(a.amount, a.note) for a in svc.allocations_of(bill.id)] == [(D("26.50"), "预存款抵扣")]
    assert [a.at.microsecond for a in svc.allocations_of(bill.id)] == [0]  # times are kept in whole seconds


def test_a_manager_reversal_undoes_allocations_and_restores_the_balance(app, team, clock):
    _, act = active_resident(app, team, meter="M-4")
    read(app, team.clerk, clock, "M-4", 2026, 12, 15, "100")   # 265.00
    svc = BillingService(app, team.clerk)
    bill = svc.unpaid(act.account_id)[0]
    p = svc.pay_bills(act.account_id, [bill.id], "cash")
    assert books_balance(app, act.account_id) == D("0.00")
    with pytest.raises(NotAllowed):
        svc.reverse(p.id, "收错")
    with pytest.raises(Refused, match="原因"):
        BillingService(app, team.manager).reverse(p.id, "  ")
    r = BillingService(app, team.manager).reverse(p.id, "客户刷卡失败")
    assert (r.kind, r.reverses_id, r.balance_effect) == ("reversal", p.id, D("-265.00"))
    assert books_balance(app, act.account_id) == D("-265.00")
    again = svc.bills_of(act.account_id)[0]
    assert (again.paid, again.status) == (D("0.00"), BillStatus.UNPAID)
    assert [(a.amount, a.note) for a in svc.allocations_of(bill.id)] == [(D("265.00"), "缴费"),
                                                                        (D("-265.00"), "冲正撤销")]
    assert svc.reversed_ids([p.id]) == {p.id}
    with app.reading() as s:  # nothing edited: the original payment is as it was
        assert s.get(Payment, p.id).amount == D("265.00")


def test_reversing_a_deposit_that_a_later_bill_used_unpays_that_bill(app, team, clock):
    _, act = active_resident(app, team, meter="M-5")
    deposit = PaymentService(app, team.clerk).prepay(act.account_id, "300", "cash")
    read(app, team.clerk, clock, "M-5", 2026, 12, 15, "100")   # 265.00 paid from the deposit
    assert books_balance(app, act.account_id) == D("35.00")
    PaymentService(app, team.manager).reverse(deposit.id, "假币")
    assert books_balance(app, act.account_id) == D("-265.00")
    bill = BillingService(app, team.clerk).bills_of(act.account_id)[0]
    assert bill.status is BillStatus.UNPAID


def allocations(app, actor, bill_id):
    return [(a.receipt_number, a.amount, a.note) for a in BillingService(app, actor).allocations_of(bill_id)]


def test_a_payment_of_exactly_one_yuan_is_allocated_and_its_reversal_takes_it_back(app, team, clock):
    _, act = active_resident(app, team, meter="M-1Y")
    bill = read(app, team.clerk, clock, "M-1Y", 2026, 12, 15, "10").bill            # 26.50 owed
    p = PaymentService(app, team.clerk).prepay(act.account_id, "1.00", "cash")
    assert allocations(app, team.clerk, bill.id) == [(p.receipt_number, D("1.00"), "缴费")]
    assert BillingService(app, team.clerk).bills_of(act.account_id)[0].status is BillStatus.PARTLY_PAID
    r = PaymentService(app, team.manager).reverse(p.id, "收错")
    assert allocations(app, team.clerk, bill.id) == [(p.receipt_number, D("1.00"), "缴费"),
                                                     (r.receipt_number, D("-1.00"), "冲正撤销")]
    again = BillingService(app, team.clerk).bills_of(act.account_id)[0]
    assert (again.paid, again.status) == (D("0.00"), BillStatus.UNPAID)
    assert books_balance(app, act.account_id) == D("-26.50")


def test_reversing_one_of_two_payments_on_a_bill_takes_back_only_its_part(app, team, clock):
    _, act = active_resident(app, team, meter="M-2P")
    bill = read(app, team.clerk, clock, "M-2P", 2026, 12, 15, "100").bill           # 265.00 owed
    payments = PaymentService(app, team.clerk)
    first = payments.prepay(act.account_id, "100", "cash")
    second = payments.prepay(act.account_id, "165", "card")
    assert BillingService(app, team.clerk).unpaid(act.account_id) == []
    r = PaymentService(app, team.manager).reverse(first.id, "假币")
    assert allocations(app, team.clerk, bill.id) == [
        (first.receipt_number, D("100.00"), "缴费"), (second.receipt_number, D("165.00"), "缴费"),
        (r.receipt_number, D("-100.00"), "冲正撤销")]
    again = BillingService(app, team.clerk).bills_of(act.account_id)[0]
    assert (again.paid, again.status) == (D("165.00"), BillStatus.PARTLY_PAID)
    assert books_balance(app, act.account_id) == D("-100.00")


def test_a_deposit_leaves_alone_what_the_prepaid_balance_already_paid(app, team, clock):
    _, act = active_resident(app, team, meter="M-PP", balance=D("300"))
    bill = read(app, team.clerk, clock, "M-PP", 2026, 12, 15, "100").bill           # 265.00 from the deposit
    assert allocations(app, team.clerk, bill.id) == [(None, D("265.00"), "预存款抵扣")]
    PaymentService(app, team.clerk).prepay(act.account_id, "10", "cash")
    assert allocations(app, team.clerk, bill.id) == [(None, D("265.00"), "预存款抵扣")]
    assert books_balance(app, act.account_id) == D("45.00")


def test_money_left_after_paying_a_bill_pays_the_next_even_under_one_yuan(app, team, clock):
    _, act = active_resident(app, team, meter="M-NX")
    first = read(app, team.clerk, clock, "M-NX", 2026, 12, 15, "10").bill          # 26.50
    second = read(app, team.clerk, clock, "M-NX", 2027, 1, 15, "20").bill          # 26.50
    p = PaymentService(app, team.clerk).prepay(act.account_id, "27.00", "cash")
    assert allocations(app, team.clerk, first.id) == [(p.receipt_number, D("26.50"), "缴费")]
    assert allocations(app, team.clerk, second.id) == [(p.receipt_number, D("0.50"), "缴费")]
    assert books_balance(app, act.account_id) == D("-26.00")


def test_a_shortfall_unpays_the_newest_bills_the_prepaid_balance_paid_to_the_fen(app, team, clock):
    """Two deposits paid two bills through the prepaid balance; reversing the second takes its 53.50 back
    from the newest bill first (53.00, all of it), then 0.50 from the older one; reversing the first
    too, while those bills are open, takes back the rest."""
    _, act = active_resident(app, team, meter="M-SF")
    payments = PaymentService(app, team.clerk)
    d1 = payments.prepay(act.account_id, "264.50", "cash")
    d2 = payments.prepay(act.account_id, "53.50", "cash")
    older = read(app, team.clerk, clock, "M-SF", 2026, 12, 15, "100").bill         # 265.00
    newer = read(app, team.clerk, clock, "M-SF", 2027, 1, 15, "120").bill          # 53.00
    assert books_balance(app, act.account_id) == D("0.00")
    svc = BillingService(app, team.clerk)
    assert [b.status for b in svc.bills_of(act.account_id)] == [BillStatus.PAID, BillStatus.PAID]
    PaymentService(app, team.manager).reverse(d2.id, "退票")
    assert allocations(app, team.clerk, newer.id) == [(None, D("53.00"), "预存款抵扣"),
                                                      (None, D("-53.00"), "余额不足，撤销抵扣")]
    assert allocations(app, team.clerk, older.id) == [(None, D("265.00"), "预存款抵扣"),
                                                      (None, D("-0.50"), "余额不足，撤销抵扣")]
    assert [(b.number, b.paid, b.status) for b in svc.bills_of(act.account_id)] == [
        (newer.number, D("0.00"), BillStatus.UNPAID), (older.number, D("264.50"), BillStatus.PARTLY_PAID)]
    assert books_balance(app, act.account_id) == D("-53.50")
    PaymentService(app, team.manager).reverse(d1.id, "退票")
    assert [(b.paid, b.status) for b in svc.bills_of(act.account_id)] == [
        (D("0.00"), BillStatus.UNPAID), (D("0.00"), BillStatus.UNPAID)]
    assert books_balance(app, act.account_id) == D("-318.00")


def test_a_shortfall_takes_back_first_from_the_newest_bill_however_small(app, team, clock):
    _, act = active_resident(app, team, meter="M-SM")
    payments = PaymentService(app, team.clerk)
    d1 = payments.prepay(act.account_id, "265.53", "cash")
    older = read(app, team.clerk, clock, "M-SM", 2026, 12, 15, "100").bill         # 265.00
    newer = read(app, team.clerk, clock, "M-SM", 2027, 1, 15, "100.2").bill        # 0.53
    assert books_balance(app, act.account_id) == D("0.00")
    payments.prepay(act.account_id, "10", "cash")
    PaymentService(app, team.manager).reverse(d1.id, "退票")
    bills = {b.number: b for b in BillingService(app, team.clerk).bills_of(act.account_id)}
    assert (bills[newer.number].paid, bills[newer.number].status) == (D("0.00"), BillStatus.UNPAID)
    assert (bills[older.number].paid, bills[older.number].status) == (D("10.00"), BillStatus.PARTLY_PAID)
    assert books_balance(app, act.account_id) == D("-255.53")


def test_a_write_off_pays_the_open_bills_in_its_own_name(app, team, clock):
    _, act = active_resident(app, team, meter="M-WB")
    bill = read(app, team.clerk, clock, "M-WB", 2026, 12, 15, "10").bill           # 26.50
    w = PaymentService(app, team.manager).write_off(act.account_id, "客户已搬离，无法联系")
    assert (w.amount, w.cash_effect, w.balance_effect) == (D("26.50"), D("0.00"), D("26.50"))
    assert allocations(app, team.clerk, bill.id) == [(w.receipt_number, D("26.50"), "缴费")]
    assert BillingService(app, team.clerk).unpaid(act.account_id) == []
    assert books_balance(app, act.account_id) == D("0.00")


def test_money_brought_by_several_payments_is_attributed_to_each_up_to_what_it_has_left(app, team, clock):
    """settle_account in one unit of work: a payment already allocated in part (pay_exactly) is a
    source only for what it has left; the next payment's money follows."""
    from gasdesk.services import bills, payments
    from gasdesk.vocab import PaymentKind

    _, act = active_resident(app, team, meter="M-SRC")
    first = read(app, team.clerk, clock, "M-SRC", 2026, 12, 15, "10").bill          # 26.50
    second = read(app, team.clerk, clock, "M-SRC", 2027, 1, 15, "20").bill          # 26.50
    with app.unit_of_work() as s:
        account = s.get(Account, act.account_id, with_for_update=True)

        def pay(amount):
            return payments.record(s, actor=team.clerk, at=clock.now(), kind=PaymentKind.ARREARS, amount=D(amount),
                                   method="cash", customer_id=account.customer_id, account=account)

        p1 = pay("30.00")
        bills.pay_exactly(s, [s.get(Bill, first.id)], p1, at=clock.now(), staff_id=team.clerk.staff_id)
        p2 = pay("10.00")
        bills.settle_account(s, account, at=clock.now(), staff_id=team.clerk.staff_id, payments=[p1, p2])
        receipts = (p1.receipt_number, p2.receipt_number)
    assert allocations(app, team.clerk, first.id) == [(receipts[0], D("26.50"), "缴费")]
    assert allocations(app, team.clerk, second.id) == [(receipts[0], D("3.50"), "缴费"),
                                                       (receipts[1], D("10.00"), "缴费")]
    assert books_balance(app, act.account_id) == D("-13.00")


# --- flows that settle bills ---------------------------------------------------------------------

def _transfer(app, team, customer_id, final_reading="110"):
    from gasdesk.validation import make_resident_id

    clerk = OrderService(app, team.clerk)
    o = clerk.open("transfer", customer_id, documents=["both_ids", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {
        "new_name": "王芳", "new_id_type": "resident_id", "new_phone": "13700000001",
        "new_id_number": make_resident_id("520103", date(1990, 5, 6), 12)})
    o = clerk.perform(o.id, "settled", {"settle_method": "cash", "final_reading": final_reading})
    o = clerk.perform(o.id, "owner_switched")
    return clerk.perform(o.id, "agreement_signed")


def test_transfer_collects_the_arrears_that_bills_made_and_marks_them_paid(app, team, clock):
    c, act = active_resident(app, team, meter="M-T", balance=D("50"))
    read(app, team.clerk, clock, "M-T", 2026, 12, 15, "100")   # 265.00, 50 paid from the deposit
    read(app, team.clerk, clock, "M-T", 2027, 1, 15, "110")    # 26.50
    assert books_balance(app, act.account_id) == D("-241.50")
    o = _transfer(app, team, c.id)
    assert o.status == "archived" and o.data["settled_balance"] == "-241.50"
    with app.reading() as s:
        collected = s.scalar(select(Payment).where(Payment.order_id == o.id))
        assert (collected.kind, collected.amount) == ("arrears", D("241.50"))
        assert s.get(Account, act.account_id).status == "closed"
    assert books_balance(app, act.account_id) == D("0.00")
    assert BillingService(app, team.clerk).unpaid(act.account_id) == []
    # the new owner's bills start from the meter's last reading, with tiers of their own
    new_account = o.data["new_account_number"]
    bill = read(app, team.clerk, clock, "M-T", 2027, 2, 15, "130").bill
    assert bill.account_number == new_account and bill.volume == D("20.000")


def test_transfer_refunds_what_is_left_of_a_deposit_after_bills(app, team, clock):
    c, act = active_resident(app, team, meter="M-T2", balance=D("300"))
    read(app, team.clerk, clock, "M-T2", 2026, 12, 15, "100")  # 265.00 from the deposit
    o = _transfer(app, team, c.id, final_reading="100")
    with app.reading() as s:
        refund = s.scalar(select(Payment).where(Payment.order_id == o.id))
        assert (refund.kind, refund.amount, refund.cash_effect) == ("refund", D("35.00"), D("-35.00"))
    assert books_balance(app, act.account_id) == D("0.00")


def test_closure_settles_the_bills_then_bills_the_final_reading(app, team, clock):
    c, act = active_resident(app, team, meter="M-C")
    read(app, team.clerk, clock, "M-C", 2026, 12, 15, "100")   # 265.00 owed
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("closure", c.id, documents=["id_copy", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed")
    o = clerk.perform(o.id, "settled", {"settle_method": "card"})
    assert books_balance(app, act.account_id) == D("0.00")
    assert BillingService(app, team.clerk).unpaid(act.account_id) == []
    o = clerk.perform(o.id, "removal")
    on(clock, 2026, 12, 18)
    o = dispatcher.perform(o.id, "work_done", {"final_reading": "110", "fee": "120", "fee_method": "cash"})
    assert o.status == "archived" and o.data["final_bill_amount"] == "26.50"
    with app.reading() as s:
        assert s.get(Account, act.account_id).status == "closed"
        visit = s.execute(select(Payment.kind, Payment.amount).where(Payment.order_id == o.id,
                                                                    Payment.at == datetime(2026, 12, 18, 10))
                          .order_by(Payment.id)).all()
    # the final bill is collected at the visit with the removal fee: the account closes at 0.00
    assert [tuple(p) for p in visit] == [("arrears", D("26.50")), ("fee", D("120.00"))]
    assert BillingService(app, team.clerk).unpaid(act.account_id) == []
    assert books_balance(app, act.account_id) == D("0.00")
    with pytest.raises(Refused, match="已销户"):
        PaymentService(app, team.clerk).prepay(act.account_id, "26.50", "cash")
    with pytest.raises(Refused, match="已拆除"):
        read(app, team.clerk, clock, "M-C", 2026, 12, 20, "111")


def test_closure_collects_bills_made_after_the_counter_settlement_at_the_visit(app, team, clock):
    c, act = active_resident(app, team, meter="M-C2")
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("closure", c.id, documents=["id_copy", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed")
    o = clerk.perform(o.id, "settled", {"settle_method": "cash"})
    o = clerk.perform(o.id, "plugging")
    read(app, team.clerk, clock, "M-C2", 2026, 12, 15, "10")   # the reader came in between: 26.50
    o = dispatcher.perform(o.id, "work_done", {"final_reading": "12", "fee": "50", "fee_method": "cash"})
    assert o.status == "archived"
    # what the reader billed and the final 2 m³ (5.30) are collected at the visit with the fee
    with app.reading() as s:
        visit = s.execute(select(Payment.kind, Payment.amount).where(Payment.order_id == o.id)
                          .order_by(Payment.id)).all()
    assert [tuple(p) for p in visit] == [("arrears", D("31.80")), ("fee", D("50.00"))]
    assert books_balance(app, act.account_id) == D("0.00")
    assert BillingService(app, team.clerk).unpaid(act.account_id) == []


def test_suspension_bills_the_plugging_reading_and_refuses_later_readings(app, team, clock):
    c, act = active_resident(app, team, meter="M-S", balance=D("100"))
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-12-01"})
    o = clerk.perform(o.id, "accept")
    o = clerk.perform(o.id, "with_plugging")
    on(clock, 2026, 12, 2)
    o = dispatcher.perform(o.id, "plugged", {"final_reading": "20", "fee": "50", "fee_method": "cash"})
    assert o.data["final_bill_amount"] == "53.00"
    assert books_balance(app, act.account_id) == D("47.00")
    with pytest.raises(Refused, match="2026-12-02 暂停用气"):
        read(app, team.clerk, clock, "M-S", 2026, 12, 20, "25")
    with pytest.raises(Refused, match="暂停用气"):
        BillingService(app, team.clerk).record_reading("M-S", date(2026, 12, 3), "20")
    # the suspension day itself may still be read (no gas since the plugging: no bill)
    same_day = BillingService(app, team.clerk).record_reading("M-S", date(2026, 12, 2), "20")
    assert same_day.volume == D("0.000") and same_day.bill is None


# --- receipts, arrears, ledgers ------------------------------------------------------------------

def _pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_receipt_of_a_counter_payment_prints_capitals_and_reprints_say_copy(app, team, clock):
    _, act = active_resident(app, team, meter="M-R")
    read(app, team.clerk, clock, "M-R", 2026, 12, 15, "56.6")  # 149.99
    svc = BillingService(app, team.clerk)
    p = svc.pay_bills(act.account_id, [svc.unpaid(act.account_id)[0].id], "cash")
    receipts = ReceiptService(app, team.clerk)
    assert not receipts.printed_before(p.id)
    first = _pdf_text(receipts.render(p.id))
    assert p.receipt_number in first and "149.99" in first and "人民币壹佰肆拾玖元玖角玖分" in first
    assert "柜台收费" in first and "副本" not in first
    second = _pdf_text(receipts.render(p.id))
    assert "副本" in second.replace("　", "")
    with app.reading() as s:
        assert [r.copy for r in s.scalars(select(ReceiptPrint).order_by(ReceiptPrint.id))] == [False, True]
    with pytest.raises(NotFound):
        receipts.render(999)


def test_receipt_of_an_order_payment_goes_through_the_order(app, team, clock):
    c, act = active_resident(app, team, meter="M-R2", balance=D("20"))
    o = _transfer(app, team, c.id, final_reading="0")
    with app.reading() as s:
        refund_id = s.scalar(select(Payment.id).where(Payment.order_id == o.id))
    text = _pdf_text(ReceiptService(app, team.clerk).render(refund_id))
    assert o.number in text and "人民币贰拾元整" in text


def test_the_arrears_list_shows_overdue_bills_for_reminders(app, team, clock):
    _, a1 = active_resident(app, team, "甲", meter="M-X1")
    _, a2 = active_resident(app, team, "乙", meter="M-X2")
    read(app, team.clerk, clock, "M-X1", 2026, 12, 15, "100")   # due by 20 Jan
    read(app, team.clerk, clock, "M-X2", 2026, 12, 15, "10")
    read(app, team.clerk, clock, "M-X1", 2027, 1, 15, "110")    # due by 20 Feb
    svc = BillingService(app, team.clerk)
    on(clock, 2027, 1, 20)
    assert svc.arrears_list() == []                              # still inside the payment window
    on(clock, 2027, 2, 25)
    rows = svc.arrears_list()
    assert [(r.account_id, r.owed, r.bills, r.oldest_due, r.days_overdue) for r in rows] == [
        (a1.account_id, D("291.50"), 2, date(2027, 1, 20), 36), (a2.account_id, D("26.50"), 1, date(2027, 1, 20), 36)]
    assert "*" in rows[0].phone                                  # masked for a clerk
    assert [r.account_id for r in svc.arrears_list(min_amount="100")] == [a1.account_id]
    assert svc.arrears_list(older_than_days=40) == []
    assert len(svc.arrears_list(limit=1, offset=1)) == 1
    assert "*" not in BillingService(app, team.admin).arrears_list()[0].phone


def test_ledger_queries(app, team, clock):
    _, act = active_resident(app, team, meter="M-L", balance=D("10"))
    read(app, team.clerk, clock, "M-L", 2026, 12, 15, "100")    # 265.00, 10 prepaid
    read(app, team.clerk, clock, "M-L", 2027, 2, 15, "130")     # 79.50
    on(clock, 2027, 2, 16)
    svc = BillingService(app, team.clerk)
    p = svc.pay_bills(act.account_id, [svc.unpaid(act.account_id)[0].id], "cash")   # 255.00
    BillingService(app, team.manager).prepay(act.account_id, "20", "mobile")
    with pytest.raises(NotAllowed):
        billing.bills_issued(app, team.clerk, date(2026, 1, 1), date(2027, 12, 31))
    issued = billing.bills_issued(app, team.manager, date(2026, 12, 1), date(2026, 12, 31))
    assert [(r.amount, r.paid, r.status) for r in issued] == [(D("265.00"), D("265.00"), "已缴清")]
    days = billing.payments_per_clerk_day(app, team.manager, date(2026, 11, 1), date(2027, 3, 1))
    assert [(r.day, r.staff_login, r.method, r.count, r.net, r.bills_paid) for r in days] == [
        (date(2026, 11, 27), "clerk", "现金", 1, D("10.00"), D("0.00")),
        (date(2027, 2, 16), "clerk", "现金", 1, D("255.00"), D("255.00")),
        (date(2027, 2, 16), "manager", "移动支付", 1, D("20.00"), D("20.00")),
    ]
    with app.reading() as s:
        drawer = s.scalar(select(func.sum(Payment.cash_effect)))
    assert sum(r.net for r in days) == drawer
    assert p.amount == D("255.00")
    ages = billing.arrears_by_age(app, team.manager, date(2027, 2, 15))
    assert [(r.days_0_30, r.days_31_90, r.days_over_90, r.total) for r in ages] == [
        (D("79.50"), D("255.00"), D("0.00"), D("334.50"))]
    later = billing.arrears_by_age(app, team.manager, date(2027, 6, 1))
    assert [(r.days_0_30, r.days_31_90, r.days_over_90) for r in later] == [(D("0"), D("0"), D("59.50"))]


def test_roles_and_the_audit_chain(app, team, clock):
    _, act = active_resident(app, team, meter="M-Z")
    with pytest.raises(NotAllowed):
        BillingService(app, team.handler).record_reading("M-Z", date(2026, 11, 27), "1")
    bill = read(app, team.clerk, clock, "M-Z", 2026, 12, 15, "1").bill
    with pytest.raises(NotAllowed):
        BillingService(app, team.handler).pay_bills(act.account_id, [bill.id], "cash")
    BillingService(app, team.clerk).pay_bills(act.account_id, [bill.id], "cash")
    with app.reading() as s:
        ok, broken, why = audit.verify(s)
        assert ok, why
        actions = set(s.scalars(select(audit.AuditEntry.action).where(audit.AuditEntry.entity == "bill")))
    assert {"issue", "allocate"} <= actions


def test_transfer_bills_the_gas_used_up_to_the_handover_to_the_old_owner(app, team, clock):
    c, act = active_resident(app, team, meter="M-H")
    read(app, team.clerk, clock, "M-H", 2026, 12, 15, "100")  # tier 1: 100 m³ x 2.65 = 265.00
    o = _transfer(app, team, c.id, final_reading="120")       # 20 m³ more at the handover = 53.00
    assert o.data["final_bill_amount"] == "53.00"
    assert o.data["settled_balance"] == "-318.00"
    assert books_balance(app, act.account_id) == D("0.00")
    assert BillingService(app, team.clerk).unpaid(act.account_id) == []


def test_bills_and_arrears_age_ledgers_read_back(app, team, clock, tmp_path):
    from openpyxl import load_workbook

    from gasdesk.services.ledgers import LedgerFilter, LedgerService

    c, act = active_resident(app, team, meter="M-L")
    read(app, team.clerk, clock, "M-L", 2026, 12, 15, "100")   # 265.00
    read(app, team.clerk, clock, "M-L", 2027, 3, 20, "110")    # 26.50
    clock.set(datetime(2027, 3, 25, 10, 0))
    ledgers = LedgerService(app, team.manager)
    out = tmp_path / "bills.xlsx"
    result = ledgers.export("bills", LedgerFilter(date(2026, 12, 1), date(2027, 3, 31)), out)
    assert result.rows == 2
    rows = [r for r in load_workbook(out).active.iter_rows(values_only=True) if r and str(r[0]).startswith("ZD-")]
    assert sorted(r[9] for r in rows) == [D("26.50"), D("265.00")]
    out = tmp_path / "age.xlsx"
    ledgers.export("arrears_age", LedgerFilter(None, date(2027, 3, 25)), out)
    [row] = [r for r in load_workbook(out).active.iter_rows(values_only=True) if r and r[0] == act.account_number]
    assert row[7:11] == (D("26.50"), D("0.00"), D("265.00"), D("291.50"))
