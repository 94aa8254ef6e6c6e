"""The form only the suspension flow prints: the notice the customer signs (暂停用气须知)."""

from __future__ import annotations

from gasdesk.reports.forms.catalog import (
    CLERK_SIGNS,
    CUSTOMER_SIGNS,
    FormDef,
    account_meter,
    customer_info,
    picked,
    signatures,
    text,
)

FORMS = {
    "suspension_notice": FormDef("暂停用气须知", (
        customer_info, account_meter, picked("暂停信息", (("suspend_from", "申请暂停日期"),)),
        text("suspension_notice", "须知内容"),
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="document_receipt"),
    )),
}
