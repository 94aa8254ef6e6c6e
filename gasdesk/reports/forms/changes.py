"""Old value beside new value: the meter change (shared by two flows) and the helpers the flows'
own change forms use (gasdesk/flows/<kind>/forms.py).

Each block prints a comparison table (项目 | 原 | 新) from the recorded data and names the data
codes it consumed, so the form's "other records" grid leaves them out.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import value

UNCHANGED = "（不变）"

METER_CODES = (
    "final_reading", "meter_number", "meter_model", "meter_rating", "initial_reading",
    "old_meter_number", "old_meter_model", "old_meter_rating", "fee", "fee_method",
)


def old_values(ctx: FormContext) -> dict[str, Any]:
    raw = ctx.data.get("old_values")
    return raw if isinstance(raw, dict) else {}


def old(ctx: FormContext, attr: str, current: Any, *aliases: str) -> str:
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
