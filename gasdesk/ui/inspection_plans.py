"""安全检查 page: inspection plans (a district, an estate or street, a category, or the accounts due),
opening each plan's orders in bulk with progress and 取消, and the plan's orders and progress."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gasdesk.services.errors import ServiceError
from gasdesk.services.inspection import (
    InspectionService,
    OpeningCancelled,
    PlanOpening,
    PlanOrderRow,
    PlanSpec,
    PlanStatus,
    PlanView,
)
from gasdesk.ui import messages
from gasdesk.ui.build import dialog_footer
from gasdesk.ui.inspection_sheet import RouteSheets
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import (
    Column,
    RowsModel,
    dt_text,
    error_label,
    hint_label,
    make_table,
    report_fetch_failures,
    selected_row,
    show_error,
    title_label,
)
from gasdesk.ui.worker import BackgroundTask, run_blocking, run_task
from gasdesk.vocab import CustomerCategory, District

PLAN_COLUMNS: list[Column[PlanView]] = [
    Column("计划编号", lambda p: p.number, width=150),
    Column("计划名称", lambda p: p.title, width=180),
    Column("范围", lambda p: p.scope_text, width=170),
    Column("安检员/班组", lambda p: p.inspector, width=100),
    Column("期限", lambda p: f"{p.starts_on:%m-%d} 至 {p.ends_on:%Y-%m-%d}", width=130),
    Column("状态", lambda p: p.status_label, width=76),
    Column("开单", lambda p: str(p.opened), width=50, align_right=True),
    Column("已上门", lambda p: str(p.visited), width=54, align_right=True),
    Column("入户", lambda p: str(p.entered), width=44, align_right=True),
    Column("不遇", lambda p: str(p.not_home + p.unreachable), width=44, align_right=True),
    Column("拒检", lambda p: str(p.refused), width=44, align_right=True),
    Column("隐患(未改)", lambda p: f"{p.hazards}({p.open_hazards})", width=76, align_right=True),
]
ORDER_COLUMNS: list[Column[PlanOrderRow]] = [
    Column("安检单号", lambda r: r.number, width=150),
    Column("客户", lambda r: r.customer_name, width=110),
    Column("燃气账户", lambda r: r.account_number, width=100),
    Column("结果", lambda r: r.outcome_label, width=130),
    Column("上门", lambda r: f"{r.attempts}次", width=44),
    Column("最近到访", lambda r: dt_text(r.last_visit_at), width=118),
    Column("隐患(未改)", lambda r: f"{r.hazards}({r.open_hazards})" if r.hazards else "", width=76),
    Column("环节", lambda r: r.step_label, width=150),
    Column("地址", lambda r: r.address),
]


class NewPlanDialog(QDialog):
    """A plan's scope, inspector and period."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plan: PlanView | None = None
        self.setWindowTitle("新建安检计划")
        self.setMinimumWidth(480)
        form = QFormLayout(self)
        today = session.now().date()
        self.title_edit = QLineEdit(f"{today:%Y年%m月}入户安全检查")
        self.title_edit.setObjectName("plan_title")
        self.district = QComboBox()
        self.district.setObjectName("plan_district")
        self.district.addItem("全部片区", "")
        for code, label in District.choices():
            self.district.addItem(label, code)
        self.address = QLineEdit()
        self.address.setObjectName("plan_address")
        self.address.setPlaceholderText("小区、街道或县区名称，如 虹山小区（可不填）")
        self.category = QComboBox()
        self.category.setObjectName("plan_category")
        self.category.addItem("全部用户", "")
        for code, label in CustomerCategory.choices():
            self.category.addItem(f"{label}用户", code)
        self.due_only = QCheckBox("只含已到安检周期的用户（居民12个月、非居民6个月，可在系统设置中修改）")
        self.due_only.setObjectName("plan_due_only")
        self.inspector = QLineEdit()
        self.inspector.setObjectName("plan_inspector")
        self.inspector.setPlaceholderText("如 安检一班 周明")
        self.starts = QLineEdit(today.isoformat())
        self.starts.setObjectName("plan_starts")
        self.ends = QLineEdit((today + timedelta(days=30)).isoformat())
        self.ends.setObjectName("plan_ends")
        self.errors: dict[str, QLabel] = {}
        for code, label, widget in (("title", "计划名称：", self.title_edit), ("district", "片区：", self.district),
                                    ("address", "地址包含：", self.address), ("category", "客户类别：", self.category),
                                    ("due_only", "", self.due_only), ("inspector", "安检员/班组：", self.inspector),
                                    ("starts_on", "开始日期：", self.starts), ("ends_on", "结束日期：", self.ends)):
            form.addRow(label, widget)
            error = error_label()
            error.setObjectName(f"error_{code}")
            self.errors[code] = error
            form.addRow("", error)
        self.error = dialog_footer(self, form, "保存计划", self.save)

    def save(self) -> None:
        for label in (*self.errors.values(), self.error):
            show_error(label, "")
        days: dict[str, date] = {}
        for code, edit in (("starts_on", self.starts), ("ends_on", self.ends)):
            try:
                days[code] = date.fromisoformat(edit.text().strip())
            except ValueError:
                show_error(self.errors[code], "日期格式应为 年-月-日，如 2026-12-01")
                return
        spec = PlanSpec(title=self.title_edit.text(), inspector=self.inspector.text(), starts_on=days["starts_on"],
                        ends_on=days["ends_on"], district=str(self.district.currentData()),
                        address=self.address.text(), category=str(self.category.currentData()),
                        due_only=self.due_only.isChecked())
        svc = InspectionService(self.session.app, self.session.actor)
        try:
            self.plan = run_blocking(self, lambda: svc.create_plan(spec))
        except ServiceError as exc:
            show_error(self.errors.get(exc.field or "", self.error), exc.message)
            return
        self.accept()


class InspectionPlansPage(QWidget):
    """Plans above, the selected plan's orders below; double-click an order to open it."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialog: QDialog | None = None
        self.task: BackgroundTask | None = None
        self.cancel: threading.Event | None = None
        self.last_opening: PlanOpening | None = None
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(title_label("安全检查计划"))
        head.addStretch(1)
        self.new_button = QPushButton("新建计划…")
        self.new_button.setObjectName("new_plan")
        self.open_button = QPushButton("开单（按计划生成安检单）")
        self.open_button.setObjectName("open_plan")
        self.close_button = QPushButton("结束计划…")
        self.close_button.setObjectName("close_plan")
        self.refresh_button = QPushButton("刷新")
        # The inspectors' route sheet: export for the field, import the filled sheet (ui/inspection_sheet.py).
        self.sheets = RouteSheets(self, session, lambda: plan.id if (plan := self.selected()) else None,
                                  lambda: self.refresh())
        for b in (self.new_button, self.open_button, self.close_button, *self.sheets.buttons(), self.refresh_button):
            head.addWidget(b)
        layout.addLayout(head)
        split = QSplitter(Qt.Orientation.Vertical)
        self.plans_model: RowsModel[PlanView] = RowsModel(PLAN_COLUMNS)
        self.plans_view = make_table(self.plans_model)
        split.addWidget(self.plans_view)
        below = QWidget()
        bl = QVBoxLayout(below)
        bl.setContentsMargins(0, 0, 0, 0)
        self.progress = hint_label()
        self.progress.setObjectName("plan_progress")
        bl.addWidget(self.progress)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("显示："))
        self.outcome = QComboBox()
        self.outcome.setObjectName("plan_outcome")
        for text, code in (("全部安检单", None), ("待上门", ""), ("入户检查", "entered"), ("到访不遇（待再访）", "not_home"),
                           ("多次不遇", "unreachable"), ("拒绝安检", "refused")):
            self.outcome.addItem(text, code)
        filters.addWidget(self.outcome)
        filters.addStretch(1)
        bl.addLayout(filters)
        self.orders_model: RowsModel[PlanOrderRow] = RowsModel(ORDER_COLUMNS)
        report_fetch_failures(self, self.orders_model)
        self.orders_view = make_table(self.orders_model)
        bl.addWidget(self.orders_view, 1)
        split.addWidget(below)
        split.setSizes([220, 420])
        layout.addWidget(split, 1)
        self.new_button.clicked.connect(self.new_plan)
        self.open_button.clicked.connect(self.open_selected)
        self.close_button.clicked.connect(self.close_selected)
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.plans_view.selectionModel().selectionChanged.connect(lambda *_: self.show_plan())
        self.outcome.currentIndexChanged.connect(lambda _i: self.show_plan())
        self.orders_view.activated.connect(self._open_order)
        can = session.actor.can
        from gasdesk.permissions import Permission

        allowed = can(Permission.OPEN_ORDER) or can(Permission.DISPATCH)
        for b in (self.new_button, self.open_button, self.close_button, *self.sheets.buttons()):
            b.setEnabled(allowed)
        self.refresh()

    def service(self) -> InspectionService:
        return InspectionService(self.session.app, self.session.actor)

    def selected(self) -> PlanView | None:
        row = selected_row(self.plans_view)
        return self.plans_model.row(row) if row is not None else None

    def refresh(self, select_id: int | None = None) -> None:
        current = self.selected()
        keep = select_id if select_id is not None else (current.id if current is not None else None)
        try:
            plans = self.service().plans()
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.plans_model.set_rows(plans)
        index = next((i for i, p in enumerate(plans) if p.id == keep), 0 if plans else None)
        if index is not None:
            self.plans_view.selectRow(index)
        self.show_plan()

    def show_plan(self) -> None:
        plan = self.selected()
        if plan is None:
            self.progress.setText("还没有安检计划：点“新建计划…”按片区、小区或到期情况安排入户安全检查。")
            self.orders_model.set_rows([])
            return
        done = plan.visited
        share = f"{100 * plan.entered / plan.opened:.0f}%" if plan.opened else "—"
        self.progress.setText(
            f"<b>{plan.number} {plan.title}</b>　{plan.scope_text}；{plan.status_label}。"
            f"开单 {plan.opened} 张（跳过已有安检单 {plan.skipped} 户），已上门 {done}，待上门 {plan.pending}；"
            f"入户 {plan.entered}（入户率 {share}），到访不遇 {plan.not_home}，多次不遇 {plan.unreachable}，"
            f"拒检 {plan.refused}；发现隐患 {plan.hazards} 项，未整改 {plan.open_hazards} 项。")
        outcome = self.outcome.currentData()
        svc, plan_id = self.service(), plan.id
        self.orders_model.set_source(lambda offset, limit: svc.plan_orders(plan_id, outcome=outcome, limit=limit,
                                                                           offset=offset))
        self.open_button.setEnabled(plan.status != PlanStatus.CLOSED and self.new_button.isEnabled())
        self.close_button.setEnabled(plan.status != PlanStatus.CLOSED and self.new_button.isEnabled())

    def new_plan(self) -> NewPlanDialog:
        dialog = NewPlanDialog(self.session, self)

        def saved() -> None:
            if dialog.plan is not None:
                self.refresh(select_id=dialog.plan.id)

        dialog.accepted.connect(saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_selected(self) -> None:
        plan = self.selected()
        if plan is None:
            messages.info(self, "请先选择一个安检计划")
            return
        try:
            preview = self.service().preview_plan(plan.id)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        if preview.to_open == 0:
            messages.info(self, f"计划范围内 {preview.in_scope} 户都已有未完成的安检单，没有需要开单的账户")
            return
        if not messages.ask(self, f"计划“{plan.title}”范围内共 {preview.in_scope} 户，其中 {preview.already_open} 户"
                                  f"已有未完成的安检单将跳过；将为 {preview.to_open} 户开具安检单。是否开单？"):
            return
        self.cancel = threading.Event()
        svc, plan_id, cancel = self.service(), plan.id, self.cancel

        def work(report: Any) -> PlanOpening:
            return svc.open_plan(plan_id, progress=report, cancel=cancel)

        self.task = run_task(self, work, self._opened, label="正在开具安检单…", cancel=self.cancel,
                             on_failed=self._failed)

    def _opened(self, opening: PlanOpening) -> None:
        self.last_opening = opening
        self.refresh(select_id=opening.plan.id)
        self.session.notify_changed()
        messages.info(self, f"已开具安检单 {opening.opened} 张（{opening.first_number} 至 {opening.last_number}），"
                            f"跳过 {opening.skipped} 户。")

    def _failed(self, exc: BaseException) -> None:
        self.refresh()
        if isinstance(exc, OpeningCancelled):
            messages.info(self, exc.message)
            return
        messages.report(self, exc)

    def close_selected(self) -> None:
        plan = self.selected()
        if plan is None:
            return
        if not messages.ask(self, f"结束计划“{plan.title}”？尚未上门的 {plan.pending} 张安检单将撤销，已上门的继续办理。"):
            return
        svc, plan_id = self.service(), plan.id
        try:
            run_blocking(self, lambda: svc.close_plan(plan_id))
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.refresh(select_id=plan.id)
        self.session.notify_changed()

    def _open_order(self, index: Any) -> None:
        self.session.order_requested.emit(self.orders_model.row(index).order_id)
