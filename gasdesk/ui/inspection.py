"""Safety inspection on the counter's screens: the warning banner (customer page, payment, new
business, order page), the manager's confirmation, and on an inspection order the inspector's result
(outcome, checklist with grades, notes, photos from disk), rectification and stopping the supply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gasdesk.flows.inspection import flow as spec
from gasdesk.services.attachments import AttachmentService, AttachmentView
from gasdesk.services.errors import ServiceError
from gasdesk.services.hazard_gate import PURPOSES, NeedsClearance
from gasdesk.services.inspection import (
    ChecklistMark,
    EnteredResult,
    HazardView,
    InspectionService,
    InspectionWarning,
    VisitView,
)
from gasdesk.services.orders import OrderView
from gasdesk.ui import messages
from gasdesk.ui.build import dialog_buttons, dialog_footer
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import Column, RowsModel, dt_text, hint_label, make_table, show_error, title_label
from gasdesk.ui.worker import run_blocking

# The actions the result, rectification and stop-supply dialogs take for the order page.
RESULT_ACTIONS = (spec.PASSED, spec.HAZARDS, spec.URGENT_HAZARDS, spec.NOT_HOME_ACTION, spec.UNREACHABLE_ACTION,
                  spec.REFUSED_ACTION)
CLOSING_ACTIONS = (spec.RECTIFIED, spec.PARTLY)
SUPPLY_STOPPED = spec.SUPPLY_STOPPED
HANDLED_ACTIONS = (*RESULT_ACTIONS, *CLOSING_ACTIONS, SUPPLY_STOPPED)
STYLE = {"error": ("#8e1c1c", "#fdecea", "#e57373"), "warning": ("#7a4f01", "#fff4d6", "#f0c36d")}


def service(session: UiSession) -> InspectionService:
    return InspectionService(session.app, session.actor)


def parse_time(text: str, label: str, *, required: bool = True) -> datetime | None:
    raw = text.strip().replace("T", " ")
    if not raw:
        if required:
            raise ValueError(f"请填写{label}")
        return None
    try:
        return datetime.fromisoformat(raw).replace(second=0, microsecond=0)
    except ValueError:
        raise ValueError(f"{label}格式应为 年-月-日 时:分，如 2026-12-01 09:30") from None


def parse_day(text: str, label: str) -> date | None:
    raw = text.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{label}格式应为 年-月-日，如 2027-06-30") from None


# --- the banner ------------------------------------------------------------------------------------

class InspectionBanner(QLabel):
    """A clear warning when the account's (or customer's) inspection needs the counter's attention."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("inspection_banner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.warnings: list[InspectionWarning] = []
        self.setVisible(False)

    def load(self, *, account_id: int | None = None, customer_id: int | None = None) -> list[InspectionWarning]:
        if account_id is None and customer_id is None:
            self.show_warnings([])
            return []
        try:
            found = service(self.session).warnings(account_id=account_id, customer_id=customer_id)
        except ServiceError:
            found = []
        self.show_warnings(found)
        return found

    def show_warnings(self, warnings: Sequence[InspectionWarning]) -> None:
        self.warnings = list(warnings)
        if not self.warnings:
            self.setText("")
            self.setVisible(False)
            return
        blocking = any(w.blocking for w in self.warnings)
        several = len({w.account_id for w in self.warnings}) > 1
        lines = [(f"{w.account_number}：" if several else "") + w.text for w in self.warnings]
        fg, bg, border = STYLE["error" if blocking else "warning"]
        self.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; border: 2px solid {border}; "
                           "border-radius: 4px; padding: 6px 10px; font-weight: bold; }")
        self.setText("⚠ 安全检查提示：<br>" + "<br>".join(lines))
        self.setVisible(True)

    @property
    def blocking(self) -> bool:
        return any(w.blocking for w in self.warnings)


# --- the manager's confirmation ----------------------------------------------------------------------

class ClearanceDialog(QDialog):
    """A manager signs in at this counter to let one sale of gas or one new order through."""

    def __init__(self, session: UiSession, refusal: NeedsClearance, detail: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.refusal, self.detail = session, refusal, detail
        self.setWindowTitle("管理人员确认")
        self.setMinimumWidth(460)
        form = QFormLayout(self)
        head = QLabel(refusal.message)
        head.setWordWrap(True)
        head.setStyleSheet("color: #8e1c1c; font-weight: bold;")
        form.addRow(head)
        form.addRow("确认事项：", QLabel(PURPOSES[refusal.purpose] + (f"（{detail}）" if detail else "")))
        self.login = QLineEdit()
        self.login.setObjectName("manager_login")
        self.password = QLineEdit()
        self.password.setObjectName("manager_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLineEdit()
        self.reason.setObjectName("clearance_reason")
        self.reason.setPlaceholderText("如：客户已关闭阀门，承诺三日内整改")
        form.addRow("管理人员账号：", self.login)
        form.addRow("密码：", self.password)
        form.addRow("确认原因：", self.reason)
        self.error = dialog_footer(self, form, "确认授权", self.grant)
        self.error.setObjectName("clearance_error")
        self.login.setFocus()

    def grant(self) -> None:
        try:
            svc, refusal = service(self.session), self.refusal
            login, password, reason = self.login.text(), self.password.text(), self.reason.text()
            run_blocking(self, lambda: svc.grant_clearance(refusal.account_id, refusal.purpose, login, password,
                                                           reason, self.detail))
        except ServiceError as exc:
            self.password.clear()
            show_error(self.error, exc.message)
            return
        self.accept()


# --- the inspector's result ----------------------------------------------------------------------------

class OrderActionDialog(QDialog):
    """A dialog that takes one action on the order: `performed` carries the order as it is after."""

    performed = Signal(object)
    error: QLabel

    def perform(self, action: Callable[[], OrderView]) -> None:
        """Run `action` (it reads the fields, then asks the service); a field it cannot read
        (ValueError) or the service's refusal is shown on the error line and the dialog stays open."""
        try:
            view = action()
        except ValueError as exc:
            show_error(self.error, str(exc))
            return
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        self.performed.emit(view)
        self.accept()


class ResultDialog(OrderActionDialog):
    """What the inspector's sheet says: the outcome; on entry every checklist item with its grade and a
    note, equipment due dates and photos; nobody home (card left) or the customer's refusal."""

    def __init__(self, session: UiSession, order: OrderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.order = session, order
        self.photos: list[Path] = []
        self.setWindowTitle(f"录入安全检查结果 - {order.number}")
        self.setMinimumWidth(760)
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel(f"<b>{order.customer_name}</b>（{order.account_number or ''}）　"
                               f"第 {order.rounds + 1} 次上门"))
        row = QHBoxLayout()
        self.outcomes = QButtonGroup(self)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        for code, label in ((spec.ENTERED, "入户检查"), (spec.NOT_HOME, "到访不遇"), (spec.REFUSED, "拒绝安检")):
            button = QRadioButton(label)
            button.setObjectName(f"outcome_{code}")
            self.outcomes.addButton(button)
            self.outcome_buttons[code] = button
            row.addWidget(button)
        row.addStretch(1)
        outer.addLayout(row)
        times = QGridLayout()
        now = session.now().strftime("%Y-%m-%d %H:%M")
        self.visited = QLineEdit(now)
        self.visited.setObjectName("visited_at")
        self.left = QLineEdit()
        self.left.setObjectName("left_at")
        self.left.setPlaceholderText("年-月-日 时:分（可不填）")
        self.inspector = QLineEdit(order.crew or str(order.data.get("crew") or ""))
        self.inspector.setObjectName("inspector")
        for i, (label, widget) in enumerate((("到访时间", self.visited), ("离开时间", self.left),
                                             ("安检员", self.inspector))):
            times.addWidget(QLabel(label + "："), 0, 2 * i)
            times.addWidget(widget, 0, 2 * i + 1)
        outer.addLayout(times)

        self.entered_box = QGroupBox("检查项目（常见隐患在前；一级：立即整改，二级：限期整改，三级：整改建议）")
        grid = QGridLayout(self.entered_box)
        grid.setVerticalSpacing(2)
        self.grades: dict[str, QComboBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        for r, item in enumerate(spec.CHECKLIST):
            grid.addWidget(QLabel(f"{r + 1}．{item.label}"), r, 0)
            combo = QComboBox()
            combo.setObjectName(f"grade_{item.code}")
            for code, label in spec.GRADES:
                combo.addItem(label, code)
            note = QLineEdit()
            note.setObjectName(f"note_{item.code}")
            note.setPlaceholderText("说明（可不填）")
            self.grades[item.code], self.notes[item.code] = combo, note
            grid.addWidget(combo, r, 1)
            grid.addWidget(note, r, 2)
        grid.setColumnStretch(2, 1)
        devices = QHBoxLayout()
        self.devices: dict[str, QLineEdit] = {}
        for code, label in (("alarm_due", "报警器到期"), ("hose_due", "胶管到期"), ("cooker_due", "灶具到期"),
                            ("heater_due", "热水器到期")):
            edit = QLineEdit()
            edit.setObjectName(code)
            edit.setPlaceholderText("年-月-日")
            edit.setMaximumWidth(100)
            self.devices[code] = edit
            devices.addWidget(QLabel(label + "："))
            devices.addWidget(edit)
        devices.addStretch(1)
        grid.addLayout(devices, len(spec.CHECKLIST), 0, 1, 3)
        photos = QHBoxLayout()
        self.photo_list = QListWidget()
        self.photo_list.setObjectName("photos")
        self.photo_list.setMaximumHeight(48)
        self.add_photo_button = QPushButton("添加照片…")
        self.add_photo_button.setObjectName("add_photo")
        self.add_photo_button.clicked.connect(self.pick_photos)
        photos.addWidget(QLabel("现场照片："))
        photos.addWidget(self.photo_list, 1)
        photos.addWidget(self.add_photo_button)
        grid.addLayout(photos, len(spec.CHECKLIST) + 1, 0, 1, 3)
        outer.addWidget(self.entered_box)

        self.other_box = QWidget()
        other = QFormLayout(self.other_box)
        other.setContentsMargins(0, 0, 0, 0)
        self.card_left = QCheckBox("已在门上留到访不遇卡")
        self.card_left.setObjectName("card_left")
        self.card_left.setChecked(True)
        self.refusal = QLineEdit()
        self.refusal.setObjectName("refusal_reason")
        other.addRow(self.card_left)
        self.refusal_label = QLabel("拒绝原因：")
        other.addRow(self.refusal_label, self.refusal)
        outer.addWidget(self.other_box)
        self.note = QLineEdit()
        self.note.setObjectName("visit_note")
        note_row = QHBoxLayout()
        note_row.addWidget(QLabel("检查情况说明："))
        note_row.addWidget(self.note, 1)
        outer.addLayout(note_row)
        self.error = dialog_footer(self, outer, "保存结果", self.save)
        self.error.setObjectName("result_error")
        self.outcomes.buttonToggled.connect(lambda *_: self._outcome_changed())
        self.outcome_buttons[spec.ENTERED].setChecked(True)
        self._outcome_changed()

    def outcome(self) -> str:
        return next(code for code, b in self.outcome_buttons.items() if b.isChecked())

    def _outcome_changed(self) -> None:
        outcome = self.outcome()
        self.entered_box.setVisible(outcome == spec.ENTERED)
        self.left.setEnabled(outcome == spec.ENTERED)
        self.card_left.setVisible(outcome == spec.NOT_HOME)
        self.refusal.setVisible(outcome == spec.REFUSED)
        self.refusal_label.setVisible(outcome == spec.REFUSED)
        self.adjustSize()

    def set_grade(self, item: str, grade: str, note: str = "") -> None:
        combo = self.grades[item]
        combo.setCurrentIndex(combo.findData(grade))
        if note:
            self.notes[item].setText(note)

    def pick_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择现场照片", "", "照片 (*.jpg *.jpeg *.png *.bmp *.gif *.webp)")
        self.add_photos([Path(f) for f in files])

    def add_photos(self, paths: Sequence[Path]) -> None:
        for path in paths:
            if path not in self.photos:
                self.photos.append(path)
                self.photo_list.addItem(path.name)

    def save(self) -> None:
        show_error(self.error, "")
        self.perform(self._record)

    def _record(self) -> OrderView:
        svc = service(self.session)
        visited = parse_time(self.visited.text(), "到访时间")
        assert visited is not None
        outcome = self.outcome()
        if outcome == spec.ENTERED:
            result = EnteredResult(
                visited_at=visited, left_at=parse_time(self.left.text(), "离开时间", required=False),
                inspector=self.inspector.text(),
                marks=[ChecklistMark(code, str(self.grades[code].currentData()), self.notes[code].text())
                       for code in self.grades],
                note=self.note.text(), photos=list(self.photos),
                **{code: parse_day(edit.text(), label) for (code, edit), label in zip(
                    self.devices.items(), ("报警器到期日", "胶管到期日", "灶具到期日", "热水器到期日"), strict=True)})
            order = self.order
            return run_blocking(self, lambda: svc.record_entered(order.id, result, expected_version=order.version))
        if outcome == spec.NOT_HOME:
            order, who, card, note = self.order, self.inspector.text(), self.card_left.isChecked(), self.note.text()
            return run_blocking(self, lambda: svc.record_not_home(order.id, visited, who, card_left=card, note=note,
                                                                  expected_version=order.version))
        order, who, why, note = self.order, self.inspector.text(), self.refusal.text(), self.note.text()
        return run_blocking(self, lambda: svc.record_refused(order.id, visited, who, why, note=note,
                                                             expected_version=order.version))


class RectifyDialog(OrderActionDialog):
    """Close the notice's hazards: by re-inspection or the customer's report, all or some of them."""

    def __init__(self, session: UiSession, order: OrderView, hazards: Sequence[HazardView],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.order = session, order
        self.setWindowTitle(f"隐患整改销项 - {order.number}")
        self.setMinimumWidth(520)
        form = QFormLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for h in hazards:
            box = QCheckBox(f"{h.grade_label}　{h.label}（期限 {dt_text(h.due_at)}）")
            box.setObjectName(f"close_{h.item}")
            box.setChecked(True)
            self.boxes[h.item] = box
            form.addRow(box)
        self.how = QComboBox()
        self.how.setObjectName("closed_how")
        for code, label in spec.CLOSED_HOW:
            self.how.addItem(label, code)
        self.checked = QLineEdit(session.now().strftime("%Y-%m-%d %H:%M"))
        self.checked.setObjectName("checked_at")
        self.note = QLineEdit()
        self.note.setObjectName("rectify_note")
        form.addRow("销项方式：", self.how)
        form.addRow("复查/收到报告时间：", self.checked)
        form.addRow("整改情况：", self.note)
        self.error = dialog_footer(self, form, "销项", self.save)

    def save(self) -> None:
        chosen = [item for item, box in self.boxes.items() if box.isChecked()]
        if not chosen:
            show_error(self.error, "请勾选已整改的隐患")
            return
        items = [] if len(chosen) == len(self.boxes) else chosen
        self.perform(lambda: self._close(items))

    def _close(self, items: list[str]) -> OrderView:
        checked = parse_time(self.checked.text(), "复查/收到报告时间")
        assert checked is not None
        svc, order, how, note = service(self.session), self.order, str(self.how.currentData()), self.note.text()
        return run_blocking(self, lambda: svc.close_hazards(order.id, how, note, checked, items=items,
                                                            expected_version=order.version))


class PhotoDialog(QDialog):
    """A photo attached to the order, read back only when it still matches its SHA-256."""

    def __init__(self, view: AttachmentView, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"照片 - {view.file_name}")
        self.resize(820, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{view.file_name}　{view.caption}　{dt_text(view.added_at)} {view.added_by}　"
                                f"SHA-256 {view.sha256[:16]}…"))
        pixmap = QPixmap()
        self.image = QLabel()
        self.image.setObjectName("photo")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if view.is_image and pixmap.loadFromData(data):
            self.image.setPixmap(pixmap.scaled(780, 560, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        else:
            self.image.setText("该附件不是可显示的图片（PDF 请另存后查看）")
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        layout.addWidget(scroll, 1)
        close = dialog_buttons("关闭", None)
        close.accepted.connect(self.accept)
        layout.addWidget(close)


VISIT_COLUMNS: list[Column[VisitView]] = [
    Column("次数", lambda v: f"第{v.attempt}次", width=50),
    Column("到访时间", lambda v: dt_text(v.visited_at), width=118),
    Column("结果", lambda v: v.outcome_label, width=80),
    Column("安检员", lambda v: v.inspector, width=100),
    Column("隐患", lambda v: "、".join(f"{spec.ITEMS[k].label}（{spec.GRADE_SHORT[g]}）"
                                      for k, g in v.checklist.items() if g != spec.OK) or
           ("无" if v.outcome == spec.ENTERED else "")),
    Column("说明", lambda v: v.refusal_reason or v.note),
]
HAZARD_COLUMNS: list[Column[HazardView]] = [
    Column("隐患", lambda h: h.label, width=230),
    Column("等级", lambda h: h.grade_label, width=44),
    Column("整改期限", lambda h: dt_text(h.due_at.date()) if h.due_at else "—", width=84,
           colors=lambda h: ("#b71c1c", "#fde0dc") if h.overdue else None),
    Column("状态", lambda h: h.status_label + ("（已逾期）" if h.overdue else ""), width=96),
    Column("销项", lambda h: f"{dt_text(h.closed_at)} {dict(spec.CLOSED_HOW).get(h.closed_how, '')}"
           if h.closed_at else ""),
]
PHOTO_COLUMNS: list[Column[AttachmentView]] = [
    Column("文件", lambda a: a.file_name, width=200),
    Column("添加时间", lambda a: dt_text(a.added_at), width=118),
    Column("添加人", lambda a: a.added_by, width=70),
    Column("说明", lambda a: a.caption),
]


class InspectionPanel(QWidget):
    """The order page's 安全检查 tab: visits, hazards with deadlines, photos (added from disk, viewed)."""

    changed = Signal()

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.order: OrderView | None = None
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = hint_label()
        self.summary.setObjectName("inspection_summary")
        layout.addWidget(self.summary)
        layout.addWidget(title_label("上门记录", 10))
        self.visits_model: RowsModel[VisitView] = RowsModel(VISIT_COLUMNS)
        self.visits_view = make_table(self.visits_model)
        self.visits_view.setMaximumHeight(100)
        layout.addWidget(self.visits_view)
        layout.addWidget(title_label("隐患及整改", 10))
        self.hazards_model: RowsModel[HazardView] = RowsModel(HAZARD_COLUMNS)
        self.hazards_view = make_table(self.hazards_model)
        self.hazards_view.setMaximumHeight(160)
        layout.addWidget(self.hazards_view)
        bar = QHBoxLayout()
        bar.addWidget(title_label("现场照片", 10))
        bar.addStretch(1)
        self.add_button = QPushButton("添加照片…")
        self.add_button.setObjectName("panel_add_photo")
        self.view_button = QPushButton("查看照片")
        self.view_button.setObjectName("view_photo")
        bar.addWidget(self.add_button)
        bar.addWidget(self.view_button)
        layout.addLayout(bar)
        self.photos_model: RowsModel[AttachmentView] = RowsModel(PHOTO_COLUMNS)
        self.photos_view = make_table(self.photos_model)
        layout.addWidget(self.photos_view, 1)
        self.add_button.clicked.connect(self.pick_photos)
        self.view_button.clicked.connect(self.view_selected)
        self.photos_view.doubleClicked.connect(lambda _i: self.view_selected())

    def show_order(self, order: OrderView) -> None:
        self.order = order
        svc = service(self.session)
        try:
            row = svc.inspection_of(order.id)
            visits = svc.visits(order.id)
            hazards = svc.hazards(order_id=order.id)
            photos = AttachmentService(self.session.app, self.session.actor).for_order(order.id)
        except ServiceError as exc:
            messages.report(self, exc)
            return
        plan = str(order.data.get("plan_number") or "")
        parts = [f"安检计划 {plan}（{order.data.get('plan_title', '')}，{order.data.get('plan_ends_on', '')} 前完成）"
                 if plan else "客户预约安检"]
        if row is not None:
            parts.append(f"上门 {row.attempts} 次，{row.outcome_label}")
        open_ = [h for h in hazards if h.status == "open"]
        if open_:
            parts.append(f"未整改隐患 {len(open_)} 项")
        self.summary.setText("；".join(parts))
        self.visits_model.set_rows(visits)
        self.hazards_model.set_rows(hazards)
        self.photos_model.set_rows(photos)
        self.view_button.setEnabled(bool(photos))

    def pick_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择照片", "", "照片 (*.jpg *.jpeg *.png *.bmp *.gif *.webp)")
        self.attach([Path(f) for f in files])

    def attach(self, paths: Sequence[Path]) -> None:
        if self.order is None:
            return
        svc, order_id = service(self.session), self.order.id
        for path in paths:
            try:
                run_blocking(self, partial(svc.attach_photo, order_id, path))
            except ServiceError as exc:
                messages.report(self, exc)
        self.show_order(self.order)
        self.changed.emit()

    def view_selected(self) -> PhotoDialog | None:
        rows = self.photos_view.selectionModel().selectedRows() if self.photos_view.selectionModel() else []
        if not self.photos_model.rows:
            return None
        chosen = self.photos_model.row(rows[0].row() if rows else 0)
        try:
            view, data = AttachmentService(self.session.app, self.session.actor).read(chosen.id)
        except ServiceError as exc:
            messages.report(self, exc)
            return None
        dialog = PhotoDialog(view, data, self)
        self.dialog = dialog
        dialog.open()
        return dialog


def stop_supply(parent: QWidget, session: UiSession, order: OrderView, reason: str) -> OrderView | None:
    try:
        svc = service(session)
        view, suspension = run_blocking(parent, lambda: svc.stop_supply(order.id, reason))
    except ServiceError as exc:
        messages.report(parent, exc)
        return None
    messages.info(parent, f"已开具暂停用气业务单 {suspension.number}，并关联到本安检单的一级隐患；"
                          "请按暂停用气流程办理停气。")
    session.order_requested.emit(suspension.id)
    return view


__all__ = ["HANDLED_ACTIONS", "ClearanceDialog", "InspectionBanner", "InspectionPanel", "NeedsClearance",
           "RectifyDialog", "ResultDialog"]
