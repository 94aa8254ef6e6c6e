"""Blocks shared by many forms, built from the FormContext: a block is a function
(kit, ctx) -> flowables, and a form is a list of blocks (see catalog.py).

Parameterised blocks (a text by key, a fields grid without some codes, a signature row) are made
by the small factories below, so the catalog reads as data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.kit import Cell, Kit, Sign
from gasdesk.reports.forms.values import (
    fmt_datetime,
    fmt_money,
    fmt_quantity,
    form_title,
    other_fields,
    value,
)
from gasdesk.reports.texts import text_for

Block = Callable[[Kit, FormContext], list[Flowable]]

# Codes a visit form shows in its own "作业安排" grid (the appointment is also on the order).
VISIT_CODES = ("crew", "appointment_at")


def title_block(kit: Kit, ctx: FormContext) -> list[Flowable]:
    subtitle = f"受理单号：{ctx.order_number}　　业务类型：{ctx.flow_label}　　受理日期：{fmt_datetime(ctx.opened_at)}"
    return kit.title(form_title(ctx), subtitle, ctx.copy)


def order_info(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pairs: list[tuple[str, Cell]] = [
        ("受理单号", ctx.order_number), ("业务类型", ctx.flow_label), ("受理时间", fmt_datetime(ctx.opened_at)),
        ("受理人", ctx.opened_by), ("当前环节", ctx.current_step_label), ("办理状态", ctx.order_status_label),
    ]
    if ctx.channel_text:
        pairs.append(("受理方式", ctx.channel_text))
    return [*kit.section("业务信息"), *kit.grid(pairs, cols=3, label_width=58)]


def customer_pairs(ctx: FormContext) -> list[tuple[str, Cell]]:
    c = ctx.customer
    return [
        ("客户名称", c.name), ("客户编号", c.number), ("客户类别", c.category_label),
        ("证件类型", c.id_type_label), ("证件号码", c.id_number), ("联系电话", c.phone),
        ("联系人", c.contact_person), ("所属区域", c.district_label), ("用气性质", c.gas_use_type_label),
        ("用气地址", c.address),
    ]


def customer_info_titled(title: str) -> Block:
    def block(kit: Kit, ctx: FormContext) -> list[Flowable]:
        return [*kit.section(title), *kit.grid(customer_pairs(ctx), cols=3, label_width=58)]

    return block


customer_info = customer_info_titled("客户信息")


def customer_brief_titled(title: str) -> Block:
    """Name, number, ID, phone and address only (notices, letters, receipts)."""

    def block(kit: Kit, ctx: FormContext) -> list[Flowable]:
        c = ctx.customer
        pairs: list[tuple[str, Cell]] = [
            ("客户名称", c.name), ("客户编号", c.number), ("联系电话", c.phone),
            ("证件", f"{c.id_type_label} {c.id_number}".strip()), ("用气地址", c.address),
        ]
        return [*kit.section(title), *kit.grid(pairs, cols=3, label_width=58)]

    return block


customer_brief = customer_brief_titled("客户信息")


def account_meter(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pairs: list[tuple[str, Cell]] = []
    if ctx.account is not None:
        a = ctx.account
        pairs += [("账户编号", a.number), ("账户状态", a.status_label), ("账户余额", f"{fmt_money(a.balance)} 元")]
    if ctx.meter is not None:
        m = ctx.meter
        pairs += [("燃气表号", m.number), ("表型号", m.model), ("规格", m.rating),
                  ("最近读数", f"{fmt_quantity(m.last_reading)} m³")]
    if not pairs:
        return []
    return [*kit.section("账户与燃气表"), *kit.grid(pairs, cols=3, label_width=58)]


def documents(kit: Kit, ctx: FormContext) -> list[Flowable]:
    if not ctx.documents:
        return []
    return [*kit.section("提交资料（■ 已提交　□ 未提交）"), kit.checklist(ctx.documents)]


def recorded(title: str = "登记内容", exclude: Sequence[str] = ()) -> Block:
    """The step's recorded fields as a grid, without the codes the form prints elsewhere."""

    def block(kit: Kit, ctx: FormContext) -> list[Flowable]:
        fields = other_fields(ctx, exclude)
        if not fields:
            return []
        return [*kit.section(title), *kit.grid([(f.label, f.value) for f in fields])]

    return block


def picked(title: str, codes: Sequence[tuple[str, str]], cols: int = 2) -> Block:
    """Named fields by code, blank when not recorded yet (written in by hand on site)."""

    def block(kit: Kit, ctx: FormContext) -> list[Flowable]:
        return [*kit.section(title), *kit.grid([(label, value(ctx, code)) for code, label in codes], cols=cols)]

    return block


def visit(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pairs: list[tuple[str, Cell]] = [
        ("作业内容", ctx.current_step_label or form_title(ctx)),
        ("作业班组/人员", ctx.crew or value(ctx, "crew")),
        ("预约上门时间", fmt_datetime(ctx.appointment_at) or value(ctx, "appointment_at")),
    ]
    return [*kit.section("作业安排"), *kit.grid(pairs, cols=3, label_width=66)]


def text(key: str, title: str | None = None) -> Block:
    """A standard text block (settings may override it)."""

    def block(kit: Kit, ctx: FormContext) -> list[Flowable]:
        body = kit.paragraphs(text_for(ctx, key))
        return ([*kit.section(title)] if title else [kit.spacer(6)]) + body

    return block


def commitment(kit: Kit, ctx: FormContext) -> list[Flowable]:
    out: list[Flowable] = [*kit.section("服务承诺与说明")]
    if ctx.commitment:
        out.append(kit.p(f"服务承诺：{ctx.commitment}。", "clause"))
    out += kit.paragraphs(text_for(ctx, "acceptance_note"))
    return out


# Values only a finished site visit records: when present, the conditions were met.
WORK_DONE_CODES = ("meter_number", "initial_reading", "final_reading")


def conditions(kit: Kit, ctx: FormContext) -> list[Flowable]:
    """Site conditions: 否 with the reason when not met, 是 once the work is recorded, else blank."""
    done = any(ctx.data.get(code) not in (None, "") for code in WORK_DONE_CODES)
    met = "□ 是　■ 否" if ctx.reason else ("■ 是　□ 否" if done else "□ 是　□ 否")
    pairs: list[tuple[str, Cell]] = [("是否符合作业条件", met)]
    if ctx.reason:
        pairs.append(("不符合的原因", ctx.reason))
    return [*kit.grid(pairs, cols=1, label_width=100)]


Person = Callable[[FormContext], str]


@dataclass(frozen=True)
class Signer:
    label: str
    name: Person | None = None
    stamp: bool = False
    date: bool = True
    # The customer's side signs here: such a form is signed in the customer's presence (a request
    # taken by telephone prints it only once the customer has come in).
    party: bool = False


@dataclass(frozen=True)
class SignedBlock:
    """A block that ends in a signature row, knowing its signers without being drawn."""

    signers: tuple[Signer, ...]
    draw: Block

    def __call__(self, kit: Kit, ctx: FormContext) -> list[Flowable]:
        return self.draw(kit, ctx)


def party_signs(blocks: Sequence[Block]) -> bool:
    """Whether a form of these blocks has the customer's side sign it."""
    return any(s.party for b in blocks if isinstance(b, SignedBlock) for s in b.signers)


def clerk(ctx: FormContext) -> str:
    """The clerk who took the form's step (never whoever prints it later)."""
    return ctx.step_by or ctx.opened_by


def opener(ctx: FormContext) -> str:
    return ctx.opened_by


def crew(ctx: FormContext) -> str:
    return ctx.crew or value(ctx, "crew")


def company_name(ctx: FormContext) -> str:
    return ctx.company.name


def sign_row(kit: Kit, ctx: FormContext, signers: Sequence[Signer]) -> Flowable:
    return kit.signatures([Sign(s.label, s.name(ctx) if s.name else "", s.stamp, s.date) for s in signers])


def signatures(*signers: Signer, lead: str | None = None) -> Block:
    """A signature row, never split; `lead` is a text key printed just above it, on the same page."""

    def block(kit: Kit, ctx: FormContext) -> list[Flowable]:
        lead_text = [kit.spacer(4), *kit.paragraphs(text_for(ctx, lead))] if lead else []
        return [kit.keep([*lead_text, sign_row(kit, ctx, signers)])]

    return SignedBlock(signers, block)


def signed_text(key: str, *signers: Signer, title: str | None = None, keep_lines: int = 3) -> Block:
    """A long text (contract, agreement) ending in its signature row; the last lines of the text
    stay on the page of the signatures, so the row is never alone on a page."""

    def block(kit: Kit, ctx: FormContext) -> list[Flowable]:
        body = kit.paragraphs(text_for(ctx, key))
        cut = max(0, len(body) - keep_lines)
        head: list[Flowable] = [*kit.section(title)] if title else [kit.spacer(6)]
        return head + body[:cut] + [kit.keep([*body[cut:], sign_row(kit, ctx, signers)])]

    return SignedBlock(signers, block)


CUSTOMER_SIGNS = Signer("客户签字", party=True)
CLERK_SIGNS = Signer("经办人", clerk)
