"""The receipt of a payment or refund (收费/退费收据): amount in figures and in capitals (大写)."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext, PaymentInfo
from gasdesk.reports.forms.blocks import Signer, signatures
from gasdesk.reports.forms.kit import Cell, Kit
from gasdesk.reports.forms.values import fmt_datetime, fmt_money, rmb_capital


def payment_of(ctx: FormContext) -> PaymentInfo | None:
    if ctx.payment is not None:
        return ctx.payment
    return ctx.payments[-1] if ctx.payments else None


def receipt_body(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pay = payment_of(ctx)
    refund = pay is not None and pay.direction == "out"
    amount = fmt_money(pay.amount) if pay else ""
    capital = f"人民币{rmb_capital(pay.amount)}" if pay else "人民币"
    pairs: list[tuple[str, Cell]] = [
        ("收据编号", pay.receipt_number if pay else ""),
        ("日期", fmt_datetime(pay.at) if pay else ""),
        ("收/退", f"{'□' if refund else '■'} 收款　　{'■' if refund else '□'} 退款"),
        ("款项类别", pay.kind_label if pay else ""),
        ("收费项目", pay.item if pay else ""),
        ("金额（小写）", kit.p(f"¥ {amount}", "amount")),
        ("支付方式", pay.method_label if pay else ""),
        ("金额（大写）", kit.p(capital, "amount")),
        ("经办人", pay.staff_name if pay else ""),
        ("备注", pay.note if pay else ""),
    ]
    title = "退款信息" if refund else "收款信息"
    return [*kit.section(title), *kit.grid(pairs, label_width=80, wide=("收费项目", "金额（大写）", "备注"))]


def receipt_signatures(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pay = payment_of(ctx)
    refund = pay is not None and pay.direction == "out"
    staff = Signer("退款经办人" if refund else "收款人", (lambda c: pay.staff_name) if pay else None)
    customer = Signer("领款人签字" if refund else "交款人签字")
    stamp = Signer("收费单位", lambda c: c.company.name, stamp=True)
    return signatures(staff, customer, stamp, lead="receipt_note")(kit, ctx)
