"""The office calendar: a year of month grids; click a day to make it a working or a rest day.

Rest days are shaded, statutory holidays named, make-up working days (调休上班) marked 班, and the
office's own overrides carry a corner mark. Clicking a day flips it; flipping it back to what the
statutory schedule says removes the override. A year without a confirmed notice shows the law's
holidays with a dashed outline (推算); a banner warns while this or next year is unconfirmed and
leads to the paste dialog: the administrator pastes the State Council's notice, sees the year as the
notice makes it with the differences outlined, confirms, and gets the list of orders whose due date
moved (exportable to Excel).
"""

from __future__ import annotations

import calendar as pycal
from datetime import date
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.calendar import PROVISIONAL_MARK, CalendarChange, DayInfo, MovedOrder, NoticePreview
from gasdesk.services.errors import ServiceError
from gasdesk.ui import messages
from gasdesk.ui.keys import GuardedDialog, relabel
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    banner,
    dt_text,
    fit_to_screen,
    hint_label,
    make_table,
    title_label,
)

WEEKDAYS = "一二三四五六日"
CELL_W, CELL_H, HEAD_H, TITLE_H = 36, 32, 20, 24
DIFF_COLOR = "#7b1fa2"


def _tag(text: str) -> str:
    """What fits in a day cell: 补假 for a day given back, else the name's first three characters."""
    return "补假" if text.endswith("（补假）") else text[:3]


class MonthGrid(QWidget):
    day_clicked = Signal(object)  # date
    day_menu = Signal(object, object)  # date, global QPoint

    def __init__(self, year: int, month: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.year, self.month = year, month
        self.days: dict[date, DayInfo] = {}
        self.today: date | None = None
        # Days outlined as different (the paste dialog's preview: the notice against the provisional days).
        self.highlight: set[date] = set()
        self.setFixedSize(self.sizeHint())
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(CELL_W * 7 + 2, TITLE_H + HEAD_H + CELL_H * 6 + 2)

    def set_days(self, days: dict[date, DayInfo], today: date) -> None:
        self.days, self.today = days, today
        self.update()

    def cell_rect(self, day: date) -> QRect:
        first = date(self.year, self.month, 1).weekday()
        i = first + day.day - 1
        row, col = divmod(i, 7)
        return QRect(1 + col * CELL_W, TITLE_H + HEAD_H + row * CELL_H, CELL_W, CELL_H)

    def day_at(self, pos: QPointF) -> date | None:
        for d in range(1, pycal.monthrange(self.year, self.month)[1] + 1):
            day = date(self.year, self.month, d)
            if self.cell_rect(day).contains(pos.toPoint()):
                return day
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position())
        if day is None:
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.day_clicked.emit(day)
        elif event.button() == Qt.MouseButton.RightButton:
            self.day_menu.emit(day, event.globalPosition().toPoint())

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPointSizeF(max(6.5, font.pointSizeF() - 2.5))
        p.setFont(bold)
        p.setPen(QColor("#1f3a5f"))
        p.drawText(QRect(0, 0, self.width(), TITLE_H), Qt.AlignmentFlag.AlignCenter, f"{self.month}月")
        p.setFont(font)
        for i, w in enumerate(WEEKDAYS):
            p.setPen(QColor("#b71c1c" if i >= 5 else "#5f6b7a"))
            p.drawText(QRect(1 + i * CELL_W, TITLE_H, CELL_W, HEAD_H), Qt.AlignmentFlag.AlignCenter, w)
        for d in range(1, pycal.monthrange(self.year, self.month)[1] + 1):
            day = date(self.year, self.month, d)
            info = self.days.get(day)
            rect = self.cell_rect(day).adjusted(1, 1, -1, -1)
            working = info.working if info else day.weekday() < 5
            makeup = working and day.weekday() >= 5
            if not working and info and (info.holiday or info.note):
                bg, fg = "#fde3e1", "#b71c1c"
            elif not working:
                bg, fg = "#eef0f3", "#8a94a3"
            elif makeup:
                bg, fg = "#dcecfb", "#0d47a1"
            else:
                bg, fg = "#ffffff", "#1f2d3d"
            p.fillRect(rect, QColor(bg))
            if day == self.today:
                p.setPen(QPen(QColor("#d99a00"), 2))
                p.drawRect(rect)
            if info and info.provisional and not working and info.holiday and not info.overridden:
                pen = QPen(QColor("#b71c1c"), 1, Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.drawRect(rect.adjusted(1, 1, -1, -1))
            if day in self.highlight:
                p.setPen(QPen(QColor(DIFF_COLOR), 3))
                p.drawRect(rect.adjusted(1, 1, -1, -1))
            p.setFont(font)
            p.setPen(QColor(fg))
            p.drawText(rect.adjusted(0, 1, 0, -12), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, str(d))
            tag = ""
            if info and not working:
                tag = _tag(info.note or info.holiday or "")
            elif makeup:
                tag = "班"
            if tag:
                p.setFont(small)
                p.drawText(rect.adjusted(0, 0, 0, -1), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, tag)
            if info and info.overridden:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor("#e65100"))
                p.drawEllipse(QRectF(rect.right() - 6, rect.top() + 2, 5, 5))
        p.end()


class CalendarEditor(QWidget):
    changed = Signal()

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.editable = session.can(Permission.EDIT_CALENDAR)
        today = session.now().date()
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(title_label("办公日历", 12))
        head.addWidget(QLabel("年份："))
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(today.year)
        head.addWidget(self.year_spin)
        head.addWidget(QLabel("休息日名称："))
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("如：春节")
        self.note_edit.setToolTip("把某天设为休息日时，记录的节日名称")
        self.note_edit.setMaximumWidth(220)
        head.addWidget(self.note_edit)
        head.addStretch(1)
        self.paste_button = QPushButton("粘贴国务院放假通知…")
        self.paste_button.setToolTip("把国务院办公厅关于某年部分节假日安排的通知全文粘贴进来，核对后确认该年度安排")
        head.addWidget(self.paste_button)
        self.confirm_button = QPushButton("确认本年度安排")
        head.addWidget(self.confirm_button)
        layout.addLayout(head)
        self.banner = banner("", "warning")
        layout.addWidget(self.banner)
        layout.addWidget(hint_label(
            "单击日期：工作日 ⇄ 休息日（与法定安排相同时自动取消调整）；右键可选择“恢复法定安排”。"
            "灰色为休息日，红色为节假日，红色虚线框为按法定节日推算、待国务院通知确认的假日，"
            "蓝色“班”为调休上班日，橙点表示本单位调整过。调整后在办业务的时限自动重算。"))
        self.status = QLabel()
        self.status.setStyleSheet("color: #5f6b7a;")
        layout.addWidget(self.status)
        year_view = YearView(today.year, 4, (18, 10))
        year_view.grid.setColumnStretch(4, 1)
        self.months = year_view.months
        for month in self.months:
            month.day_clicked.connect(self.toggle)
            month.day_menu.connect(self._menu)
        layout.addWidget(year_view, 1)
        self.year_spin.valueChanged.connect(lambda _v: self.load())
        self.confirm_button.clicked.connect(self.confirm)
        self.confirm_button.setEnabled(self.editable)
        self.paste_button.clicked.connect(lambda: self.open_notice_dialog())
        self.paste_button.setEnabled(self.editable)
        self.days: dict[date, DayInfo] = {}
        self.menu: QMenu | None = None
        self.dialog: QDialog | None = None
        self.moved_dialog: QDialog | None = None
        self.load()

    @property
    def year(self) -> int:
        return self.year_spin.value()

    def set_year(self, year: int) -> None:
        self.year_spin.setValue(year)

    def month_grid(self, month: int) -> MonthGrid:
        return self.months[month - 1]

    def load(self) -> None:
        try:
            days = self.session.calendar.year(self.year)
            unconfirmed = self.session.calendar.unconfirmed_years_ahead(self.session.now().date())
            confirmed = self.session.calendar.is_confirmed(self.year)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.days = {d.day: d for d in days}
        today = self.session.now().date()
        for grid in self.months:
            grid.year = self.year
            grid.set_days(self.days, today)
        if unconfirmed:
            years = "、".join(f"{y}年" for y in unconfirmed)
            self.banner.setText(f"注意：{years}的节假日和调休安排尚未确认。未确认前，时限按法定节日推算（元旦、除夕至正月初三、"
                                "清明、劳动节两天、端午、中秋、国庆三天及逢周末的补假），调休公布后可能变动。"
                                "国务院办公厅的放假通知发布后，请点击“粘贴国务院放假通知”核对并确认。")
        self.banner.setVisible(bool(unconfirmed))
        working = sum(1 for d in days if d.working)
        overrides = sum(1 for d in days if d.overridden)
        record = self.session.calendar.notice(self.year) if confirmed else None
        if record is not None:
            state = f"已按国务院通知确认（{record.confirmed_by}，{record.confirmed_at:%Y-%m-%d %H:%M}）"
        elif confirmed:
            state = "本年度安排已确认"
        else:
            state = f"本年度安排未确认：{PROVISIONAL_MARK}"
        self.status.setText(f"{self.year}年：工作日 {working} 天，休息日 {len(days) - working} 天，本单位调整 {overrides} 天；"
                            + state)
        relabel(self.confirm_button, "本年度安排已确认" if confirmed else f"确认{self.year}年度安排")
        self.confirm_button.setEnabled(self.editable and not confirmed)

    def toggle(self, day: date) -> None:
        if not self.editable:
            messages.warn(self, "您的岗位无权修改办公日历")
            return
        info = self.days.get(day)
        working = not (info.working if info else day.weekday() < 5)
        if info is not None and working == info.statutory_working:
            self.set_day(day, None)
        else:
            self.set_day(day, working, "" if working else self.note_edit.text().strip())

    def set_day(self, day: date, working: bool | None, note: str = "") -> None:
        try:
            change = self.session.calendar.set_day(day, working, note)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.load()
        self.changed.emit()
        self.session.notify_changed()
        if change.moved:
            self.show_moved(change)

    def open_notice_dialog(self, year: int | None = None) -> NoticeDialog:
        dialog = NoticeDialog(self.session, year or self.year, self)
        dialog.confirmed.connect(self._notice_confirmed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _notice_confirmed(self, change: CalendarChange) -> None:
        year = self.dialog.year if isinstance(self.dialog, NoticeDialog) else self.year
        self.set_year(year)
        self.load()
        self.changed.emit()
        self.session.notify_changed()
        self.show_moved(change)

    def show_moved(self, change: CalendarChange) -> MovedOrdersDialog:
        dialog = MovedOrdersDialog(self.session, change, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.moved_dialog = dialog
        dialog.open()
        return dialog

    def _menu(self, day: date, where: object) -> None:
        if not self.editable:
            return
        menu = QMenu(self)
        menu.addAction("设为工作日", lambda: self.set_day(day, True))
        menu.addAction("设为休息日", lambda: self.set_day(day, False, self.note_edit.text().strip()))
        menu.addAction("恢复法定安排", lambda: self.set_day(day, None))
        self.menu = menu
        menu.popup(where)  # type: ignore[arg-type]

    def confirm(self) -> None:
        if not messages.ask(self, f"确认{self.year}年的节假日和调休安排已全部录入并核对无误？"):
            return
        try:
            self.session.calendar.confirm_year(self.year)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.load()
        self.changed.emit()


class YearView(QScrollArea):
    """A year's twelve months, `columns` to a row, scrolling; `grid` holds them."""

    def __init__(self, year: int, columns: int, spacing: tuple[int, int]) -> None:
        super().__init__()
        holder = QWidget()
        self.grid = QGridLayout(holder)
        self.grid.setHorizontalSpacing(spacing[0])
        self.grid.setVerticalSpacing(spacing[1])
        self.months = [MonthGrid(year, m) for m in range(1, 13)]
        for i, month in enumerate(self.months):
            self.grid.addWidget(month, i // columns, i % columns)
        self.setWidgetResizable(True)
        self.setWidget(holder)


class NoticeDialog(GuardedDialog):
    """Paste the State Council's notice; see the year as it makes it, differences outlined; confirm."""

    confirmed = Signal(object)  # CalendarChange

    def __init__(self, session: UiSession, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.year = session, year
        self.preview: NoticePreview | None = None
        self.setWindowTitle(f"录入{year}年国务院放假通知")
        fit_to_screen(self, 1320, 700)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(
            f"把国务院办公厅关于{year}年部分节假日安排的通知全文（从政府网站复制）粘贴到左侧。系统逐条读取放假和上班日期，"
            f"并与现在按法定节日推算的日历比较：紫色框为通知与推算不同的日期。核对无误后点击“确认并重算时限”。"))
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(f"国务院办公厅关于{year}年部分节假日安排的通知\n……\n一、元旦：1月1日（周五）……放假……")
        ll.addWidget(self.text, 1)
        self.read_button = QPushButton("读取通知")
        ll.addWidget(self.read_button)
        split.addWidget(left)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("尚未读取")
        self.summary.setWordWrap(True)
        rl.addWidget(self.summary)
        self.problems = banner("", "error")
        self.problems.setVisible(False)
        rl.addWidget(self.problems)
        self.items: RowsModel[tuple[str, str, str]] = RowsModel([
            Column("节日", lambda r: r[0], width=110),
            Column("放假", lambda r: r[1], width=250),
            Column("上班", lambda r: r[2]),
        ])
        self.items_view = make_table(self.items, stretch=2)
        self.items_view.setMaximumHeight(190)
        rl.addWidget(self.items_view)
        year_view = YearView(year, 3, (12, 6))
        self.months = year_view.months
        rl.addWidget(year_view, 1)
        split.addWidget(right)
        split.setSizes([430, 890])
        layout.addWidget(split, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.confirm_button = QPushButton("确认并重算时限")
        self.confirm_button.setEnabled(False)
        self.cancel_button = QPushButton("取消")
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(400)
        self.timer.timeout.connect(self.read)
        self.text.textChanged.connect(self.timer.start)
        self.read_button.clicked.connect(self.read)
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.reject)
        self._show_days(None)

    def month_grid(self, month: int) -> MonthGrid:
        return self.months[month - 1]

    def _show_days(self, preview: NoticePreview | None) -> None:
        if preview is not None and preview.parsed.year == self.year and preview.parsed.items:
            days = {d.day: d for d in preview.days()}
            highlight = {d.day for d in preview.differences}
        else:
            try:
                days = {d.day: d for d in self.session.calendar.year(self.year)}
            except ServiceError:
                days = {}
            highlight = set()
        today = self.session.now().date()
        for grid in self.months:
            grid.highlight = highlight
            grid.set_days(days, today)

    def read(self) -> None:
        self.timer.stop()
        text = self.text.toPlainText()
        if not text.strip():
            self.preview = None
            self.summary.setText("尚未读取")
            self.problems.setVisible(False)
            self.items.set_rows([])
            self.confirm_button.setEnabled(False)
            self._show_days(None)
            return
        try:
            preview = self.session.calendar.preview_notice(text, self.year)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.preview = preview
        self.items.set_rows([(i.name, _dates_text(i.rest), _dates_text(i.work) or "—") for i in preview.parsed.items])
        self.problems.setText("以下内容无法识别，不会被猜测；请核对粘贴的文字（可直接在左侧修改）后再读取：\n"
                              + "\n".join(f"· {p}" for p in preview.problems))
        self.problems.setVisible(bool(preview.problems))
        rest = sum(len(i.rest) for i in preview.parsed.items)
        work = sum(len(i.work) for i in preview.parsed.items)
        diff = preview.differences
        became_rest = [d.day for d in diff if not d.notice_working]
        became_work = [d.day for d in diff if d.notice_working]
        self.summary.setText(
            f"读到 {len(preview.parsed.items)} 项：放假 {rest} 天，调休上班 {work} 天。"
            f"与现在的推算相比：{len(became_rest)} 天改为休息（{_dates_text(tuple(became_rest)) or '无'}），"
            f"{len(became_work)} 天改为上班（{_dates_text(tuple(became_work)) or '无'}）。")
        self.confirm_button.setEnabled(preview.ok and self.session.can(Permission.EDIT_CALENDAR))
        self._show_days(preview)

    def confirm(self) -> None:
        if self.preview is None or not self.preview.ok:
            return
        if not messages.ask(self, f"确认{self.year}年的节假日安排以此通知为准？\n确认后在办业务的时限将按新日历重新计算。"):
            return
        try:
            change = self.session.calendar.confirm_notice(self.text.toPlainText(), self.year)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.accept()
        self.confirmed.emit(change)


def _dates_text(days: tuple[date, ...]) -> str:
    """'1月28日至2月4日、2月8日': consecutive days as ranges."""
    if not days:
        return ""
    ordered = sorted(days)
    runs: list[list[date]] = [[ordered[0]]]
    for d in ordered[1:]:
        if (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])

    def one(d: date) -> str:
        return f"{d.month}月{d.day}日"

    return "、".join(one(r[0]) if len(r) == 1 else f"{one(r[0])}至{one(r[-1])}" for r in runs)


class MovedOrdersDialog(QDialog):
    """The orders whose due date moved with the calendar: old → new, exportable to Excel."""

    def __init__(self, session: UiSession, change: CalendarChange, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.change = session, change
        self.setWindowTitle("时限变动的在办业务")
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(change.what, 11))
        self.summary = QLabel(
            f"{len(change.changed_days)} 天的工作日/休息日有变化；{len(change.moved)} 个在办时限随之重新计算"
            + ("。" if change.moved else "，没有业务的时限变动。"))
        layout.addWidget(self.summary)
        self.model: RowsModel[MovedOrder] = RowsModel([
            Column("业务单号", lambda m: m.number, width=150),
            Column("业务类型", lambda m: m.kind_label, width=100),
            Column("时限", lambda m: m.clock, width=130),
            Column("原应完成", lambda m: dt_text(m.old_due), width=130),
            Column("新应完成", lambda m: dt_text(m.new_due), width=130),
            Column("说明", lambda m: (f"暂停中，剩余 {m.old_remaining} → {m.new_remaining} 个工作日" if m.paused
                                     else "推迟" if m.new_due > m.old_due else "提前")),
        ])
        self.model.set_rows(list(change.moved))
        self.view = make_table(self.model, stretch=5)
        self.view.doubleClicked.connect(lambda idx: session.order_requested.emit(self.model.row(idx.row()).order_id))
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setEnabled(bool(change.moved))
        self.close_button = QPushButton("关闭")
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.accept)

    def export(self) -> None:
        name = f"时限变动清单-{self.change.at:%Y%m%d%H%M}.xlsx"
        chosen, _ = QFileDialog.getSaveFileName(self, "导出时限变动清单", str(Path.home() / name), "Excel 工作簿 (*.xlsx)")
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        try:
            n = self.session.calendar.export_moved(self.change, path)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        except OSError as exc:
            messages.warn(self, f"保存失败：{exc}")
            return
        messages.info(self, f"已导出 {n} 条：{path}")
