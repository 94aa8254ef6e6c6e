"""The Qt binding itself: a defect there takes the whole window down, whatever our code does."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_qt_calls_keep_their_reference_to_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12.0 returned None from void methods without a reference; on Python 3.11 a few
    thousand calls later the process aborted ("none_dealloc"). pyproject keeps such a version out."""
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(3000):
        label.setText(str(i))
        QApplication.processEvents()
    assert sys.getrefcount(None) >= before - 100
