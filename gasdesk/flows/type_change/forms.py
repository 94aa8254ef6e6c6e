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
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import check, value
from gasdesk.vocab import CustomerCategory, GasUseType

CODES = ("new_gas_use_type",)


def changes(kit: Kit, ctx: FormContext) -> list[Flowable]:
    """变更前 is the customer as the application found them (the step's facts), 变更后 what was applied for."""
    c = ctx.customer
    labelled = {m.label: m.value for m in CustomerCategory}
    before = ctx.data.get("old_category") or c.category or labelled.get(c.category_label, "")
    # The direction: what the steps recorded, else the customer's category at the application.
    if ctx.data.get("new_gas_use_type"):
        to_residential = False
    elif ctx.data.get("household_size"):
        to_residential = True
    else:
        to_residential = before == CustomerCategory.NON_RESIDENTIAL
    residential_use = GasUseType.RESIDENTIAL.label
    new_type = value(ctx, "new_gas_use_type") or (residential_use if to_residential else "")
    remembered = ctx.data.get("old_gas_use_type")
    if remembered in {m.value for m in GasUseType}:
        old_type = GasUseType(str(remembered)).label
    elif c.gas_use_type_label != new_type:
        old_type = c.gas_use_type_label
    else:  # a customer already changed (an order logged before steps kept their facts)
        old_type = "" if to_residential else residential_use
    direction = f"{check(to_residential)} 非居民转居民　　{check(not to_residential)} 居民转非居民"
    residential, business = CustomerCategory.RESIDENTIAL.label, CustomerCategory.NON_RESIDENTIAL.label
    rows = [
        ["变更方向", direction, ""],
        ["用气性质", old_type, new_type],
        ["客户类别", business if to_residential else residential, residential if to_residential else business],
    ]
    table = kit.table(["项目", "变更前", "申请变更后"], rows, [1.1, 2, 2], first_column_label=True)
    table.setStyle([("SPAN", (1, 1), (2, 1))])
    return [*kit.section("变更内容"), table]


FORMS = {
    "type_change_application": FormDef("用气性质变更申请表", (
        customer_info, changes, documents, recorded("其他记录", exclude=CODES),
        signatures(Signer("申请人签字", party=True), CLERK_SIGNS, lead="type_change_declaration"),
    )),
}
