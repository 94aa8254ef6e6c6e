"""The forms only the 用户信息更改 flow prints (detail_change), with the blocks that are its own."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.catalog import (
    CLERK_SIGNS,
    CUSTOMER_SIGNS,
    FormDef,
    customer_brief,
    documents,
    recorded,
    signatures,
)
from gasdesk.reports.forms.changes import UNCHANGED, old
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import check, value

CODES = ("new_name", "new_id_number", "new_contact_person", "new_phone", "new_phone2")


def changes(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.customer
    items = [
        ("户名", "name", c.name),
        ("证件号码", "id_number", c.id_number),
        ("联系人", "contact_person", c.contact_person),
        ("联系电话", "phone", c.phone),
        ("备用电话", "phone2", None),
    ]
    rows = []
    for label, attr, current in items:
        before = old(ctx, attr, current)
        new = value(ctx, f"new_{attr}")
        changed = bool(new) and new != before
        rows.append([label, before, new if new else UNCHANGED, check(changed)])
    return [
        *kit.section("变更内容（■ 本次变更）"),
        kit.table(["项目", "原信息", "变更后信息", "变更"], rows, [1.1, 2, 2, 0.5], first_column_label=True),
    ]


FORMS = {
    "detail_change_application": FormDef("用户信息变更申请表", (
        customer_brief, changes, documents, recorded("其他记录", exclude=CODES),
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="detail_change_declaration"),
    )),
}
