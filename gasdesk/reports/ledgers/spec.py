"""What a ledger sheet is made of: typed columns, rows, an optional chart, and the title block."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ColumnType(StrEnum):
    TEXT = "text"
    INT = "int"
    # Decimal yuan, shown '#,##0.00'.
    MONEY = "money"
    # Decimal cubic metres (readings, allowances), shown '#,##0.000'.
    QUANTITY = "quantity"
    # A plain number with one decimal (e.g. days overdue).
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    # A fraction 0..1, shown as a percentage.
    RATE = "rate"
    # ID numbers and phone numbers: always text cells (never 1.1E+17), masked for roles without the right.
    ID = "id"
    PHONE = "phone"


NUMBER_FORMATS: dict[ColumnType, str] = {
    ColumnType.INT: "0",
    ColumnType.MONEY: "#,##0.00",
    ColumnType.QUANTITY: "#,##0.000",
    ColumnType.NUMBER: "0.0",
    ColumnType.DATE: "yyyy-mm-dd",
    ColumnType.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnType.RATE: "0.0%",
    ColumnType.ID: "@",
    ColumnType.PHONE: "@",
}

# Widths (Excel character units) that fit every value of a fixed-shape type.
FIXED_WIDTHS: dict[ColumnType, float] = {
    ColumnType.DATE: 12,
    ColumnType.DATETIME: 17,
    ColumnType.RATE: 9,
    ColumnType.ID: 21,
    ColumnType.PHONE: 15,
}


@dataclass(frozen=True)
class LedgerColumn:
    header: str
    type: ColumnType = ColumnType.TEXT
    # A width hint in Excel character units; the writer widens it to fit the header and sampled values.
    width: float | None = None
    # Sum this column into the totals row (money and volumes; never counts like rounds or days).
    total: bool = False
    # For a rate column: the totals row shows sum(columns[numerators]) / sum(columns[denominators]).
    ratio_of: tuple[int | tuple[int, ...], int | tuple[int, ...]] | None = None
    # The widest the column grows (Excel character units); longer text wraps onto more lines.
    max_width: float | None = None

    def ratio_columns(self) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        if self.ratio_of is None:
            return None
        num, den = self.ratio_of
        return (num,) if isinstance(num, int) else num, (den,) if isinstance(den, int) else den


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart (optionally stacked) with an optional line on a secondary axis, over a sheet's rows."""

    title: str
    # Column indices (0-based) of the categories and of the bar / line series.
    category: int
    bars: tuple[int, ...] = ()
    lines: tuple[int, ...] = ()
    stacked: bool = False
    bar_axis_title: str = ""
    line_axis_title: str = ""
    line_is_rate: bool = False


@dataclass
class SheetData:
    title: str
    columns: Sequence[LedgerColumn]
    rows: Iterable[Sequence[Any]]
    totals: bool = False
    chart: ChartSpec | None = None
    # A line under the title block (e.g. what the sheet counts).
    note: str = ""
    # What the first row says when the sheet has no rows (e.g. "本期无抢险抢修记录").
    empty: str = "本期无记录"
    # Who signs the printed sheet under its totals (e.g. 制表, 审核); empty: no signature line.
    signatures: tuple[str, ...] = ()
    # Rows come sorted by this key; each run of equal keys gets its own subtotal ("{key}小计") once
    # there is more than one run. None: no subtotals.
    group: Callable[[Sequence[Any]], str] | None = None
    # The counting word of the totals label: 合计（52条）, 小计（3户）.
    unit: str = "条"


@dataclass(frozen=True)
class TitleBlock:
    company: str
    title: str
    period: str
    exported_at: datetime
    exported_by: str
    filters: str = ""
    extra: tuple[str, ...] = field(default_factory=tuple)
