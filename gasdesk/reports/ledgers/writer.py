"""Stream ledger rows into an .xlsx file with openpyxl's write-only mode.

Layout of every sheet: a three-line title block (company and ledger, period, export time and who),
the header row (frozen, with an autofilter over the data), the data rows, then a totals row where
the sheet has one. Column widths come from the definitions, widened to fit the header and a sample
of the first rows (CJK characters count two units). Formats: real dates, money '#,##0.00', rates
'0.0%', ID and phone numbers as text cells.

Memory does not grow with the rows: write-only sheets go to a temporary file row by row. The file is
written under a temporary name in the target folder and renamed at the end, so a cancelled or failed
export leaves nothing behind.

Speed: each column has one reusable cell whose value and type are set directly, and the sheet's
row-to-cells step is replaced by one that passes those cells through (the stock one re-infers every
value's type and allocates a cell per styled value). When that hook is missing (another openpyxl),
the stock path is used with the same cells: slower, same result.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gasdesk.reports.ledgers.spec import (
    FIXED_WIDTHS,
    NUMBER_FORMATS,
    ChartSpec,
    ColumnType,
    LedgerColumn,
    SheetData,
    TitleBlock,
)

HEADER_ROW = 4
SAMPLE_ROWS = 300
MAX_WIDTH = 60.0
MIN_WIDTH = 6.0
MAX_TEXT = 32767
INVALID_SHEET_CHARS = str.maketrans({c: "、" for c in "[]:*?/\\"})

_FAST_ROWS = hasattr(WriteOnlyWorksheet, "_values_to_row")

_THIN = Side(style="thin", color="9BB3CC")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOTAL_FONT = Font(bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_BORDER = Border(top=Side(style="thin", color="1F4E78"), bottom=Side(style="double", color="1F4E78"))
_TITLE_FONT = Font(bold=True, size=15, color="1F3A5F")
_INFO_FONT = Font(size=10, color="505A66")

# Data type of the reusable cell per column type.
_DATA_TYPES = {
    ColumnType.TEXT: "s", ColumnType.ID: "s", ColumnType.PHONE: "s",
    ColumnType.INT: "n", ColumnType.MONEY: "n", ColumnType.QUANTITY: "n", ColumnType.NUMBER: "n",
    ColumnType.RATE: "n", ColumnType.DATE: "d", ColumnType.DATETIME: "d",
}
_NUMERIC = (int, Decimal, float)


class ExportCancelled(Exception):
    """The progress callback asked to stop; nothing was left on disk."""


def display_width(text: str) -> int:
    """Width in Excel character units: wide (CJK, full-width) characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clean_text(value: str) -> str:
    """Drop characters an .xlsx cannot hold, and cut to Excel's cell limit."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value[:MAX_TEXT]


def sheet_title(title: str) -> str:
    return (title.translate(INVALID_SHEET_CHARS).strip("'") or "Sheet")[:31]


def write_workbook(path: str | os.PathLike[str], title: TitleBlock, sheets: Sequence[SheetData], *,
                   tick: Callable[[int], bool] | None = None, tick_every: int = 500) -> list[int]:
    """Write the sheets to `path` (replaced atomically); returns the number of data rows per sheet.

    `tick(rows_written_so_far)` is called every `tick_every` rows and once at the end; when it returns
    False the export stops with ExportCancelled and no file (nor temporary file) remains.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=".xlsx.part", dir=target.parent)
    os.close(fd)
    wb = Workbook(write_only=True)
    try:
        counts: list[int] = []
        done = 0
        for sheet in sheets:
            n = _SheetWriter(wb, title, sheet).write(done, tick, tick_every)
            counts.append(n)
            done += n
        if tick is not None and not tick(done):
            raise ExportCancelled
        wb.save(tmp_name)
        os.replace(tmp_name, target)
        return counts
    except BaseException:
        _discard(wb)
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
        raise


def _discard(wb: Workbook) -> None:
    """Close the sheets' streams and remove openpyxl's own temporary files."""
    for ws in wb.worksheets:
        try:
            if not ws.closed:
                ws.close()
            writer = getattr(ws, "_writer", None)
            if writer is not None and os.path.exists(writer.out):
                writer.cleanup()
        except Exception:  # noqa: BLE001 - best effort while another error is on its way up
            pass


class _SheetWriter:
    def __init__(self, wb: Workbook, title: TitleBlock, sheet: SheetData) -> None:
        self.ws = wb.create_sheet(sheet_title(sheet.title))
        if _FAST_ROWS:
            self.ws._values_to_row = _pass_cells  # type: ignore[attr-defined]
        self.title = title
        self.sheet = sheet
        self.columns = list(sheet.columns)
        self.types = [c.type for c in self.columns]

    # --- layout -------------------------------------------------------------------------------

    def write(self, done: int, tick: Callable[[int], bool] | None, every: int) -> int:
        ws, columns = self.ws, self.columns
        rows = iter(self.sheet.rows)
        sample = list(islice(rows, SAMPLE_ROWS))
        for i, width in enumerate(self._widths(sample), 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.row_dimensions[1].height = 24
        ws.row_dimensions[HEADER_ROW].height = 22
        self._title_block()
        ws.append([self._styled(col.header, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_HEADER_ALIGN,
                                border=_HEADER_BORDER) for col in columns])

        slots = [self._slot(col) for col in columns]
        totals: list[Any] = [None] * len(columns)
        summed = [i for i, col in enumerate(columns) if col.total]
        to_cells = self._row_converter(slots)
        n = 0
        chart_rows: list[Sequence[Any]] | None = [] if self.sheet.chart else None
        for row in _chain(sample, rows):
            ws.append(to_cells(row))
            for i in summed:
                v = row[i]
                if v is not None:
                    totals[i] = v if totals[i] is None else totals[i] + v
            if chart_rows is not None:
                chart_rows.append(row)
            n += 1
            if tick is not None and n % every == 0 and not tick(done + n):
                raise ExportCancelled
        last_col = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW + max(n, 1)}"
        if self.sheet.totals:
            self._totals_row(totals, n)
        if self.sheet.chart is not None and n:
            self._chart(self.sheet.chart, n)
        return n

    def _title_block(self) -> None:
        t = self.title
        first = f"{t.company}　{t.title}" if t.company else t.title
        second = f"统计期间：{t.period}"
        if t.filters:
            second += f"　　筛选条件：{t.filters}"
        third = f"导出时间：{t.exported_at:%Y-%m-%d %H:%M}　　导出人：{t.exported_by}"
        extra = [*t.extra, self.sheet.note]
        if any(extra):
            third += "　　" + "　".join(e for e in extra if e)
        self.ws.append([self._styled(first, font=_TITLE_FONT)])
        self.ws.append([self._styled(second, font=_INFO_FONT)])
        self.ws.append([self._styled(third, font=_INFO_FONT)])

    def _widths(self, sample: Sequence[Sequence[Any]]) -> list[float]:
        widths: list[float] = []
        for i, col in enumerate(self.columns):
            fixed = FIXED_WIDTHS.get(col.type)
            content = max((_text_width(row[i], col.type) for row in sample if row[i] is not None), default=0)
            w = max(display_width(col.header), col.width or 0, fixed or 0, content) + 2
            widths.append(float(min(max(w, MIN_WIDTH), MAX_WIDTH)))
        return widths

    def _styled(self, value: Any, number_format: str | None = None, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        if isinstance(value, str):
            cell.value = clean_text(value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
        else:
            cell.value = value
        for name, v in style.items():
            setattr(cell, name, v)
        if number_format:
            cell.number_format = number_format
        return cell

    def _slot(self, col: LedgerColumn) -> Cell:
        cell = WriteOnlyCell(self.ws)
        fmt = NUMBER_FORMATS.get(col.type)
        if fmt and col.type is not ColumnType.INT:
            cell.number_format = fmt
        cell.data_type = _DATA_TYPES[col.type]
        return cell

    # --- rows ---------------------------------------------------------------------------------

    def _row_converter(self, slots: list[Cell]) -> Callable[[Sequence[Any]], list[Cell | None]]:
        """Per-row function: values -> the columns' reusable cells (None for empty values)."""
        kinds = [_DATA_TYPES[t] for t in self.types]
        plan = list(zip(slots, kinds, strict=True))
        fallback = self._fallback_cell

        def convert(row: Sequence[Any]) -> list[Cell | None]:
            out: list[Cell | None] = []
            append = out.append
            for (cell, kind), value in zip(plan, row, strict=True):
                if value is None or value == "":
                    append(None)
                    continue
                if kind == "s":
                    if type(value) is not str:
                        value = str(value)
                    if not value.isprintable() and ILLEGAL_CHARACTERS_RE.search(value):
                        value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    if len(value) > MAX_TEXT:
                        value = value[:MAX_TEXT]
                elif kind == "n":
                    if not isinstance(value, _NUMERIC) or isinstance(value, bool):
                        append(fallback(value))
                        continue
                elif not isinstance(value, date):
                    append(fallback(value))
                    continue
                cell._value = value
                cell.data_type = kind
                append(cell)
            return out

        return convert

    def _fallback_cell(self, value: Any) -> WriteOnlyCell:
        """A value of an unexpected type for its column: written as openpyxl would, text never a formula."""
        return self._styled(value if isinstance(value, str | int | float | Decimal | date) else str(value))

    def _totals_row(self, totals: list[Any], n: int) -> None:
        columns = self.columns
        cells: list[Any] = []
        for i, col in enumerate(columns):
            value: Any = None
            if i == 0:
                value = f"合计（{n}条）"
            elif col.total:
                value = totals[i] if totals[i] is not None else 0
            elif col.ratio_of is not None:
                num, den = totals[col.ratio_of[0]], totals[col.ratio_of[1]]
                value = (Decimal(num or 0) / Decimal(den)).quantize(Decimal("0.0001")) if den else None
            fmt = NUMBER_FORMATS.get(col.type) if i else None
            cells.append(self._styled(value, fmt, font=_TOTAL_FONT, fill=_TOTAL_FILL, border=_TOTAL_BORDER))
        self.ws.append(cells)

    def _chart(self, spec: ChartSpec, n: int) -> None:
        ws = self.ws
        first, last = HEADER_ROW, HEADER_ROW + n
        categories = Reference(ws, min_col=spec.category + 1, min_row=first + 1, max_row=last)
        bar = BarChart()
        bar.type = "col"
        bar.title = spec.title
        bar.height, bar.width = 9, 18
        if spec.stacked:
            bar.grouping = "stacked"
            bar.overlap = 100
        for idx in spec.bars:
            bar.add_data(Reference(ws, min_col=idx + 1, min_row=first, max_row=last), titles_from_data=True)
        bar.set_categories(categories)
        bar.y_axis.title = spec.bar_axis_title
        bar.y_axis.majorGridlines = None
        bar.x_axis.delete = False
        bar.y_axis.delete = False
        if spec.lines:
            line = LineChart()
            for idx in spec.lines:
                line.add_data(Reference(ws, min_col=idx + 1, min_row=first, max_row=last), titles_from_data=True)
            line.set_categories(categories)
            line.y_axis.axId = 200
            line.y_axis.title = spec.line_axis_title
            line.y_axis.crosses = "max"
            line.y_axis.delete = False
            if spec.line_is_rate:
                line.y_axis.number_format = "0%"
                line.y_axis.scaling.min = 0
                line.y_axis.scaling.max = 1
            bar += line
        bar.legend.position = "b"
        ws.add_chart(bar, f"{get_column_letter(len(self.columns) + 2)}{HEADER_ROW}")


def _pass_cells(values: Sequence[Cell | None], row_idx: int) -> Iterator[Cell]:
    """Replacement for WriteOnlyWorksheet._values_to_row when every value is already a cell."""
    for col_idx, cell in enumerate(values, 1):
        if cell is None:
            continue
        cell.column = col_idx
        cell.row = row_idx
        yield cell


def _chain(sample: list[Sequence[Any]], rest: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    return chain(sample, rest)


def _text_width(value: Any, kind: ColumnType) -> int:
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
