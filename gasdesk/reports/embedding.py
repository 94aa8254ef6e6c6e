"""How the forms' font goes into a PDF: reportlab's TrueType subsets, compressed faster.

Kept apart from fonts.py, which the window imports at start without reportlab.
"""

from __future__ import annotations

import zlib
from typing import Any

from reportlab.pdfbase.ttfonts import TTFont


class FastFlate:
    """FlateDecode at zlib level 1. The font program of a few hundred Chinese glyphs is ~50 KB that
    level 6 (reportlab's default) packs only ~5 % smaller in twice the time: a tenth of a form page."""

    pdfname = "FlateDecode"

    def encode(self, data: str | bytes) -> bytes:
        return zlib.compress(data.encode("utf8") if isinstance(data, str) else data, 1)

    def decode(self, data: bytes) -> bytes:
        return zlib.decompress(data)


FAST_FLATE = FastFlate()


class EmbeddedFont(TTFont):
    """reportlab's TrueType font whose embedded subsets are compressed with FastFlate."""

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - reportlab's name
        state = self.state.get(doc)
        count = len(state.subsets) if state is not None else 0
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(count)]
        super().addObjects(doc)
        # Font -> FontDescriptor -> FontFile2 is the PDF's own structure; should a reportlab version
        # lay its objects out otherwise, the subsets simply keep reportlab's compression.
        for name in names:
            try:
                descriptor = doc.idToObject[name].FontDescriptor
                font_file = doc.idToObject[doc.idToObject[descriptor.name].dict["FontFile2"].name]
            except (AttributeError, KeyError):
                continue
            if font_file.filters:
                font_file.filters = [FAST_FLATE]
