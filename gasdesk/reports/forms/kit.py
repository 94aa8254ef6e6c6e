"""The shared layout toolkit of the printed forms: page geometry, styles and the building blocks
(title, section bar, bordered key-value grid, checklist, text block, comparison table, signature
row, handwriting lines). Forms combine these; none draws its own tables.

Every string goes through `Kit.p` (text.PlainText): a line that fits is drawn directly, longer text
wraps anywhere as Chinese does (wordWrap='CJK'), so long values wrap inside their cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from math import ceil
from typing import Any, TypeAlias

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from gasdesk.reports.fonts import text_width
from gasdesk.reports.forms.text import PlainText

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 33 * mm  # the page header (company, phones, QR code) sits above
MARGIN_BOTTOM = 18 * mm  # the footer (printed by, page number) sits below
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

INK = colors.HexColor("#222222")
GREY = colors.HexColor("#666666")
RULE = colors.HexColor("#444444")
LABEL_BG = colors.HexColor("#EEEEEE")
SECTION_BG = colors.HexColor("#E3E8EE")
SECTION_BAR = colors.HexColor("#3A4F66")
COPY_RED = colors.HexColor("#C0392B")
PAD = 4.0

# A value cell holds text or a ready flowable (e.g. an amount in a larger font).
Cell: TypeAlias = str | Flowable

# "第一条　…", "一、…", "（一）…" at the start of a short line: a clause heading.
_HEADING = re.compile(r"^(第[一二三四五六七八九十百零]+条|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
HEADING_MAX_CHARS = 24
# Room a section heading needs below it (its bar and a row or two), else it starts a new page.
SECTION_ROOM = 72.0
# A grid value longer than this many lines prints as a text block after the grid.
LONG_VALUE_LINES = 8
# A boxed text longer than this many lines prints unboxed, so it can run onto the next page.
BOX_MAX_LINES = 24


@dataclass(frozen=True)
class Sign:
    """One box of a signature row: who signs, a pre-printed name, stamp or not, a date line."""

    label: str
    name: str = ""
    stamp: bool = False
    date: bool = True


class Kit:
    def __init__(self, font: str, width: float = CONTENT_WIDTH) -> None:
        self.font = font
        self.width = width

        def style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, wordWrap="CJK",
                                  textColor=kw.pop("textColor", INK), **kw)  # type: ignore[arg-type]

        self.styles: dict[str, ParagraphStyle] = {
            "body": style("body", 10, 15),
            "clause": style("clause", 9.5, 13.8, spaceAfter=1.2),
            "clause_head": style("clause_head", 10.5, 14.5, spaceBefore=4, spaceAfter=1.5, textColor=SECTION_BAR,
                                 keepWithNext=1),
            "label": style("label", 9, 12),
            "value": style("value", 9.5, 12.5),
            "small": style("small", 8, 10.5, textColor=GREY),
            "title": style("title", 19, 24, alignment=TA_CENTER),
            "subtitle": style("subtitle", 9, 12, alignment=TA_CENTER, textColor=GREY),
            "section": style("section", 10.5, 13),
            "emphasis": style("emphasis", 13, 19),
            "amount": style("amount", 13, 16),
            "sign": style("sign", 9.5, 12.5),
            "sign_small": style("sign_small", 8.5, 11, textColor=GREY),
            "sign_date": style("sign_date", 9, 12, alignment=TA_RIGHT),
            "right": style("right", 10, 15, alignment=TA_RIGHT),
            "letter": style("letter", 11, 19, firstLineIndent=22),
            "letter_head": style("letter_head", 11, 19, alignment=TA_LEFT),
            "copy": style("copy", 14, 16, alignment=TA_CENTER, textColor=COPY_RED),
            "check": style("check", 9.5, 13),
        }

    # -- text ------------------------------------------------------------------------------------

    def p(self, text: str, style: str = "body") -> PlainText:
        """A paragraph of plain text (line breaks kept)."""
        return PlainText(text, self.styles[style])

    def text_width(self, text: str, style: str = "value") -> float:
        st = self.styles[style]
        return max((text_width(line, self.font, st.fontSize) for line in text.split("\n")), default=0.0)

    def paragraphs(self, text: str, style: str = "clause") -> list[Flowable]:
        """A text block: one paragraph per line, short numbered lines as headings."""
        out: list[Flowable] = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                out.append(Spacer(1, 4))
            elif _HEADING.match(line) and len(line) <= HEADING_MAX_CHARS:
                out.append(self.p(line, "clause_head"))
            else:
                out.append(self.p(line, style))
        return out

    def spacer(self, height: float = 6) -> Spacer:
        return Spacer(1, height)

    # -- blocks ----------------------------------------------------------------------------------

    def title(self, title: str, subtitle: str, copy: bool) -> list[Flowable]:
        side = 32 * mm
        mark: Cell = ""
        if copy:
            mark = self.table_of([[self.p("副　本", "copy")]], colWidths=[22 * mm], style=[
                ("BOX", (0, 0), (-1, -1), 1.6, COPY_RED),
                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ])
        head = self.table_of([["", self.p(title, "title"), mark]], colWidths=[side, self.width - 2 * side, side],
                     style=[
                         ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (2, 0), (2, 0), "RIGHT"),
                         ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                     ])
        return [head, Spacer(1, 3), self.p(subtitle, "subtitle"), Spacer(1, 6)]

    def section(self, text: str) -> list[Flowable]:
        """A grey heading bar over a block; it starts a new page rather than end one."""
        bar = self.table_of([[self.p(text, "section")]], colWidths=[self.width], spaceBefore=7, spaceAfter=0,
                            style=[
                                ("BACKGROUND", (0, 0), (-1, -1), SECTION_BG),
                                ("LINEBEFORE", (0, 0), (0, -1), 3, SECTION_BAR),
                                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                            ])
        return [CondPageBreak(SECTION_ROOM), bar]

    def _cell(self, value: Cell, style: str = "value") -> Flowable:
        return self.p(value, style) if isinstance(value, str) else value

    def lines_needed(self, text: str, width: float, style: str = "value") -> int:
        size = self.styles[style].fontSize
        return sum(max(1, ceil(stringWidth(line, self.font, size) / max(width, 1.0))) for line in text.split("\n"))

    def grid(self, pairs: Sequence[tuple[str, Cell]], cols: int = 2, label_width: float = 76,
             wide: Sequence[str] = ()) -> list[Flowable]:
        """Bordered label/value grid, `cols` pairs a row; a value too long for its cell gets a row.

        A value longer than a few lines leaves the grid and follows it as a labelled text block, so
        it can run onto the next page (a table row cannot be split cleanly)."""
        full_width = self.width - label_width - 2 * PAD
        long_ones = [(label, val) for label, val in pairs
                     if isinstance(val, str) and self.lines_needed(val, full_width) > LONG_VALUE_LINES]
        pairs = [pair for pair in pairs if pair not in long_ones]
        out: list[Flowable] = [self._grid_table(pairs, cols, label_width, wide)] if pairs else []
        for label, val in long_ones:
            out.append(self.table_of([[self.p(label, "label")]], colWidths=[self.width], spaceBefore=4, style=[
                ("BACKGROUND", (0, 0), (-1, -1), LABEL_BG), ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]))
            out += [self.p(line, "value") for line in val.split("\n") if line.strip()]
        return out

    def _grid_table(self, pairs: Sequence[tuple[str, Cell]], cols: int, label_width: float,
                    wide: Sequence[str]) -> Table:
        value_width = (self.width - cols * label_width) / cols
        widths = [label_width, value_width] * cols
        rows: list[list[Cell | Flowable]] = []
        cmds: list[tuple[object, ...]] = []

        def emit(items: list[tuple[str, Cell]]) -> None:
            r = len(rows)
            row: list[Cell | Flowable] = []
            for i, (label, val) in enumerate(items):
                row += [self.p(label, "label"), self._cell(val)]
                cmds.append(("BACKGROUND", (2 * i, r), (2 * i, r), LABEL_BG))
            row += [""] * (2 * cols - len(row))
            if len(items) < cols:
                cmds.append(("SPAN", (2 * len(items) - 1, r), (2 * cols - 1, r)))
            rows.append(row)

        def is_wide(label: str, val: Cell) -> bool:
            if label in wide:
                return True
            return isinstance(val, str) and ("\n" in val or self.text_width(val) > value_width - 2 * PAD - 1)

        # Short pairs fill the rows first, long ones follow with a row each: no ragged gaps.
        flags = [is_wide(label, val) for label, val in pairs] if cols > 1 else [False] * len(pairs)
        short = [pair for pair, w in zip(pairs, flags, strict=True) if not w]
        for i in range(0, len(short), cols):
            emit(short[i : i + cols])
        for pair, w in zip(pairs, flags, strict=True):
            if w:
                emit([pair])
        return self.table_of(rows, colWidths=widths, style=[
            ("GRID", (0, 0), (-1, -1), 0.6, RULE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), PAD), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD + 1),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            *cmds,
        ])

    def checklist(self, items: Sequence[tuple[str, bool]], cols: int = 2) -> Table:
        """Boxed list of ■ ticked / □ not ticked items, `cols` a row."""
        cells: list[Cell] = [self.p(f"{'■' if on else '□'} {label}", "check") for label, on in items]
        rows = [cells[i : i + cols] for i in range(0, len(cells), cols)]
        rows[-1] += [""] * (cols - len(rows[-1]))
        return self.table_of(rows, colWidths=[self.width / cols] * cols, style=[
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ])

    def box(self, content: str | Sequence[Flowable], style: str = "value", min_height: float = 0) -> list[Flowable]:
        """One bordered cell around a text or flowables. A cell cannot split across pages, so a text
        longer than BOX_MAX_LINES prints as plain paragraphs instead (e.g. a 2,000-character reason)."""
        if isinstance(content, str) and self.lines_needed(content, self.width - 16, style) > BOX_MAX_LINES:
            return self.paragraphs(content, style)
        inner = [self.p(content, style)] if isinstance(content, str) else list(content)
        return [self.table_of([[inner]], colWidths=[self.width], rowHeights=None, minRowHeights=[min_height],
                              style=[
                                  ("BOX", (0, 0), (-1, -1), 0.8, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                              ])]

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Cell]], weights: Sequence[float],
              first_column_label: bool = False) -> Table:
        """Bordered table with a grey header row, repeated on a new page; widths by `weights`."""
        total = sum(weights)
        widths = [self.width * w / total for w in weights]
        data: list[list[Cell | Flowable]] = [[self.p(h, "label") for h in headers]]
        data += [[self._cell(c) for c in row] for row in rows]
        cmds: list[tuple[object, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.6, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), PAD), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD + 1),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ]
        if first_column_label:
            cmds.append(("BACKGROUND", (0, 1), (0, -1), LABEL_BG))
        return self.table_of(data, colWidths=widths, repeatRows=1, style=cmds)

    def signatures(self, signs: Sequence[Sign], height: float = 70) -> Table:
        """A row of boxes to sign (or stamp) and date (wrap it in `keep` with what leads to it)."""
        width = self.width / len(signs)
        row = []
        for s in signs:
            cell: list[Flowable] = [self.p(f"{s.label}：", "sign")]
            if s.name:
                cell.append(self.p(s.name, "sign_small"))
            if s.stamp:
                cell.append(self.p("（盖章）", "sign_small"))
            row.append(cell)
        dates = [self.p("　　　　年　　月　　日" if s.date else "", "sign_date") for s in signs]
        return self.table_of([row, dates], colWidths=[width] * len(signs),
                             rowHeights=[height - 18, 18], spaceBefore=10, style=[
                         ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                         ("LINEBEFORE", (1, 0), (-1, -1), 0.6, RULE),
                         ("VALIGN", (0, 0), (-1, 0), "TOP"), ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
                         ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                         ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                     ])

    def lines(self, label: str, count: int = 3, height: float = 22) -> Table:
        """A labelled area of ruled lines to write on by hand."""
        rows = [[self.p(label, "label")]] + [[""] for _ in range(count)]
        return self.table_of(rows, colWidths=[self.width], rowHeights=[None] + [height] * count, style=[
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("LINEBELOW", (0, 1), (-1, -2), 0.3, colors.HexColor("#AAAAAA")),
            ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
            ("TOPPADDING", (0, 0), (-1, 0), PAD), ("BOTTOMPADDING", (0, 0), (-1, 0), PAD + 1),
        ])

    def table_of(self, data: Sequence[Sequence[object]], style: Sequence[tuple[object, ...]] = (),
                 **kw: Any) -> Table:
        """Every table of the forms: cells in our font (Table's default would pull in Helvetica)."""
        return Table(data, style=TableStyle([("FONTNAME", (0, 0), (-1, -1), self.font), *style]), **kw)

    def keep(self, flowables: Sequence[Flowable]) -> KeepTogether:
        return KeepTogether(list(flowables))


@cache
def kit_for(font: str) -> Kit:
    return Kit(font)
