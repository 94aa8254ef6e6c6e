"""The project's `resources/` folder: what is data rather than code.

    resources/
      icons/app.svg        the application's icon (window, task bar)
      icons/nav/*.svg      the sidebar's page icons, one per page
      texts/<key>.txt      the default wording of contracts, agreements and notices, one file per
                           text block (reports/texts.py); the office edits its own copy in the settings

In a checkout (and an editable install, whose `gasdesk` is the checkout's) the folder sits beside the
package; an installed wheel carries it inside the package as `gasdesk/resources` (pyproject.toml maps
it there). Files are read when first needed, never at import.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


class ResourcesMissing(RuntimeError):
    """The resources folder is not where an installation puts it: the installation is incomplete."""


@cache
def root() -> Path:
    for candidate in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if (candidate / "texts").is_dir():
            return candidate
    raise ResourcesMissing(f"找不到程序资源文件夹 resources（应在 {_PACKAGE.parent} 或 {_PACKAGE} 下），"
                           "请重新安装 gasdesk")


def path(*parts: str) -> Path:
    """A file or folder under resources/ (it need not exist: icons are optional for the window)."""
    return root().joinpath(*parts)


def read_text(*parts: str) -> str:
    """A UTF-8 text file under resources/, without its final line break."""
    return path(*parts).read_text(encoding="utf-8").removesuffix("\n")


def texts(folder: str = "texts") -> dict[str, str]:
    """Every `<key>.txt` of a folder under resources/, by key."""
    return {p.stem: p.read_text(encoding="utf-8").removesuffix("\n") for p in sorted(path(folder).glob("*.txt"))}
