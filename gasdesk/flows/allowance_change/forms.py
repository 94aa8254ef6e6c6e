"""The forms only the 气量变更 flow prints (allowance_change), with the blocks that are its own."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.catalog import (
    CLERK_SIGNS,
    CUSTOMER_SIGNS,
    FormDef,
    customer_info,
    documents,
    recorded,
    signatures,
)
from gasdesk.reports.forms.changes import old
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import fmt_quantity, value

CODES = ("household_size", "new_allowance")


def changes(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.customer
    old_size = old(ctx, "household_size", c.household_size)
    old_allowance = fmt_quantity(old(ctx, "yearly_allowance", c.yearly_allowance, "old_allowance"))
    rows = [
        ["家庭常住人口（人）", old_size, value(ctx, "household_size")],
        ["年度用气基数（m³）", old_allowance, value(ctx, "new_allowance")],
    ]
    return [
        *kit.section("变更内容"),
        kit.table(["项目", "变更前", "申请变更后"], rows, [1.3, 2, 2], first_column_label=True),
    ]


FORMS = {
    "allowance_application": FormDef("气量变更申请表", (
        customer_info, changes, documents, recorded("其他记录", exclude=CODES),
        signatures(CUSTOMER_SIGNS, CLERK_SIGNS, lead="allowance_declaration"),
    )),
}
