"""The forms only the 用户性质变更 flow prints (type_change), with the blocks that are its own."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.catalog import (
    CLERK_SIGNS,
    FormDef,
    Signer,
    customer_info,
    documents,
    recorded,
    signatures,
)
from gasdesk.reports.forms.changes import old
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import check, value

CODES = ("new_gas_use_type",)
RESIDENTIAL_USE = "居民生活用气"
RESIDENTIAL_CATEGORY_OTHER = "非居民"


def changes(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.customer
    # The direction: from what the steps recorded, else from the customer (before the change).
    if ctx.data.get("new_gas_use_type"):
        to_residential = False
    elif ctx.data.get("household_size"):
        to_residential = True
    else:
        to_residential = c.category_label == RESIDENTIAL_CATEGORY_OTHER
    new_type = value(ctx, "new_gas_use_type") or (RESIDENTIAL_USE if to_residential else "")
    old_type = old(ctx, "gas_use_type", None)
    if not old_type:
        if c.gas_use_type_label != new_type:
            old_type = c.gas_use_type_label
        elif not to_residential:
            old_type = RESIDENTIAL_USE
    direction = f"{check(to_residential)} 非居民转居民　　{check(not to_residential)} 居民转非居民"
    rows = [
        ["变更方向", direction, ""],
        ["用气性质", old_type, new_type],
        ["客户类别", "非居民" if to_residential else "居民", "居民" if to_residential else "非居民"],
    ]
    table = kit.table(["项目", "变更前", "申请变更后"], rows, [1.1, 2, 2], first_column_label=True)
    table.setStyle([("SPAN", (1, 1), (2, 1))])
    return [*kit.section("变更内容"), table]


FORMS = {
    "type_change_application": FormDef("用气性质变更申请表", (
        customer_info, changes, documents, recorded("其他记录", exclude=CODES),
        signatures(Signer("申请人签字"), CLERK_SIGNS, lead="type_change_declaration"),
    )),
}
