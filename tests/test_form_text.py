"""PlainText: a one-line text lands where a reportlab Paragraph would print it; longer text is a Paragraph."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, SimpleDocTemplate
from reportlab.platypus.doctemplate import LayoutError

from gasdesk.reports.fonts import find_cjk_font_file, register_cjk_font
from gasdesk.reports.forms.text import PlainText, paragraph_markup

if find_cjk_font_file() is None:
    pytest.skip("no Chinese TrueType font installed (sudo apt-get install fonts-wqy-microhei)",
                allow_module_level=True)

WIDTH = 300.0


def style(alignment: int = TA_LEFT, **kw: float) -> ParagraphStyle:
    font = register_cjk_font()
    return ParagraphStyle("t", fontName=font, fontSize=10, leading=14, wordWrap="CJK", alignment=alignment, **kw)


def positions(flowable: Flowable) -> list[tuple[str, float, float]]:
    """The text runs of a one-flowable page with the x, y at which each starts."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    Frame(50, 50, WIDTH, 700, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0).addFromList(
        [flowable], canvas)
    canvas.showPage()
    canvas.save()
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((text.strip(), round(tm[4], 1), round(tm[5], 1)))

    PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("alignment", [TA_LEFT, TA_CENTER, TA_RIGHT])
def test_one_line_prints_where_a_paragraph_would(alignment: int) -> None:
    text = "客户名称：张伟 C2026000123"
    st = style(alignment)
    assert positions(PlainText(text, st)) == positions(Paragraph(paragraph_markup(text), st))


def test_first_line_indent_is_kept() -> None:
    st = style(firstLineIndent=22)
    text = "特此告知。"
    assert positions(PlainText(text, st)) == positions(Paragraph(text, st))


def test_one_line_takes_one_leading_and_builds_no_paragraph() -> None:
    flowable = PlainText("受理人：李娜", style())
    assert flowable.wrap(WIDTH, 500) == (WIDTH, 14)
    assert flowable._paragraph is None


def test_long_text_wraps_like_a_paragraph() -> None:
    text = "用气地址很长" * 30
    st = style()
    flowable = PlainText(text, st)
    expected = Paragraph(paragraph_markup(text), st).wrap(WIDTH, 500)
    assert flowable.wrap(WIDTH, 500) == expected
    assert expected[1] > 3 * st.leading
    assert "".join(run for run, _, _ in positions(PlainText(text, st))) == text


def test_line_breaks_and_markup_characters_survive() -> None:
    text = "第一行 <b>&amp;\n第二行"
    runs = [run for run, _, _ in positions(PlainText(text, style()))]
    assert runs == ["第一行 <b>&amp;", "第二行"]


def test_long_text_splits_across_frames_but_a_line_does_not() -> None:
    st = style()
    long_text = PlainText("很长的条款" * 200, st)
    long_text.wrap(WIDTH, 100)
    parts = long_text.split(WIDTH, 100)
    assert len(parts) == 2 and all(isinstance(p, Paragraph) for p in parts)
    assert PlainText("一行", st).split(WIDTH, 5) == []


def test_empty_text_takes_no_room() -> None:
    st = style()
    assert PlainText("", st).wrap(WIDTH, 100) == Paragraph("", st).wrap(WIDTH, 100)


def test_a_line_too_long_for_any_frame_is_a_layout_error_not_a_loop() -> None:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=(120, 80), leftMargin=10, rightMargin=10, topMargin=10, bottomMargin=10)
    with pytest.raises(LayoutError):
        doc.build([PlainText("二", ParagraphStyle("big", parent=style(), fontSize=80, leading=90))])


@pytest.mark.parametrize("text", ["甲\u3000\u3000乙", "　　　　年　　月　　日", "甲\u2028乙\u200b丙  丁\t戊", "\u200b", " \u3000 "])
def test_spaces_print_as_a_paragraph_prints_them(text: str) -> None:
    st = style(TA_RIGHT)
    assert PlainText(text, st).wrap(WIDTH, 500) == Paragraph(paragraph_markup(text), st).wrap(WIDTH, 500)
    assert positions(PlainText(text, st)) == positions(Paragraph(paragraph_markup(text), st))
