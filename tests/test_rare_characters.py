"""Every character prints: a name with a CJK Extension B character (𠮷) prints through the fallback
font, embedded; a character no print font has is pointed out to the clerk when typed."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from gasdesk.reports.fonts import find_fallback_font_file
from gasdesk.services.orders import OrderService
from gasdesk.services.printing import PrintService, unprintable_warning
from tests.helpers import make_team, resident

if find_fallback_font_file() is None:
    pytest.skip("no CJK Extension B font installed (sudo apt-get install fonts-hanazono)", allow_module_level=True)

YOSHI = "\U00020bb7"  # 𠮷
NO_FONT_HAS = "\U00031350"  # CJK Extension H: in no print font


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """BaseFont -> whether its program is embedded, over every page."""
    out: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            out[str(font["/BaseFont"])] = "/FontFile2" in font["/FontDescriptor"].get_object()
    return out


def test_a_rare_character_prints_in_the_fallback_font(app):
    team = make_team(app)
    c = resident(app, team.clerk, f"{YOSHI}田花子", address=f"示例市{YOSHI}野路8号")
    o = OrderService(app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    pdf = PrintService(app, team.clerk).render(o.id, "acceptance")
    # Text extraction breaks the line where the font changes: compare without white space.
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert f"客户名称{YOSHI}田花子" in text and f"示例市{YOSHI}野路8号" in text
    fonts = embedded_fonts(pdf)
    fallback = [name for name in fonts if name.endswith("+HanaMinB")]
    assert fallback and all(fonts.values()), fonts


def test_the_clerk_is_told_of_a_character_no_font_has():
    assert unprintable_warning("张伟明") == ""
    assert unprintable_warning(f"{YOSHI}田花子") == ""  # the fallback font has it
    warning = unprintable_warning(f"张{NO_FONT_HAS}明")
    assert NO_FONT_HAS in warning and "无法打印" in warning

