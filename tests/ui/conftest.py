"""GUI test fixtures: an App on a fresh SQLite file, staff of every role, main windows per actor."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from gasdesk.clock import FixedClock
from gasdesk.services.context import Actor, App
from tests.conftest import START
from tests.helpers import Team, make_team


@pytest.fixture(scope="session", autouse=True)
def _qt_setup(qapp):  # type: ignore[no-untyped-def]
    from gasdesk.ui.app import qt_application

    qt_application()
    yield


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafts and other per-user files go to the test's folder, never the real data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture(autouse=True)
def _local_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the window remembers on the PC (splitters, a clerk's choices) stays in the test's folder."""
    from gasdesk.ui import local_settings

    monkeypatch.setattr(local_settings, "path_override", tmp_path / "ui-settings.ini")


@pytest.fixture(autouse=True)
def _no_blocking_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offscreen nobody can answer a message box: one that opens anyway (a "discard typed input?"
    question while a test tears its dialog down) is answered at once -- discard, OK. Tests that look
    at what was asked take `msgs`, which replaces these."""
    def answer(kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def show(*_args, **_kwargs):  # type: ignore[no-untyped-def]
            return QMessageBox.StandardButton.Yes if kind == "question" else QMessageBox.StandardButton.Ok
        return show

    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(answer(kind)))


@pytest.fixture
def gui_clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def gui_app(tmp_path: Path, sqlite_template: Path, gui_clock: FixedClock) -> Iterator[App]:
    path = tmp_path / "g.sqlite"
    shutil.copy(sqlite_template, path)
    application = App(f"sqlite:///{path}", gui_clock, migrate=False)
    yield application
    application.dispose()


@pytest.fixture
def team(gui_app: App) -> Team:
    return make_team(gui_app)


@dataclass
class MessageLog:
    """Every QMessageBox the window showed: (kind, text). `answer` is what question() returns."""

    shown: list[tuple[str, str]] = field(default_factory=list)
    answer: bool = True

    def texts(self, kind: str | None = None) -> list[str]:
        return [t for k, t in self.shown if kind is None or k == kind]

    def clear(self) -> None:
        self.shown.clear()


@pytest.fixture
def msgs(monkeypatch: pytest.MonkeyPatch) -> MessageLog:
    log = MessageLog()

    def record(kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def show(_parent, _title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
            log.shown.append((kind, text))
            if kind == "question":
                return QMessageBox.StandardButton.Yes if log.answer else QMessageBox.StandardButton.No
            return QMessageBox.StandardButton.Ok
        return show

    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind)))
    return log


@pytest.fixture
def window(qtbot, gui_app: App, msgs: MessageLog):  # type: ignore[no-untyped-def]
    """Factory: the main window as a given actor, shown and closed with the test."""
    from gasdesk.ui.main_window import MainWindow
    from gasdesk.ui.session import UiSession

    made = []

    def make(actor: Actor) -> MainWindow:
        win = MainWindow(UiSession(gui_app, actor))
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win

    yield make
    for win in made:
        win.idle.stop()
