"""Customer search as you type, over a lazily loaded table (50 hits a page, more as you scroll)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget

from gasdesk.services.customers import SearchHit, SearchPage
from gasdesk.services.errors import ServiceError
from gasdesk.ui import messages
from gasdesk.ui.build import hbox, push_button
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import hint_label, make_table, title_label
from gasdesk.vocab import CustomerStatus

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 50
# How far a long result list is counted ("超过 1000 位" beyond): counting every '13…' phone is not worth it.
COUNT_CAP = 1000
DEBOUNCE_MS = 250

COLUMNS: list[tuple[str, Callable[[SearchHit], str], int]] = [
    ("客户编号", lambda h: h.customer.number, 110),
    ("户名", lambda h: h.customer.name, 170),
    ("类别", lambda h: h.customer.category.label, 60),
    ("证件号码", lambda h: h.customer.id_number, 170),
    ("联系电话", lambda h: h.customer.phone, 120),
    ("燃气账户", lambda h: h.account_number or "", 110),
    ("账户状态", lambda h: h.account_status.label if h.account_status else "无账户", 80),
    ("客户状态", lambda h: h.customer.status.label, 70),
    ("用气地址", lambda h: h.customer.address, 260),
]


class SearchEdit(QLineEdit):
    """Enter searches and stops there; Enter again on the same text, with customers found, goes on (in a
    wizard: 下一步 with the selected customer; `repeat_enter` says whether it was taken). ↓ goes to the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.searched_text: str | None = None
        self.has_results: Callable[[], bool] = lambda: False
        self.down: Callable[[], None] = lambda: None
        self.repeat_enter: Callable[[], bool] = lambda: False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.text() == self.searched_text \
                and self.has_results() and not self.repeat_enter():
            event.ignore()  # to the dialog: its default button
            return
        if event.key() == Qt.Key.Key_Down and self.has_results():
            self.down()
            event.accept()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class CustomerSearchModel(QAbstractTableModel):
    """Rows of CustomerService.search; `fetchMore` asks for the next page with offset paging."""

    def __init__(self, search: Callable[..., SearchPage], page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self.search, self.page_size = search, page_size
        self.query = ""
        self.hits: list[SearchHit] = []
        self.has_more = False
        self.pages_loaded = 0
        self.note = ""

    def set_query(self, query: str) -> None:
        self.beginResetModel()
        self.query = query.strip()
        self.hits, self.has_more, self.pages_loaded, self.note = [], False, 0, ""
        if self.query:
            page = self.search(self.query, limit=self.page_size, offset=0)
            self.hits, self.has_more, self.pages_loaded = list(page.hits), page.has_more, 1
            self.note = page.note
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        return self.hits[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.has_more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self.has_more:
            return
        page = self.search(self.query, limit=self.page_size, offset=len(self.hits))
        if not page.hits:
            self.has_more = False
            return
        start = len(self.hits)
        self.beginInsertRows(QModelIndex(), start, start + len(page.hits) - 1)
        self.hits.extend(page.hits)
        self.has_more = page.has_more
        self.pages_loaded += 1
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMNS[index.column()][1](hit)
        if role == Qt.ItemDataRole.ForegroundRole and hit.customer.status is CustomerStatus.CLOSED:
            return QBrush(QColor("#8a8f98"))
        return None


class CustomerSearchBox(QWidget):
    """The search field and its table; used by the 客户查询 page and the new-business wizard."""

    opened = Signal(int)  # customer id (double-click or Enter on a row)
    selected = Signal(object)  # SearchHit or None

    def __init__(self, session: UiSession, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.session = session
        self.model = CustomerSearchModel(lambda q, **kw: self.session.customers.search(q, **kw))
        self.edit = SearchEdit()
        self.edit.setObjectName("customer_search")
        self.edit.setPlaceholderText("输入户名、拼音首字母（如 zw）、电话、证件号码、客户编号、燃气账户或地址，回车立即查询")
        self.edit.setToolTip(self.edit.placeholderText())  # the whole hint, when the box is narrower
        self.edit.setClearButtonEnabled(True)
        self.search_button = QPushButton("查询")
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #5f6b7a;")
        self.view: QTableView = make_table(self.model)
        for i, (_, _, width) in enumerate(COLUMNS):
            self.view.setColumnWidth(i, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.search_button)
        layout.addLayout(row)
        layout.addWidget(self.count_label)
        layout.addWidget(self.view, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.search_now)
        self.edit.textEdited.connect(lambda _t: self.timer.start())
        self.edit.returnPressed.connect(self.search_now)
        self.search_button.clicked.connect(self.search_now)
        # `activated` is Enter and the double-click (connecting doubleClicked too opened the page twice:
        # made, then at once refreshed, every query asked again). In the wizard Enter on the list goes to
        # 下一步 by itself, so there only the double-click opens.
        if compact:
            self.view.doubleClicked.connect(lambda idx: self.opened.emit(self.model.hit(idx.row()).customer.id))
        else:
            self.view.activated.connect(lambda idx: self.opened.emit(self.model.hit(idx.row()).customer.id))
        self.edit.has_results = lambda: self.model.rowCount() > 0
        self.edit.down = self._into_list
        if not compact:
            self.edit.repeat_enter = self._open_current
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        if compact:
            for i in (3, 7):
                self.view.hideColumn(i)

    def _into_list(self) -> None:
        self.view.setFocus()
        if not self.view.currentIndex().isValid():
            self.view.selectRow(0)

    def _open_current(self) -> bool:
        hit = self.current_hit()
        if hit is None:
            return False
        self.opened.emit(hit.customer.id)
        return True

    def search_now(self) -> None:
        self.timer.stop()
        self.edit.searched_text = self.edit.text()
        try:
            self.model.set_query(self.edit.text())
        except ServiceError as exc:
            messages.report(self, exc)
            return
        if self.model.rowCount():
            self.view.selectRow(0)
        else:
            self.selected.emit(None)

    def _update_count(self, *_args: Any) -> None:
        n = self.model.rowCount()
        if not self.model.query:
            self.count_label.setText("")
        elif n == 0:
            self.count_label.setText(self.model.note or "没有找到符合条件的客户")
        elif not self.model.has_more:
            self.count_label.setText(f"共 {n} 位客户")
        else:
            try:
                total, exact = self.session.customers.count(self.model.query, cap=COUNT_CAP)
            except ServiceError:
                total, exact = n, False
            head = f"共 {total} 位客户" if exact else f"超过 {total} 位客户"
            self.count_label.setText(f"{head}，已显示 {n} 位，向下滚动加载更多" + ("" if exact else "；请输入更多内容缩小范围"))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.selected.emit(self.model.hit(current.row()) if current.isValid() else None)

    def current_hit(self) -> SearchHit | None:
        index = self.view.currentIndex()
        return self.model.hit(index.row()) if index.isValid() else None


class CustomerSearchPage(QWidget):
    """客户查询: search as you type; Enter or double-click opens the customer page."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        self.open_button = push_button("打开客户资料", self._open_current)
        self.new_button = push_button("为该客户办理业务…", self._new_for_current)
        layout.addLayout(hbox(title_label("客户查询"), None, self.open_button, self.new_button))
        layout.addWidget(hint_label("边输入边查询（停顿约0.25秒），回车立即查询；双击或回车打开客户资料。"
                                    "拼音首字母查询：输入 zw 可找到“张伟”。"))
        self.box = CustomerSearchBox(session)
        layout.addWidget(self.box, 1)
        self.box.opened.connect(self.session.customer_requested.emit)

    @property
    def edit(self) -> QLineEdit:
        return self.box.edit

    @property
    def model(self) -> CustomerSearchModel:
        return self.box.model

    def focus_search(self) -> None:
        self.box.edit.setFocus()
        self.box.edit.selectAll()

    def _open_current(self) -> None:
        hit = self.box.current_hit()
        if hit:
            self.session.customer_requested.emit(hit.customer.id)

    def _new_for_current(self) -> None:
        hit = self.box.current_hit()
        self.session.new_business_requested.emit(None, hit.customer.id if hit else None)
