"""Personal data where staff meet it (issue 15, item 6), on SQLite and PostgreSQL.

- A form prints the customer's ID number as its audience may read it: the customer's own copies in
  full, a work sheet carried by a field crew (and a ticket passed to another department) masked, whoever
  prints it. Phones print in full on both: the crew calls the customer.
- OrderService returns an order's ID numbers (a transfer's new owner, a corrected number, the
  parties kept for the forms, the old and new value of a correction) masked to a role without the
  right to see them.
- A role that sees phones masked finds a customer by phone only with the whole number: typing
  prefixes cannot recover the masked middle digits, as ID prefixes could before.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows.forms import FORMS, audience_of
from gasdesk.services.customers import PHONE_WHOLE_NOTE, CustomerService
from gasdesk.services.orders import OrderService
from gasdesk.services.printing import PrintService
from gasdesk.validation import make_resident_id, mask_id
from tests.helpers import active_resident, make_team, resident

NEW_ID = make_resident_id("520103", date(1990, 5, 6), 12)
TRANSFER_DOCS = ["both_ids", "property_proof", "property_mgmt"]


def text_of(pdf: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture
def team(app):
    return make_team(app)


# --- forms: by their audience -------------------------------------------------------------------

def test_forms_a_field_crew_prints_for_its_visits_are_not_the_customers_copy():
    """The work sheet of every visit step (what 派工 prints for today's visits) masks the ID; the
    forms any order prints for the customer (acceptance, refusal, receipt, contracts) print it whole."""
    field_forms = set()
    for flow in ALL_FLOWS.values():
        for step in flow.steps:
            if step.visit and step.forms:
                field_forms.add(step.forms[0])
    assert field_forms == {"site_work", "meter_change", "plugging_work", "removal_work", "ignition_notice",
                           "inspection_record"}
    assert all(not audience_of(code).full_id for code in field_forms)
    assert not audience_of("complaint_transfer").full_id
    customer_copies = set(FORMS) - field_forms - {"complaint_transfer"}
    assert {"acceptance", "receipt", "rejection_notice", "residential_contract", "non_residential_contract",
            "transfer_application", "closure_application"} <= customer_copies
    assert all(audience_of(code).full_id for code in customer_copies)


def _closure_with_removal(app, team):
    c, _ = active_resident(app, team, "王小明", meter="M-PD1", balance=Decimal("20"))
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("closure", c.id, documents=["id_copy", "property_proof", "property_mgmt"])
    for action, payload in [("documents_ok", {}), ("application_signed", {}), ("settled", {"settle_method": "cash"}),
                            ("removal", {})]:
        o = clerk.perform(o.id, action, payload)
    o = dispatcher.perform(o.id, "work_done", {"final_reading": "3", "fee": "120", "fee_method": "cash"})
    return c, o


def test_a_removal_sheet_masks_the_id_for_everyone_and_the_customers_papers_print_it_whole(app, team):
    c, o = _closure_with_removal(app, team)
    masked = mask_id(c.id_number)
    assert masked != c.id_number and "*" in masked
    for who in (team.dispatcher, team.manager, team.clerk):  # the audience decides, not the printer's role
        sheet = text_of(PrintService(app, who).render(o.id, "removal_work"))
        assert "拆除业务单" in sheet and "王小明" in sheet
        assert masked in sheet and c.id_number not in sheet, who.login
        assert c.phone in sheet  # the crew calls the customer
    for form in ("acceptance", "closure_application"):
        paper = text_of(PrintService(app, team.clerk).render(o.id, form))
        assert c.id_number in paper, form
    receipts = [f for f in PrintService(app, team.dispatcher).forms_for(o.id) if f.code == "receipt"]
    visit_receipt = text_of(PrintService(app, team.dispatcher).render(o.id, "receipt", payment_id=receipts[-1].payment_id))
    assert c.id_number in visit_receipt  # handed to the customer at the visit: the customer's copy


def test_the_site_work_sheet_of_an_activation_masks_the_id(app, team):
    c, o = active_resident(app, team, "李秀英", meter="M-PD2")
    sheet = text_of(PrintService(app, team.dispatcher).render(o.id, "site_work"))
    assert "上门作业单" in sheet and "M-PD2" in sheet
    assert mask_id(c.id_number) in sheet and c.id_number not in sheet
    contract = text_of(PrintService(app, team.clerk).render(o.id, "residential_contract"))
    assert c.id_number in contract


def test_a_complaint_ticket_for_another_department_masks_the_id_and_keeps_the_callback_phone(app, team):
    c = resident(app, team.clerk, "赵投诉")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("complaint", c.id, data={"complaint_type": "complaint", "content": "抢修人员态度差",
                                            "contact_phone": "13911112222"})
    o = clerk.perform(o.id, "refer", {"department": "distribution", "summary": "请核实处理"})
    ticket = text_of(PrintService(app, team.clerk).render(o.id, "complaint_transfer"))
    assert "投诉转办单" in ticket and "13911112222" in ticket
    assert mask_id(c.id_number) in ticket and c.id_number not in ticket


# --- the order as a service returns it ------------------------------------------------------------

def _transfer_applied(app, team):
    c, act = active_resident(app, team, "王小明", meter="M-PD3")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("transfer", c.id, documents=TRANSFER_DOCS)
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {"new_name": "王芳", "new_id_type": "resident_id",
                                                   "new_id_number": NEW_ID, "new_phone": "13700000001"})
    return c, o


def test_a_transfers_new_owner_id_reaches_only_a_role_with_the_right_whole(app, team):
    c, o = _transfer_applied(app, team)
    for who in (team.clerk, team.dispatcher, team.handler, team.account_manager):
        view = OrderService(app, who).get(o.id)
        assert view.data["new_id_number"] == mask_id(NEW_ID), who.login
        everything = repr(view)  # the recorded values, every log row and the parties kept for the forms
        assert NEW_ID not in everything and c.id_number not in everything, who.login
        assert view.data["new_phone"] == "13700000001"  # phones stay: whoever works the order calls
    applied = [h for h in OrderService(app, team.clerk).get(o.id).history if h.action == "application_signed"][0]
    assert applied.data["new_id_number"] == mask_id(NEW_ID)
    assert applied.data["_facts"]["party"]["id_number"] == mask_id(c.id_number)
    for who in (team.manager, team.admin):
        view = OrderService(app, who).get(o.id)
        assert view.data["new_id_number"] == NEW_ID
        assert [h for h in view.history if h.action == "application_signed"][0].data["_facts"]["party"][
            "id_number"] == c.id_number
    # The clerk's own actions return the masked view too; the new owner, once created, likewise.
    o = OrderService(app, team.clerk).perform(o.id, "settled", {"settle_method": "cash", "final_reading": "0"})
    assert NEW_ID not in repr(o)
    o = OrderService(app, team.clerk).perform(o.id, "owner_switched")
    assert NEW_ID not in repr(o) and o.history[-1].data["_facts"]["party"]["id_number"] == mask_id(NEW_ID)
    assert OrderService(app, team.manager).get(o.id).history[-1].data["_facts"]["party"]["id_number"] == NEW_ID


def test_a_detail_changes_old_and_new_id_are_masked_for_a_clerk(app, team):
    c, _ = active_resident(app, team, "张伟", meter="M-PD4")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("detail_change", c.id, documents=["id_copy"])
    o = clerk.perform(o.id, "approve", {"new_id_number": NEW_ID})
    o = clerk.perform(o.id, "details_changed")
    assert o.data["old_values"]["id_number"] == mask_id(c.id_number)
    assert o.data["new_id_number"] == mask_id(NEW_ID)
    assert NEW_ID not in repr(o) and c.id_number not in repr(o)
    whole = OrderService(app, team.manager).get(o.id)
    assert (whole.data["old_values"]["id_number"], whole.data["new_id_number"]) == (c.id_number, NEW_ID)


# --- search by phone ------------------------------------------------------------------------------

def ids(app, actor, q):
    return [h.customer.id for h in CustomerService(app, actor).search(q).hits]


def test_a_phone_is_found_only_whole_by_a_role_that_sees_it_masked(app, team):
    mobile = resident(app, team.clerk, "张伟", phone="13812345678")
    landline = resident(app, team.clerk, "李娜", phone="0851-86201234")
    resident(app, team.clerk, "王五", phone="13812349999")
    clerk = CustomerService(app, team.clerk)
    for n in range(1, 11):  # no prefix reveals a hidden digit: 138 / 1381 / 13812 ... find no one
        page = clerk.search(mobile.phone[:n])
        assert page.hits == [] and page.note == PHONE_WHOLE_NOTE, n
    hits = clerk.search("13812345678").hits
    assert [h.customer.id for h in hits] == [mobile.id] and hits[0].customer.phone == "138****5678"
    for partial in ("0851-8620", "08518620", "0851-8620123", "085186201"):
        assert ids(app, team.clerk, partial) == [], partial
    assert ids(app, team.clerk, "0851-86201234") == [landline.id]
    assert ids(app, team.clerk, "085186201234") == [landline.id]  # the same number typed without its dash
    assert clerk.search("张伟").note == ""  # only a number typed in part gets the note
    # A manager sees phones whole, so a prefix reveals nothing new: it searches as typed.
    assert sorted(ids(app, team.manager, "1381234")) == sorted([mobile.id, ids(app, team.manager, "13812349999")[0]])
    assert ids(app, team.manager, "0851-8620") == [landline.id]
