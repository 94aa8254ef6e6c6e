"""The main window: navigation on the left, the pages, shortcuts, status bar and the idle lock."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk import assets, sla
from gasdesk.flows import ALL_FLOWS
from gasdesk.permissions import Permission
from gasdesk.ui import messages
from gasdesk.ui.bank_page import BankPage
from gasdesk.ui.build import push_button
from gasdesk.ui.customer_page import CustomerPage
from gasdesk.ui.customer_search import CustomerSearchPage
from gasdesk.ui.dashboard import CalendarReminder, DashboardPage, ManagerDashboard
from gasdesk.ui.dispatch import DispatchPage
from gasdesk.ui.emergency_board import EmergencyBoard
from gasdesk.ui.inspection_plans import InspectionPlansPage
from gasdesk.ui.keys import give_mnemonics
from gasdesk.ui.ledger_page import LedgerPage
from gasdesk.ui.new_business import NewBusinessPage
from gasdesk.ui.order_page import OrderPage
from gasdesk.ui.planned_work_page import PlannedWorkPage
from gasdesk.ui.readings_import import ReadingsImportPage
from gasdesk.ui.session import UiSession
from gasdesk.ui.settings_page import SettingsPage
from gasdesk.ui.signin import ChangePasswordDialog, LockDialog
from gasdesk.ui.widgets import fit_to_screen
from gasdesk.ui.wizard import NewOrderWizard

PAGES = ("工作台", "客户查询", "新建业务", "派工", "台账报表", "系统设置")
# Alt+1 … Alt+9, then Alt+0: the pages beyond the tenth have no key of their own (Ctrl+Tab reaches them).
PAGE_KEYS = tuple(f"Alt+{(i + 1) % 10}" for i in range(10))
# Keys that windows and forms handle themselves (not menu actions), listed by F1 with the menus' keys.
FORM_KEYS = (("回车", "查询 / 下一步 / 确定（对话框和向导的默认按钮）"), ("Ctrl+回车", "多行内容中换行"),
             ("Tab / Shift+Tab", "下一项 / 上一项"), ("Alt+带下划线的字母", "按下对应按钮（如 Alt+B 上一步）"),
             ("Esc", "关闭对话框、向导、业务单或客户资料窗口（有未保存内容时先询问）"),
             ("Ctrl+Tab", "切换到下一个页面"), ("Ctrl+P", "业务单窗口：打印全部单据"),
             ("F5（业务单、客户、燃气费窗口）", "刷新该窗口"))
DASHBOARD, SEARCH, NEW, DISPATCH, LEDGERS, SETTINGS = range(6)
# The sidebar's icons: resources/icons/nav/<name>.svg (gasdesk.assets), one per page.
ICONS = ("dashboard", "search", "new", "dispatch", "ledgers", "settings")
INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}
STYLE = """
QMainWindow, QWidget#central { background: #f4f6f9; }
QListWidget#nav { background: #1f3a5f; color: #dfe7f1; border: none; font-size: 11pt; outline: none; }
QListWidget#nav::item { padding: 12px 10px; }
QListWidget#nav::item:selected { background: #2f5a8f; color: white; border-left: 4px solid #ffc845; }
QGroupBox { font-weight: bold; border: 1px solid #d9e0e8; border-radius: 4px; margin-top: 10px; background: white; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #1f3a5f; }
QTableView { background: white; gridline-color: #e6eaf0; selection-background-color: #cfe3fb;
             selection-color: #10243e; }
QHeaderView::section { background: #e9eef4; padding: 4px; border: none; border-right: 1px solid #d5dce5; }
QStatusBar { background: #e9eef4; }
"""


def nav_icon(name: str) -> QIcon:
    """A sidebar icon from resources/icons/nav (an empty icon if the file is missing: the title still shows)."""
    try:
        file = assets.path("icons", "nav", f"{name}.svg")
    except assets.ResourcesMissing:
        return QIcon()
    return QIcon(str(file)) if file.is_file() else QIcon()


def draft_question(draft: dict[str, Any]) -> str:
    kind = ALL_FLOWS.get(str(draft.get("kind")))
    who = (draft.get("customer") or {}).get("label") or "未选客户"
    when = str(draft.get("saved_at") or "").replace("T", " ")
    return (f"您有一笔未提交的“{kind.label if kind else '新业务'}”（客户：{who}，保存于 {when}）。\n"
            "是否继续办理？\n选“否”将丢弃这份草稿，重新开始。")


def manager_dashboard(session: UiSession) -> ManagerDashboard | None:
    """管理驾驶舱, for the roles that may see the hall's figures."""
    if not session.can(Permission.EXPORT_LEDGERS):
        return None
    board = ManagerDashboard(session.app, session.actor)
    board.order_requested.connect(session.order_requested.emit)
    return board


class IdleWatcher(QObject):
    """Locks the window after `minutes` without keyboard or mouse input (0 disables it)."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle.emit)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = max(0, int(minutes or 0))
        if self.minutes:
            self.timer.start(self.minutes * 60_000)
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.minutes:
            self.timer.start(self.minutes * 60_000)
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class MainWindow(QMainWindow):
    signed_out = Signal()

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.order_pages: dict[int, OrderPage] = {}
        self.customer_pages: dict[int, CustomerPage] = {}
        self.wizard: NewOrderWizard | None = None
        self.lock_dialog: LockDialog | None = None
        self.dialog: QWidget | None = None
        self._signing_out = False
        company = str(session.settings().get("company.name", ""))
        # A demo database (built by `gasdesk demo`, public logins) says so on every screen.
        self.is_demo = bool(session.settings().get("demo.database"))
        demo_mark = "【演示数据】" if self.is_demo else ""
        self.setWindowTitle(f"{demo_mark}{company} · 业务受理系统 - {session.who}")
        fit_to_screen(self, 1366, 768)  # the screen less the taskbar and the title bar
        self.setStyleSheet(STYLE)
        central = QWidget()
        central.setObjectName("central")
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.nav.setIconSize(QSize(20, 20))
        self.demo_banner: QLabel | None = None
        if self.is_demo:
            left = QVBoxLayout()
            left.setContentsMargins(0, 0, 0, 0)
            left.setSpacing(0)
            self.demo_banner = QLabel("演示数据")
            self.demo_banner.setObjectName("demo_banner")
            self.demo_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.demo_banner.setFixedWidth(150)
            self.demo_banner.setStyleSheet("background: #c0392b; color: white; font-weight: bold; padding: 6px;")
            self.demo_banner.setToolTip("这是 gasdesk demo 生成的演示数据库：客户均为虚构，账号密码公开，不能用于正式营业")
            left.addWidget(self.demo_banner)
            left.addWidget(self.nav, 1)
            layout.addLayout(left)
        else:
            layout.addWidget(self.nav)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        self.reminder_bar = self._reminder_bar()
        right_layout.addWidget(self.reminder_bar)
        self.stack = QStackedWidget()
        self.dashboard = DashboardPage(session)
        self.search = CustomerSearchPage(session)
        self.new_page = NewBusinessPage(session)
        self.dispatch = DispatchPage(session)
        self.ledgers = LedgerPage(session.app, session.actor)
        self.settings_page = SettingsPage(session)
        self.emergency = EmergencyBoard(session)
        self.planned_work = PlannedWorkPage(session)
        pages: list[tuple[str, str, QWidget]] = [
            (PAGES[i], ICONS[i], page) for i, page in enumerate(
                (self.dashboard, self.search, self.new_page, self.dispatch, self.ledgers, self.settings_page))]
        self.readings = ReadingsImportPage(session)
        self.bank = BankPage(session)
        self.inspections = InspectionPlansPage(session)
        pages += [("抢险抢修", "emergency", self.emergency), ("计划作业", "planned_work", self.planned_work),
                  ("抄表导入", "readings", self.readings), ("银行代收代扣", "bank", self.bank),
                  ("安全检查", "shield", self.inspections)]
        self.manager_dashboard = manager_dashboard(session)
        if self.manager_dashboard is not None:
            pages.append(("管理驾驶舱", "manager", self.manager_dashboard))
        self.page_titles = [title for title, _icon, _page in pages]
        self.page_keys = [PAGE_KEYS[i] if i < len(PAGE_KEYS) else "" for i in range(len(pages))]
        for i, (title, icon, page) in enumerate(pages):
            item = QListWidgetItem(nav_icon(icon), title)
            item.setToolTip(f"{title}（{self.page_keys[i]}）" if self.page_keys[i] else f"{title}（Ctrl+Tab 切换）")
            self.nav.addItem(item)
            page.setContentsMargins(10, 6, 10, 6)
            self.stack.addWidget(page)
        right_layout.addWidget(self.stack, 1)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self._menus()
        self._status_bar()
        give_mnemonics(self)  # the reminder bar's first, then each page's (the menus' letters kept free)
        messages.notices().session_ended.connect(self._session_ended)
        self._listening = True
        session.order_requested.connect(self.open_order)
        session.customer_requested.connect(self.open_customer)
        session.new_business_requested.connect(self.new_business)
        session.changed.connect(self.update_reminder)
        self.dashboard.notice_requested.connect(self.open_notice)
        self.update_reminder()
        minutes = int(session.settings().get("security.idle_lock_minutes") or 0)
        self.idle = IdleWatcher(minutes, self)
        self.idle.idle.connect(self.lock)
        self.show_page(DASHBOARD)

    # chrome -------------------------------------------------------------------------------
    def _menus(self) -> None:
        # (key, what it does) of every menu action: F1 and the status bar are written from it.
        self.key_table: list[tuple[str, str]] = []
        bar = self.menuBar()
        file_menu = bar.addMenu("系统(&S)")
        self._action(file_menu, "锁定窗口", "Ctrl+L", self.lock)
        self._action(file_menu, "修改密码…", None, self.change_password)
        self._action(file_menu, "注销登录", None, self.sign_out)
        file_menu.addSeparator()
        self._action(file_menu, "退出", "Ctrl+Q", self.close)
        work = bar.addMenu("业务(&B)")
        self._action(work, "新建业务…", "Ctrl+N", lambda: self.new_business(None, None), shared=True)
        self._action(work, "客户查询", "Ctrl+F", self.focus_search, shared=True)
        self._action(work, "按业务单号打开", "Ctrl+O", self.focus_order_number, shared=True)
        self._action(work, "刷新", "F5", self.refresh)
        if self.session.actor.can(Permission.TAKE_PAYMENT):
            work.addSeparator()
            self._action(work, "打印今日收费日结单…", None, self.print_cash_report)
        go = bar.addMenu("页面(&P)")
        for i, text in enumerate(self.page_titles):
            self._action(go, text, self.page_keys[i] or None, lambda _=False, i=i: self.show_page(i), shared=True)
        help_menu = bar.addMenu("帮助(&H)")
        self._action(help_menu, "快捷键…", "F1", self.show_keys, shared=True)
        QShortcut(QKeySequence("Ctrl+Tab"), self, lambda: self.show_page((self.stack.currentIndex() + 1) % self.stack.count()))

    def _action(self, menu, text: str, key: str | None, slot, *, shared: bool = False) -> QAction:  # type: ignore[no-untyped-def]
        """A menu action; `shared` ones work from every window the main window opens (an order, a customer,
        the bills) and bring the main window to the front first."""
        action = QAction(text, self)
        if key:
            action.setShortcut(QKeySequence(key))
            self.key_table.append((key, text.rstrip("…")))
        if shared:
            action.triggered.connect(lambda _=False: self.to_front())
            self.session.shortcuts.append(action)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def to_front(self) -> None:
        if not self.isActiveWindow():
            self.raise_()
            self.activateWindow()

    def keys_text(self) -> str:
        """Every shortcut there is, from the menus' table and the forms' keys (F1)."""
        pages = [(k, f"切换到“{t}”页面") for k, t in zip(self.page_keys, self.page_titles, strict=True) if k]
        others = [(k, t) for k, t in self.key_table if (k, t) not in
                  {(k2, t2) for k2, t2 in zip(self.page_keys, self.page_titles, strict=True)}]
        lines = [f"{k}　{t}" for k, t in others + pages + list(FORM_KEYS)]
        return "\n".join(lines)

    def status_keys(self) -> str:
        keys = [k for k in self.page_keys if k]
        span = f"{keys[0]}…{keys[min(len(keys), 9) - 1][-1]}" if len(keys) > 1 else (keys[0] if keys else "")
        span += "、Alt+0" if len(keys) == 10 else ""
        return f"Ctrl+F 查询客户　Ctrl+N 新建业务　F5 刷新　{span} 切换页面　F1 全部快捷键"

    def _status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel(f"当前用户：{self.session.who}")
        self.db_label = QLabel(f"数据库：{self.session.app.description}")
        self.date_label = QLabel(self.session.now().strftime("%Y年%m月%d日"))
        for w in (self.user_label, self.db_label, self.date_label):
            w.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(w)
        bar.showMessage(f"就绪　{self.status_keys()}", 0)

    def _reminder_bar(self) -> CalendarReminder:
        """Shown at sign-in to managers and administrators while next year's notice is not confirmed."""
        bar = CalendarReminder(self.session, "reminder_bar",
                               "QWidget#reminder_bar { background: #fff4d6; border-bottom: 1px solid #f0c36d; }",
                               "color: #7a4f01; font-weight: bold;", (12, 6, 12, 6))
        self.reminder_text, self.reminder_button = bar.text, bar.button
        self.reminder_later = push_button("稍后提醒", self.put_off_reminder)
        bar.row.addWidget(self.reminder_later)
        bar.notice_requested.connect(self.open_notice)
        return bar

    def update_reminder(self) -> None:
        self.reminder_bar.setVisible(self.reminder_bar.load() and not self.session.reminder_put_off)

    def put_off_reminder(self) -> None:
        """Put off for this sign-in: the dashboard keeps a smaller reminder."""
        self.session.reminder_put_off = True
        self.reminder_bar.setVisible(False)
        self.dashboard.refresh_reminder()

    def open_notice(self, year: int) -> QWidget:
        self.show_page(SETTINGS)
        editor = self.settings_page.calendar
        self.settings_page.tabs.setCurrentWidget(editor)
        return editor.open_notice_dialog(year)

    # navigation ---------------------------------------------------------------------------
    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)
        self.stack.setCurrentIndex(index)

    def focus_search(self) -> None:
        self.show_page(SEARCH)
        self.search.focus_search()

    def focus_order_number(self) -> None:
        self.show_page(DASHBOARD)
        self.dashboard.number_edit.setFocus()

    def refresh(self) -> None:
        page = self.stack.currentWidget()
        if page is not None and hasattr(page, "refresh"):
            page.refresh()
        elif page is self.search:
            self.search.box.search_now()

    def open_order(self, order_id: int) -> OrderPage:
        return self._open_page(self.order_pages, order_id, lambda: OrderPage(self.session, order_id, self))

    def open_customer(self, customer_id: int) -> CustomerPage:
        return self._open_page(self.customer_pages, customer_id,
                               lambda: CustomerPage(self.session, customer_id, self))

    def _open_page(self, pages: dict[int, Any], key: int, make: Callable[[], Any]) -> Any:
        """One window per order or customer: opened once, refreshed and raised when asked again."""
        page = pages.get(key)
        if page is None:
            page = make()
            page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            page.destroyed.connect(lambda _o=None: pages.pop(key, None))
            self.session.adopt(page)
            pages[key] = page
        else:
            page.refresh()
        page.show()
        page.raise_()
        page.activateWindow()
        return page

    def new_business(self, kind: str | None = None, customer_id: int | None = None) -> NewOrderWizard:
        """The wizard on its first page, with the flow `kind` chosen (the clerk picks 来访 or 来电 there and
        presses Enter); an unfinished one of this clerk (a draft on this PC) is offered first."""
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        draft = self.session.drafts.load()
        if draft is not None and not messages.ask(self, draft_question(draft)):
            self.session.drafts.discard()
            draft = None
        wizard = NewOrderWizard(self.session, kind=kind, customer_id=customer_id, parent=self, draft=draft)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.destroyed.connect(lambda _o=None: self._wizard_closed(wizard))
        self.wizard = wizard
        wizard.open()
        if draft is not None:
            wizard.edited = True
            wizard.resume(int(draft.get("page") or 0))
        return wizard

    def _wizard_closed(self, wizard: NewOrderWizard) -> None:
        if self.wizard is wizard:
            self.wizard = None

    # session ------------------------------------------------------------------------------
    def print_cash_report(self) -> None:
        from gasdesk.ui.cash_report import print_todays_cash_report

        self.cash_report_task = print_todays_cash_report(self, self.session)

    def lock(self) -> LockDialog:
        if self.lock_dialog is not None and self.lock_dialog.isVisible():
            return self.lock_dialog
        dialog = LockDialog(self.session.app, self.session.actor, self)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.accepted.connect(lambda: self.idle.set_minutes(self.idle.minutes))
        dialog.signed_out.connect(self.sign_out)
        self.lock_dialog = dialog
        dialog.open()
        return dialog

    def change_password(self) -> None:
        dialog = ChangePasswordDialog(self.session.app, self.session.actor, self)
        dialog.accepted.connect(lambda: messages.info(self, "密码已修改"))
        self.dialog = dialog
        dialog.open()

    def sign_out(self) -> None:
        if self._signing_out:
            return
        self._signing_out = True
        self._stop_listening()
        self.signed_out.emit()
        self.close()

    def show_keys(self) -> None:
        messages.info(self, f"{self.keys_text()}\n\n{sla.URGENCY_RULE}", "快捷键")

    def _stop_listening(self) -> None:
        if self._listening:
            self._listening = False
            with contextlib.suppress(RuntimeError, TypeError):
                messages.notices().session_ended.disconnect(self._session_ended)

    def _session_ended(self) -> None:
        # Later, not inside the page's call that found out: signing out closes that page.
        if self._listening:
            QTimer.singleShot(0, self.sign_out)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.wizard is not None:
            self.wizard.save_draft()  # signing out or quitting keeps what was typed
        self._stop_listening()
        self.idle.stop()
        self.emergency.timer.stop()  # a closed window asks the database nothing more
        for page in [*self.order_pages.values(), *self.customer_pages.values()]:
            page.close()
        super().closeEvent(event)
