"""The forms only the closure flow prints: its application and the removal work sheet."""

from __future__ import annotations

from gasdesk.reports.forms.catalog import (
    CLERK_SIGNS,
    CUSTOMER_SIGNS,
    Audience,
    FormDef,
    account_meter,
    closing_work,
    customer_info,
    documents,
    recorded,
    signatures,
)

FORMS = {
    "closure_application": FormDef("销户申请表", (
        customer_info, account_meter, recorded("其他记录"), documents,
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="closure_declaration"),
    )),
    # Carried by the crew to the removal visit.
    "removal_work": FormDef("拆除业务单", closing_work("拆除记录", "removal_statement"), Audience.FIELD),
}
