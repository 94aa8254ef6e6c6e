"""Make Chinese text render: use a system CJK font, or add one from a font file when there is none."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# Families a Chinese office PC or a Linux desktop usually has, best first.
PREFERRED_FAMILIES = (
    "Microsoft YaHei", "微软雅黑", "WenQuanYi Micro Hei", "文泉驿微米黑", "Noto Sans CJK SC", "Source Han Sans SC",
    "PingFang SC", "SimHei", "黑体", "SimSun", "宋体", "WenQuanYi Zen Hei", "AR PL UMing CN",
)
FALLBACK_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
WINDOWS_FILES = ("msyh.ttc", "simhei.ttf", "simsun.ttc")


def _candidate_files() -> list[Path]:
    files: list[Path] = []
    try:  # the printing layer's finder knows the settings' font path and fontconfig
        from gasdesk.reports.fonts import find_cjk_font_file

        found = find_cjk_font_file()
        if found is not None:
            files.append(Path(found))
    except Exception:  # noqa: BLE001 - the reports layer is optional here
        log.debug("reports.fonts not usable", exc_info=True)
    files += [Path(p) for p in FALLBACK_FILES]
    if sys.platform.startswith("win"):
        root = Path(os.environ.get("WINDIR") or "C:/Windows") / "Fonts"
        files += [root / name for name in WINDOWS_FILES]
    return files


def chinese_families() -> list[str]:
    return list(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def ensure_cjk_font() -> str | None:
    """Return the family used for Chinese text, adding a font file when the system has none."""
    families = chinese_families()
    if not families:
        for path in _candidate_files():
            if path.is_file() and QFontDatabase.addApplicationFont(str(path)) >= 0:
                log.info("added application font %s", path)
                families = chinese_families()
                if families:
                    break
    for name in PREFERRED_FAMILIES:
        if name in families:
            return name
    return families[0] if families else None


def apply_default_font(app: QApplication, point_size: int = 10) -> QFont:
    """Set the application font to a Chinese-capable family (falls back to Qt's default)."""
    family = ensure_cjk_font()
    font = QFont(app.font())
    if family:
        font.setFamilies([family, *[f for f in PREFERRED_FAMILIES if f != family]])
    font.setPointSize(point_size)
    app.setFont(font)
    return font
