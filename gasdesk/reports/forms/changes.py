"""Old value beside new value: meter change, transfer, detail change, allowance and type change.

Each block prints a comparison table (项目 | 原 | 新) from the recorded data and names the data
codes it consumed, so the form's "other records" grid leaves them out.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import check, fmt_money, fmt_quantity, value

UNCHANGED = "（不变）"
RESIDENTIAL_USE = "居民生活用气"
RESIDENTIAL_CATEGORY_OTHER = "非居民"

METER_CODES = (
    "final_reading", "meter_number", "meter_model", "meter_rating", "initial_reading",
    "old_meter_number", "old_meter_model", "old_meter_rating", "fee", "fee_method",
)
TRANSFER_CODES = ("new_name", "new_id_type", "new_id_number", "new_phone")
DETAIL_CODES = ("new_name", "new_id_number", "new_contact_person", "new_phone", "new_phone2")
ALLOWANCE_CODES = ("household_size", "new_allowance")
TYPE_CODES = ("new_gas_use_type",)


def old_values(ctx: FormContext) -> dict[str, Any]:
    raw = ctx.data.get("old_values")
    return raw if isinstance(raw, dict) else {}


def _old(ctx: FormContext, attr: str, current: Any, *aliases: str) -> str:
    """The value before the change: what the change kept (`old_values`, or `old_<attr>` and the
    aliases in the data) wins over the customer, who may already carry the new value."""
    olds = old_values(ctx)
    for key in (attr, f"new_{attr}", f"old_{attr}"):
        if olds.get(key) not in (None, ""):
            return str(olds[key])
    for key in (f"old_{attr}", *aliases):
        if ctx.data.get(key) not in (None, ""):
            return str(ctx.data[key])
    return "" if current is None else str(current)


def meter_change(kit: Kit, ctx: FormContext) -> list[Flowable]:
    meter = ctx.meter
    new_number = value(ctx, "meter_number")
    # After the change the context may already carry the new meter: never print it as the old one.
    old_meter = meter if meter is not None and meter.number != new_number else None
    old_number = value(ctx, "old_meter_number") or (old_meter.number if old_meter else "")
    old_model = value(ctx, "old_meter_model") or (old_meter.model if old_meter else "")
    old_rating = value(ctx, "old_meter_rating") or (old_meter.rating if old_meter else "")
    rows = [
        ["表号", old_number, new_number],
        ["表型号", old_model, value(ctx, "meter_model")],
        ["规格", old_rating, value(ctx, "meter_rating")],
        ["读数（m³）", f"旧表止数：{value(ctx, 'final_reading')}", f"新表起始读数：{value(ctx, 'initial_reading')}"],
    ]
    fee = value(ctx, "fee")
    fee_pairs = [("收费金额（元）", fee), ("收费方式", value(ctx, "fee_method"))]
    return [
        *kit.section("换表记录"),
        kit.table(["项目", "旧表（拆除）", "新表（安装）"], rows, [1.1, 2, 2], first_column_label=True),
        *kit.section("费用"),
        *kit.grid(fee_pairs),
    ]


def transfer(kit: Kit, ctx: FormContext) -> list[Flowable]:
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


def detail_change(kit: Kit, ctx: FormContext) -> list[Flowable]:
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
        old = _old(ctx, attr, current)
        new = value(ctx, f"new_{attr}")
        changed = bool(new) and new != old
        rows.append([label, old, new if new else UNCHANGED, check(changed)])
    return [
        *kit.section("变更内容（■ 本次变更）"),
        kit.table(["项目", "原信息", "变更后信息", "变更"], rows, [1.1, 2, 2, 0.5], first_column_label=True),
    ]


def allowance(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.customer
    old_size = _old(ctx, "household_size", c.household_size)
    old_allowance = fmt_quantity(_old(ctx, "yearly_allowance", c.yearly_allowance, "old_allowance"))
    rows = [
        ["家庭常住人口（人）", old_size, value(ctx, "household_size")],
        ["年度用气基数（m³）", old_allowance, value(ctx, "new_allowance")],
    ]
    return [
        *kit.section("变更内容"),
        kit.table(["项目", "变更前", "申请变更后"], rows, [1.3, 2, 2], first_column_label=True),
    ]


def type_change(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.customer
    # The direction: from what the steps recorded, else from the customer (before the change).
    if ctx.data.get("new_gas_use_type"):
        to_residential = False
    elif ctx.data.get("household_size"):
        to_residential = True
    else:
        to_residential = c.category_label == RESIDENTIAL_CATEGORY_OTHER
    new_type = value(ctx, "new_gas_use_type") or (RESIDENTIAL_USE if to_residential else "")
    old_type = _old(ctx, "gas_use_type", None)
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
