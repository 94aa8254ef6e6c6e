"""The receipt of a payment or refund (收费/退费收据): amount in figures and in capitals (大写)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext, PaymentInfo
from gasdesk.reports.forms.blocks import Signer, signatures
from gasdesk.reports.forms.kit import Cell, Kit
from gasdesk.reports.forms.values import fmt_datetime, fmt_money, fmt_quantity, rmb_capital


def payment_of(ctx: FormContext) -> PaymentInfo | None:
    if ctx.payment is not None:
        return ctx.payment
    return ctx.payments[-1] if ctx.payments else None


def _yuan(value: Any) -> str:
    return f"{fmt_money(Decimal(str(value)))} 元"


def settlement_rows(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The breakdown of what a step settled (flows.rules.Settlement.as_json): the same rows on the screen
    before the money moves and on the receipt after it moved."""
    rows = [("结算前账户余额", _yuan(entry["balance_before"]))]
    if entry.get("reading") is not None:
        rows.append(("本次表读数", f"{entry['reading']} m³（上次 {entry['previous']} m³，用气 {entry['volume']} m³）"))
        for line in entry.get("lines") or []:
            price = Decimal(str(line["price"])).normalize()
            rows.append((f"第{line['tier']}阶梯气量", f"{line['volume']} m³ × {price:f} 元 = {_yuan(line['amount'])}"
                         f"（{line['from']} 至 {line['to']}）"))
        rows.append(("本次气费", _yuan(entry["bill"])))
    if Decimal(str(entry.get("refund") or 0)) > 0:
        rows.append(("退还预存款", _yuan(entry["refund"])))
    if Decimal(str(entry.get("collect") or 0)) > 0:
        rows.append(("收取欠费", _yuan(entry["collect"])))
    if Decimal(str(entry.get("fee") or 0)) > 0:
        rows.append((entry.get("fee_item") or "业务收费", _yuan(entry["fee"])))
    due = Decimal(str(entry["due"]))
    rows.append(("合计", f"客户应付 {_yuan(due)}" if due > 0 else f"应退客户 {_yuan(-due)}" if due < 0
                 else "无需收退费"))
    rows.append(("结算后账户余额", _yuan(entry["balance_after"])))
    return rows


def settlement_of(ctx: FormContext, receipt_number: str) -> Mapping[str, Any] | None:
    for entry in ctx.data.get("settlements") or []:
        if receipt_number in (entry.get("receipts") or []):
            return entry
    return None


def settlement_block(kit: Kit, ctx: FormContext) -> list[Flowable]:
    """The step's whole settlement, when the receipt's payment was one part of it."""
    pay = payment_of(ctx)
    entry = settlement_of(ctx, pay.receipt_number) if pay is not None else None
    if entry is None:
        return []
    pairs: list[tuple[str, Cell]] = list(settlement_rows(entry))
    return [*kit.section("结算明细（本环节）"), *kit.grid(pairs, cols=1, label_width=90)]


def paid_block(kit: Kit, ctx: FormContext) -> list[Flowable]:
    """A counter payment's own breakdown (no settlement of a step): the bills it paid, or a reversal
    took back, and the account's balance before and right after it, as the payment left them."""
    bills = ctx.data.get("paid_bills") or []
    balance = ctx.data.get("receipt_balance") or {}
    if not bills and not balance:
        return []
    reversal = bool(ctx.data.get("reverses"))
    out = [*kit.section("本次冲正明细" if reversal else "本次缴费明细")]
    if bills:
        total = sum((Decimal(str(b["paid"])) for b in bills), Decimal("0"))
        rows: list[list[Cell]] = [
            [b["number"], f"{b['period_start']} 至 {b['period_end']}", fmt_quantity(b["volume"]),
             fmt_money(b["amount"]), fmt_money(abs(Decimal(str(b["paid"]))))] for b in bills]
        rows.append(["合计", f"{len(bills)} 张账单", "", "", fmt_money(abs(total))])
        out.append(kit.table(["账单编号", "计费期间", "用气量（m³）", "账单金额（元）",
                              "本次冲回（元）" if reversal else "本次支付（元）"], rows, [1.6, 2.4, 1.1, 1.2, 1.2]))
    if balance:
        move = balance.get("move") or "收款"
        pairs: list[tuple[str, Cell]] = []
        if balance.get("before") is not None:
            pairs.append((f"{move}前账户余额", _yuan(balance["before"])))
        pairs.append((f"{move}后账户余额", _yuan(balance["after"])))
        out += kit.grid(pairs, label_width=90)
    return out


def reversal_block(kit: Kit, ctx: FormContext) -> list[Flowable]:
    """On a reversal receipt (冲正收据): the original payment it undoes, as that receipt printed it."""
    original = ctx.data.get("reverses")
    if not original:
        return []
    pairs: list[tuple[str, Cell]] = [
        ("原收据编号", original["receipt_number"]), ("原收费日期", original["at"]),
        ("原收/退", original["direction"]), ("原款项类别", original["kind"]), ("原收费项目", original["item"]),
        ("原金额", original["amount"]), ("原支付方式", original["method"]), ("原经办人", original["staff"]),
    ]
    return [*kit.section("被冲正的原收费"), *kit.grid(pairs, label_width=80, wide=("原收费项目",))]


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
    if ctx.data.get("reverses"):
        title = "冲正信息（冲回原收费）"
        pairs[-1] = ("冲正原因", pay.note if pay else "")
    return [*reversal_block(kit, ctx), *kit.section(title),
            *kit.grid(pairs, label_width=80, wide=("收费项目", "金额（大写）", "备注", "冲正原因")),
            *(settlement_block(kit, ctx) or paid_block(kit, ctx))]


def receipt_signatures(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pay = payment_of(ctx)
    refund = pay is not None and pay.direction == "out"
    staff = Signer("退款经办人" if refund else "收款人", (lambda c: pay.staff_name) if pay else None)
    customer = Signer("领款人签字" if refund else "交款人签字", party=True)
    stamp = Signer("收费单位", lambda c: c.company.name, stamp=True)
    return signatures(staff, customer, stamp, lead="receipt_note")(kit, ctx)
