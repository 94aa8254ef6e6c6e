"""The services behind issue 18's counter: every field's problem at once, the customer's phone for a
complaint left without one, the reversal receipt, and the definitions' suggestions (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from pypdf import PdfReader

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows.engine import REQUIRED, field_problems, reachable_steps
from gasdesk.services.billing import BillingService
from gasdesk.services.customers import CustomerInput
from gasdesk.services.orders import OrderService
from gasdesk.services.receipts import ReceiptService
from gasdesk.ui.wizard import expected_charges
from tests.helpers import active_resident, make_team, resident


def test_a_new_customer_is_told_every_problem_at_once():
    problems = CustomerInput(name=" ", id_number="520102198001011234", phone="12", address="").problems()
    assert list(problems) == ["name", "id_number", "phone", "address"]
    assert "校验位" in problems["id_number"] and problems["address"] == "请填写用气地址"
    business = CustomerInput(category="non_residential", id_type="credit_code", id_number="91520100MA6DKXXX11",
                             name="某公司", phone="0851-86201234", address="某路1号", gas_use_type="residential")
    assert set(business.problems()) == {"id_number", "gas_use_type"}


def test_field_problems_are_all_there_and_without_the_name():
    flow = ALL_FLOWS["complaint"]
    problems = field_problems(flow.open_fields, {"complaint_type": "complaint", "contact_phone": "12"})
    assert problems["content"] == REQUIRED
    assert not problems["contact_phone"].startswith("联系电话：")
    assert "respondent_department" not in problems


def test_a_complaint_without_a_phone_takes_the_customers(app):
    team = make_team(app)
    c = resident(app, team.clerk, "电话户")
    o = OrderService(app, team.clerk).open("complaint", c.id, data={"complaint_type": "complaint", "content": "x"})
    assert o.data["contact_phone"] == c.phone
    other = OrderService(app, team.clerk).open("complaint", c.id, data={
        "complaint_type": "enquiry", "content": "y", "contact_phone": "0851-86201234"})
    assert other.data["contact_phone"] == "0851-86201234"


def test_the_first_suggestion_fits_what_was_registered():
    accept = ALL_FLOWS["complaint"].step("accept")
    suggested = {t: [a.code for a in accept.actions if a.suggested_for({"complaint_type": t})]
                 for t in ("complaint", "enquiry")}
    assert suggested["complaint"][0] == "explanation_accepted"
    assert suggested["enquiry"][0] == "enquiry_answered"


def test_closure_charges_follow_the_work_chosen_at_opening():
    flow = ALL_FLOWS["closure"]
    settings = {"fees.plugging": "50.00", "fees.removal": "120.00"}
    every = [s.code for s in reachable_steps(flow, {})]
    assert "plugging_visit" in every and "removal_visit" in every
    removal = [s.code for s in reachable_steps(flow, {"facilities": "removal"})]
    assert "removal_visit" in removal and "plugging_visit" not in removal
    fees = [line for line in expected_charges(flow, settings, None, {"facilities": "removal"}) if "收费标准" in line]
    assert fees == ["上门拆除：收费金额 按收费标准 120.00 元（作业完成时收取）"]
    both = [line for line in expected_charges(flow, settings, None, {}) if "收费标准" in line]
    assert len(both) == 2


def test_a_reversal_receipt_repeats_the_original_payment(app, clock):
    team = make_team(app)
    c, act = active_resident(app, team, meter="M-RR")
    billing = BillingService(app, team.clerk)
    clock.set(datetime(2026, 12, 20, 9))
    billing.record_reading("M-RR", date(2026, 12, 20), "100")
    paid = billing.pay_bills(act.account_id, [b.id for b in billing.unpaid(act.account_id)], "cash")
    reversal = BillingService(app, team.manager).reverse(paid.id, "重复收费")
    pdf = ReceiptService(app, team.manager).render(reversal.id)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "冲正收据" in text and "被冲正的原收费" in text and "冲正原因" in text
    assert paid.receipt_number in text and reversal.receipt_number in text and "重复收费" in text
    original = ReceiptService(app, team.clerk).render(paid.id)
    assert "冲正收据" not in "".join(p.extract_text() for p in PdfReader(BytesIO(original)).pages)
