"""The forms only the 客户过户 flow prints (transfer), with the blocks that are its own."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.catalog import (
    CLERK_SIGNS,
    FormDef,
    Signer,
    documents,
    recorded,
    signatures,
)
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import fmt_money, fmt_quantity, value

CODES = ("new_name", "new_id_type", "new_id_number", "new_phone")


def parties(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.customer
    rows = [
        ["户名", c.name, value(ctx, "new_name")],
        ["证件类型", c.id_type_label, value(ctx, "new_id_type")],
        ["证件号码", c.id_number, value(ctx, "new_id_number")],
        ["联系电话", c.phone, value(ctx, "new_phone")],
    ]
    premises: list[tuple[str, str]] = [("客户编号", c.number), ("用气性质", c.gas_use_type_label)]
    if ctx.account is not None:
        premises += [("账户编号", ctx.account.number), ("预存款余额（元）", fmt_money(ctx.account.balance))]
    if ctx.meter is not None:
        premises += [("燃气表号", ctx.meter.number), ("当前读数（m³）", fmt_quantity(ctx.meter.last_reading))]
    premises.append(("用气地址", c.address))
    return [
        *kit.section("过户双方"),
        kit.table(["项目", "原户主（转出）", "新户主（转入）"], rows, [1.1, 2, 2], first_column_label=True),
        *kit.section("用气地址与账户"),
        *kit.grid(premises),
    ]


FORMS = {
    "transfer_application": FormDef("过户申请表", (
        parties, documents, recorded("其他记录", exclude=CODES),
        signatures(Signer("原户主签字", party=True), Signer("新户主签字", party=True), CLERK_SIGNS, lead="transfer_declaration"),
    )),
}
