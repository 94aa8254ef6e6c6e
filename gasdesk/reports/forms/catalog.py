"""The printed forms several flows share, as data: their title and blocks, in order. The title (with
the 副本 mark of a reprint) comes first on every form and is added by render.py.

A form only one flow prints lives in that flow's package (gasdesk/flows/<kind>/forms.py, FORMS),
built from the blocks and helpers exported here; the printing service hands its blocks to render.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gasdesk.reports.forms.blocks import (
    CLERK_SIGNS,
    CUSTOMER_SIGNS,
    VISIT_CODES,
    Block,
    SignedBlock,
    Signer,
    account_meter,
    clerk,
    commitment,
    company_name,
    conditions,
    crew,
    customer_brief,
    customer_brief_titled,
    customer_info,
    customer_info_titled,
    documents,
    opener,
    order_info,
    party_signs,
    picked,
    recorded,
    signatures,
    signed_text,
    text,
    visit,
)
from gasdesk.reports.forms.changes import METER_CODES, meter_change
from gasdesk.reports.forms.decisions import rejection_letter
from gasdesk.reports.forms.parties import agreement_parties, business_contract_parties, contract_parties
from gasdesk.reports.forms.receipt import receipt_body, receipt_signatures


class Audience(StrEnum):
    """Whose paper a form is, which decides whether it prints the customer's ID number in full.

    The customer's own copies (applications, contracts, notices, receipts: signed at the counter or
    handed over, kept by the customer) print it in full. A work sheet carried by a field crew to a
    visit, or a ticket passed to another department, prints it masked (first 4 and last 4
    characters, as on a clerk's screen): nobody on site or in that department needs the number, and
    such paper travels. Phones print in full on every form: the crew and the department call the
    customer."""

    CUSTOMER = "customer"
    FIELD = "field"
    DEPARTMENT = "department"

    @property
    def full_id(self) -> bool:
        return self is Audience.CUSTOMER


@dataclass(frozen=True)
class FormDef:
    """A printed form: its title, its blocks (each `block(kit, ctx) -> flowables`) and its audience."""

    title: str
    blocks: tuple[Block, ...]
    audience: Audience = Audience.CUSTOMER


NEW_METER = (
    ("meter_number", "表号"), ("meter_model", "表型号"),
    ("meter_rating", "规格"), ("initial_reading", "起始读数（m³）"),
)
CLOSING_WORK = (
    ("final_reading", "表止数（m³）"), ("fee", "收费金额（元）"), ("fee_method", "收费方式"),
)


def codes(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(code for code, _ in pairs)


WORKER_SIGNS = Signer("作业人员", crew)
SUPPLIER_SIGNS = (Signer("供气人", company_name, stamp=True), Signer("供气人经办人", clerk),
                  Signer("用气人签字", party=True))
BUSINESS_SIGNS = (Signer("供气人", company_name, stamp=True), Signer("供气人经办人", clerk),
                  Signer("用气人", stamp=True, party=True), Signer("用气人代表签字", party=True))


def closing_work(title: str, statement: str) -> tuple[Block, ...]:
    """Plugging and removal visits: the same sheet with its own record title and statement."""
    return (
        customer_info, account_meter, visit, picked(title, CLOSING_WORK, cols=3),
        recorded("其他记录", exclude=codes(CLOSING_WORK) + VISIT_CODES), conditions,
        signatures(WORKER_SIGNS, CUSTOMER_SIGNS, lead=statement),
    )


FORM_BLOCKS: dict[str, tuple[Block, ...]] = {
    "acceptance": (
        order_info, customer_info, account_meter, documents, recorded("受理登记内容"), commitment,
        signatures(CUSTOMER_SIGNS, Signer("受理人", opener)),
    ),
    "residential_contract": (
        contract_parties, text("residential_contract.preamble"),
        signed_text("residential_contract", *SUPPLIER_SIGNS),
    ),
    "non_residential_contract": (
        business_contract_parties, text("non_residential_contract.preamble"),
        signed_text("non_residential_contract", *BUSINESS_SIGNS),
    ),
    "reset_agreement": (agreement_parties, signed_text("reset_agreement", *SUPPLIER_SIGNS, title="协议条款")),
    "safety_notice": (customer_brief, text("safety_notice"), signatures(CUSTOMER_SIGNS, lead="document_receipt")),
    "site_work": (
        customer_info, account_meter, visit, picked("燃气表（安装/通气）", NEW_METER),
        recorded("其他记录", exclude=codes(NEW_METER) + VISIT_CODES), conditions,
        signatures(WORKER_SIGNS, CUSTOMER_SIGNS, lead="site_work_statement"),
    ),
    "meter_change": (
        customer_info, visit, meter_change, recorded("其他记录", exclude=METER_CODES + VISIT_CODES), conditions,
        signatures(WORKER_SIGNS, CUSTOMER_SIGNS, lead="meter_change_statement"),
    ),
    "plugging_work": closing_work("封堵记录", "plugging_statement"),
    "rejection_notice": (customer_brief_titled("申请人信息"), rejection_letter, signatures(CLERK_SIGNS, Signer("客户签收", party=True))),
    "receipt": (customer_brief, receipt_body, receipt_signatures),
}

# The shared forms that are not the customer's own copy (the others are): the visits' work sheets.
AUDIENCES: dict[str, Audience] = {
    "site_work": Audience.FIELD,
    "meter_change": Audience.FIELD,
    "plugging_work": Audience.FIELD,
}

__all__ = [
    "AUDIENCES", "CLERK_SIGNS", "CUSTOMER_SIGNS", "FORM_BLOCKS", "Audience", "Block", "FormDef", "SignedBlock",
    "Signer", "account_meter", "clerk", "party_signs",
    "closing_work", "company_name", "customer_brief", "customer_info", "customer_info_titled", "documents",
    "picked", "recorded", "signatures", "text", "visit",
]
