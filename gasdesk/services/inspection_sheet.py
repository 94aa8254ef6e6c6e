"""The inspectors' route sheet (安检路线单): a plan's orders still waiting for a visit, exported to Excel
one row per account with the checklist as columns, filled in the field (on paper, typed in later, or
on a tablet), and imported back row by row.

* **Export.** Row 1 names the plan (its number is how the import knows the sheet is this plan's), row 2
  says how to fill it, row 3 holds the headers, then one row per order waiting at the visit step (not
  visited yet, or not home and waiting for the re-visit). The outcome, the grades and 是/否 are
  drop-down lists (Excel data validation), so a tablet offers only valid values. Phone numbers are
  masked for roles without the right to see them in full, as in the ledgers.
* **Import.** The file is refused whole, with nothing written, when it is not a workbook, not this
  plan's route sheet, or its headers were changed. Otherwise every row is checked and, if good,
  recorded through InspectionService (one transaction per row: the visit, its hazards, the flags,
  the step log and the audit, or nothing); a bad row is reported with its Excel row number and every
  reason (unknown order or not in this plan, another account, bad outcome or grade, a time in the
  future or outside the plan's period, a checklist left incomplete, a refusal without its reason,
  …) and nothing of it is written. A row whose visit (same order, same minute) is already recorded
  is reported as such and not written again, so importing the same sheet twice changes nothing; two
  counters importing it at the same moment each find, under the order's lock, the rows the other
  wrote, and report them so.
  Blank rows (nothing filled in) are counted and skipped. The import as a whole is one audit entry
  on the plan (file name, SHA-256, counts). Progress and cancel as for opening a plan: rows already
  recorded stay; importing the same file again goes on where it stopped.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from gasdesk.flows.inspection import flow as spec
from gasdesk.models import (
    Account,
    Customer,
    InspectionAccount,
    InspectionOrder,
    InspectionPlan,
    InspectionVisit,
    ServiceOrder,
)
from gasdesk.permissions import Permission
from gasdesk.services import audit
from gasdesk.services.context import Service, must_get
from gasdesk.services.errors import Conflict, NotFound, Refused, ServiceError
from gasdesk.services.inspection import ChecklistMark, EnteredResult, InspectionService
from gasdesk.validation import mask_phone
from gasdesk.vocab import OrderStatus

Progress = Callable[[int, str], None]

SHEET_TITLE = "路线单"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
PLAN_MARK = re.compile(r"计划编号：(\S+)")

OUTCOME_LABELS = {spec.ENTERED: "入户检查", spec.NOT_HOME: "到访不遇", spec.REFUSED: "拒绝安检"}
OUTCOME_CODES = {label: code for code, label in OUTCOME_LABELS.items()}
GRADE_CHOICES = ("合格", "一级", "二级", "三级")
GRADE_CODES = {spec.GRADE_SHORT[code]: code for code in spec.GRADE_SHORT}
# The dialog's full labels are accepted too (一级隐患（立即整改）...).
GRADE_CODES |= {label: code for code, label in spec.GRADES}
YES, NO = "是", "否"

# Columns: (header, width). Those before INPUT_START are the office's; the rest the inspector's.
INFO_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("安检单号", 18), ("燃气账户", 13), ("客户名称", 12), ("联系电话", 14), ("地址", 30),
    ("已上门次数", 6), ("上次入户检查", 11),
)
VISITED_AT, LEFT_AT, OUTCOME, INSPECTOR = "到访时间", "离开时间", "检查结果", "安检员"
HAZARD_NOTE, CARD_LEFT, REFUSAL, NOTE = "隐患说明", "已留到访不遇卡", "拒检原因", "备注"
DEVICE_HEADERS = {"alarm_due": "报警器到期日", "hose_due": "胶管到期日", "cooker_due": "灶具到期日",
                  "heater_due": "热水器到期日"}
INPUT_COLUMNS: tuple[tuple[str, float], ...] = (
    (VISITED_AT, 17), (LEFT_AT, 17), (OUTCOME, 10), (INSPECTOR, 12),
    *((item.label, 12) for item in spec.CHECKLIST),
    (HAZARD_NOTE, 24), *((h, 12) for h in DEVICE_HEADERS.values()), (CARD_LEFT, 8), (REFUSAL, 24), (NOTE, 24),
)
HEADERS = tuple(h for h, _ in INFO_COLUMNS + INPUT_COLUMNS)
INPUT_START = len(INFO_COLUMNS)
COL = {h: i for i, h in enumerate(HEADERS)}
HELP = ("填写说明：到访时间、离开时间写“2026-12-01 09:30”；检查结果、检查项目、是否留卡请从下拉列表选择。入户检查须逐项"
        "填写（合格/一级/二级/三级），到访不遇、拒绝安检不填检查项目；拒绝安检须写拒检原因。安检单号、燃气账户请勿改动；"
        "同一户再次上门可复制一行，写新的到访时间。")


@dataclass(frozen=True)
class SheetExport:
    path: Path
    plan_number: str
    rows: int


@dataclass(frozen=True)
class RowResult:
    """One row of the imported sheet: `status` is recorded, already, refused or blank."""

    row: int
    order_number: str
    account_number: str
    customer: str
    status: str
    outcome: str
    message: str = ""


STATUS_LABELS = {"recorded": "已登记", "already": "此前已登记，未重复写入", "refused": "未导入", "blank": "未填写"}


@dataclass
class SheetImport:
    plan_number: str
    file_name: str
    sha256: str
    rows: list[RowResult] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def recorded(self) -> int:
        return self.count("recorded")

    @property
    def already(self) -> int:
        return self.count("already")

    @property
    def refused(self) -> int:
        return self.count("refused")

    @property
    def blank(self) -> int:
        return self.count("blank")

    @property
    def refused_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "refused"]

    def summary(self) -> str:
        stop = "（已取消，其余行未处理；再次导入同一文件可继续）" if self.cancelled else ""
        return (f"路线单 {self.file_name}：登记 {self.recorded} 行，此前已登记 {self.already} 行，"
                f"未导入 {self.refused} 行，未填写 {self.blank} 行{stop}")

    def save_report(self, path: str | Path) -> Path:
        """The report as a workbook: every row that was not recorded now, with why."""
        target = Path(path)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("导入结果")
        ws.append([self.summary()])
        ws.append(["行号", "安检单号", "燃气账户", "客户名称", "检查结果", "处理结果", "原因"])
        for r in self.rows:
            if r.status != "recorded":
                ws.append([r.row, r.order_number, r.account_number, r.customer, r.outcome, STATUS_LABELS[r.status],
                           r.message])
        try:
            wb.save(target)
        except PermissionError as exc:
            raise Refused(f"无法写入文件 {target.name}：文件可能正在被 Excel 打开，请关闭后重试") from exc
        return target


class RowRefused(Exception):
    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("；".join(reasons))
        self.reasons = list(reasons)


# --- reading cells ---------------------------------------------------------------------------------------

DATETIME_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：](\d{1,2}))?分?$")
DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_datetime(value: Any, header: str) -> datetime | None:
    """A cell holding a time of day on a date: an Excel date-time, or text like 2026-12-01 09:30."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        if value.time() == time.min:
            raise ValueError(f"“{header}”须写明几点几分")
        return value.replace(second=0, microsecond=0)
    if isinstance(value, date):
        raise ValueError(f"“{header}”须写明几点几分")
    text = _text(value)
    m = DATETIME_TEXT.match(text)
    if m is None:
        if DATE_TEXT.match(text):
            raise ValueError(f"“{header}”须写明几点几分")
        raise ValueError(f"“{header}”的“{text}”不是有效时间（应写作 2026-12-01 09:30）")
    try:
        year, month, day, hour, minute = (int(g) for g in m.groups()[:5])
        return datetime(year, month, day, hour, minute)
    except ValueError:
        raise ValueError(f"“{header}”的“{text}”不是有效时间") from None


def parse_date(value: Any, header: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    m = DATE_TEXT.match(text)
    if m is None:
        raise ValueError(f"“{header}”的“{text}”不是有效日期（应写作 2027-06-30）")
    try:
        return date(*(int(g) for g in m.groups()))
    except ValueError:
        raise ValueError(f"“{header}”的“{text}”不是有效日期") from None


# --- the service -----------------------------------------------------------------------------------------

class RouteSheetService(Service):
    def _require(self) -> None:
        self.actor.require(Permission.OPEN_ORDER, Permission.DISPATCH, doing="导出或导入安检路线单")

    def plan_id(self, number: str) -> int:
        with self.app.reading() as s:
            plan_id = s.scalar(select(InspectionPlan.id).where(InspectionPlan.number == number.strip().upper()))
        if plan_id is None:
            raise NotFound(f"没有编号为 {number} 的安检计划")
        return int(plan_id)

    # --- export ------------------------------------------------------------------------------------------
    def export(self, plan_id: int, path: str | Path) -> SheetExport:
        """Write the plan's route sheet: one row per order waiting at the visit step."""
        self._require()
        target = Path(path)
        if not target.parent.is_dir():
            raise Refused(f"保存位置不存在：{target.parent}", field="path")
        masked = not self.actor.can(Permission.VIEW_FULL_ID)
        with self.app.reading() as s:
            plan = must_get(s, InspectionPlan, plan_id, "安检计划不存在")
            rows = s.execute(
                select(ServiceOrder.number, Account.number, Customer.name, Customer.phone, Account.address,
                       InspectionOrder.attempts, InspectionAccount.last_entered_at)
                .select_from(InspectionOrder)
                .join(ServiceOrder, ServiceOrder.id == InspectionOrder.order_id)
                .join(Account, Account.id == InspectionOrder.account_id)
                .join(Customer, Customer.id == Account.customer_id)
                .outerjoin(InspectionAccount, InspectionAccount.account_id == InspectionOrder.account_id)
                .where(InspectionOrder.plan_id == plan_id, ServiceOrder.status == OrderStatus.OPEN,
                       ServiceOrder.step == spec.CHECK)
                .order_by(Account.address, ServiceOrder.id)).all()
            number, title, inspector = plan.number, plan.title, plan.inspector
            period = f"{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}"
        if not rows:
            raise Refused("本计划没有待上门的安检单（尚未开单，或都已上门登记）")
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(SHEET_TITLE)
        for i, (_h, width) in enumerate(INFO_COLUMNS + INPUT_COLUMNS, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = f"{get_column_letter(INPUT_START + 1)}{FIRST_ROW}"
        last = FIRST_ROW + len(rows) - 1
        self._validations(ws, last)
        bold = Font(bold=True)
        ws.append([f"安检路线单　计划编号：{number}　{title}　安检员/班组：{inspector}　期限：{period}"])
        ws.append([HELP])
        thin = Side(style="thin", color="999999")
        head_fill, input_fill = PatternFill("solid", fgColor="DDE6F0"), PatternFill("solid", fgColor="FFF6D5")
        headers = []
        for i, h in enumerate(HEADERS):
            cell = _cell(ws, h)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.fill = input_fill if i >= INPUT_START else head_fill
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            headers.append(cell)
        ws.append(headers)
        for n, (order_no, account_no, name, phone, address, attempts, entered) in enumerate(rows, 1):
            values: list[Any] = [n, order_no, account_no, name, mask_phone(phone) if masked and phone else phone or "",
                                 address, attempts, entered.date() if isinstance(entered, datetime) else entered]
            values += [None] * (len(HEADERS) - len(values))
            values[COL[INSPECTOR]] = inspector
            cells = []
            for i, v in enumerate(values):
                cell = _cell(ws, v)
                if i == COL["上次入户检查"] and v is not None:
                    cell.number_format = "yyyy-mm-dd"
                elif i in (COL[VISITED_AT], COL[LEFT_AT]):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif HEADERS[i] in DEVICE_HEADERS.values():
                    cell.number_format = "yyyy-mm-dd"
                elif i < INPUT_START:
                    cell.number_format = "@"
                cells.append(cell)
            ws.append(cells)
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9
        try:
            wb.save(target)
        except PermissionError as exc:
            raise Refused(f"无法写入文件 {target.name}：文件可能正在被 Excel 打开，请关闭后重试") from exc
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="inspection_plan", entity_id=plan_id,
                         action="export_sheet", changes={"file": [None, target.name], "rows": [None, len(rows)],
                                                         "masked": [None, masked]})
        return SheetExport(target, number, len(rows))

    @staticmethod
    def _validations(ws: Any, last: int) -> None:
        def listed(header: str, values: Sequence[str], prompt: str) -> None:
            letter = get_column_letter(COL[header] + 1)
            dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="请从列表中选择", error=prompt,
                                showInputMessage=True, promptTitle=header, prompt=prompt)
            dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")
            ws.data_validations.append(dv)

        listed(OUTCOME, tuple(OUTCOME_LABELS.values()), "入户检查、到访不遇或拒绝安检")
        for item in spec.CHECKLIST:
            listed(item.label, GRADE_CHOICES, "合格、一级（立即整改）、二级（限期整改）或三级（整改建议）")
        listed(CARD_LEFT, (YES, NO), "到访不遇时是否已留到访不遇卡")

    # --- import ------------------------------------------------------------------------------------------
    def import_sheet(self, plan_id: int, path: str | Path, *, progress: Progress | None = None,
                     cancel: threading.Event | None = None) -> SheetImport:
        """Record the filled route sheet row by row (see the module's docstring)."""
        self._require()
        report = progress or (lambda _p, _t: None)
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise Refused(f"无法读取文件 {source.name}") from exc
        with self.app.reading() as s:
            plan = must_get(s, InspectionPlan, plan_id, "安检计划不存在")
            number, inspector = plan.number, plan.inspector
            first = datetime.combine(plan.starts_on, time.min)
            after = datetime.combine(plan.ends_on + timedelta(days=1), time.min)
            period = f"{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}"
        rows = self._read(source, number)
        result = SheetImport(number, source.name, hashlib.sha256(data).hexdigest())
        total = len(rows)
        report(1, f"共 {total} 行")
        svc = InspectionService(self.app, self.actor)
        for done, (row_no, values) in enumerate(rows, 1):
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            result.rows.append(self._one(svc, plan_id, row_no, values, inspector, first, after, period))
            if done % 20 == 0 or done == total:
                report(min(99, 1 + 98 * done // max(total, 1)), f"已处理 {done}/{total} 行")
        self._audit(plan_id, result)
        report(100, result.summary())
        return result

    def _read(self, source: Path, number: str) -> list[tuple[int, list[Any]]]:
        """The data rows of the file (whole-file checks first: a workbook, this plan's, its headers)."""
        try:
            wb = load_workbook(source, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
            raise Refused(f"文件 {source.name} 不是可读取的 Excel 工作簿（.xlsx）") from exc
        try:
            ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
            rows = list(ws.iter_rows(values_only=True))
        finally:
            wb.close()
        title = _text(rows[0][0]) if rows and rows[0] else ""
        found = PLAN_MARK.search(title)
        if found is None:
            raise Refused(f"文件 {source.name} 不是安检路线单（第1行没有计划编号）")
        if found.group(1) != number:
            raise Refused(f"这是计划 {found.group(1)} 的路线单，不是本计划（{number}）的，未导入")
        header = [_text(v) for v in rows[HEADER_ROW - 1]] if len(rows) >= HEADER_ROW else []
        header = header[:len(HEADERS)]
        if header != list(HEADERS):
            missing = [h for h in HEADERS if h not in header]
            moved = [h for i, h in enumerate(HEADERS) if h in header and header.index(h) != i]
            detail = ("缺少列：" + "、".join(missing[:5])) if missing else ("列的顺序被改动：" + "、".join(moved[:5]))
            raise Refused(f"路线单的表头被改动（{detail}），请使用本系统导出的路线单填写，未导入")
        out = []
        for i, raw in enumerate(rows[HEADER_ROW:], FIRST_ROW):
            values = list(raw[:len(HEADERS)]) + [None] * max(0, len(HEADERS) - len(raw))
            if all(v in (None, "") for v in values):
                continue
            out.append((i, values))
        return out

    def _one(self, svc: InspectionService, plan_id: int, row_no: int, values: list[Any], default_inspector: str,
             first: datetime, after: datetime, period: str) -> RowResult:
        order_no = _text(values[COL["安检单号"]]).upper()
        account_no = _text(values[COL["燃气账户"]])
        name = _text(values[COL["客户名称"]])
        outcome_text = _text(values[COL[OUTCOME]])

        def result(status: str, message: str = "") -> RowResult:
            return RowResult(row_no, order_no, account_no, name, status, outcome_text, message)

        # The inspector's name comes pre-filled: a row with nothing else is not filled in yet.
        if all(_text(v) == "" for i, v in enumerate(values) if i >= INPUT_START and i != COL[INSPECTOR]):
            return result("blank")
        try:
            order = self._order(plan_id, order_no, account_no)
            visit = self._visit(values, default_inspector, first, after, period)
        except RowRefused as exc:
            return result("refused", str(exc))
        order_id, step, status = order
        outcome, visited = visit["outcome"], visit["visited_at"]

        def recorded_before() -> RowResult | None:
            with self.app.reading() as s:
                earlier = s.scalar(select(InspectionVisit.outcome).where(
                    InspectionVisit.order_id == order_id, InspectionVisit.visited_at == visited))
            if earlier is None:
                return None
            if earlier == outcome:
                return result("already", f"{visited:%Y-%m-%d %H:%M} 的到访已登记，未重复写入")
            return result("refused", f"{visited:%Y-%m-%d %H:%M} 的到访已登记为“{spec.OUTCOMES.get(earlier, earlier)}”，"
                                     f"与表中“{outcome_text}”不符")

        if (found := recorded_before()) is not None:
            return found
        if status != OrderStatus.OPEN or step != spec.CHECK:
            ended = "已办结" if status != OrderStatus.OPEN else "已登记入户结果，正在整改环节"
            return result("refused", f"安检单 {order_no} {ended}，不能再登记到访")
        try:
            if outcome == spec.ENTERED:
                svc.record_entered(order_id, EnteredResult(
                    visited_at=visited, inspector=visit["inspector"], marks=visit["marks"], left_at=visit["left_at"],
                    note=visit["note"], **visit["devices"]))
            elif outcome == spec.NOT_HOME:
                svc.record_not_home(order_id, visited, visit["inspector"], card_left=visit["card_left"],
                                    note=visit["note"])
            else:
                svc.record_refused(order_id, visited, visit["inspector"], visit["reason"], note=visit["note"])
        except ServiceError as exc:
            # Another counter importing the same sheet may have written this visit since it was looked
            # for: the order's lock let one through, and this row is then found done, not failed.
            if (found := recorded_before()) is not None:
                return found
            if isinstance(exc, Conflict):
                return result("refused", "该安检单刚被他人修改，请稍后再次导入本文件（已登记的行不会重复写入）")
            return result("refused", exc.message)
        return result("recorded")

    def _order(self, plan_id: int, order_no: str, account_no: str) -> tuple[int, str, str]:
        if not order_no:
            raise RowRefused(["缺少安检单号"])
        with self.app.reading() as s:
            row = s.execute(select(ServiceOrder.id, ServiceOrder.step, ServiceOrder.status, InspectionOrder.plan_id,
                                   Account.number)
                            .join(InspectionOrder, InspectionOrder.order_id == ServiceOrder.id)
                            .join(Account, Account.id == InspectionOrder.account_id)
                            .where(ServiceOrder.number == order_no)).first()
        if row is None:
            raise RowRefused([f"没有安检单 {order_no}"])
        order_id, step, status, plan, account = row
        if plan != plan_id:
            raise RowRefused([f"安检单 {order_no} 不属于本计划"])
        if account_no and account_no != account:
            raise RowRefused([f"燃气账户 {account_no} 与安检单 {order_no} 的账户 {account} 不符"])
        return int(order_id), str(step), str(status)

    def _visit(self, values: list[Any], default_inspector: str, first: datetime, after: datetime,
               period: str) -> dict[str, Any]:
        """The row's visit, every cell checked; all the reasons a row is refused, together."""
        reasons: list[str] = []

        def cell(header: str) -> Any:
            return values[COL[header]]

        def when(header: str) -> datetime | None:
            try:
                return parse_datetime(cell(header), header)
            except ValueError as exc:
                reasons.append(str(exc))
                return None

        outcome_text = _text(cell(OUTCOME))
        outcome = OUTCOME_CODES.get(outcome_text)
        if not outcome_text:
            reasons.append("未填写检查结果")
        elif outcome is None:
            reasons.append(f"检查结果“{outcome_text}”无效，应为{'、'.join(OUTCOME_LABELS.values())}")
        visited, left = when(VISITED_AT), when(LEFT_AT)
        now = self.app.clock.now()
        if visited is None and not any(VISITED_AT in r for r in reasons):
            reasons.append("未填写到访时间")
        if visited is not None:
            if visited > now:
                reasons.append(f"到访时间 {visited:%Y-%m-%d %H:%M} 晚于现在，不可能")
            elif not first <= visited < after:
                reasons.append(f"到访时间 {visited:%Y-%m-%d %H:%M} 不在计划期限（{period}）内")
        if left is not None:
            if outcome != spec.ENTERED:
                reasons.append("只有入户检查才填写离开时间")
            elif visited is not None and left < visited:
                reasons.append("离开时间早于到访时间")
            elif left > now:
                reasons.append("离开时间晚于现在，不可能")
        inspector = _text(cell(INSPECTOR)) or default_inspector
        if len(inspector) > 60:
            reasons.append("安检员最多60字")
        marks: list[ChecklistMark] = []
        hazard_note = _text(cell(HAZARD_NOTE))
        unmarked, bad = [], []
        for item in spec.CHECKLIST:
            raw = _text(cell(item.label))
            if outcome != spec.ENTERED:
                if raw:
                    bad.append(f"{OUTCOME_LABELS.get(outcome or '', outcome_text)}时不填检查项目（“{item.label}”填了“{raw}”）")
                continue
            if not raw:
                unmarked.append(item.label)
                continue
            grade = GRADE_CODES.get(raw)
            if grade is None:
                bad.append(f"“{item.label}”的“{raw}”不是有效等级（应为{'、'.join(GRADE_CHOICES)}）")
                continue
            marks.append(ChecklistMark(item.code, grade, hazard_note[:200] if grade != spec.OK else ""))
        if unmarked:
            reasons.append("入户检查须逐项填写，未填：" + "、".join(unmarked[:3]) + ("等" if len(unmarked) > 3 else ""))
        reasons += bad[:3]
        devices: dict[str, date | None] = {}
        for code, header in DEVICE_HEADERS.items():
            try:
                devices[code] = parse_date(cell(header), header)
            except ValueError as exc:
                reasons.append(str(exc))
        if outcome != spec.ENTERED and any(devices.values()):
            reasons.append("到访不遇、拒绝安检时不填设备到期日")
        card = _text(cell(CARD_LEFT))
        if card not in ("", YES, NO):
            reasons.append(f"“{CARD_LEFT}”应为是或否")
        reason = _text(cell(REFUSAL))
        if outcome == spec.REFUSED and not reason:
            reasons.append("拒绝安检须填写拒检原因")
        if reason and outcome not in (spec.REFUSED, None):
            reasons.append("只有拒绝安检才填写拒检原因")
        note = "；".join(x for x in (_text(cell(NOTE)), hazard_note if outcome != spec.ENTERED else "") if x)
        if reasons:
            raise RowRefused(reasons)
        return {"outcome": outcome, "visited_at": visited, "left_at": left, "inspector": inspector, "marks": marks,
                "devices": devices, "card_left": card != NO, "reason": reason, "note": note[:2000]}

    def _audit(self, plan_id: int, result: SheetImport) -> None:
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="inspection_plan", entity_id=plan_id,
                         action="import_sheet", changes={
                             "file": [None, result.file_name], "sha256": [None, result.sha256],
                             "rows": [None, len(result.rows)], "recorded": [None, result.recorded],
                             "already": [None, result.already], "refused": [None, result.refused],
                             "blank": [None, result.blank], "cancelled": [None, result.cancelled],
                             "refused_rows": [None, [r.row for r in result.refused_rows][:500]]})


def _cell(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell(ws, value=value)


__all__ = ["HEADERS", "RouteSheetService", "RowResult", "SheetExport", "SheetImport", "parse_date", "parse_datetime"]
