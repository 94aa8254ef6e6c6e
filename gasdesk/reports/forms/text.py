"""Plain text in a paragraph style, drawn straight onto the canvas when it is one line that fits.

Most text of a form is a label or a short value in a grid cell. A reportlab Paragraph parses
markup, splits words and breaks lines for each of them, which is most of the time a page takes to
lay out; for a line that fits, measuring it once and drawing it at the spot the Paragraph would
have used gives the same page for a fraction of the work. Anything longer (or with a line break)
is handed to a real Paragraph, which wraps Chinese text anywhere and can split across pages.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from gasdesk.reports.fonts import runs, text_width

# Paragraphs collapse U+3000 like any white space; four no-break spaces are about as wide.
IDEOGRAPHIC_SPACE = "\u00a0" * 4
# What a Paragraph collapses into one space within a line (Unicode spaces and separators; not the
# no-break space, nor, in CJK wrapping, the zero-width space). U+3000 is replaced before, as above.
_RUNS_OF_SPACE = re.compile("[\t\x0b\x0c\r\x1c-\x1f \x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f]+")


def paragraph_markup(text: str, font: str | None = None) -> str:
    """`text` as reportlab paragraph markup: escaped, line breaks kept, ideographic spaces kept; with
    `font`, the characters it lacks in the fallback font (fonts.runs)."""
    pieces = runs(text, font) if font else [(text, "")]
    return "".join(
        (markup if name == font or not name else f'<font face="{name}">{markup}</font>')
        for piece, name in pieces
        for markup in [escape(piece).replace("\n", "<br/>").replace("\u3000", IDEOGRAPHIC_SPACE)]
    )


class PlainText(Flowable):
    """A Paragraph of plain text that skips the paragraph machinery when the text is one line."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = text
        self.style = style
        # What a Paragraph would print on its one line: white space runs collapsed, ends trimmed.
        line = _RUNS_OF_SPACE.sub(" ", text.replace("\u3000", IDEOGRAPHIC_SPACE)).strip(" ")
        # Nothing but zero-width spaces is an empty paragraph (no line at all), as reportlab has it.
        self._line = (line if line.strip("\u200b") else "") if "\n" not in text else None
        self._width_of_line = (
            text_width(self._line, style.fontName, style.fontSize) if self._line else 0.0
        )
        self._paragraph: Paragraph | None = None

    def __repr__(self) -> str:
        return f"PlainText({self.text!r}, style={self.style.name!r})"

    def getPlainText(self, identify: object = None) -> str:  # noqa: N802 - reportlab's name
        return self.text

    def _room(self, avail_width: float) -> float:
        st = self.style
        return avail_width - st.leftIndent - st.rightIndent - st.firstLineIndent

    def _one_line(self, avail_width: float) -> bool:
        return bool(self._line) and self._width_of_line <= self._room(avail_width) + 1e-6

    def paragraph(self) -> Paragraph:
        if self._paragraph is None:
            self._paragraph = Paragraph(paragraph_markup(self.text, self.style.fontName), self.style)
        return self._paragraph

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._one_line(avail_width):
            self._paragraph = None
            self.width, self.height = avail_width, self.style.leading
        else:
            self.width, self.height = self.paragraph().wrap(avail_width, avail_height)
        return self.width, self.height

    def minWidth(self) -> float:  # noqa: N802 - reportlab's name
        st = self.style
        return self._width_of_line + st.leftIndent + st.rightIndent + st.firstLineIndent

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if self._one_line(avail_width):
            return []
        parts: list[Flowable] = self.paragraph().split(avail_width, avail_height)
        return parts

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
        if self._paragraph is not None:
            self._paragraph.drawOn(canvas, x, y, _sW)
            return
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        if not self._line:
            return
        st = self.style
        canvas = self.canv
        spare = self._room(self.width) - self._width_of_line
        x = st.leftIndent + st.firstLineIndent
        if st.alignment == TA_RIGHT:
            x += spare
        elif st.alignment == TA_CENTER:
            x += spare / 2
        canvas.saveState()
        canvas.setFillColor(st.textColor)
        y = self.height - st.fontSize
        for piece, font in runs(self._line, st.fontName):
            canvas.setFont(font, st.fontSize, st.leading)
            canvas.drawString(x, y, piece)
            x += stringWidth(piece, font, st.fontSize)
        canvas.restoreState()
