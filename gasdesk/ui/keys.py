"""The keyboard at the counter: Enter goes forward, multi-line fields take Ctrl+Enter for a new line,
every button has an Alt mnemonic, and a window with typed input asks before Esc throws it away."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from gasdesk.ui import messages

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
DISCARD_QUESTION = "已填写的内容尚未保存。\n确定放弃这些内容并关闭吗？"
# Letters the main window's menu bar uses (系统(&S) 业务(&B) 页面(&P) 帮助(&H)).
MENU_LETTERS = frozenset("SBPH")
# The letters Chinese software gives its everyday buttons (确定(&O) 取消(&C)), before the pinyin rule.
CONVENTIONAL = (("确定", "O"), ("取消", "C"), ("关闭", "C"), ("保存", "S"))
_MNEMONIC = re.compile(r"&([A-Za-z0-9])")


class LongTextEdit(QPlainTextEdit):
    """A multi-line field where Enter means the dialog's default (forward) button and Ctrl+Enter (or
    Shift+Enter) starts a new line; Tab moves on instead of typing a tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setPlaceholderText("Ctrl+回车 换行")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            mods = event.modifiers()
            if mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
                self.textCursor().insertText("\n")
                event.accept()
                return
            event.ignore()  # up to the dialog or wizard: its default button
            return
        super().keyPressEvent(event)


class DateTimeEdit(QDateTimeEdit):
    """Tab leaves the field (← → move between year, month, day and time, ↑ ↓ change them)."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802 - Qt's name
        return QWidget.focusNextPrevChild(self, next)


class DateEdit(QDateEdit):
    """Tab leaves the field (← → move between year, month and day, ↑ ↓ change them)."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802 - Qt's name
        return QWidget.focusNextPrevChild(self, next)


# --- mnemonics -------------------------------------------------------------------------------------

@lru_cache(maxsize=2048)
def _letters(text: str) -> str:
    """Candidate mnemonic letters of a label, in order: the pinyin initials of its characters (打印 -> DY),
    then its own ASCII letters."""
    from pypinyin import Style, lazy_pinyin

    plain = re.sub(r"[（(][^）)]*[)）]|…|\.\.\.", "", text)
    initials = "".join(p[0] for p in lazy_pinyin(plain, style=Style.FIRST_LETTER, errors="ignore") if p)
    usual = next((letter for word, letter in CONVENTIONAL if plain.startswith(word)), "")
    return "".join(c for c in (usual + initials + plain).upper() if "A" <= c <= "Z")


def mnemonic_of(text: str) -> str | None:
    m = _MNEMONIC.search(text.replace("&&", ""))
    return m.group(1).upper() if m else None


def assign_mnemonics(buttons: Iterable[QAbstractButton], taken: Iterable[str] = ()) -> None:
    """Give every button without one an Alt+letter: its label's first pinyin initial not yet taken in
    the window, written after the label as Chinese software does ("打印(&D)")."""
    buttons = [b for b in buttons if shiboken6.isValid(b) and b.text().strip()]
    used = set(taken) | {m for b in buttons if (m := mnemonic_of(b.text()))}
    for button in buttons:
        text = button.text()
        if mnemonic_of(text):
            continue
        free = [c for c in _letters(text) if c not in used] or \
            [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
        if not free:
            return
        letter = free[0]
        used.add(letter)
        tail = "…" if text.endswith("…") else ""
        base = text[:-1] if tail else text
        button.setText(f"{base}(&{letter}){tail}")


def window_buttons(root: QWidget) -> list[QPushButton]:
    """The push buttons of a window, in the order of its focus chain's creation."""
    return [b for b in root.findChildren(QPushButton) if b.window() is root.window()]


def give_mnemonics(root: QWidget, taken: Iterable[str] = ()) -> None:
    """Mnemonics for the push buttons of `root`, clear of those its radio buttons and check boxes have."""
    others = {m for b in root.findChildren(QAbstractButton)
              if not isinstance(b, QPushButton) and b.window() is root.window() and (m := mnemonic_of(b.text()))}
    assign_mnemonics(window_buttons(root), set(taken) | others)


# --- typed input that Esc must not throw away -------------------------------------------------------

def _value(widget: QWidget) -> Any:
    if isinstance(widget, QLineEdit):
        return None if widget.isReadOnly() else widget.text()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return None if widget.isReadOnly() else widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return widget.isChecked()
    return None


def input_values(root: QWidget) -> dict[QWidget, Any]:
    """What every input widget of `root` holds now (a line edit inside a combo or spin box is its
    parent's business)."""
    values: dict[QWidget, Any] = {}
    for w in root.findChildren(QWidget):
        if isinstance(w, QLineEdit) and isinstance(w.parent(), QComboBox | QAbstractSpinBox):
            continue
        value = _value(w)
        if value is not None:
            values[w] = value
    return values


def changed_since(root: QWidget, before: dict[QWidget, Any]) -> bool:
    """True when an input differs from `before`, or a field made since holds text."""
    for w, value in input_values(root).items():
        if w in before:
            if before[w] != value:
                return True
        elif isinstance(value, str) and value.strip() and isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
            return True
    return False


class GuardedDialog(QDialog):
    """A dialog that gets its mnemonics when first shown and asks before Esc or the close box throw
    away what was typed into it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pristine: dict[QWidget, Any] | None = None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pristine is None:
            give_mnemonics(self)
            self._pristine = input_values(self)

    def has_unsaved_input(self) -> bool:
        return self._pristine is not None and changed_since(self, self._pristine)

    def reject(self) -> None:
        if self.isVisible() and self.has_unsaved_input() and not messages.ask(self, DISCARD_QUESTION):
            return
        super().reject()
