"""The keyboard at the counter: Enter goes forward, multi-line fields take Ctrl+Enter for a new line,
every button has an Alt mnemonic, and a window with typed input asks before Esc throws it away."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFontDialog,
    QInputDialog,
    QLineEdit,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QWidget,
    QWizardPage,
)

from gasdesk.ui import messages

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
DISCARD_QUESTION = "已填写的内容尚未保存。\n确定放弃这些内容并关闭吗？"
# The letters Chinese software gives its everyday buttons (确定(&O) 取消(&C)), before the pinyin rule.
CONVENTIONAL = (("确定", "O"), ("取消", "C"), ("关闭", "C"), ("保存", "S"))
_MNEMONIC = re.compile(r"&([A-Za-z0-9])")
# Letters only: Alt+1 … Alt+0 switch the main window's pages from every window.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MNEMONIC_KINDS = (QPushButton, QToolButton, QCheckBox, QRadioButton)
QT_DIALOGS = (QMessageBox, QFileDialog, QInputDialog, QColorDialog, QFontDialog, QProgressDialog)
LEAVING = "gasdesk_leaving"


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


def plain_label(text: str) -> str:
    """A label as the clerk reads it: "打印(&D)…" -> "打印…", "&Yes" -> "Yes"."""
    return re.sub(r"&(?!&)", "", re.sub(r"[(（]&[A-Za-z0-9][)）]", "", text)).replace("&&", "&")


def _with_letter(text: str, letter: str) -> str:
    tail = "…" if text.endswith("…") else ""
    base = text[:-1] if tail else text
    return f"{base}(&{letter}){tail}"


def _pick(text: str, used: set[str]) -> str | None:
    free = [c for c in _letters(text) if c not in used] or [c for c in ALPHABET if c not in used]
    return free[0] if free else None


def wants_mnemonic(button: QAbstractButton) -> bool:
    """A button, check box or radio button of ours with a label (Qt's own parts -- a calendar's month
    button, the standard message boxes and file dialogs -- keep what Qt gives them)."""
    return isinstance(button, MNEMONIC_KINDS) and bool(button.text().strip()) \
        and not button.objectName().startswith(("qt_", "__qt")) and not isinstance(button.window(), QT_DIALOGS)


def _pages(widget: QWidget) -> dict[object, QWidget] | None:
    """Which page the widget is on in each stack (stacked widget, tab widget, wizard) between it and its
    window; None for a widget on its way out (see `let_go`)."""
    pages: dict[object, QWidget] = {}
    child: QWidget = widget
    while not child.isWindow():
        if child.property(LEAVING):
            return None
        parent = child.parentWidget()
        if parent is None:
            break
        if isinstance(parent, QStackedWidget):
            pages[parent] = child
        if isinstance(child, QWizardPage):
            pages["wizard"] = child
        child = parent
    return pages


def _apart(a: dict[object, QWidget], b: dict[object, QWidget]) -> bool:
    """Never on screen together: on different pages of one stack."""
    return any(key in b and b[key] is not page for key, page in a.items())


def menu_letters(window: QWidget) -> set[str]:
    return {m for bar in window.findChildren(QMenuBar) for a in bar.actions() if (m := mnemonic_of(a.text()))}


def give_mnemonics(root: QWidget) -> None:
    """An Alt+letter for every button, check box and radio button of `root` that has none: a letter no
    other of its window has that can be on screen with it (the menu bar's included; a button on another
    page of a stack or tab widget may share it). Push buttons -- the actions -- choose first."""
    window = root.window()
    everyone = [(b, pages) for b in window.findChildren(QAbstractButton)
                if b.window() is window and b.text().strip() and (pages := _pages(b)) is not None]
    todo = [(b, pages) for b, pages in everyone
            if (b is root or root.isAncestorOf(b)) and wants_mnemonic(b) and not mnemonic_of(b.text())]
    if not todo:
        return
    todo.sort(key=lambda bp: not isinstance(bp[0], QPushButton))
    lettered = [(m, pages) for b, pages in everyone if (m := mnemonic_of(b.text()))]
    base = menu_letters(window)
    for button, pages in todo:
        used = base | {m for m, other in lettered if not _apart(pages, other)}
        letter = _pick(button.text(), used)
        if letter is not None:
            button.setText(_with_letter(button.text(), letter))
            lettered.append((letter, pages))


def relabel(button: QAbstractButton, text: str) -> None:
    """setText for a button that has its Alt letter: the new label gets its own (资料清单(&Z)… becomes
    客户到厅(&K)…), clear of the window's others. One still without (a page not yet in its window) is
    left to its window."""
    lettered = mnemonic_of(button.text()) is not None
    button.setText(text)
    if lettered:
        give_mnemonics(button)


def let_go(widget: QWidget) -> None:
    """A widget to be deleted: hidden now, its Alt letters free at once (deleteLater keeps it in its
    window until the event loop runs)."""
    widget.setProperty(LEAVING, True)
    widget.hide()
    widget.deleteLater()


class MnemonicWatcher(QObject):
    """The application's safety net: a button shown without an Alt letter -- made at run time for the
    current step, a flow, a form to print -- gets one, with the rest of its window, before it is seen."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, MNEMONIC_KINDS) \
                and not mnemonic_of(watched.text()) and wants_mnemonic(watched):
            give_mnemonics(watched.window())
        return False


def watch_mnemonics(app: QApplication) -> None:
    if app.findChild(MnemonicWatcher) is None:
        app.installEventFilter(MnemonicWatcher(app))


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
