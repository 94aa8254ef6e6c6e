"""What every page of a form carries around its content: the company header with the order
number and its QR code, the footer (printed when and by whom, page n of m), and the 副本 mark of
a reprint.

"Page n of m" counts the pages of one form, also when several forms share one PDF: the canvas keeps
the pages until the end and writes the totals then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import groupby
from typing import Any

from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.kit import INK, MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH, RULE
from gasdesk.reports.forms.values import fmt_datetime, form_title

QR_SIZE = 21 * mm
HEADER_RULE_Y = PAGE_HEIGHT - 30 * mm
FOOTER_RULE_Y = 14 * mm


@dataclass(frozen=True)
class PageLabel:
    """Where to write "第 n 页 / 共 m 页" once the form's page count is known."""

    group: int
    number: int
    x: float
    y: float
    font: str
    size: float


class FormCanvas(Canvas):
    """A canvas that holds its pages back until save() so each form's page total is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []
        self.page_label: PageLabel | None = None

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self.page_label = None
        self._startPage()

    def save(self) -> None:
        totals = Counter(s["page_label"].group for s in self._held_pages if s.get("page_label"))
        for state in self._held_pages:
            self.__dict__.update(state)
            label: PageLabel | None = state.get("page_label")
            if label is not None:
                self.setFont(label.font, label.size)
                self.setFillColor(INK)
                self.drawRightString(label.x, label.y, f"第 {label.number} 页 / 共 {totals[label.group]} 页")
            Canvas.showPage(self)
        # Page streams are deflated; their ASCII85 layer only makes the file bigger and slower to write.
        a85 = rl_config.useA85
        rl_config.useA85 = 0
        try:
            Canvas.save(self)
        finally:
            rl_config.useA85 = a85


def fit_size(text: str, font: str, size: float, max_width: float, min_size: float = 6.0) -> float:
    """The largest size up to `size` at which `text` fits `max_width`."""
    width = stringWidth(text, font, size)
    if width <= max_width:
        return size
    return max(min_size, size * max_width / width)


# reportlab's encoder tries all eight mask patterns and scores each in pure Python, ~2 ms for an
# order number: a fifth of a form page. Every mask decodes alike (the scoring only evens out the
# dark/light balance), so the symbol is built with one fixed mask.
QR_MASK = 0


@lru_cache(maxsize=256)
def qr_modules(value: str) -> tuple[tuple[bool, ...], ...]:
    """The dark/light modules of the QR code of `value`, encoded by reportlab's QrCodeWidget."""
    qr = QrCodeWidget(value, barLevel="M").qr
    try:
        qr.version = qr.version or qr.calculate_version()
        qr.makeImpl(False, QR_MASK)
    except AttributeError:  # another reportlab version: its own way, mask search included
        qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


@lru_cache(maxsize=256)
def qr_operators(value: str, x: float, y: float, size: float = QR_SIZE, border: int = 4) -> str:
    """PDF drawing operators of the QR code: black rectangles, one per run of dark modules.

    Built once per order number and position, then added to each page as it is (no text, so no
    font is named)."""
    modules = qr_modules(value)
    box = size / (len(modules) + 2 * border)
    rects: list[str] = []
    for r, row in enumerate(modules):
        top = y + size - (r + border + 1) * box
        c = 0
        for dark, run in groupby(row):
            n = len(list(run))
            if dark:
                rects.append(f"{x + (c + border) * box:.3f} {top:.3f} {n * box:.3f} {box:.3f} re")
            c += n
    return "q 0 g\n" + "\n".join(rects) + "\nf Q"


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float = QR_SIZE) -> None:
    canvas.addLiteral(qr_operators(value, round(x, 3), round(y, 3), size))


class PageDecoration:
    """onPage / onPageEnd callbacks of one form's page template."""

    def __init__(self, ctx: FormContext, font: str, group: int) -> None:
        self.ctx = ctx
        self.font = font
        self.group = group
        self.pages = 0
        printed_at = ctx.printed_at or datetime.now()
        who = f"　打印人：{ctx.printed_by}" if ctx.printed_by else ""
        self.printed = f"打印时间：{fmt_datetime(printed_at)}{who}" + ("　【副本】" if ctx.copy else "")

    def on_page(self, canvas: Canvas, doc: Any) -> None:
        self.pages += 1
        company = self.ctx.company
        font = self.font
        left = MARGIN_X
        right = PAGE_WIDTH - MARGIN_X
        qr_x = right - QR_SIZE
        text_right = qr_x - 4 * mm
        top = PAGE_HEIGHT - 9 * mm
        canvas.saveState()
        canvas.setFillColor(INK)

        number = f"单号：{self.ctx.order_number}"
        canvas.setFont(font, 10)
        canvas.drawRightString(text_right, top - 8, number)
        name_room = text_right - left - stringWidth(number, font, 10) - 8 * mm
        canvas.setFont(font, fit_size(company.name, font, 15, name_room))
        canvas.drawString(left, top - 9, company.name)

        # Each line with its own hours: the 96977 line's are not the hall's (服务承诺).
        service = company.service_phone + (f"（{company.service_line_hours}）" if company.service_line_hours else "")
        phones = (f"客服电话：{service}　　抢修电话（24小时）：{company.emergency_phone}"
                  f"　　投诉电话：{company.complaint_phone}（{company.complaint_hours}）")
        hall = f"营业厅：{company.hall_address}" + (f"（{company.hall_hours}）" if company.hall_hours else "")
        room = text_right - left
        for i, line in enumerate((phones, hall)):
            canvas.setFont(font, fit_size(line, font, 8.5, room))
            canvas.drawString(left, top - 26 - i * 12, line)

        draw_qr(canvas, self.ctx.order_number or "-", qr_x, HEADER_RULE_Y + 2)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.line(left, HEADER_RULE_Y, right, HEADER_RULE_Y)

        canvas.setLineWidth(0.5)
        canvas.line(left, FOOTER_RULE_Y, right, FOOTER_RULE_Y)
        footer_y = FOOTER_RULE_Y - 11
        canvas.setFont(font, 8)
        canvas.drawString(left, footer_y, self.printed)
        canvas.drawCentredString(PAGE_WIDTH / 2 + 30 * mm, footer_y, f"{form_title(self.ctx)}　{self.ctx.order_number}")
        canvas.restoreState()
        if isinstance(canvas, FormCanvas):
            canvas.page_label = PageLabel(self.group, self.pages, right, footer_y, font, 8)
        else:  # a plain canvas: no totals
            canvas.setFont(font, 8)
            canvas.drawRightString(right, footer_y, f"第 {self.pages} 页")

    def on_page_end(self, canvas: Canvas, doc: Any) -> None:
        if not self.ctx.copy:
            return
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0.2, 0.15, alpha=0.13))
        canvas.setFont(self.font, 120)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -40, "副本")
        canvas.restoreState()
