"""Turn FormContexts into PDF bytes: one form, or several forms in one PDF (an order's forms, a
batch), each with its own header, footer and page numbering."""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from gasdesk.reports.context import FormContext
from gasdesk.reports.fonts import register_cjk_font
from gasdesk.reports.forms.blocks import title_block
from gasdesk.reports.forms.catalog import FORM_BLOCKS
from gasdesk.reports.forms.kit import (
    CONTENT_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_HEIGHT,
    Kit,
    kit_for,
)
from gasdesk.reports.forms.page import FormCanvas, PageDecoration
from gasdesk.reports.forms.values import form_title

# The shared forms; a flow's own forms come with their blocks in the context.
FORM_CODES: tuple[str, ...] = tuple(FORM_BLOCKS)


class UnknownFormError(ValueError):
    """The context names a form code this layer does not print."""


def form_story(kit: Kit, ctx: FormContext) -> list[Flowable]:
    blocks = ctx.blocks or FORM_BLOCKS.get(ctx.form)
    if not blocks:
        raise UnknownFormError(f"no printed form {ctx.form!r} (known: {', '.join(FORM_CODES)})")
    story = title_block(kit, ctx)
    for block in blocks:
        story.extend(block(kit, ctx))
    return story


def render_forms(contexts: Iterable[FormContext], *, font_path: str | None = None) -> bytes:
    """Several forms in one A4 PDF, each starting on a new page."""
    items = list(contexts)
    if not items:
        raise ValueError("render_forms needs at least one form")
    font = register_cjk_font(font_path)
    kit = kit_for(font)
    first = items[0]
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out, pagesize=A4,
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=f"{form_title(first)} {first.order_number}" if len(items) == 1 else f"单据 {first.order_number} 等",
        author=first.company.name, creator="gasdesk", subject=first.flow_label,
        initialFontName=font, initialFontSize=10,
    )
    templates: list[PageTemplate] = []
    story: list[Flowable] = []
    for i, ctx in enumerate(items):
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"body{i}")
        decoration = PageDecoration(ctx, font, i)
        templates.append(PageTemplate(id=f"form{i}", frames=[frame], onPage=decoration.on_page,
                                      onPageEnd=decoration.on_page_end))
        if i:
            story += [NextPageTemplate(f"form{i}"), PageBreak()]
        story += form_story(kit, ctx)
    doc.addPageTemplates(templates)
    doc.build(story, canvasmaker=FormCanvas)
    return out.getvalue()


def render_form(ctx: FormContext, *, font_path: str | None = None) -> bytes:
    """One form as an A4 PDF. `font_path`: the settings' font file (else the system's)."""
    return render_forms([ctx], font_path=font_path)
