"""工作台 (the counter's worklists) and 管理驾驶舱 (the manager dashboard with QtCharts).

`DashboardPage` is the counter's start page: my queue, due today, overdue and open orders per step.
`ManagerDashboard` charts open orders by flow and deadline state, deadline compliance by month,
overdue orders by responsible department and today's counter workload; clicking a bar lists the
orders behind it. Its figures come from gasdesk.services.ledgers.DashboardData.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.services.context import Actor, App
from gasdesk.services.errors import ServiceError
from gasdesk.services.ledgers import OPEN_STATES, DashboardData, DashboardOrder, DashboardSnapshot, Selection
from gasdesk.services.ledgers.rates import MonthRates
from gasdesk.services.worklists import WorkItem
from gasdesk.ui import messages
from gasdesk.ui.build import hbox, line_edit, push_button
from gasdesk.ui.local_settings import remember_splitter
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    dt_text,
    hint_label,
    make_table,
    money_text,
    report_fetch_failures,
    title_label,
)
from gasdesk.ui.worker import BackgroundTask, run_task
from gasdesk.ui.worklist_table import work_model
from gasdesk.vocab import Channel

# The 今日受理 figures are counter business: what inspection plans opened today is left out unless asked.
PLAN_ORDERS = f"含{Channel.PLAN.label}工单"


def plan_left_out(n: int) -> str:
    return f"另有{Channel.PLAN.label}工单 {n:,} 张未计入" if n else ""


def plan_check() -> QCheckBox:
    box = QCheckBox(PLAN_ORDERS + "(&A)")
    box.setObjectName("plan_orders")
    box.setToolTip(f"{Channel.PLAN.label}批量生成的入户安检工单计入“今日受理”")
    return box


class CountCard(QFrame):
    """A count with its caption; `extra` (a check box) goes beside the caption, and `note` beside the count
    says what it leaves out."""

    def __init__(self, title: str, color: str, extra: QWidget | None = None) -> None:
        super().__init__()
        self.setObjectName("card")
        self.setStyleSheet(f"QFrame#card {{ background: white; border: 1px solid #d9e0e8; border-left: 4px solid {color};"
                           " border-radius: 4px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.number = QLabel("0")
        self.number.setStyleSheet(f"font-size: 20pt; font-weight: bold; color: {color}; border: none;")
        self.note = QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #5f6b7a; border: none;")
        self.note.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.number)
        top.addWidget(self.note, 1)
        caption = QLabel(title)
        caption.setStyleSheet("color: #5f6b7a; border: none;")
        bottom = QHBoxLayout()
        bottom.addWidget(caption)
        if extra is not None:
            bottom.addStretch(1)
            bottom.addWidget(extra)
        layout.addLayout(top)
        layout.addLayout(bottom)

    def set(self, n: int, note: str = "") -> None:
        self.number.setText(str(n))
        self.note.setText(note)
        self.note.setVisible(bool(note))


class CalendarReminder(QFrame):
    """Next year's holiday notice is not confirmed (managers and administrators, from 1 November): its
    text and 录入放假通知…, which asks for the year's paste dialog (`notice_requested`). The main window
    shows it at sign-in, the dashboard once it is put off; `row` takes more buttons."""

    notice_requested = Signal(int)

    def __init__(self, session: UiSession, name: str, style: str, text_style: str,
                 margins: tuple[int, int, int, int]) -> None:
        super().__init__()
        self.session = session
        self.year: int | None = None
        self.setObjectName(name)
        self.setStyleSheet(style)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(*margins)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setStyleSheet(text_style)
        self.row.addWidget(self.text, 1)
        self.button = push_button("录入放假通知…", self._open_notice)
        self.row.addWidget(self.button)
        self.setVisible(False)

    def _open_notice(self) -> None:
        if self.year is not None:
            self.notice_requested.emit(self.year)

    def load(self) -> bool:
        """Read the reminder again; True when there is one."""
        try:
            reminder = self.session.calendar.reminder(self.session.now().date())
        except ServiceError:
            reminder = None
        self.year = reminder[0] if reminder else None
        self.text.setText(reminder[1] if reminder else "")
        return reminder is not None


class DashboardPage(QWidget):
    # The calendar reminder's button: open the paste dialog for this year's notice.
    notice_requested = Signal(int)

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        self.number_edit = line_edit("order_number", "输入业务单号，回车打开")
        self.number_edit.setMaximumWidth(240)
        self.refresh_button = push_button("刷新（F5）", self.refresh)
        layout.addLayout(hbox(title_label("工作台"), None, self.number_edit, self.refresh_button))
        self.reminder = CalendarReminder(
            session, "reminder", "QFrame#reminder { background: #fff4d6; border: 1px solid #f0c36d; border-radius: 4px; }",
            "color: #7a4f01; border: none;", (10, 4, 6, 4))
        self.reminder_text, self.reminder_button = self.reminder.text, self.reminder.button
        self.reminder.notice_requested.connect(self.notice_requested)
        layout.addWidget(self.reminder)

        cards = QHBoxLayout()
        self.mine_card = CountCard("我的待办", "#1565c0")
        self.today_card = CountCard("今日到期", "#b7791f")
        self.overdue_card = CountCard("已超期", "#c62828")
        self.plan_check = plan_check()
        self.opened_card = CountCard("今日受理", "#2e7d32", self.plan_check)
        for card in (self.mine_card, self.today_card, self.overdue_card, self.opened_card):
            cards.addWidget(card)
        layout.addLayout(cards)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.mine = work_model(session.now, session.work_calendar)
        self.today = work_model(session.now, session.work_calendar)
        self.overdue = work_model(session.now, session.work_calendar)
        report_fetch_failures(self, self.mine, self.today, self.overdue)
        self.views: dict[str, QTableView] = {}
        for key, model, title in (("mine", self.mine, "我的待办"), ("today", self.today, "今日到期"),
                                  ("overdue", self.overdue, "已超期")):
            view = make_table(model, stretch=2)
            view.activated.connect(  # Enter and the double-click, once
                lambda idx, m=model: self._open(m, idx.row()))
            self.views[key] = view
            self.tabs.addTab(view, title)
        split.addWidget(self.tabs)
        counts_box = QGroupBox("在办业务（按环节）")
        cl = QVBoxLayout(counts_box)
        self.counts: RowsModel[tuple[str, str, int]] = RowsModel([
            Column("业务", lambda r: r[0], width=104),
            Column("环节", lambda r: r[1], width=170),
            Column("数量", lambda r: str(r[2]), align_right=True, width=48),
        ])
        self.counts_view = make_table(self.counts, stretch=1)
        cl.addWidget(self.counts_view)
        split.addWidget(counts_box)
        split.setSizes([900, 360])
        remember_splitter(split, "dashboard")
        layout.addWidget(split, 1)
        self.plan_check.toggled.connect(lambda _on: self.refresh())
        self.number_edit.returnPressed.connect(self.open_number)
        session.changed.connect(self.refresh)
        self.refresh()

    def refresh_reminder(self) -> None:
        """The calendar reminder, here once the clerk put off the main window's."""
        self.reminder.setVisible(self.reminder.load() and self.session.reminder_put_off)

    def refresh(self) -> None:
        self.refresh_reminder()
        w = self.session.worklists
        try:
            # The lists load a page at a time as they scroll; the cards count everything.
            self.mine.set_source(lambda offset, limit: w.my_queue(limit=limit, offset=offset))
            self.today.set_source(lambda offset, limit: w.due_today(limit=limit, offset=offset))
            self.overdue.set_source(lambda offset, limit: w.overdue(limit=limit, offset=offset))
            counts, opened = w.counts_by_state(), w.tally_opened_today()
            n_mine, n_today, n_overdue = w.count_my_queue(), w.count_due_today(), w.count_overdue()
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.counts.set_rows(counts)
        self.mine_card.set(n_mine)
        self.today_card.set(n_today)
        self.overdue_card.set(n_overdue)
        plan = self.plan_check.isChecked()
        self.opened_card.set(opened.shown(plan), "" if plan else plan_left_out(opened.plan))
        self.tabs.setTabText(0, f"我的待办（{n_mine}）")
        self.tabs.setTabText(1, f"今日到期（{n_today}）")
        self.tabs.setTabText(2, f"已超期（{n_overdue}）")

    def _open(self, model: RowsModel[WorkItem], row: int) -> None:
        self.session.order_requested.emit(model.row(row).order_id)

    def open_number(self) -> None:
        number = self.number_edit.text().strip()
        if not number:
            return
        try:
            order = self.session.orders.by_number(number)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.session.order_requested.emit(order.id)


# --- 管理驾驶舱 -------------------------------------------------------------------------------------

STATE_COLORS = {"overdue": "#d64541", "due_today": "#f0a30a", "waiting": "#98a6b5", "normal": "#4a9b5f"}
ON_TIME_COLOR, LATE_COLOR, RATE_COLOR = "#4a9b5f", "#d64541", "#1f4e78"
FIRST_VISIT_COLOR, PASS_RATE_COLOR = "#e08a00", "#7a3fb0"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def rates_text(m: MonthRates) -> str:
    """This month's published rates, with what they are made of."""
    first = (f"{_percent(m.first_visit_rate)}（结案 {m.emergencies_closed} 件，一次处结 {m.first_visit} 件）"
             if m.emergencies_closed else "本月暂无结案")
    passed = (f"{_percent(m.pass_rate)}（办结 {m.meter_done} 件，返工 {m.meter_reworked} 件）"
              if m.meter_done else "本月暂无办结")
    return f"服务承诺指标（{m.month[:4]}年{int(m.month[5:])}月，承诺100%）：抢险抢修一次处结率 {first}　表具校验/更换合格率 {passed}"
ORDERS_COLOR, PAYMENTS_COLOR = "#2f6fad", "#8cb8e0"


def _new_chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setPointSize(11)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(4)
    return chart


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def _count_axis(top: int, title: str = "") -> QValueAxis:
    """A value axis from 0 with whole-number ticks: 0-4 at least, Qt's 'nice numbers' for larger counts."""
    axis = QValueAxis()
    if top <= 8:
        axis.setRange(0, max(4, -(-top // 4) * 4))
        axis.setTickCount(5)
    else:
        axis.setRange(0, top * 1.08)
        axis.applyNiceNumbers()
    axis.setLabelFormat("%d")
    if title:
        axis.setTitleText(title)
    return axis


def _categories(labels: list[str]) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(labels)
    axis.setTruncateLabels(False)  # Chinese labels are short; never show them as '…'
    return axis


def _bar_set(label: str, color: str, values: list[float]) -> QBarSet:
    bar = QBarSet(label)
    bar.setColor(QColor(color))
    bar.setBorderColor(QColor(color))
    bar.append(values)
    return bar


def _month_label(month: str) -> str:
    return f"{int(month[5:7])}月"


def _small_labels(axis: QBarCategoryAxis, points: float = 8.5) -> None:
    font = QFont(axis.labelsFont())
    font.setPointSizeF(points)
    axis.setLabelsFont(font)


class ManagerDashboard(QWidget):
    """管理驾驶舱. Emits `order_requested(order id)` when a listed order is double-clicked."""

    order_requested = Signal(int)
    _loading: BackgroundTask | None = None  # the task computing the figures (the last one, once done)

    def __init__(self, app: App, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.actor = app, actor
        self.data = DashboardData(app, actor)
        self.snapshot: DashboardSnapshot | None = None
        self.selection: Selection | None = None
        # Bar sets by name, so a click (or a test) can find them: 'flow:<state>', 'trend:met', 'trend:missed',
        # 'overdue', 'workload:orders', 'workload:payments'.
        self.bar_sets: dict[str, QBarSet] = {}
        self._kinds: list[str] = []
        self._months: list[str] = []
        self._departments: list[str] = []
        self._clerks: list[int] = []

        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setStyleSheet("color: #1f3a5f; font-size: 10.5pt; padding-left: 16px;")
        self.plan_check = plan_check()
        self.plan_check.toggled.connect(lambda _on: self.refresh())
        self.refresh_button = push_button("刷新", self.refresh)
        layout.addLayout(hbox(title_label("管理驾驶舱"), self.summary, None, self.plan_check, self.refresh_button))
        # The rates the service commitment publishes (100 % promised), this month and, in the trend chart,
        # month by month.
        self.rates = QLabel()
        self.rates.setObjectName("rates")
        self.rates.setStyleSheet("color: #1f3a5f; padding-left: 4px;")
        layout.addWidget(self.rates)
        self.rate_lines: dict[str, QLineSeries] = {}
        # Safety inspection: coverage within the interval, households overdue, open hazards.
        self.coverage = QLabel()
        self.coverage.setObjectName("inspection_coverage")
        self.coverage.setStyleSheet("color: #1f3a5f; padding-left: 4px;")
        self.coverage.setToolTip("覆盖率：最近一次入户检查在安检周期内（居民、非居民按各自周期）的户数占在册户数的比例；"
                                 "按月、按片区的明细见台账“安检覆盖率统计”")
        layout.addWidget(self.coverage)

        self.flow_chart = _new_chart("在办业务（按业务类型和时限状态）")
        self.trend_chart = _new_chart("时限达标趋势（近12个月）")
        self.overdue_chart = _new_chart("超期业务（按责任部门）")
        self.workload_chart = _new_chart("今日柜台工作量")
        self.views: list[QChartView] = []
        grid = QGridLayout()
        grid.setSpacing(8)
        for i, chart in enumerate((self.flow_chart, self.trend_chart, self.overdue_chart, self.workload_chart)):
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(170)  # four charts and 明细 fit 1366×768 with a taskbar
            view.setFrameShape(QFrame.Shape.StyledPanel)
            self.views.append(view)
            grid.addWidget(view, i // 2, i % 2)
        split = QSplitter(Qt.Orientation.Vertical)
        charts = QWidget()
        charts.setLayout(grid)
        split.addWidget(charts)

        box = QGroupBox("明细")
        box_layout = QVBoxLayout(box)
        self.detail_title = hint_label("点击图中的柱形，列出其中的业务单；双击业务单打开。")
        self.detail_title.setObjectName("detail_title")
        box_layout.addWidget(self.detail_title)
        self.orders: RowsModel[DashboardOrder] = RowsModel([
            Column("业务单号", lambda o: o.number, width=150),
            Column("业务类型", lambda o: o.kind_label, width=110),
            Column("当前环节", lambda o: o.step_label, width=190),
            Column("状态", lambda o: o.status_label, width=70),
            Column("客户", lambda o: o.customer_name, width=120),
            Column("受理时间", lambda o: dt_text(o.opened_at), width=130),
            Column("受理人", lambda o: o.opened_by, width=70),
            Column("时限", lambda o: dt_text(o.due_at), width=130),
            Column("责任部门", lambda o: o.department),
        ])
        self.table: QTableView = make_table(self.orders)
        self.table.doubleClicked.connect(lambda idx: self.order_requested.emit(self.orders.row(idx).order_id))
        box_layout.addWidget(self.table)
        split.addWidget(box)
        split.setSizes([640, 120])  # the charts first; 明细 grows when dragged (and is remembered)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        remember_splitter(split, "manager_dashboard")
        layout.addWidget(split, 1)
        self.refresh()

    # --- data ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """The figures are aggregates over every order and clock: computed on a worker thread."""
        if self._loading is not None and not self._loading.done:
            return
        self.summary.setText("正在统计……")
        plan = self.plan_check.isChecked()
        self._loading = run_task(self, lambda _report: self.data.snapshot(plan_orders=plan), self._show,
                                 progress=False, on_failed=lambda exc: messages.report(self, exc))

    def _show(self, snap: DashboardSnapshot) -> None:
        self.snapshot = snap
        self.bar_sets.clear()
        self._draw_flows(snap)
        self._draw_trend(snap)
        self._draw_overdue(snap)
        self._draw_workload(snap)
        opened = sum(c.orders for c in snap.workload)
        cash = sum((c.cash for c in snap.workload), Decimal("0.00"))
        left_out = f"（{plan_left_out(snap.plan_left_out)}）" if snap.plan_left_out else ""
        self.summary.setText(f"在办 {snap.open_total} 件　已超期 {snap.overdue_total} 件　今日受理 {opened} 件{left_out}　"
                             f"今日收付净额 {money_text(cash)} 元　（{snap.at:%Y-%m-%d %H:%M}）")
        self.rates.setText(rates_text(snap.rates[-1]) if snap.rates else "")
        figure = snap.inspection
        if figure is not None:
            parts = "　".join(f"{d.label} {d.rate:.1%}" for d in figure.districts if d.rate is not None)
            self.coverage.setText(figure.text() + (f"　（{parts}）" if parts else ""))
        if self.selection is not None:
            self.show_orders(self.selection)

    def show_orders(self, selection: Selection) -> list[DashboardOrder]:
        """List the orders behind a bar in the table below the charts."""
        try:
            rows = self.data.orders(selection, plan_orders=self.plan_check.isChecked())
        except ServiceError as exc:
            messages.report(self, exc)
            return []
        self.selection = selection
        self.orders.set_rows(rows)
        more = f"（仅列出前 {DashboardData.LIST_LIMIT} 件）" if len(rows) >= DashboardData.LIST_LIMIT else ""
        self.detail_title.setText(f"{selection.title}：{len(rows)} 件{more}　双击业务单打开")
        return rows

    def _connect(self, bar: QBarSet, on_click: Callable[[int], None]) -> None:
        bar.clicked.connect(on_click)

    # --- charts -------------------------------------------------------------------------------

    def _draw_flows(self, snap: DashboardSnapshot) -> None:
        chart = self.flow_chart
        _clear(chart)
        flows = list(reversed(snap.by_flow))  # horizontal bars draw the first category at the bottom
        self._kinds = [f.kind for f in flows]
        series = QHorizontalStackedBarSeries()
        for state, label in OPEN_STATES.items():
            bar = _bar_set(label, STATE_COLORS[state], [float(f.counts.get(state, 0)) for f in flows])

            def clicked(i: int, st: str = state) -> None:
                self._flow_clicked(st, i)

            self._connect(bar, clicked)
            self.bar_sets[f"flow:{state}"] = bar
            series.append(bar)
        series.setBarWidth(0.7)
        chart.addSeries(series)
        categories = _categories([f.label for f in flows])
        _small_labels(categories)  # ten flows stacked: every label must fit its row
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        values = _count_axis(max((f.total for f in flows), default=0), "件")
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(values)

    def _flow_clicked(self, state: str, index: int) -> None:
        kind = self._kinds[index]
        label = next(f.label for f in (self.snapshot.by_flow if self.snapshot else []) if f.kind == kind)
        self.show_orders(Selection("flow_state", (kind, state), f"{label} · {OPEN_STATES[state]}"))

    def _draw_trend(self, snap: DashboardSnapshot) -> None:
        chart = self.trend_chart
        _clear(chart)
        months = snap.trend
        self._months = [m.month for m in months]
        bars = QStackedBarSeries()
        met = _bar_set("按时完成", ON_TIME_COLOR, [float(m.met) for m in months])
        missed = _bar_set("超时完成", LATE_COLOR, [float(m.missed) for m in months])
        self._connect(met, lambda i: self._month_clicked(i, "met"))
        self._connect(missed, lambda i: self._month_clicked(i, "missed"))
        self.bar_sets["trend:met"], self.bar_sets["trend:missed"] = met, missed
        bars.append(met)
        bars.append(missed)
        bars.setBarWidth(0.6)
        chart.addSeries(bars)
        line = QLineSeries()
        line.setName("达标率")
        pen = QPen(QColor(RATE_COLOR))
        pen.setWidth(3)
        line.setPen(pen)
        line.setPointsVisible(True)
        line.setPointLabelsVisible(True)
        line.setPointLabelsFormat("@yPoint%")
        line.setPointLabelsClipping(False)
        for i, m in enumerate(months):
            if m.rate is not None:
                line.append(float(i), round(m.rate * 100, 1))
        chart.addSeries(line)
        self.rate_lines = {}
        for name, color, values in (("一次处结率", FIRST_VISIT_COLOR, [r.first_visit_rate for r in snap.rates]),
                                    ("表具合格率", PASS_RATE_COLOR, [r.pass_rate for r in snap.rates])):
            extra = QLineSeries()
            extra.setName(name)
            extra_pen = QPen(QColor(color))
            extra_pen.setWidth(2)
            extra_pen.setStyle(Qt.PenStyle.DashLine)
            extra.setPen(extra_pen)
            extra.setPointsVisible(True)
            for i, value in enumerate(values):
                if value is not None:
                    extra.append(float(i), round(float(value) * 100, 1))
            chart.addSeries(extra)
            self.rate_lines[name] = extra
        categories = _categories([_month_label(m.month) for m in months])
        if months:
            first, last = months[0].month, months[-1].month
            chart.setTitle(f"时限达标趋势（{first[:4]}年{int(first[5:])}月—{last[:4]}年{int(last[5:])}月）")
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        counts = _count_axis(max((m.count for m in months), default=0), "完成数")
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        rate = QValueAxis()
        rate.setRange(0, 100)
        rate.setTickCount(6)
        rate.setLabelFormat("%d%%")
        rate.setTitleText("达标率")
        rate.setGridLineVisible(False)
        rate.setTruncateLabels(False)
        chart.addAxis(rate, Qt.AlignmentFlag.AlignRight)
        bars.attachAxis(categories)
        bars.attachAxis(counts)
        line.attachAxis(categories)
        line.attachAxis(rate)
        for extra in self.rate_lines.values():
            extra.attachAxis(categories)
            extra.attachAxis(rate)

    def _month_clicked(self, index: int, status: str) -> None:
        month = self._months[index]
        label = "按时完成" if status == "met" else "超时完成"
        self.show_orders(Selection("month", (month, status), f"{month} {label}的业务"))

    def _draw_overdue(self, snap: DashboardSnapshot) -> None:
        chart = self.overdue_chart
        _clear(chart)
        chart.setTitle("超期业务（按责任部门）" + ("" if snap.overdue else "：当前没有超期业务"))
        self._departments = [d.name for d in snap.overdue]
        series = QBarSeries()
        bar = _bar_set("超期业务数", LATE_COLOR, [float(d.count) for d in snap.overdue])
        self._connect(bar, self._overdue_clicked)
        self.bar_sets["overdue"] = bar
        series.append(bar)
        series.setLabelsVisible(True)
        series.setBarWidth(0.5)
        chart.addSeries(series)
        categories = _categories(self._departments or ["—"])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        values = _count_axis(max((d.count for d in snap.overdue), default=0), "件")
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        chart.legend().setVisible(False)

    def _overdue_clicked(self, index: int) -> None:
        name = self._departments[index]
        self.show_orders(Selection("overdue", name, f"超期业务 · {name}"))

    def _draw_workload(self, snap: DashboardSnapshot) -> None:
        chart = self.workload_chart
        _clear(chart)
        loads = snap.workload
        cash = sum((c.cash for c in loads), Decimal("0.00"))
        chart.setTitle(f"今日柜台工作量（收付净额 {money_text(cash)} 元）" if loads else "今日柜台工作量：今日尚无受理和收费")
        self._clerks = [c.staff_id for c in loads]
        series = QBarSeries()
        orders = _bar_set("受理业务（件）", ORDERS_COLOR, [float(c.orders) for c in loads])
        payments = _bar_set("收费笔数", PAYMENTS_COLOR, [float(c.payments) for c in loads])
        self._connect(orders, self._workload_clicked)
        self._connect(payments, self._workload_clicked)
        self.bar_sets["workload:orders"], self.bar_sets["workload:payments"] = orders, payments
        series.append(orders)
        series.append(payments)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        categories = _categories([c.name for c in loads] or ["—"])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        values = _count_axis(max((max(c.orders, c.payments) for c in loads), default=0), "件/笔")
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)

    def _workload_clicked(self, index: int) -> None:
        staff_id = self._clerks[index]
        name = next((c.name for c in (self.snapshot.workload if self.snapshot else []) if c.staff_id == staff_id), "")
        self.show_orders(Selection("workload", staff_id, f"今日受理 · {name}"))
