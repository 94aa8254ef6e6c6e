"""Small shared pieces: table models over plain rows, formatting of money and times, deadline colours."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

from gasdesk import sla
from gasdesk.vocab import TimeUnit
from gasdesk.workdays import WorkCalendar

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

# (text, background) per urgency of sla.urgency(): the one colour rule, explained in F1.
URGENCY_COLORS = {
    "green": ("#1b5e20", "#e3f4e4"),
    "amber": ("#7a5200", "#fff1c9"),
    "red": ("#b71c1c", "#fde0dc"),
    "paused": ("#455a64", "#e6ebef"),
}


# A date or a time as windows and printed forms both show it: 2026-03-01 or 2026-03-01 09:30.
def dt_text(value: datetime | date | None) -> str:
    """A date and time as the window shows it (reports/forms/values has the printed twin: importing it
    here would load reportlab before the sign-in window, tests/ui/test_signin.py)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def money_text(value: Decimal | str | None) -> str:
    if value in (None, ""):
        return ""
    return f"{Decimal(str(value)):,.2f}"


def plain_number(value: Decimal | str) -> str:
    """A reading or volume without trailing zeros: 350.000 -> 350, 12.500 -> 12.5."""
    number = Decimal(str(value))
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def balance_text(balance: Decimal) -> str:
    """Positive is the customer's prepaid money (预存), negative what they owe (欠费)."""
    if balance > 0:
        return f"预存 {money_text(balance)} 元"
    if balance < 0:
        return f"欠费 {money_text(-balance)} 元"
    return "0.00 元"


def time_left(due: datetime | None, now: datetime, calendar: WorkCalendar, unit: TimeUnit | str | None,
              started: datetime | None = None) -> tuple[str, str]:
    """(text, urgency) for a running limit by the application's one rule (sla.time_left): working days
    for a working-day limit, hours and minutes for a clock limit; ('', '') when there is none."""
    if due is None:
        return "", ""
    if unit is None:  # a clock whose unit is not known: elapsed time
        return sla.time_left_text(due, now), sla.urgency(overdue=now > due, seconds_left=int((due - now).total_seconds()))
    left = sla.time_left(unit, due, now, calendar, started)
    return left.text, left.urgency


def paint_chip(label: QLabel, text: str, color: str) -> None:
    """A status beside a page's title: white on its colour, rounded."""
    label.setText(text)
    label.setStyleSheet(f"color: white; background: {color}; border-radius: 9px; padding: 2px 10px;")


def paint_label(label: QLabel, urgency: str) -> None:
    fg, bg = URGENCY_COLORS.get(urgency, ("#333333", "transparent"))
    label.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; border-radius: 3px; padding: 2px 6px; }}")


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    text: Callable[[T], str]
    # Optional (foreground, background) colours for the cell.
    colors: Callable[[T], tuple[str, str] | None] | None = None
    align_right: bool = False
    width: int | None = None
    # Optional tooltip (else the cell's text).
    tooltip: Callable[[T], str] | None = None


class RowsModel(QAbstractTableModel, Generic[T]):
    """A read-only table over a list of plain rows (dataclasses), one Column per column."""

    # A page fetched while scrolling failed; the page shows the error, the list stops growing.
    fetch_failed = Signal(object)

    def __init__(self, columns: Sequence[Column[T]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[T] = []
        self._fetch: Callable[[int, int], Sequence[T]] | None = None
        self._page, self._more = 100, False

    def set_rows(self, rows: Sequence[T]) -> None:
        self._fetch = None
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def set_source(self, fetch: Callable[[int, int], Sequence[T]], page: int = 100) -> None:
        """Rows fetched a page at a time as the view scrolls: fetch(offset, limit)."""
        self.beginResetModel()
        self.rows = list(fetch(0, page))
        self.endResetModel()
        self._fetch, self._page, self._more = fetch, page, len(self.rows) == page

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and getattr(self, "_fetch", None) is not None and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        try:
            more = list(self._fetch(len(self.rows), self._page))
        except Exception as exc:  # noqa: BLE001 - a refusal or a lost database: shown, and no retry loop
            self._more = False
            self.fetch_failed.emit(exc)
            return
        self._more = len(more) == self._page
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

    def row(self, index: Index | int) -> T:
        return self.rows[index if isinstance(index, int) else index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        item = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip is not None:
            return col.tooltip(item) or col.text(item)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return col.text(item)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole) and col.colors:
            pair = col.colors(item)
            if pair:
                color = pair[0] if role == Qt.ItemDataRole.ForegroundRole else pair[1]
                return QBrush(QColor(color))
        return None


def report_fetch_failures(parent: QWidget, *models: RowsModel[Any]) -> None:
    """Show the error of a page fetched while scrolling, as the page shows its own errors."""
    from gasdesk.ui import messages

    for model in models:
        model.fetch_failed.connect(lambda exc: messages.report(parent, exc))


def make_table(model: QAbstractTableModel, parent: QWidget | None = None, *, stretch: int | None = None) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # ↑↓ choose a row; Tab goes on to the next field, never cell by cell
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    columns = getattr(model, "columns", None)
    if columns:
        for i, col in enumerate(columns):
            if col.width:
                view.setColumnWidth(i, col.width)
    if stretch is not None:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def title_label(text: str, size: int = 13) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"font-size: {size}pt; font-weight: bold; color: #1f3a5f;")
    return label


def hint_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #5f6b7a;")
    return label


def error_label() -> QLabel:
    """The red message shown under a field (empty and hidden until there is one)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    label.setVisible(False)
    return label


def show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def banner(text: str = "", kind: str = "warning") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    colors = {"warning": ("#7a4f01", "#fff4d6", "#f0c36d"), "info": ("#0d3c61", "#e8f1fb", "#9cc3e8"),
              "error": ("#8e1c1c", "#fdecea", "#f5a3a3")}[kind]
    label.setStyleSheet(f"QLabel {{ color: {colors[0]}; background: {colors[1]}; border: 1px solid {colors[2]};"
                        " border-radius: 4px; padding: 8px 10px; }")
    return label


def outcome_banner(name: str = "") -> QLabel:
    """The banner that tells what an import or a run did: hidden until there is something to tell."""
    label = banner("", "info")
    label.setObjectName(name)
    label.setVisible(False)
    return label


def selected_row(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return rows[0].row() if rows else None


def selected_or_ask(parent: QWidget, value: T | None, ask: str) -> T | None:
    """`value`, what the clerk selected; when nothing is, the clerk is told `ask` (请先选择…)."""
    from gasdesk.ui import messages

    if value is None:
        messages.info(parent, ask)
    return value


# --- fitting 1366×768 with a taskbar --------------------------------------------------------------

TITLE_BAR = 32  # the window manager's title bar above a top-level window
LONG_TEXT = 120  # a value longer than this shows its beginning and opens whole in a viewer


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Size a top-level window to (width, height), never beyond the screen's available area (the
    taskbar and the title bar left out): 1366×768 with a taskbar leaves about 1366×696."""
    from PySide6.QtGui import QGuiApplication

    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, available.width())
        height = min(height, available.height() - TITLE_BAR)
    window.resize(width, height)


def show_long_text(parent: QWidget | None, title: str, text: str) -> QWidget:
    """A read-only viewer for a long value (a 2,000-character complaint): scrolls, copies, 关闭 or Esc."""
    from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout

    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    layout = QVBoxLayout(dialog)
    view = QPlainTextEdit(text)
    view.setObjectName("long_text")
    view.setReadOnly(True)
    layout.addWidget(view, 1)
    buttons = QDialogButtonBox()
    buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(640, 420)
    dialog.open()
    return dialog


def value_label(text: str, title: str, parent: QWidget | None = None) -> QLabel:
    """A recorded value beside its name: wraps; a long one shows its beginning and a 查看全文 link that
    opens the whole text read-only (the full text is also the tooltip)."""
    from html import escape

    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    if len(text) <= LONG_TEXT:
        label.setText(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(f"{escape(text[:LONG_TEXT])}…　<a href='#full'>查看全文（{len(text)} 字）</a>")
    label.setToolTip(text[:1000] + ("…" if len(text) > 1000 else ""))
    label.linkActivated.connect(lambda _link: show_long_text(label.window(), title, text))
    return label
