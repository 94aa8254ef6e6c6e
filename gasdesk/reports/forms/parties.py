"""The two parties of the supply contract and the reset agreement (供气人 / 用气人)."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.kit import Cell, Kit
from gasdesk.reports.forms.values import fmt_quantity


def contract_parties(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c, company = ctx.customer, ctx.company
    supplier: list[tuple[str, Cell]] = [
        ("供气人", company.name), ("客服电话", company.service_phone),
        ("抢修电话", f"{company.emergency_phone}（24小时）"), ("投诉电话", company.complaint_phone),
        ("营业厅地址", company.hall_address),
    ]
    user: list[tuple[str, Cell]] = [
        ("用气人", c.name), ("客户编号", c.number),
        ("证件类型", c.id_type_label), ("证件号码", c.id_number),
        ("联系电话", c.phone), ("联系人", c.contact_person),
    ]
    supply: list[tuple[str, Cell]] = [
        ("供气地址", c.address),
        ("气种", "管道天然气"), ("用气性质", c.gas_use_type_label),
        ("年度用气基数", f"{fmt_quantity(c.yearly_allowance)} m³"),
        ("家庭常住人口", f"{c.household_size} 人" if c.household_size else ""),
    ]
    return [
        kit.p(f"合同编号：{ctx.order_number}　　签订地点：{company.hall_address}", "small"),
        *kit.section("合同双方"),
        *kit.grid(supplier),
        *kit.grid(user),
        *kit.section("供气地址与用气性质"),
        *kit.grid(supply),
    ]


def business_contract_parties(kit: Kit, ctx: FormContext) -> list[Flowable]:
    """The non-residential contract's head: the business with its credit code, the premises and use,
    the meter and its start reading as the step found them."""
    c, company = ctx.customer, ctx.company
    supplier: list[tuple[str, Cell]] = [
        ("供气人", company.name), ("客服电话", company.service_phone),
        ("抢修电话", f"{company.emergency_phone}（24小时）"), ("营业厅地址", company.hall_address),
    ]
    user: list[tuple[str, Cell]] = [
        ("用气人（单位名称）", c.name), ("客户编号", c.number),
        (c.id_type_label or "证件号码", c.id_number), ("联系人", c.contact_person), ("联系电话", c.phone),
    ]
    premises: list[tuple[str, Cell]] = [
        ("用气场所地址", c.address), ("气种", "管道天然气"), ("用气性质", c.gas_use_type_label),
    ]
    if ctx.account is not None:
        premises.append(("账户编号", ctx.account.number))
    meter: list[tuple[str, Cell]] = []
    if ctx.meter is not None:
        m = ctx.meter
        meter = [("燃气表号", m.number), ("表型号/规格", f"{m.model} {m.rating}".strip()),
                 ("起始读数", f"{fmt_quantity(m.last_reading)} m³")]
    else:
        meter = [("燃气表号", ""), ("表型号/规格", ""), ("起始读数", "")]
    return [
        kit.p(f"合同编号：{ctx.order_number}　　签订地点：{company.hall_address}", "small"),
        *kit.section("合同双方"),
        *kit.grid(supplier),
        *kit.grid(user, label_width=100),
        *kit.section("用气场所与用气性质"),
        *kit.grid(premises, label_width=86),
        *kit.section("计量燃气表（双方共同确认）"),
        *kit.grid(meter, cols=3, label_width=66),
    ]


def agreement_parties(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.customer
    pairs: list[tuple[str, Cell]] = [
        ("供气人", ctx.company.name), ("用气人", c.name),
        ("客户编号", c.number), ("联系电话", c.phone),
        ("证件类型", c.id_type_label), ("证件号码", c.id_number),
    ]
    if ctx.meter is not None:
        pairs += [("燃气表号", ctx.meter.number), ("表型号/规格", f"{ctx.meter.model} {ctx.meter.rating}".strip())]
    pairs.append(("供气地址", c.address))
    return [*kit.section("协议双方"), *kit.grid(pairs)]
