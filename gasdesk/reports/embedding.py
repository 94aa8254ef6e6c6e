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


def to_unicode_cmap(name: str, subset: list[int]) -> str:
    """A subset's ToUnicode CMap with every character as UTF-16 (a surrogate pair beyond the Basic
    Multilingual Plane): reportlab writes such a code point as odd-length hex, which no reader can
    map back, so a name with 𠮷 would not be found in the PDF's text."""
    chars = [f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>" for i, v in enumerate(subset)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({name})", f"/Ordering ({name})", "/Supplement 0", ">> def", f"/CMapName /{name} def",
        "/CMapType 2 def", "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *chars, "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop",
        "end", "end",
    ])


class EmbeddedFont(TTFont):
    """reportlab's TrueType font whose embedded subsets are compressed with FastFlate, with a
    ToUnicode map that also maps characters beyond the Basic Multilingual Plane."""

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - reportlab's name
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state is not None else []
        count = len(subsets)
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(count)]
        super().addObjects(doc)
        for name, subset in zip(names, subsets, strict=True):
            if all(v <= 0xFFFF for v in subset):
                continue
            try:
                cmap = doc.idToObject[doc.idToObject[name].ToUnicode.name]
                cmap.content = to_unicode_cmap(doc.idToObject[name].BaseFont, subset)
            except (AttributeError, KeyError):
                continue
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
