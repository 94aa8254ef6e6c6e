"""Display text for the values a form prints: dates, money, readings and recorded step data.

`ctx.fields` holds the recorded values already as (label, display text); the flow catalog tells
which labels belong to which field code, so a form can pick a value by code (and leave it out of
its "other records" grid when it prints it elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from gasdesk.reports.context import FieldValue, FormContext
from gasdesk.reports.forms.titles import FORMS


def form_title(ctx: FormContext) -> str:
    """The printed title: the context's, else the form code's own."""
    return ctx.form_title or FORMS.get(ctx.form, ctx.form)


def fmt_datetime(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def fmt_date(value: datetime | date | None) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else ""


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def fmt_money(value: Any) -> str:
    """Two decimals with thousands separators: 1,234.50."""
    amount = to_decimal(value)
    return "" if amount is None else f"{amount.quantize(Decimal('0.01')):,.2f}"


def fmt_quantity(value: Any) -> str:
    """A reading or allowance without trailing zeros or exponent: 350, 1234.5."""
    amount = to_decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    return format(amount.normalize(), "f")


def rmb_capital(value: Any) -> str:
    """An amount in Chinese capital numerals (大写), e.g. 150.00 -> 壹佰伍拾元整."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    import cn2an  # imported on first use: the package takes ~0.15 s to import

    return str(cn2an.an2cn(str(abs(amount).quantize(Decimal("0.01"))), "rmb"))


def check(on: bool) -> str:
    return "■" if on else "□"


def labels_for(ctx: FormContext, codes: Iterable[str]) -> set[str]:
    return {ctx.field_labels[code] for code in codes if code in ctx.field_labels}


def _raw_display(ctx: FormContext, code: str, raw: Any) -> str:
    """A raw recorded value: a coded one by its label, else as it is (e.g. a fact an effect kept)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, datetime | date):
        return fmt_datetime(raw)
    return ctx.field_choices.get(code, {}).get(str(raw), str(raw))


def value(ctx: FormContext, code: str, default: str = "") -> str:
    """The display text of a recorded field (as the printing service formatted it), else of ctx.data."""
    text = ctx.field_text.get(code, "")
    if text == "":
        text = _raw_display(ctx, code, ctx.data.get(code))
    return text if text != "" else default


def other_fields(ctx: FormContext, exclude: Iterable[str] = ()) -> list[FieldValue]:
    """ctx.fields without the ones of the `exclude` codes (printed elsewhere on the form)."""
    skip = labels_for(ctx, exclude)
    return [f for f in ctx.fields if f.label not in skip]
