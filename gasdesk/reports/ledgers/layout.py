"""What the Excel and the PDF ledger share: column widths by display width, wrapping, the walk over
a sheet's rows with its subtotal and totals lines, and the printed texts (page header, signature).

Widths are in Excel character units (the width of a '0'); a CJK or full-width character counts two.
A column grows to fit its header and a sample of the first rows, up to its cap; text beyond the cap
wraps onto more lines (`lines_needed`), never cut.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import ceil
from typing import Any

from gasdesk.reports.ledgers.spec import FIXED_WIDTHS, ColumnType, LedgerColumn, SheetData, TitleBlock

SAMPLE_ROWS = 300
MIN_WIDTH = 6.0
# Text columns stop growing here and wrap; other columns hold numbers and dates that always fit.
TEXT_CAP = 24.0
MAX_WIDTH = 60.0
# Room a cell keeps besides its text (Excel's cell padding, a margin for proportional fonts).
PADDING = 2.0
# A CJK character is a little wider than two '0's in the fonts Excel and LibreOffice pick for it:
# the text of a wrapped line is measured against this share of the column.
WRAP_SHARE = 0.92
# Sheets whose columns add up to more than this print landscape (A4 portrait holds about 100 units
# at 100% between 15 mm margins).
PORTRAIT_UNITS = 100.0
ROW_HEIGHT = 15.0  # points per line of 11 pt text


def display_width(text: str) -> int:
    """Width in Excel character units: wide (CJK, full-width) characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def value_width(value: Any, kind: ColumnType) -> int:
    """Display width of a value as the sheet shows it."""
    if isinstance(value, str):
        return display_width(value)
    if isinstance(value, datetime | date):
        return 16 if isinstance(value, datetime) else 10
    if kind is ColumnType.MONEY:
        return len(f"{value:,.2f}")
    if kind is ColumnType.QUANTITY:
        return len(f"{value:,.3f}")
    if kind is ColumnType.RATE:
        return 7
    return len(str(value))


def cap_of(col: LedgerColumn) -> float:
    """How wide the column may grow: its own cap, else at least its width hint."""
    if col.max_width is not None:
        return col.max_width
    return max(TEXT_CAP, col.width or 0) if col.type is ColumnType.TEXT else MAX_WIDTH


def header_width(header: str) -> float:
    """The least width of a column for its header, which may wrap onto two lines."""
    return ceil(display_width(header) / 2) + PADDING


def column_widths(columns: Sequence[LedgerColumn], sample: Sequence[Sequence[Any]]) -> list[float]:
    """Widths that fit the header (on up to two lines), the width hint and the sampled values, each up
    to its cap (text beyond it wraps)."""
    widths: list[float] = []
    for i, col in enumerate(columns):
        content = max((value_width(row[i], col.type) for row in sample if row[i] is not None), default=0)
        w = max(col.width or 0, FIXED_WIDTHS.get(col.type, 0), content + PADDING)
        widths.append(float(max(min(w, cap_of(col)), header_width(col.header), MIN_WIDTH)))
    return widths


def wrapping_columns(columns: Sequence[LedgerColumn]) -> list[int]:
    """Columns whose cells wrap (text of any length); the others hold values of a known width."""
    return [i for i, c in enumerate(columns) if c.type is ColumnType.TEXT]


def line_room(width: float) -> float:
    """Display units of text one line of a column of `width` holds."""
    return max(1.0, (width - PADDING + 1) * WRAP_SHARE)


def rough_width(text: str) -> int:
    """display_width without looking at each character: a character of three or four UTF-8 bytes
    (CJK, full-width) counts two, of two bytes one and a half. Never less than the exact width of
    text that mixes ASCII and CJK, so a row sized by it is never too short for such text."""
    return (len(text.encode("utf-8")) + len(text) + 1) // 2


def lines_needed(text: str, room: float) -> int:
    """Lines `text` takes in a column holding `room` display units per line."""
    if "\n" not in text:
        if len(text) * 2 <= room:  # fits whatever its characters are
            return 1
        return max(1, ceil(rough_width(text) / room))
    return sum(max(1, ceil(rough_width(part) / room)) for part in text.split("\n"))


def is_landscape(widths: Sequence[float]) -> bool:
    return sum(widths) > PORTRAIT_UNITS


# --- the walk over a sheet's rows --------------------------------------------------------------------

@dataclass(frozen=True)
class TotalLine:
    """A subtotal (of one group of rows) or the sheet's totals: a label and a value per column."""

    label: str
    values: tuple[Any, ...]
    count: int
    grand: bool


class Totals:
    """Running sums of a sheet's total columns, and the ratios computed from them."""

    def __init__(self, columns: Sequence[LedgerColumn]) -> None:
        self.columns = columns
        self.summed = [i for i, c in enumerate(columns) if c.total]
        self.sums: list[Any] = [None] * len(columns)
        self.count = 0

    def add(self, row: Sequence[Any]) -> None:
        self.count += 1
        sums = self.sums
        for i in self.summed:
            v = row[i]
            if v is not None and v != "":
                sums[i] = v if sums[i] is None else sums[i] + v

    def line(self, label: str, grand: bool) -> TotalLine:
        values: list[Any] = [label]
        for i, col in enumerate(self.columns[1:], 1):
            value: Any = None
            ratio = col.ratio_columns()
            if col.total:
                value = self.sums[i] if self.sums[i] is not None else 0
            elif ratio is not None:
                num = sum((Decimal(self.sums[j] or 0) for j in ratio[0]), Decimal(0))
                den = sum((Decimal(self.sums[j] or 0) for j in ratio[1]), Decimal(0))
                value = (num / den).quantize(Decimal("0.0001")) if den else None
            values.append(value)
        return TotalLine(label, tuple(values), self.count, grand)


def has_totals(sheet: SheetData) -> bool:
    return sheet.totals and any(c.total or c.ratio_of is not None for c in sheet.columns)


def walk(sheet: SheetData, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any] | TotalLine]:
    """The rows, each group's subtotal after its rows (when there are two groups or more), then the
    totals line (when the sheet has rows and totals)."""
    columns = sheet.columns
    grand = Totals(columns)
    group = sheet.group
    part = Totals(columns)
    key: str | None = None
    groups = 0
    unit = sheet.unit
    for row in rows:
        if group is not None:
            k = group(row)
            if k != key:
                if groups:
                    yield part.line(f"{key}小计（{part.count}{unit}）", False)
                    part = Totals(columns)
                key, groups = k, groups + 1
            part.add(row)
        grand.add(row)
        yield row
    if groups > 1:
        yield part.line(f"{key}小计（{part.count}{unit}）", False)
    if sheet.totals and grand.count:
        yield grand.line(f"合计（{grand.count}{unit}）", True)


# --- printed texts -----------------------------------------------------------------------------------

def signature_line(names: Sequence[str]) -> str:
    return "　　　　".join(f"{n}：＿＿＿＿＿＿" for n in names) + "　　　　日期：＿＿＿＿年＿＿月＿＿日"


def heading(title: TitleBlock) -> str:
    return f"{title.company}　{title.title}" if title.company else title.title


def period_line(title: TitleBlock) -> str:
    line = f"统计期间：{title.period}"
    if title.filters:
        line += f"　　筛选条件：{title.filters}"
    return line


def export_line(title: TitleBlock, note: str = "") -> str:
    line = f"导出时间：{title.exported_at:%Y-%m-%d %H:%M}　　导出人：{title.exported_by}"
    extra = [e for e in (*title.extra, note) if e]
    if extra:
        line += "　　" + "　".join(extra)
    return line
