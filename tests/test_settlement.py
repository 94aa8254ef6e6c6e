"""Every yuan settles (issue 14): closure, suspension and transfer end at 0.00 with no unpaid bill; gas
used while suspended is billed at resumption; fields are checked where they are typed; the preview
is what is paid; fees come from the fee schedule (issue 15 item 5). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from gasdesk.models import Account, Customer, Meter, Payment
from gasdesk.models import AuditEntry as AuditLog
from gasdesk.services.billing import BillingService, TariffService
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.readings import ReadingService
from gasdesk.validation import make_resident_id, mask_id
from tests.helpers import active_resident, balance_of, make_team, snapshot
from tests.test_ledgers import data_rows, dec, export

DOCS = {"closure": ["id_copy", "property_proof", "property_mgmt"],
        "transfer": ["both_ids", "property_proof", "property_mgmt"]}
NEW_ID = make_resident_id("520103", date(1990, 5, 6), 12)


@pytest.fixture
def team(app):
    return make_team(app)


def on(clock, y, m, d, hour=10):
    clock.set(datetime(y, m, d, hour, 0))


def read(app, actor, clock, meter, y, m, d, value):
    on(clock, y, m, d, 9)
    return ReadingService(app, actor).record(meter, date(y, m, d), value)


def payments_of(app, order_id):
    with app.reading() as s:
        return [(p.kind, p.amount) for p in s.scalars(select(Payment).where(Payment.order_id == order_id)
                                                      .order_by(Payment.id))]


def unpaid(app, team, account_id):
    return BillingService(app, team.clerk).unpaid(account_id)


# --- 1. closure and suspension with plugging settle at the visit -------------------------------------

def _close(app, team, clock, customer_id, reading, *, removal=True, day=(2026, 12, 18)):
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("closure", customer_id, documents=DOCS["closure"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed")
    o = clerk.perform(o.id, "settled", {"settle_method": "cash"})
    o = clerk.perform(o.id, "removal" if removal else "plugging")
    on(clock, *day)
    payload = {"final_reading": reading, "fee": "120.00" if removal else "50.00", "fee_method": "cash"}
    preview = dispatcher.preview(o.id, "work_done", payload)
    return dispatcher.perform(o.id, "work_done", payload, expected_due=preview.due), preview


def test_closure_with_a_deposit_refunds_it_then_collects_the_final_bill_and_fee_at_the_visit(app, team, clock):
    c, act = active_resident(app, team, meter="M-CL", balance=D("300"))
    read(app, team.clerk, clock, "M-CL", 2026, 12, 10, "100")          # 265.00 from the deposit
    o, preview = _close(app, team, clock, c.id, "110")
    assert o.status == "archived"
    assert payments_of(app, o.id) == [("refund", D("35.00")), ("arrears", D("26.50")), ("fee", D("120.00"))]
    assert (preview.bill, preview.collect, preview.fee, preview.refund, preview.due) == (
        D("26.50"), D("26.50"), D("120.00"), D("0.00"), D("146.50"))
    assert balance_of(app, act.account_id) == D("0.00") and unpaid(app, team, act.account_id) == []
    with app.reading() as s:
        assert s.get(Account, act.account_id).status == "closed"


def test_closure_refunds_a_deposit_of_one_yuan_at_the_counter(app, team, clock):
    c, act = active_resident(app, team, meter="M-C1", balance=D("1.00"))
    o, preview = _close(app, team, clock, c.id, "0")
    assert o.status == "archived" and o.data["settled_balance"] == "1.00"
    assert payments_of(app, o.id) == [("refund", D("1.00")), ("fee", D("120.00"))]
    assert (preview.bill, preview.refund, preview.collect, preview.due) == (D("0.00"), D("0.00"), D("0.00"),
                                                                            D("120.00"))
    assert balance_of(app, act.account_id) == D("0.00")


def test_transfer_refunds_a_deposit_under_one_yuan_as_the_preview_showed(app, team, clock):
    c, act = active_resident(app, team, meter="M-T50", balance=D("0.50"))
    clerk, o = _transfer_to_application(app, team, c.id)
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": NEW_ID, "new_phone": "13700000001"})
    payload = {"settle_method": "cash", "final_reading": "0"}
    preview = clerk.preview(o.id, "settled", payload)
    assert (preview.balance_before, preview.bill, preview.refund, preview.collect, preview.due) == (
        D("0.50"), D("0.00"), D("0.50"), D("0.00"), D("-0.50"))
    o = clerk.perform(o.id, "settled", payload, expected_due=preview.due)
    assert payments_of(app, o.id) == [("refund", D("0.50"))]
    assert balance_of(app, act.account_id) == D("0.00")


def test_settling_a_balance_of_zero_moves_no_money(app, team, clock):
    from gasdesk.services import payments

    _, act = active_resident(app, team, meter="M-Z0")
    with app.unit_of_work() as s:
        account = s.get(Account, act.account_id)
        assert payments.settle(s, actor=team.clerk, at=clock.now(), account=account, method="cash",
                               order_id=None) is None
    with app.reading() as s:
        assert s.scalar(select(Payment.id).where(Payment.account_id == act.account_id)) is None


def test_a_fee_moves_no_balance_and_audits_none(app, team, clock):
    c, act = active_resident(app, team, meter="M-FB", balance=D("10"))
    o, _ = _close(app, team, clock, c.id, "0", removal=False)
    assert payments_of(app, o.id) == [("refund", D("10.00")), ("fee", D("50.00"))]
    with app.reading() as s:
        moves = [e.action for e in s.scalars(select(AuditLog).where(AuditLog.entity == "account",
                                                                   AuditLog.entity_id == str(act.account_id))
                                             .order_by(AuditLog.id))]
    assert "payment:refund" in moves and "payment:fee" not in moves


def test_a_reversed_refund_pays_a_bill_from_the_balance_it_restores(app, team, clock):
    """The counter refunded 35.00, a reading then billed 26.50, and the refund is reversed (the cash
    never left): the 35.00 is on the account again and pays the bill as prepaid balance."""
    c, act = active_resident(app, team, meter="M-RR", balance=D("35"))
    clerk = OrderService(app, team.clerk)
    o = clerk.open("closure", c.id, documents=DOCS["closure"])
    for action in ("documents_ok", "application_signed"):
        o = clerk.perform(o.id, action)
    o = clerk.perform(o.id, "settled", {"settle_method": "cash"})
    bill = read(app, team.clerk, clock, "M-RR", 2026, 12, 10, "10").bill                 # 26.50
    with app.reading() as s:
        refund_id = s.scalar(select(Payment.id).where(Payment.order_id == o.id, Payment.kind == "refund"))
    PaymentService(app, team.manager).reverse(refund_id, "客户未领取退款")
    assert [(a.receipt_number, a.amount, a.note) for a in BillingService(app, team.clerk).allocations_of(bill.id)] == [
        (None, D("26.50"), "预存款抵扣")]
    assert balance_of(app, act.account_id) == D("8.50") and unpaid(app, team, act.account_id) == []


def test_closure_visit_refunds_what_a_deposit_made_after_the_counter_leaves(app, team, clock):
    c, act = active_resident(app, team, meter="M-CL2")
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("closure", c.id, documents=DOCS["closure"])
    for action in ("documents_ok", "application_signed"):
        o = clerk.perform(o.id, action)
    o = clerk.perform(o.id, "settled", {"settle_method": "cash"})
    o = clerk.perform(o.id, "plugging")
    PaymentService(app, team.clerk).prepay(act.account_id, "200", "cash")  # paid in between
    on(clock, 2026, 12, 1)
    o = dispatcher.perform(o.id, "work_done", {"final_reading": "10", "fee": "50.00", "fee_method": "cash"})
    # 200 - 26.50 refunded, the fee taken: in one transaction, the account at 0.00
    assert payments_of(app, o.id)[-2:] == [("refund", D("173.50")), ("fee", D("50.00"))]
    assert balance_of(app, act.account_id) == D("0.00") and unpaid(app, team, act.account_id) == []


def test_suspension_with_plugging_collects_the_plugging_bill_and_keeps_a_deposit(app, team, clock):
    c, act = active_resident(app, team, meter="M-SP", balance=D("10"))
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-11-28"})
    o = clerk.perform(o.id, "accept")
    o = clerk.perform(o.id, "with_plugging")
    on(clock, 2026, 12, 2)
    o = dispatcher.perform(o.id, "plugged", {"final_reading": "20", "fee": "50.00", "fee_method": "cash"})
    # 53.00 billed, 10 from the deposit, 43.00 collected with the fee
    assert payments_of(app, o.id) == [("arrears", D("43.00")), ("fee", D("50.00"))]
    assert balance_of(app, act.account_id) == D("0.00") and unpaid(app, team, act.account_id) == []


def test_an_uncollectable_remainder_is_written_off_by_a_manager_with_a_reason(app, team, clock, tmp_path):
    c, act = active_resident(app, team, meter="M-WO")
    from tests.helpers import set_balance

    o, _ = _close(app, team, clock, c.id, "0")
    set_balance(app, act.account_id, D("-18.20"))   # e.g. a bill found after the closure
    with pytest.raises(NotAllowed):
        PaymentService(app, team.clerk).write_off(act.account_id, "客户已搬离")
    with pytest.raises(Refused, match="原因"):
        PaymentService(app, team.manager).write_off(act.account_id, " ")
    w = PaymentService(app, team.manager).write_off(act.account_id, "客户已搬离，无法联系")
    assert (w.kind, w.amount, w.cash_effect) == ("write_off", D("18.20"), D("0.00"))
    assert balance_of(app, act.account_id) == D("0.00")
    with pytest.raises(Refused, match="没有欠费"):
        PaymentService(app, team.manager).write_off(act.account_id, "再次")
    with app.reading() as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "write_off"))
    result, wb = export(app, team.manager, "write_offs", tmp_path)
    rows = data_rows(wb.active)
    assert result.rows == 1
    assert dec(rows[0][3]) == D("18.20") and "无法联系" in rows[0][8] and rows[0][2] == "王强"


def test_a_closed_account_takes_what_it_owes_but_no_new_deposit(app, team, clock):
    c, act = active_resident(app, team, meter="M-CA")
    from tests.helpers import set_balance

    _close(app, team, clock, c.id, "0")
    set_balance(app, act.account_id, D("-10.00"))
    with pytest.raises(Refused, match="只能缴清所欠 10.00 元"):
        PaymentService(app, team.clerk).prepay(act.account_id, "50", "cash")
    PaymentService(app, team.clerk).prepay(act.account_id, "10", "cash")
    assert balance_of(app, act.account_id) == D("0.00")
    with pytest.raises(Refused, match="^账户已销户，不能缴费$"):
        PaymentService(app, team.clerk).prepay(act.account_id, "1", "cash")


def test_a_plugged_closed_account_takes_no_more_readings(app, team, clock):
    c, act = active_resident(app, team, meter="M-PLC")
    _close(app, team, clock, c.id, "5", removal=False)          # plugged on 18 Dec: the meter stays
    with pytest.raises(Refused, match="2026-12-18 销户"):
        read(app, team.clerk, clock, "M-PLC", 2026, 12, 20, "9")
    assert balance_of(app, act.account_id) == D("0.00") and unpaid(app, team, act.account_id) == []


def test_a_refused_amount_or_note_names_its_own_field(app, team):
    _, act = active_resident(app, team, meter="M-FLD")
    payments = PaymentService(app, team.clerk)
    with pytest.raises(Refused) as e:
        payments.prepay(act.account_id, "12.345", "cash")
    assert e.value.field == "amount"
    with pytest.raises(Refused) as e:
        payments.prepay(act.account_id, "10", "cash", note="备注" * 200)
    assert e.value.field == "note"
    assert balance_of(app, act.account_id) == D("0.00")


def test_reversing_a_fee_or_a_write_off_undoes_exactly_what_it_moved(app, team, clock):
    c, act = active_resident(app, team, meter="M-RV")
    read(app, team.clerk, clock, "M-RV", 2026, 12, 10, "10")            # 26.50 owed
    manager = PaymentService(app, team.manager)
    w = manager.write_off(act.account_id, "客户已搬离，无法联系")
    assert balance_of(app, act.account_id) == D("0.00") and unpaid(app, team, act.account_id) == []
    undo = manager.reverse(w.id, "核销有误")
    assert (undo.cash_effect, undo.balance_effect) == (D("0.00"), D("-26.50"))  # no cash ever moved
    assert balance_of(app, act.account_id) == D("-26.50")
    assert [b.paid for b in unpaid(app, team, act.account_id)] == [D("0.00")]
    o, _ = _close(app, team, clock, c.id, "10", removal=False)          # 26.50 collected, 50.00 fee
    with app.reading() as s:
        fee_id = s.scalar(select(Payment.id).where(Payment.order_id == o.id, Payment.kind == "fee"))
    undo = manager.reverse(fee_id, "重复收费")
    assert (undo.amount, undo.cash_effect, undo.balance_effect) == (D("50.00"), D("-50.00"), D("0.00"))
    assert balance_of(app, act.account_id) == D("0.00")  # a fee never touched the balance
    with app.reading() as s:
        moves = [e.action for e in s.scalars(select(AuditLog).where(AuditLog.entity == "account",
                                                                   AuditLog.entity_id == str(act.account_id)))]
    assert moves.count("payment:reversal") == 1  # the write-off's reversal only


# --- 2. suspension without plugging bills at resumption ---------------------------------------------

def _suspend_without_plugging(app, team, customer_id, day="2026-11-27"):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("suspension", customer_id, documents=["owner_id"], data={"suspend_from": day})
    o = clerk.perform(o.id, "accept")
    o = clerk.perform(o.id, "without_plugging")
    return clerk.perform(o.id, "reader_notified")


def _resume(app, team, clock, customer_id, reading, day):
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("resume_supply", customer_id, documents=["owner_id"])
    o = clerk.perform(o.id, "accept")
    on(clock, *day)
    payload = {"resume_reading": reading, "fee": "0.00", "fee_method": "cash"}
    preview = dispatcher.preview(o.id, "resumed", payload)
    return dispatcher.perform(o.id, "resumed", payload), preview


def test_gas_used_while_suspended_is_billed_when_supply_resumes(app, team, clock):
    c, act = active_resident(app, team, meter="M-RS")
    _suspend_without_plugging(app, team, c.id)
    # the reading round skips the suspended account
    with pytest.raises(Refused, match="跳过"):
        read(app, team.clerk, clock, "M-RS", 2026, 12, 20, "30")
    o, preview = _resume(app, team, clock, c.id, "60", (2027, 1, 10))
    assert o.status == "archived"
    bills = BillingService(app, team.clerk).bills_of(act.account_id)
    assert [(b.volume, b.period_start, b.period_end) for b in bills] == [
        (D("60.000"), date(2026, 11, 27), date(2027, 1, 10))]
    assert bills[0].amount == D("159.00") == preview.bill and preview.volume == D("60.000")
    assert balance_of(app, act.account_id) == D("-159.00")
    with app.reading() as s:
        assert s.get(Account, act.account_id).status == "active"
    # resumed, the account is read and billed by the rounds again (the day it was suspended is history)
    later = read(app, team.clerk, clock, "M-RS", 2027, 2, 10, "70")
    assert (later.volume, later.bill.amount) == (D("10.000"), D("26.50"))


def test_resumption_bills_the_suspension_at_the_prices_in_force_across_a_price_change(app, team, clock):
    c, act = active_resident(app, team, meter="M-RP")
    _suspend_without_plugging(app, team, c.id)
    TariffService(app, team.admin).add("residential", date(2026, 12, 13), "3.00", "3.60", "4.50",
                                       tier1_limit="350", tier2_limit="500", note="调价")
    o, preview = _resume(app, team, clock, c.id, "100", (2026, 12, 27))
    # 30 days: 15 at the old price, 15 at the new one
    bill = BillingService(app, team.clerk).bills_of(act.account_id)[0]
    assert [(x.volume, x.price) for x in bill.lines] == [(D("50.000"), D("2.6500")), (D("50.000"), D("3.0000"))]
    assert bill.amount == D("282.50") == preview.bill


# --- 3. transfer: checked at the application, nothing paid for a transfer that cannot finish ---------

def _transfer_to_application(app, team, customer_id):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("transfer", customer_id, documents=DOCS["transfer"])
    return clerk, clerk.perform(o.id, "documents_ok")


def test_an_invalid_new_owner_id_is_refused_at_the_application_with_nothing_paid(app, team, clock):
    c, act = active_resident(app, team, meter="M-TI", balance=D("800"))
    clerk, o = _transfer_to_application(app, team, c.id)
    before = snapshot(app)
    bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    with pytest.raises(Refused, match="校验位") as e:
        clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": bad, "new_phone": "13700000001"})
    assert e.value.field == "new_id_number"
    with pytest.raises(Refused) as e:
        clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": NEW_ID, "new_phone": "1370000"})
    assert e.value.field == "new_phone"
    assert snapshot(app) == before
    assert balance_of(app, act.account_id) == D("800.00")


def test_a_recorded_field_is_corrected_before_it_is_used_then_no_more(app, team, clock):
    c, act = active_resident(app, team, meter="M-TC", balance=D("100"))
    clerk, o = _transfer_to_application(app, team, c.id)
    other = make_resident_id("520103", date(1991, 6, 7), 21)
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": other, "new_phone": "13700000001"})
    with pytest.raises(Refused, match="原因"):
        clerk.correct_field(o.id, "new_id_number", NEW_ID, "")
    with pytest.raises(Refused, match="校验位"):
        clerk.correct_field(o.id, "new_id_number", NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"), "证件号抄错")
    o = clerk.correct_field(o.id, "new_id_number", NEW_ID, "证件号抄错一位")
    # The clerk (no right to see ID numbers) reads both numbers masked; a manager reads them whole.
    assert o.data["new_id_number"] == mask_id(NEW_ID)
    entry = o.history[-1]
    assert (entry.action, entry.note, entry.data["old"], entry.data["new"]) == (
        "correct", "证件号抄错一位", mask_id(other), mask_id(NEW_ID))
    whole = OrderService(app, team.manager).get(o.id)
    assert (whole.data["new_id_number"], whole.history[-1].data["old"]) == (NEW_ID, other)
    with app.reading() as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "correct_field"))
    o = clerk.perform(o.id, "settled", {"settle_method": "cash", "final_reading": "0"})
    with pytest.raises(Refused, match="不能更正"):
        clerk.correct_field(o.id, "final_reading", "1", "读错")
    o = clerk.perform(o.id, "owner_switched")
    with pytest.raises(Refused, match="已在后续环节使用"):
        clerk.correct_field(o.id, "new_name", "王芳芳", "改名")
    with app.reading() as s:
        new = s.scalar(select(Customer).where(Customer.id == o.data["new_customer_id"]))
        assert new.id_number == NEW_ID


def test_transfer_with_a_deposit_refunds_what_the_final_bill_leaves_as_the_screen_showed(app, team, clock):
    c, act = active_resident(app, team, meter="M-TD", balance=D("800"))
    read(app, team.clerk, clock, "M-TD", 2026, 12, 10, "10")   # 26.50 from the deposit
    clerk, o = _transfer_to_application(app, team, c.id)
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": NEW_ID, "new_phone": "13700000001"})
    on(clock, 2026, 12, 20)
    payload = {"settle_method": "cash", "final_reading": "45.3"}
    preview = clerk.preview(o.id, "settled", payload)
    assert (preview.balance_before, preview.volume, preview.bill) == (D("773.50"), D("35.300"), D("93.55"))
    assert (preview.refund, preview.due) == (D("679.95"), D("-679.95"))
    assert [(x["tier"], x["volume"], x["amount"]) for x in preview.lines] == [(1, "35.300", "93.55")]
    o = clerk.perform(o.id, "settled", payload, expected_due=preview.due)
    assert payments_of(app, o.id) == [("refund", D("679.95"))]
    o = clerk.perform(o.id, "owner_switched")
    o = clerk.perform(o.id, "agreement_signed")
    assert balance_of(app, act.account_id) == D("0.00") and unpaid(app, team, act.account_id) == []


def test_what_the_screen_promised_is_refused_when_the_money_changed_meanwhile(app, team, clock):
    c, act = active_resident(app, team, meter="M-TX", balance=D("100"))
    clerk, o = _transfer_to_application(app, team, c.id)
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": NEW_ID, "new_phone": "13700000001"})
    payload = {"settle_method": "cash", "final_reading": "0"}
    preview = clerk.preview(o.id, "settled", payload)
    assert preview.refund == D("100.00")
    PaymentService(app, team.clerk).prepay(act.account_id, "20", "cash")   # another counter, meanwhile
    before = snapshot(app)
    with pytest.raises(Refused, match="应退 120.00 元"):
        clerk.perform(o.id, "settled", payload, expected_due=preview.due)
    assert snapshot(app) == before


def test_transfer_keeps_the_old_owner_open_while_another_account_of_theirs_is_open(app, team, clock):
    c, act = active_resident(app, team, meter="M-TA")
    clerk = OrderService(app, team.clerk)
    second = clerk.open("activation", c.id, documents=["property_proof", "owner_id"])
    second = clerk.perform(second.id, "accept")
    OrderService(app, team.dispatcher).perform(second.id, "work_done", {
        "meter_number": "M-TA2", "meter_model": "JBD2.5", "meter_rating": "G2.5", "initial_reading": "0"})
    o = clerk.open("transfer", c.id, account_id=act.account_id, documents=DOCS["transfer"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": NEW_ID, "new_phone": "13700000001"})
    o = clerk.perform(o.id, "settled", {"settle_method": "cash", "final_reading": "0"})
    o = clerk.perform(o.id, "owner_switched")
    with app.reading() as s:
        assert s.get(Customer, c.id).status == "active"
        assert s.get(Account, act.account_id).status == "closed"


# --- 4. amounts and dates refuse, never repair ---------------------------------------------------------

@pytest.mark.parametrize("typed, message", [("-50", "不能为负数"), ("5O", "格式不正确"), ("1.005", "两位小数")])
def test_a_deposit_refuses_signs_letters_and_fractions_of_a_fen(app, team, typed, message):
    _, act = active_resident(app, team, meter=f"M-A{len(typed)}{typed[-1]}")
    before = snapshot(app)
    with pytest.raises(Refused, match=message):
        PaymentService(app, team.clerk).prepay(act.account_id, typed, "cash")
    assert snapshot(app) == before


def test_a_suspension_date_long_before_the_order_is_refused(app, team):
    c, _ = active_resident(app, team)
    with pytest.raises(Refused, match="早于受理日期") as e:
        OrderService(app, team.clerk).open("suspension", c.id, documents=["owner_id"],
                                           data={"suspend_from": "2024-01-01"})
    assert e.value.field == "suspend_from"


def test_a_household_of_zero_is_refused(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("allowance_change", c.id, documents=["id_copy", "property_proof", "community_certificate",
                                                  "household_register", "supply_agreement"])
    o = clerk.perform(o.id, "documents_ok")
    with pytest.raises(Refused, match="必须大于零"):
        clerk.perform(o.id, "application_signed", {"household_size": "0", "new_allowance": "400"})


# --- 6. fees from the fee schedule ------------------------------------------------------------------------

def _to_plugging_visit(app, team, customer_id):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("suspension", customer_id, documents=["owner_id"], data={"suspend_from": "2026-11-27"})
    o = clerk.perform(o.id, "accept")
    return clerk.perform(o.id, "with_plugging")


@pytest.mark.parametrize("fee", ["0", "9999999999.99", "49.99"])
def test_a_dispatcher_cannot_type_a_fee_of_their_own(app, team, fee):
    c, act = active_resident(app, team)
    o = _to_plugging_visit(app, team, c.id)
    before = snapshot(app)
    with pytest.raises(Refused, match="收费标准 50.00 元") as e:
        OrderService(app, team.dispatcher).perform(o.id, "plugged", {
            "final_reading": "0", "fee": fee, "fee_method": "cash", "fee_reason": "客户困难"})
    assert e.value.field == "fee" and snapshot(app) == before


def test_a_different_fee_needs_the_right_a_reason_and_stays_within_the_limit(app, team):
    c, act = active_resident(app, team)
    o = _to_plugging_visit(app, team, c.id)
    manager = OrderService(app, team.manager)
    with pytest.raises(Refused, match="改收原因") as e:
        manager.perform(o.id, "plugged", {"final_reading": "0", "fee": "30", "fee_method": "cash"})
    assert e.value.field == "fee_reason"
    with pytest.raises(Refused, match="改收上限"):
        manager.perform(o.id, "plugged", {"final_reading": "0", "fee": "9999999999.99", "fee_method": "cash",
                                          "fee_reason": "加急"})
    o = manager.perform(o.id, "plugged", {"final_reading": "0", "fee": "30", "fee_method": "cash",
                                          "fee_reason": "低保户减免"})
    assert payments_of(app, o.id) == [("fee", D("30.00"))]
    with app.reading() as s:
        log = s.scalar(select(AuditLog).where(AuditLog.action.like("fee_override%")))
        assert log is not None and "低保户减免" in str(log.changes)


def test_the_schedule_fee_passes_for_anyone_who_may_take_the_step(app, team):
    c, act = active_resident(app, team)
    o = _to_plugging_visit(app, team, c.id)
    o = OrderService(app, team.dispatcher).perform(o.id, "plugged", {"final_reading": "0", "fee": "50",
                                                                     "fee_method": "cash"})
    assert payments_of(app, o.id) == [("fee", D("50.00"))]


# --- edges the mutation run found untested (scripts/mutate.py) --------------------------------------------

def test_a_bill_paid_by_less_than_one_yuan_is_partly_paid():
    from gasdesk.services.billing import BillStatus, status_of

    assert status_of(D("10.00"), D("0.50")) is BillStatus.PARTLY_PAID
    assert status_of(D("10.00"), D("0.00")) is BillStatus.UNPAID
    assert status_of(D("10.00"), D("10.00")) is BillStatus.PAID


def test_no_price_in_force_is_refused_in_chinese():
    from gasdesk.services.bills import Rate, rate_on

    later = Rate("residential", date(2027, 1, 1), D("350"), D("500"), D("2.65"), D("3.18"), D("3.98"))
    with pytest.raises(Refused, match="居民生活用气在 2026-06-01 没有适用的气价"):
        rate_on([later], date(2026, 6, 1))


def test_a_price_change_inside_a_period_that_crosses_new_year_makes_three_parts():
    from gasdesk.services.billing import Rate, price_lines

    old = Rate("residential", date(2000, 1, 1), D("350"), D("500"), D("2.65"), D("3.18"), D("3.98"))
    new = Rate("residential", date(2027, 1, 11), D("350"), D("500"), D("3.00"), D("3.60"), D("4.50"))
    # 21 Dec - 20 Jan: 11 days of 2026, 10 days of January at the old price, 10 at the new one
    lines = price_lines(D("62.000"), date(2026, 12, 20), date(2027, 1, 20), [old, new], {2026: D("345.000")},
                        D("350"))
    assert [(x.tier, x.volume, x.price, x.start, x.end) for x in lines] == [
        (1, D("5.000"), D("2.65"), date(2026, 12, 21), date(2026, 12, 31)),      # tier 1 ends at 350
        (2, D("17.000"), D("3.18"), date(2026, 12, 21), date(2026, 12, 31)),
        (1, D("20.000"), D("2.65"), date(2027, 1, 1), date(2027, 1, 10)),
        (1, D("20.000"), D("3.00"), date(2027, 1, 11), date(2027, 1, 20)),
    ]


def test_a_flat_price_ignores_tier_prices_written_beside_it():
    from gasdesk.services.billing import Rate, price_lines

    flat = Rate("commercial", date(2000, 1, 1), None, None, D("3.45"), D("4.00"), D("5.00"))
    lines = price_lines(D("1000.000"), date(2026, 6, 1), date(2026, 6, 30), [flat], {2026: D("9000.000")}, None)
    assert [(x.tier, x.volume, x.price) for x in lines] == [(1, D("1000.000"), D("3.45"))]


def test_gas_billed_on_new_years_day_counts_towards_that_years_tiers(app, team, clock):
    c, act = active_resident(app, team, meter="M-NY")
    read(app, team.clerk, clock, "M-NY", 2026, 12, 31, "10")
    read(app, team.clerk, clock, "M-NY", 2027, 1, 1, "350")       # 340 m³ on 1 January 2027
    bill = read(app, team.clerk, clock, "M-NY", 2027, 1, 20, "370").bill
    # 2027 has used 340 m³: 10 more at tier 1, then tier 2
    assert [(x.tier, x.volume) for x in bill.lines] == [(1, D("10.000")), (2, D("10.000"))]


def test_less_than_one_cubic_metre_is_billed_and_owed_too(app, team, clock):
    c, act = active_resident(app, team, meter="M-HALF")
    bill = read(app, team.clerk, clock, "M-HALF", 2026, 12, 10, "0.3").bill
    assert bill is not None and (bill.volume, bill.amount) == (D("0.300"), D("0.80"))
    assert [(b.amount, b.status) for b in unpaid(app, team, act.account_id)] == [(D("0.80"), "unpaid")]


def test_the_preview_shows_the_schedule_fee_before_one_is_typed(app, team):
    c, act = active_resident(app, team)
    o = _to_plugging_visit(app, team, c.id)
    plan = OrderService(app, team.dispatcher).preview(o.id, "plugged", {"final_reading": "10"})
    assert (plan.fee, plan.bill, plan.collect, plan.due) == (D("50.00"), D("26.50"), D("26.50"), D("76.50"))


def test_the_counters_settlement_is_kept_for_the_forms_and_the_visit_does_not_overwrite_it(app, team, clock):
    c, act = active_resident(app, team, meter="M-KS")
    o, _ = _close(app, team, clock, c.id, "0")       # nothing to refund at the counter, no gas at the visit
    assert (o.data["settled_balance"], o.data["settlement_receipt"]) == ("0.00", "")
    d, deposit = active_resident(app, team, "李四", meter="M-KS2", balance=D("1.00"))
    o, _ = _close(app, team, clock, d.id, "0")       # 1.00 refunded at the counter; the visit moves none
    with app.reading() as s:
        refund = s.scalar(select(Payment.receipt_number).where(Payment.order_id == o.id, Payment.kind == "refund"))
    assert (o.data["settled_balance"], o.data["settlement_receipt"]) == ("1.00", refund)


def test_a_fee_of_one_yuan_is_charged_under_the_flows_name(app, team, clock):
    c, act = active_resident(app, team, meter="M-F1")
    o = _to_plugging_visit(app, team, c.id)
    o = OrderService(app, team.manager).perform(o.id, "plugged", {"final_reading": "0", "fee": "1.00",
                                                                  "fee_method": "card", "fee_reason": "低保户减免"})
    with app.reading() as s:
        fee = s.execute(select(Payment.kind, Payment.amount, Payment.method, Payment.item)
                        .where(Payment.order_id == o.id)).one()
    assert tuple(fee) == ("fee", D("1.00"), "card", "暂停用气费用")
    assert balance_of(app, act.account_id) == D("0.00")


def test_a_household_of_one_is_a_household(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("allowance_change", c.id, documents=["id_copy", "property_proof", "community_certificate",
                                                        "household_register", "supply_agreement"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {"household_size": "1", "new_allowance": "400"})
    assert o.data["household_size"] == 1


def test_transfer_closes_the_old_account_and_opens_the_new_one_each_in_its_own_audit_rows(app, team, clock):
    c, act = active_resident(app, team, meter="M-TA")
    clerk, o = _transfer_to_application(app, team, c.id)
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": NEW_ID, "new_phone": "13700000001"})
    o = clerk.perform(o.id, "settled", {"settle_method": "cash", "final_reading": "0"})
    on(clock, 2026, 12, 3)
    o = clerk.perform(o.id, "owner_switched")
    with app.reading() as s:
        old = s.get(Account, act.account_id)
        new = s.scalar(select(Account).where(Account.number == o.data["new_account_number"]))
        assert (old.status, old.closed_at) == ("closed", datetime(2026, 12, 3, 10))
        assert (new.status, new.closed_at, new.predecessor_id, new.balance) == ("active", None, old.id, D("0.00"))
        owner = s.get(Customer, new.customer_id)
        assert (owner.name, owner.predecessor_id) == ("王芳", c.id)
        # the order's later forms (contract, safety notice) name the new owner and the new account
        assert (o.data["new_customer_id"], o.data["party_id"], o.data["party_account_id"]) == (
            owner.id, owner.id, new.id)
        assert (o.data["new_customer_number"], o.data["new_account_number"]) == (owner.number, new.number)
        rows = {(e.entity_id, e.action.split(" [")[0]): e.changes for e in s.scalars(
            select(AuditLog).where(AuditLog.entity == "account", AuditLog.action.like("%by_transfer [%")))}
        assert set(rows) == {(str(old.id), "close_by_transfer"), (str(new.id), "create_by_transfer")}
        assert rows[(str(old.id), "close_by_transfer")]["status"] == ["active", "closed"]
        assert rows[(str(new.id), "create_by_transfer")]["number"] == [None, new.number]


def test_a_tiered_rate_missing_a_tier_price_bills_every_cubic_metre_at_its_first_price():
    """Only a rate with both upper prices is tiered (the tariff page refuses a residential rate without
    them); one missing either bills flat, as a non-residential rate does."""
    from gasdesk.services.billing import Rate, price_lines

    for price2, price3 in ((None, D("3.98")), (D("3.18"), None)):
        rate = Rate("residential", date(2000, 1, 1), D("350"), D("500"), D("2.65"), price2, price3)
        lines = price_lines(D("600.000"), date(2026, 1, 1), date(2026, 12, 31), [rate], {}, None)
        assert [(x.tier, x.volume, x.price, x.amount) for x in lines] == [
            (1, D("600.000"), D("2.65"), D("1590.00"))], (price2, price3)


def test_a_price_change_inside_a_reading_period_where_the_household_crosses_tier_one(app, team, clock):
    """340 m³ billed this year; the next reading's 60 m³ spans a price change: the first 9 of its 20 days
    at the old price (10 m³ left in tier 1, then tier 2), the last 11 at the new price, all in tier 2."""
    c, act = active_resident(app, team, meter="M-PX")
    read(app, team.clerk, clock, "M-PX", 2026, 12, 1, "340")                   # 901.00
    TariffService(app, team.admin).add("residential", date(2026, 12, 11), "3.00", "3.60", "4.50",
                                       tier1_limit="350", tier2_limit="500", note="调价")
    bill = read(app, team.clerk, clock, "M-PX", 2026, 12, 21, "400").bill
    assert [(x.tier, x.volume, x.price, x.amount, x.start, x.end) for x in bill.lines] == [
        (1, D("10.000"), D("2.65"), D("26.50"), date(2026, 12, 2), date(2026, 12, 10)),
        (2, D("17.000"), D("3.18"), D("54.06"), date(2026, 12, 2), date(2026, 12, 10)),
        (2, D("33.000"), D("3.60"), D("118.80"), date(2026, 12, 11), date(2026, 12, 21)),
    ]
    assert bill.amount == D("199.36")
    assert balance_of(app, act.account_id) == D("-1100.36")


def test_a_visit_reading_is_taken_once_a_day_per_meter_and_source(app, team, clock):
    from gasdesk.services.readings import ReadingSource, final_reading

    a, act_a = active_resident(app, team, meter="M-FA")
    b, act_b = active_resident(app, team, "李四", meter="M-FB2")

    def take(meter_number, account_id, value):
        with app.unit_of_work() as s:
            meter = s.scalar(select(Meter).where(Meter.number == meter_number))
            return final_reading(s, actor=team.dispatcher, at=clock.now(), meter=meter,
                                 account=s.get(Account, account_id), value=D(value),
                                 source=ReadingSource("meter_change"), order_id=None)[1].amount

    on(clock, 2026, 12, 1)
    assert take("M-FA", act_a.account_id, "4") == D("10.60")
    assert take("M-FB2", act_b.account_id, "2") == D("5.30")     # another meter the same day
    with pytest.raises(Refused, match="该表今天已有换表止数记录"):
        take("M-FA", act_a.account_id, "5")
    on(clock, 2026, 12, 2)
    assert take("M-FA", act_a.account_id, "5") == D("2.65")      # the same meter another day
