"""Display text for the values a form prints: dates, money, readings and recorded step data.

`ctx.fields` holds the recorded values already as (label, display text); the flow catalog tells
which labels belong to which field code, so a form can pick a value by code (and leave it out of
its "other records" grid when it prints it elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from gasdesk.reports.context import FieldValue, FormContext


def form_title(ctx: FormContext) -> str:
    """The printed title: the context's, else the name the flows give the form code."""
    if ctx.form_title:
        return ctx.form_title
    from gasdesk.flows.forms import FORMS

    return FORMS.get(ctx.form, ctx.form)


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


@cache
def _catalog_fields() -> dict[str, tuple[Any, ...]]:
    """Field code -> every FieldDef the flows declare with that code."""
    try:
        from gasdesk.flows.catalog import ALL_FLOWS
    except Exception:  # the catalog is optional for printing: fall back to raw data
        return {}
    found: dict[str, list[Any]] = {}
    for flow in ALL_FLOWS:
        defs = list(flow.open_fields)
        for step in flow.steps:
            for action in step.actions:
                defs.extend(action.fields)
        for fd in defs:
            found.setdefault(fd.code, []).append(fd)
    return {code: tuple(v) for code, v in found.items()}


def labels_for(codes: Iterable[str]) -> set[str]:
    fields = _catalog_fields()
    return {fd.label for code in codes for fd in fields.get(code, ())}


def _raw_display(code: str, raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, datetime | date):
        return fmt_datetime(raw)
    for fd in _catalog_fields().get(code, ()):
        for value, label in fd.choices:
            if value == raw:
                return str(label)
        kind = str(fd.kind)
        if kind == "department":
            from gasdesk.flows.departments import DEPARTMENTS

            return DEPARTMENTS.get(str(raw), str(raw))
        if kind in ("date", "datetime") and isinstance(raw, str):
            try:
                parsed = datetime.fromisoformat(raw)
            except ValueError:
                return raw
            return fmt_date(parsed) if kind == "date" else fmt_datetime(parsed)
        if kind == "money":
            return fmt_money(raw)
        if kind == "reading":
            return fmt_quantity(raw)
    return str(raw)


def value(ctx: FormContext, code: str, default: str = "") -> str:
    """The display text of a recorded field: ctx.fields by the catalog's label, else ctx.data."""
    labels = labels_for([code])
    found = [f.value for f in ctx.fields if f.label in labels]
    if found and found[-1] != "":
        return found[-1]
    text = _raw_display(code, ctx.data.get(code))
    return text if text != "" else default


def other_fields(ctx: FormContext, exclude: Iterable[str] = ()) -> list[FieldValue]:
    """ctx.fields without the ones of the `exclude` codes (printed elsewhere on the form)."""
    skip = labels_for(exclude)
    return [f for f in ctx.fields if f.label not in skip]
