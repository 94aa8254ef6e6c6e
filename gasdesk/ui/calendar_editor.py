"""The office calendar: a year of month grids; click a day to make it a working or a rest day.

Rest days are shaded, statutory holidays named, make-up working days (调休上班) marked 班, and the
office's own overrides carry a corner mark. Clicking a day flips it; flipping it back to what the
statutory schedule says removes the override. A banner warns while this or next year is unconfirmed.
"""

from __future__ import annotations

import calendar as pycal
from datetime import date

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.services.calendar import DayInfo
from gasdesk.services.errors import ServiceError
from gasdesk.ui import messages
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import banner, hint_label, title_label
from gasdesk.workdays import WorkCalendar

WEEKDAYS = "一二三四五六日"
CELL_W, CELL_H, HEAD_H, TITLE_H = 36, 32, 20, 24


def statutory_working(day: date) -> bool:
    """What the official schedule (or the weekday rule) says, without the office's overrides."""
    return WorkCalendar().is_working_day(day)


class MonthGrid(QWidget):
    day_clicked = Signal(object)  # date
    day_menu = Signal(object, object)  # date, global QPoint

    def __init__(self, year: int, month: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.year, self.month = year, month
        self.days: dict[date, DayInfo] = {}
        self.today: date | None = None
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
            p.setFont(font)
            p.setPen(QColor(fg))
            p.drawText(rect.adjusted(0, 1, 0, -12), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, str(d))
            tag = ""
            if info and not working:
                tag = (info.note or info.holiday or "")[:3]
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
        self.confirm_button = QPushButton("确认本年度安排")
        head.addWidget(self.confirm_button)
        layout.addLayout(head)
        self.banner = banner("", "warning")
        layout.addWidget(self.banner)
        layout.addWidget(hint_label(
            "单击日期：工作日 ⇄ 休息日（与法定安排相同时自动取消调整）；右键可选择“恢复法定安排”。"
            "灰色为休息日，红色为节假日，蓝色“班”为调休上班日，橙点表示本单位调整过。"))
        self.status = QLabel()
        self.status.setStyleSheet("color: #5f6b7a;")
        layout.addWidget(self.status)
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(10)
        self.months: list[MonthGrid] = []
        for m in range(1, 13):
            month = MonthGrid(today.year, m)
            month.day_clicked.connect(self.toggle)
            month.day_menu.connect(self._menu)
            grid.addWidget(month, (m - 1) // 4, (m - 1) % 4)
            self.months.append(month)
        grid.setColumnStretch(4, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_holder)
        layout.addWidget(scroll, 1)
        self.year_spin.valueChanged.connect(lambda _v: self.load())
        self.confirm_button.clicked.connect(self.confirm)
        self.confirm_button.setEnabled(self.editable)
        self.days: dict[date, DayInfo] = {}
        self.menu: QMenu | None = None
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
            self.banner.setText(f"注意：{years}的节假日和调休安排尚未确认。请按国务院办公厅发布的放假通知录入节假日和调休上班日，"
                                "核对无误后选择该年份并点击“确认本年度安排”。未确认前，时限按周末和固定节日估算，可能不准确。")
        self.banner.setVisible(bool(unconfirmed))
        working = sum(1 for d in days if d.working)
        overrides = sum(1 for d in days if d.overridden)
        self.status.setText(f"{self.year}年：工作日 {working} 天，休息日 {len(days) - working} 天，本单位调整 {overrides} 天；"
                            + ("本年度安排已确认" if confirmed else "本年度安排未确认"))
        self.confirm_button.setText("本年度安排已确认" if confirmed else f"确认{self.year}年度安排")
        self.confirm_button.setEnabled(self.editable and not confirmed)

    def toggle(self, day: date) -> None:
        if not self.editable:
            messages.warn(self, "您的岗位无权修改办公日历")
            return
        info = self.days.get(day)
        working = not (info.working if info else day.weekday() < 5)
        if working == statutory_working(day):
            self.set_day(day, None)
        else:
            self.set_day(day, working, "" if working else self.note_edit.text().strip())

    def set_day(self, day: date, working: bool | None, note: str = "") -> None:
        try:
            self.session.calendar.set_day(day, working, note)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.load()
        self.changed.emit()

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
