"""The Chinese TrueType font the printed forms embed, found once per process.

reportlab embeds a subset of a TrueType (glyf-outline) font; it refuses CFF/OpenType fonts such as
Noto Sans CJK, and its built-in STSong-Light is never embedded (blank text on a viewer without
Chinese fonts), so neither is used. The search order is: the path from the settings (系统设置 →
printing.font_path), the well-known files of the system, then fontconfig (`fc-list :lang=zh`).

The Qt side asks `find_cjk_font_file()` for the same file to add it with
QFontDatabase.addApplicationFont when the system has no Chinese font; this module imports no Qt.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

FONT_NAME = "GasdeskCJK"
FONT_SUFFIXES = (".ttf", ".ttc")
# Characters a usable font must have (a Latin-only TrueType file would print empty squares).
PROBE_CHARS = "中国燃气供用户签字年月日"

LINUX_FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
WINDOWS_FONT_FILES: tuple[str, ...] = ("simsun.ttc", "simhei.ttf", "msyh.ttc")
MACOS_FONT_PATHS: tuple[str, ...] = (
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
)

INSTALL_HINT = (
    "未找到可嵌入打印单据的中文 TrueType 字体（.ttf/.ttc）。\n"
    "解决办法：Debian/Ubuntu 请执行 sudo apt-get install fonts-wqy-microhei；"
    "Windows 系统自带宋体（SimSun，simsun.ttc）和黑体（SimHei，simhei.ttf），请确认 C:\\Windows\\Fonts 中存在；"
    "也可以在“系统设置”中填写中文字体文件的路径。注意：思源黑体/Noto Sans CJK 等 OpenType(CFF) 字体无法嵌入。\n"
    "No embeddable Chinese TrueType font (.ttf/.ttc) was found for printing.\n"
    "Fix: on Debian/Ubuntu run `sudo apt-get install fonts-wqy-microhei`; on Windows SimSun/SimHei ship "
    "with the system (C:\\Windows\\Fonts\\simsun.ttc, simhei.ttf); or set the font file path in 系统设置 "
    "(Settings). OpenType/CFF fonts such as Noto Sans CJK cannot be embedded by reportlab."
)


class FontNotFoundError(RuntimeError):
    """No usable Chinese TrueType font: the message says what to install or configure."""

    def __init__(self, tried: list[str] | None = None) -> None:
        self.tried = list(tried or [])
        message = INSTALL_HINT
        if self.tried:
            message += "\n已检查 / Tried:\n  " + "\n  ".join(self.tried)
        super().__init__(message)


_lock = threading.Lock()
# The settings' font path, used when a caller passes none (see set_preferred_font).
_configured: str | None = None
# Registered reportlab font name by resolved file path, and by the request that found it.
_by_path: dict[str, str] = {}
_by_request: dict[str | None, str] = {}


def set_preferred_font(path: str | os.PathLike[str] | None) -> None:
    """Remember the settings' font path (empty or None: search the system only)."""
    global _configured
    with _lock:
        _configured = str(path) if path else None
        _by_request.clear()


def windows_font_paths() -> list[Path]:
    roots = [Path(os.environ.get("WINDIR") or "C:/Windows") / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        roots.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return [root / name for root in roots for name in WINDOWS_FONT_FILES]


def system_font_paths() -> list[Path]:
    """The well-known Chinese TrueType files of this platform, best first."""
    if sys.platform.startswith("win"):
        return windows_font_paths()
    if sys.platform == "darwin":
        return [Path(p) for p in MACOS_FONT_PATHS]
    return [Path(p) for p in LINUX_FONT_PATHS]


def fontconfig_paths() -> list[Path]:
    """Chinese-capable .ttf/.ttc files fontconfig knows (empty when fc-list is missing)."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    paths = {line.strip().rstrip(":").strip() for line in out.splitlines() if line.strip()}
    return sorted(Path(p) for p in paths if p.lower().endswith(FONT_SUFFIXES))


def has_truetype_outlines(path: Path) -> bool:
    """True when the (first) font of the file has glyf outlines, the kind reportlab can embed."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
            offset = 0
            if head[:4] == b"ttcf":
                offset = struct.unpack(">I", head[12:16])[0]
                f.seek(offset)
                head = f.read(12)
            num_tables = struct.unpack(">H", head[4:6])[0]
            f.seek(offset + 12)
            records = f.read(16 * num_tables)
    except (OSError, struct.error):
        return False
    tags = {records[i : i + 4] for i in range(0, len(records), 16)}
    return b"glyf" in tags


def _candidates(preferred: str | None) -> Iterator[Path]:
    seen: set[str] = set()

    def fresh(paths: list[Path]) -> Iterator[Path]:
        for p in paths:
            key = os.path.normcase(str(p))
            if key not in seen:
                seen.add(key)
                yield p

    explicit = [Path(p).expanduser() for p in (preferred, _configured) if p]
    yield from fresh(explicit)
    yield from fresh(system_font_paths())
    yield from fresh(fontconfig_paths())


def _unusable_reason(path: Path) -> str | None:
    if not path.is_file():
        return "not found"
    if not path.name.lower().endswith(FONT_SUFFIXES):
        return "not a .ttf/.ttc file"
    if not has_truetype_outlines(path):
        return "no TrueType outlines (CFF/OpenType fonts cannot be embedded)"
    return None


def find_cjk_font_file(preferred: str | os.PathLike[str] | None = None) -> Path | None:
    """The Chinese TrueType file the forms use (for the Qt side too), or None when there is none."""
    for path in _candidates(str(preferred) if preferred else None):
        if _unusable_reason(path) is None:
            return path
    return None


def register_cjk_font(preferred: str | os.PathLike[str] | None = None) -> str:
    """Register the font with reportlab once and return its name; FontNotFoundError when none works."""
    from reportlab.pdfbase import pdfmetrics

    from gasdesk.reports.embedding import EmbeddedFont

    request = str(preferred) if preferred else None
    with _lock:
        cached = _by_request.get(request)
        if cached is not None:
            return cached
        tried: list[str] = []
        for path in _candidates(request):
            reason = _unusable_reason(path)
            if reason is not None:
                tried.append(f"{path}: {reason}")
                continue
            key = str(path.resolve())
            name = _by_path.get(key)
            if name is None:
                candidate = FONT_NAME if not _by_path else f"{FONT_NAME}{len(_by_path) + 1}"
                try:
                    font = EmbeddedFont(candidate, key, subfontIndex=0)
                except Exception as exc:  # reportlab raises TTFError and plain errors on odd files
                    tried.append(f"{path}: {exc}")
                    continue
                glyphs = font.face.charToGlyph
                missing = [c for c in PROBE_CHARS if ord(c) not in glyphs]
                if missing:
                    tried.append(f"{path}: no Chinese glyphs ({''.join(missing)})")
                    continue
                pdfmetrics.registerFont(font)
                pdfmetrics.registerFontFamily(
                    candidate, normal=candidate, bold=candidate, italic=candidate, boldItalic=candidate
                )
                name = _by_path[key] = candidate
            _by_request[request] = name
            return name
        raise FontNotFoundError(tried)


# --- the fallback font for the characters the main font lacks ------------------------------------
#
# The Chinese fonts the forms use cover the Basic Multilingual Plane; names and addresses may hold
# rarer characters of CJK Extension B and later (𠮷, 𡎚...). A second TrueType with those glyphs is
# used glyph by glyph where the main font has none (see `runs`): HanaMinB of Debian's
# fonts-hanazono, Windows' SimSun-ExtB, else whatever fontconfig finds holding 𠮷.

FALLBACK_FONT_NAME = "GasdeskCJKExtB"
FALLBACK_PROBE = "\U00020bb7"  # 𠮷
LINUX_FALLBACK_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)
WINDOWS_FALLBACK_FILES: tuple[str, ...] = ("simsunb.ttf", "SimSun-ExtB.ttf", "mingliub.ttc")

_NO_FALLBACK = ""
_fallback: str | None = None  # registered name; _NO_FALLBACK when the system has none
_coverage: dict[str, dict[int, int]] = {}


def fallback_font_paths() -> list[Path]:
    if sys.platform.startswith("win"):
        roots = [Path(os.environ.get("WINDIR") or "C:/Windows") / "Fonts"]
        return [root / name for root in roots for name in WINDOWS_FALLBACK_FILES]
    if sys.platform == "darwin":
        return []
    return [Path(p) for p in LINUX_FALLBACK_PATHS]


def _fontconfig_with(char: str) -> list[Path]:
    try:
        out = subprocess.run(["fc-list", f":charset={ord(char):x}", "file"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    paths = {line.strip().rstrip(":").strip() for line in out.splitlines() if line.strip()}
    return sorted(Path(p) for p in paths if p.lower().endswith(FONT_SUFFIXES))


def find_fallback_font_file() -> Path | None:
    """The TrueType file with CJK Extension B glyphs, or None when the system has none."""
    for path in [*fallback_font_paths(), *_fontconfig_with(FALLBACK_PROBE)]:
        if _unusable_reason(path) is None:
            return path
    return None


def register_fallback_font() -> str | None:
    """Register the fallback font once (on first need: it holds ~60,000 glyphs) and return its name."""
    global _fallback
    from reportlab.pdfbase import pdfmetrics

    from gasdesk.reports.embedding import EmbeddedFont

    with _lock:
        if _fallback is not None:
            return _fallback or None
        _fallback = _NO_FALLBACK
        path = find_fallback_font_file()
        if path is not None:
            try:
                font = EmbeddedFont(FALLBACK_FONT_NAME, str(path.resolve()), subfontIndex=0)
            except Exception:  # an odd file: print without it (the clerk was warned when typing)
                return None
            if ord(FALLBACK_PROBE) in font.face.charToGlyph:
                pdfmetrics.registerFont(font)
                _fallback = FALLBACK_FONT_NAME
        return _fallback or None


def coverage(font: str) -> dict[int, int]:
    """The code points a registered font has glyphs for."""
    cmap = _coverage.get(font)
    if cmap is None:
        from reportlab.pdfbase import pdfmetrics

        face = getattr(pdfmetrics.getFont(font), "face", None)
        cmap = _coverage[font] = dict(getattr(face, "charToGlyph", {}) or {})
    return cmap


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """`text` cut into (piece, font name) runs: the main font, and the fallback for each character
    the main font lacks and the fallback has. A single run when the main font has them all."""
    main = coverage(font)
    if all(ord(ch) in main or ch.isspace() for ch in text):
        return [(text, font)]
    fallback = register_fallback_font()
    extra = coverage(fallback) if fallback else {}
    out: list[tuple[str, str]] = []
    for ch in text:
        use = fallback if fallback and ord(ch) not in main and ord(ch) in extra else font
        if out and out[-1][1] == use:
            out[-1] = (out[-1][0] + ch, use)
        else:
            out.append((ch, use))
    return out


def text_width(text: str, font: str, size: float) -> float:
    """The printed width of `text`, each run in its own font."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(piece, name, size) for piece, name in runs(text, font))


def unprintable(text: str, preferred: str | os.PathLike[str] | None = None) -> list[str]:
    """The characters of `text` that no print font has (each once, in order)."""
    font = register_cjk_font(preferred)
    main = coverage(font)
    missing = [ch for ch in dict.fromkeys(text) if not ch.isspace() and ord(ch) not in main]
    if not missing:
        return []
    fallback = register_fallback_font()
    extra = coverage(fallback) if fallback else {}
    return [ch for ch in missing if ord(ch) not in extra]
