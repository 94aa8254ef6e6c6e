"""A ledger as a PDF for managers who just want to print: the same sheets, rows, subtotals, totals and
signature lines as the workbook, laid out by reportlab in the forms' Chinese font.

Every sheet starts on a new A4 page, landscape when its columns are wide (the workbook's rule), with
its title block; the header row repeats on every page; each page carries the company, ledger, period
and filter above, and the export time and "第 n 页 共 m 页" below. Columns share the page width in
proportion to their measured display widths; text longer than its column wraps (never cut). Charts
are left to the workbook.

The PDF holds its rows in memory while it is laid out, so an export is refused above PDF_ROW_LIMIT
rows (the workbook has no such limit).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)

from gasdesk.reports.fonts import register_cjk_font
from gasdesk.reports.ledgers.layout import (
    SAMPLE_ROWS,
    TotalLine,
    column_widths,
    export_line,
    heading,
    is_landscape,
    period_line,
    signature_line,
    walk,
)
from gasdesk.reports.ledgers.spec import ColumnType, LedgerColumn, SheetData, TitleBlock
from gasdesk.reports.ledgers.writer import ExportCancelled

PDF_ROW_LIMIT = 5000
MARGIN_X = 12 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 15 * mm
BASE_SIZE = 8.0
MIN_SIZE = 5.5
FLOOR_SIZE = 4.5
# A text column squeezed to make room keeps this many ems a line (eight CJK characters).
TEXT_KEEP_EM = 8.8
CELL_PAD = 2.0
# Points per Excel width unit at font size 1 (a digit is 0.55 em; a CJK glyph, one em, counts two).
UNIT_EM = 0.55

INK = colors.HexColor("#222222")
GREY = colors.HexColor("#555555")
HEADER_BG = colors.HexColor("#1F4E78")
TOTAL_BG = colors.HexColor("#DDEBF7")
SUBTOTAL_BG = colors.HexColor("#F2F2F2")
RULE = colors.HexColor("#8EA3B8")

_RIGHT = {ColumnType.INT, ColumnType.MONEY, ColumnType.QUANTITY, ColumnType.NUMBER, ColumnType.RATE}


def cell_text(value: Any, kind: ColumnType) -> str:
    """A value as the workbook's number formats show it (minus signs kept)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}" if kind is not ColumnType.DATE else f"{value:%Y-%m-%d}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if kind is ColumnType.MONEY:
        return f"{value:,.2f}"
    if kind is ColumnType.QUANTITY:
        return f"{value:,.3f}"
    if kind is ColumnType.RATE:
        return f"{Decimal(str(value)) * 100:.1f}%"
    if kind is ColumnType.NUMBER:
        return f"{value:.1f}"
    return str(value)


class _NumberedCanvas(Canvas):
    """Holds the pages back until save() so every page can say how many there are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self.page_label: tuple[float, float, str] | None = None

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self.page_label = None
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, 1):
            self.__dict__.update(state)
            label = state.get("page_label")
            if label is not None:
                x, y, font = label
                self.setFont(font, 8)
                self.setFillColor(INK)
                self.drawCentredString(x, y, f"第 {number} 页 共 {total} 页")
            Canvas.showPage(self)
        Canvas.save(self)


class _Decoration:
    """The page header and footer of one sheet's pages."""

    def __init__(self, title: TitleBlock, sheet: SheetData, font: str, pagesize: tuple[float, float],
                 check: Callable[[], None]) -> None:
        self.title, self.font, self.pagesize, self.check = title, font, pagesize, check
        self.name = title.title if sheet.title == title.title else f"{title.title}·{sheet.title}"
        right = f"统计期间：{title.period}"
        if title.filters:
            right += f"　筛选：{title.filters}"
        self.right = right
        self.footer = f"导出：{title.exported_at:%Y-%m-%d %H:%M}　{title.exported_by}"

    def __call__(self, canvas: Canvas, doc: Any) -> None:
        self.check()
        width, height = self.pagesize
        font = self.font
        left, right = MARGIN_X, width - MARGIN_X
        top = height - 10 * mm
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(font, 8)
        canvas.drawString(left, top, self.title.company)
        canvas.setFont(font, 11)
        canvas.drawCentredString(width / 2, top, self.name)
        canvas.setFont(font, _fit(self.right, font, 8, (right - left) / 2 - stringWidth(self.name, font, 11) / 2 - 6))
        canvas.drawRightString(right, top, self.right)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(left, top - 4, right, top - 4)
        canvas.line(left, MARGIN_BOTTOM - 4, right, MARGIN_BOTTOM - 4)
        canvas.setFont(font, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(left, MARGIN_BOTTOM - 14, self.footer)
        canvas.restoreState()
        if isinstance(canvas, _NumberedCanvas):
            canvas.page_label = (width / 2, MARGIN_BOTTOM - 14, font)


def fit_columns(units: Sequence[float], wraps: Sequence[bool], room: float) -> tuple[float, list[float]]:
    """Font size and column widths (points) filling `room`.

    The font shrinks from BASE_SIZE to MIN_SIZE to fit the measured widths; below that, text columns
    give up width (their text wraps, keeping up to eight CJK characters a line) while numbers,
    dates, ID and phone numbers keep theirs; if that is still too wide the font goes on shrinking,
    down to FLOOR_SIZE, and only then do all columns narrow alike."""
    pads = 2 * CELL_PAD * len(units)
    ems = [u * UNIT_EM for u in units]
    size = max(MIN_SIZE, min(BASE_SIZE, (room - pads) / sum(ems)))
    least_ems = [min(e, TEXT_KEEP_EM) if w else e for e, w in zip(ems, wraps, strict=True)]
    if sum(least_ems) * size + pads > room:
        size = max(FLOOR_SIZE, (room - pads) / sum(least_ems))
    natural = [e * size + 2 * CELL_PAD for e in ems]
    least = [e * size + 2 * CELL_PAD for e in least_ems]
    excess = sum(natural) - room
    if excess <= 0:  # widen every column alike to fill the line
        return size, [w * room / sum(natural) for w in natural]
    give = sum(n - m for n, m in zip(natural, least, strict=True))
    if give >= excess:
        share = excess / give
        return size, [n - (n - m) * share for n, m in zip(natural, least, strict=True)]
    return size, [w * room / sum(least) for w in least]


def _fit(text: str, font: str, size: float, room: float) -> float:
    w = stringWidth(text, font, size)
    return size if w <= room or room <= 0 else max(5.0, size * room / w)


class _SheetLayout:
    """One sheet: page size, font size, column widths, and the table of its rows."""

    def __init__(self, sheet: SheetData, title: TitleBlock, font: str) -> None:
        self.sheet, self.title, self.font = sheet, title, font
        self.columns: list[LedgerColumn] = list(sheet.columns)
        self.rows = iter(sheet.rows)
        self.sample = list(islice(self.rows, SAMPLE_ROWS))
        units = column_widths(self.columns, self.sample)
        self.pagesize = landscape(A4) if is_landscape(units) else A4
        room = self.pagesize[0] - 2 * MARGIN_X
        self.size, self.widths = fit_columns(units, [c.type is ColumnType.TEXT for c in self.columns], room)
        self.style = ParagraphStyle("cell", fontName=font, fontSize=self.size, leading=self.size * 1.25,
                                    wordWrap="CJK", textColor=INK, alignment=TA_LEFT)
        self.right_style = ParagraphStyle("num", parent=self.style, alignment=TA_RIGHT)
        self.header_style = ParagraphStyle("head", parent=self.style, textColor=colors.white, alignment=1)

    def cell(self, text: str, width: float, right: bool) -> Any:
        if not text:
            return ""
        if "\n" not in text and stringWidth(text, self.font, self.size) <= width - 2 * CELL_PAD:
            return text
        return Paragraph(_markup(text), self.right_style if right else self.style)

    def story(self, tick: Callable[[int], None]) -> tuple[list[Flowable], int]:
        """The sheet's flowables and its number of data rows."""
        t, sheet = self.title, self.sheet
        info = ParagraphStyle("info", parent=self.style, fontSize=8.5, leading=11, textColor=GREY)
        story: list[Flowable] = [
            Paragraph(_markup(heading(t) if sheet.title == t.title else f"{heading(t)}·{sheet.title}"),
                      ParagraphStyle("title", parent=self.style, fontSize=14, leading=18)),
            Paragraph(_markup(period_line(t)), info),
            Paragraph(_markup(export_line(t, sheet.note)), info),
            Spacer(0, 2 * mm),
        ]
        kinds = [c.type for c in self.columns]
        right = [k in _RIGHT for k in kinds]
        data: list[list[Any]] = [[Paragraph(_markup(c.header), self.header_style) for c in self.columns]]
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.font, self.size, self.size * 1.25),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]
        for i, r in enumerate(right):
            if r:
                commands.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
        n = 0
        for item in walk(sheet, chain(self.sample, self.rows)):
            if isinstance(item, TotalLine):
                values = item.values
                row_no = len(data)
                commands += [("BACKGROUND", (0, row_no), (-1, row_no), TOTAL_BG if item.grand else SUBTOTAL_BG),
                             ("LINEABOVE", (0, row_no), (-1, row_no), 0.8, HEADER_BG)]
            else:
                values = tuple(item)
                n += 1
                tick(n)
            data.append([self.cell(cell_text(v, k), w, r)
                         for v, k, w, r in zip(values, kinds, self.widths, right, strict=True)])
        if n == 0:
            text = sheet.empty + (f"（筛选条件：{t.filters}）" if t.filters else "")
            data.append([Paragraph(_markup(text), self.style)] + [""] * (len(self.columns) - 1))
            commands.append(("SPAN", (0, 1), (-1, 1)))
        table = LongTable(data, colWidths=self.widths, repeatRows=1, style=TableStyle(commands))
        story.append(table)
        if sheet.signatures:
            story += [Spacer(0, 8 * mm), Paragraph(_markup(signature_line(sheet.signatures)),
                                                   ParagraphStyle("sign", parent=self.style, fontSize=10, leading=13))]
        return story, n


def _markup(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text).replace("\n", "<br/>").replace("\u3000", "\u00a0" * 4)


def write_pdf(path: str | os.PathLike[str], title: TitleBlock, sheets: Sequence[SheetData], *,
              font_path: str | None = None, tick: Callable[[int], bool] | None = None,
              tick_every: int = 500) -> list[int]:
    """Write the sheets as one PDF to `path` (replaced atomically); returns the data rows per sheet.

    `tick(rows_so_far)` is called every `tick_every` rows, and once per page while the pages are
    laid out; when it returns False the export stops with ExportCancelled and no file remains.
    FontNotFoundError (gasdesk.reports.fonts) says what to install when there is no Chinese font.
    """
    font = register_cjk_font(font_path)
    target = Path(path)
    done = 0

    def check() -> None:
        if tick is not None and not tick(done):
            raise ExportCancelled

    def count(n_sheet: int) -> None:
        if tick is not None and (done + n_sheet) % tick_every == 0 and not tick(done + n_sheet):
            raise ExportCancelled

    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                          bottomMargin=MARGIN_BOTTOM, title=title.title, author=title.company, creator="gasdesk",
                          subject=title.period, initialFontName=font, initialFontSize=BASE_SIZE)
    templates: list[PageTemplate] = []
    story: list[Flowable] = []
    counts: list[int] = []
    for i, sheet in enumerate(sheets):
        layout = _SheetLayout(sheet, title, font)
        w, h = layout.pagesize
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, w - 2 * MARGIN_X, h - MARGIN_TOP - MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"sheet{i}")
        templates.append(PageTemplate(id=f"sheet{i}", frames=[frame], pagesize=layout.pagesize,
                                      onPage=_Decoration(title, sheet, font, layout.pagesize, check)))
        if i:
            story += [NextPageTemplate(f"sheet{i}"), PageBreak()]
        part, n = layout.story(count)
        story += part
        counts.append(n)
        done += n
    doc.addPageTemplates(templates)
    doc.pagesize = templates[0].pagesize
    doc.build(story, canvasmaker=_NumberedCanvas)
    if tick is not None and not tick(done):
        raise ExportCancelled
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=".pdf.part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(out.getvalue())
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
        raise
    return counts
