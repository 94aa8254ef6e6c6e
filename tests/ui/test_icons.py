"""The window's icons come from resources/ (issue 17 item 2)."""

from __future__ import annotations


def test_the_window_shows_its_icons(qtbot, window, team):  # type: ignore[no-untyped-def]
    """The application icon and every sidebar icon are drawn from resources/ (SVG), none left empty."""
    from PySide6.QtWidgets import QApplication

    win = window(team.manager)
    assert not QApplication.windowIcon().pixmap(32, 32).isNull()
    assert win.nav.count() == len(win.page_titles)
    for i in range(win.nav.count()):
        assert not win.nav.item(i).icon().pixmap(20, 20).isNull(), win.page_titles[i]
