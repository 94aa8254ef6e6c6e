"""Every printed form as data: which blocks, in which order. The title (with the 副本 mark of a
reprint) comes first on every form and is added by render.py.

To add a form: give its code a tuple of blocks here (FORMS in gasdesk/flows/forms.py names it).
"""

from __future__ import annotations

from gasdesk.reports.forms.blocks import (
    CLERK_SIGNS,
    CUSTOMER_SIGNS,
    VISIT_CODES,
    Block,
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
    picked,
    recorded,
    signatures,
    signed_text,
    text,
    visit,
)
from gasdesk.reports.forms.changes import (
    ALLOWANCE_CODES,
    DETAIL_CODES,
    METER_CODES,
    TRANSFER_CODES,
    TYPE_CODES,
    allowance,
    detail_change,
    meter_change,
    transfer,
    type_change,
)
from gasdesk.reports.forms.complaint import (
    COMPLAINT_CODES,
    complaint_details,
    complaint_history,
    handling_result,
)
from gasdesk.reports.forms.decisions import rejection_letter, supply_plan
from gasdesk.reports.forms.parties import agreement_parties, contract_parties
from gasdesk.reports.forms.receipt import receipt_body, receipt_signatures

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
SUPPLIER_SIGNS = (Signer("供气人", company_name, stamp=True), Signer("供气人经办人", clerk), Signer("用气人签字"))


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
    "installation_application": (
        customer_info_titled("申请单位"), recorded("报装项目"), documents,
        signatures(Signer("申请单位", stamp=True), Signer("申请单位经办人"), Signer("受理人", clerk),
                   lead="installation_declaration"),
    ),
    "supply_plan_reply": (
        customer_info_titled("用气单位"), recorded("项目情况", exclude=("supply_plan",)), supply_plan,
        signatures(Signer("答复单位", company_name, stamp=True), Signer("经办人", clerk), Signer("用气单位签收")),
    ),
    "completion_confirmation": (
        customer_info_titled("用气单位"), recorded("工程信息", exclude=VISIT_CODES),
        signatures(Signer("用气单位", stamp=True), Signer("施工单位", stamp=True), Signer("监理单位", stamp=True),
                   Signer("供气单位验收人", clerk), lead="completion_statement"),
    ),
    "ignition_notice": (
        customer_info_titled("用气单位"), recorded("工程信息", exclude=VISIT_CODES), visit,
        text("ignition_statement", "通知事项"),
        signatures(Signer("发出人", clerk), Signer("输配中心接收人"), Signer("用气单位", stamp=True)),
    ),
    "residential_contract": (
        contract_parties, text("residential_contract.preamble"),
        signed_text("residential_contract", *SUPPLIER_SIGNS),
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
    "suspension_notice": (
        customer_info, account_meter, picked("暂停信息", (("suspend_from", "申请暂停日期"),)),
        text("suspension_notice", "须知内容"),
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="document_receipt"),
    ),
    "plugging_work": closing_work("封堵记录", "plugging_statement"),
    "removal_work": closing_work("拆除记录", "removal_statement"),
    "transfer_application": (
        transfer, documents, recorded("其他记录", exclude=TRANSFER_CODES),
        signatures(Signer("原户主签字"), Signer("新户主签字"), CLERK_SIGNS, lead="transfer_declaration"),
    ),
    "closure_application": (
        customer_info, account_meter, recorded("其他记录"), documents,
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="closure_declaration"),
    ),
    "allowance_application": (
        customer_info, allowance, documents, recorded("其他记录", exclude=ALLOWANCE_CODES),
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="allowance_declaration"),
    ),
    "detail_change_application": (
        customer_brief, detail_change, documents, recorded("其他记录", exclude=DETAIL_CODES),
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="detail_change_declaration"),
    ),
    "type_change_application": (
        customer_info, type_change, documents, recorded("其他记录", exclude=TYPE_CODES),
        signatures(Signer("申请人签字"), CLERK_SIGNS, lead="type_change_declaration"),
    ),
    "complaint_transfer": (
        customer_brief, complaint_details, complaint_history, handling_result,
        recorded("其他记录", exclude=COMPLAINT_CODES),
        text("complaint_transfer_note", "办理要求"),
        signatures(Signer("转办人", clerk), Signer("承办部门签收"), Signer("承办部门负责人")),
    ),
    "rejection_notice": (customer_brief_titled("申请人信息"), rejection_letter, signatures(CLERK_SIGNS, Signer("客户签收"))),
    "receipt": (customer_brief, receipt_body, receipt_signatures),
}
