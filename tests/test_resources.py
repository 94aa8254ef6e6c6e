"""The project's resources/ folder (issue 17 item 2): icons and the default texts are data files, found
in a checkout and shipped by the packaging; every text block the forms use has its file."""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

from gasdesk import assets
from gasdesk.reports.texts import DEFAULT_TEXTS, PLACEHOLDERS, TEXT_TITLES, fill

ROOT = Path(__file__).resolve().parent.parent


def test_resources_are_found_beside_the_package_in_a_checkout() -> None:
    assert assets.root() == ROOT / "resources"
    assert assets.path("icons", "app.svg").is_file()


def test_every_text_block_is_a_file_and_has_a_title() -> None:
    files = {p.stem for p in (ROOT / "resources" / "texts").glob("*.txt")}
    assert files == set(TEXT_TITLES) == set(DEFAULT_TEXTS)
    assert list(DEFAULT_TEXTS) == list(TEXT_TITLES)  # the settings editor lists them in the titles' order
    for key, text in DEFAULT_TEXTS.items():
        assert text.strip() and not text.endswith("\n") and "\r" not in text, key
        assert text == (ROOT / "resources" / "texts" / f"{key}.txt").read_text(encoding="utf-8").removesuffix("\n")
        # every placeholder a text names is one the forms fill
        assert "{" not in fill(text, dict.fromkeys(PLACEHOLDERS, "x")), key


def test_the_packaging_ships_every_resource() -> None:
    """setup.py maps resources/ into the package as gasdesk/resources: each file matches its package data."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "setup")
    kw = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg in ("package_dir", "package_data")}
    assert kw["package_dir"] == {"gasdesk.resources": "resources"}
    patterns = kw["package_data"]["gasdesk.resources"]
    files = [p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file()]
    assert files
    assert [f for f in files if not any(fnmatch.fnmatch(f, pat) and f.count("/") == pat.count("/")
                                        for pat in patterns)] == []
    migrations = kw["package_data"]["gasdesk"]
    assert "migrations/versions/*.py" in migrations


def test_every_sidebar_page_has_its_icon() -> None:
    from gasdesk.ui.main_window import ICONS

    names = {*ICONS, "emergency", "planned_work", "readings", "bank", "shield", "manager"}
    for name in names:
        svg = assets.path("icons", "nav", f"{name}.svg")
        assert svg.is_file() and svg.read_text(encoding="utf-8").lstrip().startswith("<svg"), name
    assert {p.stem for p in assets.path("icons", "nav").glob("*.svg")} == names
