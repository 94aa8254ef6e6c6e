"""The export use case: a ledger to a workbook or a PDF, its filters, masking and audit.

`LedgerService.export` checks the permission, counts the rows for the progress bar, then streams the
query (server-side cursor on PostgreSQL, `yield_per` batches everywhere) into the write-only workbook
writer of `gasdesk.reports.ledgers`. Memory does not grow with the number of rows. ID and phone
numbers are masked for roles without Permission.VIEW_FULL_ID, and every export is written to the
audit log. Printing, totals and empty sheets are the writer's: a sheet says what its empty first row
reads, who signs it, and how its rows fall into subtotalled groups.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.models import Department, Staff
from gasdesk.permissions import Permission
from gasdesk.reports.fonts import FontNotFoundError
from gasdesk.reports.ledgers import ExportCancelled, SheetData, TitleBlock, write_workbook
from gasdesk.reports.ledgers.pdf import PDF_ROW_LIMIT, write_pdf
from gasdesk.services import audit
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Service
from gasdesk.services.errors import Refused
from gasdesk.services.ledgers.query import (
    PLAN_FILTER,
    LedgerFilter,
    Lookups,
    Query,
    channel_label,
    kind_label,
    status_label,
)
from gasdesk.services.ledgers.registry import get_ledger
from gasdesk.services.ledgers.sheet import Column, LedgerDef, T
from gasdesk.validation import mask_id, mask_phone
from gasdesk.vocab import Channel, OrderStatus

Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class ExportResult:
    name: str
    path: Path | None
    rows: int
    sheet_rows: tuple[int, ...]
    masked: bool
    cancelled: bool = False
    # Orders of safety-inspection plans the filter left out (业务受理台账 without them).
    left_out: int = 0


@dataclass(frozen=True)
class FilterChoices:
    """What the ledger page offers in its filter boxes."""

    kinds: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    departments: list[tuple[int, str]]
    clerks: list[tuple[int, str]]
    # 受理方式: every way an order comes in (not the reserved ones no order has yet).
    channels: list[tuple[str, str]] = field(default_factory=list)


class LedgerService(Service):
    # Exports longer than this refuse to become a PDF (reports.ledgers.pdf.PDF_ROW_LIMIT).
    pdf_row_limit = PDF_ROW_LIMIT

    def choices(self) -> FilterChoices:
        self.actor.require(Permission.EXPORT_LEDGERS)
        with self.app.reading() as s:
            depts = s.execute(select(Department.id, Department.name).where(Department.active.is_(True))
                              .order_by(Department.id)).all()
            clerks = s.execute(select(Staff.id, Staff.name).order_by(Staff.name, Staff.id)).all()
        return FilterChoices(kinds=[(f.kind, f.label) for f in ALL_FLOWS.values()],
                             statuses=OrderStatus.choices(), departments=list(depts), clerks=list(clerks),
                             channels=[(c.value, c.label) for c in Channel if not c.reserved])

    def filter_from_codes(self, *, date_from: date | None = None, date_to: date | None = None,
                          kind: str | None = None, status: str | None = None, department: str | None = None,
                          clerk: str | None = None, channel: str | None = None) -> LedgerFilter:
        """A filter from what a command line names: flow kind, status code, department code, clerk login,
        受理方式 code."""
        if kind and kind not in ALL_FLOWS:
            raise Refused(f"没有“{kind}”这种业务；可用：{'、'.join(ALL_FLOWS)}", field="kind")
        if status and status not in {code for code, _ in OrderStatus.choices()}:
            raise Refused(f"没有“{status}”这种办理状态；可用：{'、'.join(c for c, _ in OrderStatus.choices())}",
                          field="status")
        channels = [c.value for c in Channel if not c.reserved]
        if channel and channel not in channels:
            raise Refused(f"没有“{channel}”这种受理方式；可用：{'、'.join(channels)}", field="channel")
        department_id = clerk_id = None
        with self.app.reading() as s:
            if department:
                department_id = s.scalar(select(Department.id).where(Department.code == department))
                if department_id is None:
                    raise Refused(f"没有代码为“{department}”的部门", field="department")
            if clerk:
                clerk_id = s.scalar(select(Staff.id).where(Staff.login == clerk))
                if clerk_id is None:
                    raise Refused(f"没有登录名为“{clerk}”的员工", field="clerk")
        return LedgerFilter(date_from=date_from, date_to=date_to, kind=kind or None, status=status or None,
                            department_id=department_id, clerk_id=clerk_id, channel=channel or None)

    def describe_filter(self, ledger: LedgerDef, f: LedgerFilter, lookups: Lookups, left_out: int = 0) -> str:
        parts = []
        if f.kind and "kind" in ledger.filters:
            parts.append(f"业务类型={kind_label(f.kind)}")
        if f.status and "status" in ledger.filters:
            parts.append(f"状态={status_label(f.status)}")
        if f.department_id is not None and "department" in ledger.filters:
            parts.append(f"部门={lookups.departments.get(f.department_id, f.department_id)}")
        if f.clerk_id is not None and "clerk" in ledger.filters:
            parts.append(f"{ledger.clerk_label}={lookups.staff.get(f.clerk_id, '')}")
        if f.channel and "channel" in ledger.filters:
            parts.append(f"受理方式={channel_label(f.channel)}")
        elif f.leaves_out_plan_orders and PLAN_FILTER in ledger.filters:
            parts.append(f"不含{Channel.PLAN.label}工单（另有 {left_out:,} 张未列入）")
        return "；".join(parts)

    def export(self, name: str, flt: LedgerFilter | None, path: str | os.PathLike[str], *,
               progress: Progress | None = None, tick_every: int = 500, pdf: bool | None = None) -> ExportResult:
        """Write the ledger to `path`: a workbook, or a PDF when `pdf` (default: the path ends in .pdf).
        `progress(done, total)` returning False cancels: no file remains."""
        self.actor.require(Permission.EXPORT_LEDGERS)
        ledger = get_ledger(name)
        flt = _only_supported(ledger, flt or LedgerFilter())
        if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
            raise Refused("开始日期不能晚于结束日期", field="date_from")
        target = Path(path)
        if not target.parent.is_dir():
            raise Refused(f"保存位置不存在：{target.parent}", field="path")
        as_pdf = target.suffix.lower() == ".pdf" if pdf is None else pdf
        masked = not self.actor.can(Permission.VIEW_FULL_ID)
        now = self.app.clock.now()
        with self.app.reading() as s:
            lookups = Lookups.load(s)
            company = str(settings_store.get(s, "company.name") or "")
            font_path = str(settings_store.get(s, "printing.font_path") or "") or None
            q = Query(filter=flt, now=now, dialect=s.get_bind().dialect.name, lookups=lookups,
                      calendar=self.app.calendar(), settings=settings_store.read_all(s))
            total = ledger.count(s, q)
            left_out = (ledger.count(s, replace(q, filter=replace(flt, channel=Channel.PLAN.value)))
                        if flt.leaves_out_plan_orders and PLAN_FILTER in ledger.filters else 0)
            if as_pdf and total > self.pdf_row_limit:
                raise Refused(f"“{ledger.title}”共 {total:,} 行，超过 PDF 的 {self.pdf_row_limit:,} 行上限；"
                              "请缩小统计期间或筛选条件，或导出 Excel", field="date_from")
            if progress is not None and not progress(0, total):
                return ExportResult(name, None, 0, (), masked, cancelled=True)
            title = TitleBlock(
                company=company, title=ledger.title,
                period=(f"截至 {now:%Y-%m-%d %H:%M}；" if ledger.snapshot else "")
                + flt.period_text(ledger.date_basis),
                exported_at=now, exported_by=f"{self.actor.name}（{self.actor.role.label}）",
                filters=self.describe_filter(ledger, flt, lookups, left_out),
                extra=("证件号码、电话已脱敏",) if masked and _has_personal(ledger) else (),
            )
            sheets = [
                SheetData(title=spec.title, columns=spec.ledger_columns,
                          rows=_masking(ledger.rows(s, q, i), spec.columns) if masked else ledger.rows(s, q, i),
                          totals=spec.totals, chart=spec.chart, note=spec.note, empty=spec.empty,
                          signatures=spec.signatures, group=spec.grouping(), unit=spec.unit)
                for i, spec in enumerate(ledger.sheets)
            ]

            def tick(done: int) -> bool:
                return progress is None or bool(progress(min(done, max(total, done)), max(total, done)))

            try:
                if as_pdf:
                    counts = write_pdf(target, title, sheets, font_path=font_path, tick=tick, tick_every=tick_every)
                else:
                    counts = write_workbook(target, title, sheets, tick=tick, tick_every=tick_every)
            except ExportCancelled:
                return ExportResult(name, None, 0, (), masked, cancelled=True)
            except FontNotFoundError as exc:
                raise Refused("未找到可嵌入 PDF 的中文 TrueType 字体（.ttf/.ttc），无法生成 PDF；请在“系统设置”中"
                              "填写中文字体文件的路径，或安装宋体、黑体、文泉驿微米黑等字体") from exc
            except PermissionError as exc:
                opener = "PDF 阅读器" if as_pdf else "Excel"
                raise Refused(f"无法写入文件 {target.name}：文件可能正在被 {opener} 打开，请关闭后重试") from exc
        rows = sum(counts)
        self._audit(ledger, flt, target, rows, masked, now)
        return ExportResult(name, target, rows, tuple(counts), masked, left_out=left_out)

    def _audit(self, ledger: LedgerDef, flt: LedgerFilter, target: Path, rows: int, masked: bool,
               now: datetime) -> None:
        with self.app.unit_of_work() as s:
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="ledger", entity_id=ledger.name,
                         action="export", changes={
                             "file": [None, target.name], "rows": [None, rows], "masked": [None, masked],
                             "filter": [None, {k: v for k, v in flt.__dict__.items() if v not in (None, "")}],
                         })


def _only_supported(ledger: LedgerDef, f: LedgerFilter) -> LedgerFilter:
    """Drop filters the ledger does not have (so the title block never claims one)."""
    fields = {"kind": "kind", "status": "status", "department": "department_id", "clerk": "clerk_id",
              "channel": "channel"}
    changes: dict[str, Any] = {attr: None for name, attr in fields.items() if name not in ledger.filters}
    if PLAN_FILTER not in ledger.filters:
        changes["plan_orders"] = True
    return replace(f, **changes) if changes else f


def _has_personal(ledger: LedgerDef) -> bool:
    return any(c.type in (T.ID, T.PHONE) for sheet in ledger.sheets for c in sheet.columns)


def _masking(rows: Iterator[tuple[Any, ...]], columns: Sequence[Column]) -> Iterator[tuple[Any, ...]]:
    ids = [i for i, c in enumerate(columns) if c.type is T.ID]
    phones = [i for i, c in enumerate(columns) if c.type is T.PHONE]
    if not ids and not phones:
        yield from rows
        return
    for row in rows:
        out = list(row)
        for i in ids:
            if out[i]:
                out[i] = mask_id(str(out[i]))
        for i in phones:
            if out[i]:
                out[i] = mask_phone(str(out[i]))
        yield tuple(out)
