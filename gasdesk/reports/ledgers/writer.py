"""Stream ledger rows into an .xlsx file with openpyxl's write-only mode.

Layout of every sheet: a three-line title block (company and ledger, period and filter, export time
and who), the header row (frozen, with an autofilter over the data), the data rows, subtotal lines
where the sheet groups its rows, the totals line, and a signature line (制表 / 审核) where the ledger
carries one. A sheet without rows says why in its first row. Column widths are measured by display
width (CJK characters count two) up to a cap; longer text wraps and its row is made tall enough.
Formats: real dates, money '#,##0.00', rates '0.0%', ID and phone numbers as text cells.

Totals follow the manager's filter: they are SUBTOTAL(109, …) formulas (SUBTOTAL(103, …) counts the
rows of the label), and each carries its value as computed here, so a viewer that does not
recalculate (or openpyxl with data_only=True) shows the figure. openpyxl writes formulas without a
value; the sheet's row writer is wrapped to write those cells itself (see `_CachedFormula`).

Print setup: A4, landscape when the columns are wide, fit to one page wide, the header row repeated
on every page, a page header (company, ledger, period, filter) and footer (第 &P 页 共 &N 页, export
and print time).

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
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.page import PageMargins
from openpyxl.xml.functions import Element, SubElement

from gasdesk.reports.ledgers.layout import (
    ROW_HEIGHT,
    SAMPLE_ROWS,
    TotalLine,
    column_widths,
    export_line,
    heading,
    is_landscape,
    line_room,
    lines_needed,
    period_line,
    signature_line,
    walk,
    wrapping_columns,
)
from gasdesk.reports.ledgers.layout import display_width as display_width
from gasdesk.reports.ledgers.spec import (
    NUMBER_FORMATS,
    ChartSpec,
    ColumnType,
    LedgerColumn,
    SheetData,
    TitleBlock,
)

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
MAX_TEXT = 32767
INVALID_SHEET_CHARS = str.maketrans({c: "、" for c in "[]:*?/\\"})
# Excel allows 255 characters in a page header or footer (all sections together).
HEADER_LIMIT = 250
PAPER_A4 = 9  # the paperSize code of A4

_FAST_ROWS = hasattr(WriteOnlyWorksheet, "_values_to_row")

_THIN = Side(style="thin", color="9BB3CC")
_GRID = Side(style="thin", color="B7C4D1")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CELL_BORDER = Border(left=_GRID, right=_GRID, top=_GRID, bottom=_GRID)
_WRAP = Alignment(vertical="top", wrap_text=True)
_TOP = Alignment(vertical="top")
_TOTAL_FONT = Font(bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_TOTAL_BORDER = Border(left=_GRID, right=_GRID, top=Side(style="thin", color="1F4E78"),
                       bottom=Side(style="double", color="1F4E78"))
_SUBTOTAL_BORDER = Border(left=_GRID, right=_GRID, top=Side(style="thin", color="1F4E78"), bottom=_GRID)
_TITLE_FONT = Font(bold=True, size=15, color="1F3A5F")
_INFO_FONT = Font(size=10, color="505A66")
_EMPTY_FONT = Font(italic=True, color="7F4F24")
_SIGN_FONT = Font(size=11)

# Data type of the reusable cell per column type.
_DATA_TYPES = {
    ColumnType.TEXT: "s", ColumnType.ID: "s", ColumnType.PHONE: "s",
    ColumnType.INT: "n", ColumnType.MONEY: "n", ColumnType.QUANTITY: "n", ColumnType.NUMBER: "n",
    ColumnType.RATE: "n", ColumnType.DATE: "d", ColumnType.DATETIME: "d",
}
_NUMERIC = (int, Decimal, float)


class ExportCancelled(Exception):
    """The progress callback asked to stop; nothing was left on disk."""


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


def header_text(text: str) -> str:
    """Text for a page header or footer section: '&' is a code there, so it is doubled."""
    return text.replace("&", "&&")


class _CachedFormula(Cell):
    """A formula cell written with its computed value (openpyxl writes formulas without one)."""

    __slots__ = ("cached", "formula")

    def __init__(self, ws: WriteOnlyWorksheet, formula: str, cached: Any) -> None:
        super().__init__(ws, row=1, column=1)
        self.formula = formula
        self.cached = cached

    def element(self) -> Any:
        attrs = {"r": self.coordinate}
        if self.has_style:
            attrs["s"] = f"{self.style_id}"
        value = self.cached
        if value is None or isinstance(value, str):
            attrs["t"] = "str"
        el = Element("c", attrs)
        SubElement(el, "f").text = self.formula
        SubElement(el, "v").text = "" if value is None else str(value)
        return el


class _Slot(Cell):
    """A reusable cell of one column: its style is set once, so its style id is looked up once (the
    stock property hashes the style for every cell written)."""

    __slots__ = ("_style_id",)

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        super().__init__(ws, row=1, column=1)
        self._style_id: int | None = None

    @property
    def style_id(self) -> int:
        if self._style_id is None:
            self._style_id = super().style_id
        return self._style_id


def _install_formula_writer(ws: WriteOnlyWorksheet) -> bool:
    """Wrap the sheet's row writer so _CachedFormula cells go out with their values; False when this
    openpyxl has no such hook (the totals are then written as plain values)."""
    ws._get_writer()
    writer = ws._writer
    stock = getattr(writer, "write_row", None)
    if stock is None or not hasattr(writer, "ws"):
        return False

    def write_row(xf: Any, row: Any, row_idx: int) -> None:
        cells = list(row)
        if not any(type(c) is _CachedFormula for c in cells):
            stock(xf, cells, row_idx)
            return
        attrs = {"r": f"{row_idx}"}
        attrs.update(ws.row_dimensions.get(row_idx, {}))
        with xf.element("row", attrs):
            for cell in cells:
                if type(cell) is _CachedFormula:
                    xf.write(cell.element())
                elif cell._value is not None or cell.has_style:
                    write_cell(xf, ws, cell, cell.has_style)

    writer.write_row = write_row
    return True


class _SheetWriter:
    def __init__(self, wb: Workbook, title: TitleBlock, sheet: SheetData) -> None:
        self.ws = wb.create_sheet(sheet_title(sheet.title))
        if _FAST_ROWS:
            self.ws._values_to_row = _pass_cells  # type: ignore[attr-defined]
        self.title = title
        self.sheet = sheet
        self.columns = list(sheet.columns)
        self.types = [c.type for c in self.columns]
        self.row = 0  # the last row written
        self.formulas = False

    # --- layout -------------------------------------------------------------------------------

    def write(self, done: int, tick: Callable[[int], bool] | None, every: int) -> int:
        ws, columns = self.ws, self.columns
        rows = iter(self.sheet.rows)
        sample = list(islice(rows, SAMPLE_ROWS))
        widths = column_widths(columns, sample)
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = f"A{FIRST_ROW}"
        self._print_setup(widths)
        self.formulas = _install_formula_writer(ws)
        ws.row_dimensions[1].height = 24
        self._title_block()
        header_lines = max(lines_needed(c.header, line_room(w)) for c, w in zip(columns, widths, strict=True))
        self._append([self._styled(col.header, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_HEADER_ALIGN,
                                   border=_HEADER_BORDER) for col in columns], max(22.0, ROW_HEIGHT * header_lines))

        slots = [self._slot(col) for col in columns]
        blanks = [self._blank() for _ in columns]
        to_cells = self._row_converter(slots, blanks)
        wraps = [(i, line_room(widths[i])) for i in wrapping_columns(columns)]
        dims = ws.row_dimensions
        n = 0
        group_start = FIRST_ROW
        last_data = HEADER_ROW
        chart_rows = self.sheet.chart is not None
        for item in walk(self.sheet, chain(sample, rows)):
            if isinstance(item, TotalLine):
                self._total_line(item, group_start)
                group_start = self.row + 1
                if not item.grand:
                    last_data = self.row
                continue
            lines = 1
            for i, room in wraps:
                v = item[i]
                if type(v) is str and len(v) * 2 > room:
                    k = lines_needed(v, room)
                    if k > lines:
                        lines = k
            self.row += 1
            if lines > 1:
                dims[self.row].height = ROW_HEIGHT * lines
                ws.append(to_cells(item))
                del dims[self.row]
            else:
                ws.append(to_cells(item))
            last_data = self.row
            n += 1
            if tick is not None and n % every == 0 and not tick(done + n):
                raise ExportCancelled
        if n == 0:
            self._append([self._styled(self._empty_text(), font=_EMPTY_FONT)])
            last_data = self.row
        last_col = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_data}"
        if self.sheet.signatures:
            self._append([])
            self._append([self._styled(signature_line(self.sheet.signatures), font=_SIGN_FONT)], 24.0)
        if self.sheet.chart is not None and chart_rows and n:
            self._chart(self.sheet.chart, n)
        return n

    def _append(self, cells: list[Any], height: float | None = None) -> None:
        self.row += 1
        if height is not None:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(cells)

    def _empty_text(self) -> str:
        text = self.sheet.empty
        if self.title.filters:
            text += f"（筛选条件：{self.title.filters}）"
        return text

    def _title_block(self) -> None:
        t = self.title
        self._append([self._styled(heading(t), font=_TITLE_FONT)])
        self._append([self._styled(period_line(t), font=_INFO_FONT)])
        self._append([self._styled(export_line(t, self.sheet.note), font=_INFO_FONT)])

    def _print_setup(self, widths: Sequence[float]) -> None:
        ws, t = self.ws, self.title
        ws.page_setup.paperSize = PAPER_A4
        ws.page_setup.orientation = "landscape" if is_landscape(widths) else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.8, bottom=0.75, header=0.3, footer=0.3)
        name = t.title if self.sheet.title == t.title else f"{t.title}·{self.sheet.title}"
        period = f"统计期间：{t.period}"
        if t.filters:
            period += f"　筛选：{t.filters}"
        if len(t.company) + len(name) + len(period) > HEADER_LIMIT - 20:
            period = f"统计期间：{t.period}（筛选条件见表头）"
        header, footer = ws.oddHeader, ws.oddFooter
        header.left.text, header.left.size = header_text(t.company), 9
        header.center.text, header.center.size = header_text(name), 12
        header.center.font = "-,Bold"
        header.right.text, header.right.size = header_text(period), 8
        footer.left.text = header_text(f"导出：{t.exported_at:%Y-%m-%d %H:%M} {t.exported_by}")
        footer.left.size = 8
        footer.center.text, footer.center.size = "第 &P 页 共 &N 页", 9
        footer.right.text, footer.right.size = "打印时间：&D &T", 8

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
        cell = _Slot(self.ws)
        fmt = NUMBER_FORMATS.get(col.type)
        if fmt and col.type is not ColumnType.INT:
            cell.number_format = fmt
        cell.data_type = _DATA_TYPES[col.type]
        cell.border = _CELL_BORDER
        cell.alignment = _WRAP if col.type is ColumnType.TEXT else _TOP
        return cell

    def _blank(self) -> Cell:
        """An empty cell that keeps the ruling of the table."""
        cell = _Slot(self.ws)
        cell.border = _CELL_BORDER
        return cell

    # --- rows ---------------------------------------------------------------------------------

    def _row_converter(self, slots: list[Cell], blanks: list[Cell]) -> Callable[[Sequence[Any]], list[Cell]]:
        """Per-row function: values -> the columns' reusable cells (a ruled blank for empty values)."""
        kinds = [_DATA_TYPES[t] for t in self.types]
        plan = list(zip(slots, kinds, blanks, strict=True))
        fallback = self._fallback_cell

        def convert(row: Sequence[Any]) -> list[Cell]:
            out: list[Cell] = []
            append = out.append
            for (cell, kind, blank), value in zip(plan, row, strict=True):
                if value is None or value == "":
                    append(blank)
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
        return self._styled(value if isinstance(value, str | int | float | Decimal | date) else str(value),
                            border=_CELL_BORDER)

    def _total_line(self, line: TotalLine, group_start: int) -> None:
        """A subtotal or totals row: SUBTOTAL formulas over the rows above, with their values."""
        first = FIRST_ROW if line.grand else group_start
        last = self.row
        fill, border = (_TOTAL_FILL, _TOTAL_BORDER) if line.grand else (_SUBTOTAL_FILL, _SUBTOTAL_BORDER)

        def rng(i: int) -> str:
            letter = get_column_letter(i + 1)
            return f"{letter}{first}:{letter}{last}"

        def total(i: int) -> str:
            return f"SUBTOTAL(109,{rng(i)})"

        cells: list[Any] = []
        for i, col in enumerate(self.columns):
            value = line.values[i]
            formula: str | None = None
            if i == 0:
                prefix, _, _ = line.label.partition("（")
                formula = f'"{prefix}（"&SUBTOTAL(103,{rng(0)})&"{self.sheet.unit}）"'
            elif col.total:
                formula = total(i)
            elif (ratio := col.ratio_columns()) is not None:
                num = "+".join(total(j) for j in ratio[0])
                den = "+".join(total(j) for j in ratio[1])
                formula = f'IF(({den})=0,"",({num})/({den}))'
            fmt = NUMBER_FORMATS.get(col.type) if i else None
            style = {"font": _TOTAL_FONT, "fill": fill, "border": border}
            if formula is not None and self.formulas:
                cell: Cell = _CachedFormula(self.ws, formula, value)
                for name, v in style.items():
                    setattr(cell, name, v)
                if fmt:
                    cell.number_format = fmt
            else:
                cell = self._styled(value, fmt, **style)
            cells.append(cell)
        self._append(cells)

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
