"""A plain A4 paper drawn with the forms' kit, without the forms' page header: the bank's papers, the
planned-work notice and the cashier's day. The company's name stands small above the title."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate

from gasdesk.reports.context import CompanyProfile
from gasdesk.reports.fonts import register_cjk_font
from gasdesk.reports.forms.kit import Kit, kit_for


class Paper:
    """`paper = Paper(title, company)`, a story of `paper.kit`'s flowables, then `paper.build(story)`."""

    def __init__(self, title: str, company: CompanyProfile, *, font_path: str | None = None,
                 margin_y: float = 16 * mm) -> None:
        self.company = company
        self.kit: Kit = kit_for(register_cjk_font(font_path))
        self._out = io.BytesIO()
        self._doc = SimpleDocTemplate(self._out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                      topMargin=margin_y, bottomMargin=margin_y, title=title, author=company.name,
                                      creator="gasdesk")

    def heading(self, title: str, subtitle: str, *, copy: bool = False) -> list[Flowable]:
        """The company's name, then the title and its line below."""
        return [self.kit.p(self.company.name, "subtitle"), *self.kit.title(title, subtitle, copy=copy)]

    def build(self, story: list[Flowable]) -> bytes:
        """The PDF's bytes."""
        self._doc.build(story)
        return self._out.getvalue()
