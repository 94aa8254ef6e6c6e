"""Planned maintenance and live-gas work: notices at least 24 hours ahead, peak-hour warnings,
the customers affected (to print and to export with their phones)."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from gasdesk import hours
from gasdesk.models import Customer, PlannedWork
from gasdesk.permissions import Permission
from gasdesk.services import audit, numbering
from gasdesk.services import settings as settings_store
from gasdesk.services.as_of import Since, entry_point
from gasdesk.services.context import Service, must_get
from gasdesk.services.errors import Refused, refusing
from gasdesk.validation import check_required, clean_text
from gasdesk.vocab import Labelled

NOTICE_AHEAD = timedelta(hours=24)
# The columns' sizes, and a bound on the address fragments a notice may name.
TITLE_MAX, AREA_MAX, TERMS_MAX, TERM_MAX = 100, 200, 50, 100


class WorkKind(Labelled):
    MAINTENANCE = ("maintenance", "计划检修")
    LIVE_GAS = ("live_gas", "带气作业")


@dataclass(frozen=True)
class PlannedWorkView:
    id: int
    number: str
    kind: WorkKind
    title: str
    area: str
    address_terms: list[str]
    starts_at: datetime
    ends_at: datetime
    noticed_at: datetime
    emergency: bool
    peak_warning: str
    affected_count: int
    status: str
    note: str


@dataclass(frozen=True)
class AffectedCustomer:
    customer_id: int
    number: str
    name: str
    phone: str
    address: str


def _view(w: PlannedWork) -> PlannedWorkView:
    return PlannedWorkView(
        id=w.id, number=w.number, kind=WorkKind(w.kind), title=w.title, area=w.area,
        address_terms=list(w.address_terms or []), starts_at=w.starts_at, ends_at=w.ends_at,
        noticed_at=w.noticed_at, emergency=w.emergency, peak_warning=w.peak_warning,
        affected_count=w.affected_count, status=w.status, note=w.note,
    )


def peak_overlaps(starts: datetime, ends: datetime, windows: str) -> list[str]:
    """The peak windows ('06:30-08:30,11:00-13:00') the work overlaps, on any day it spans."""
    hits: list[str] = []
    day = starts.date()
    while day <= ends.date():
        for window in filter(None, (w.strip() for w in windows.split(","))):
            a, b = (hours.parse_time(x) for x in window.split("-"))
            w_start, w_end = datetime.combine(day, a), datetime.combine(day, b)
            if starts < w_end and ends > w_start and window not in hits:
                hits.append(window)
        day += timedelta(days=1)
    return hits


def _affected_condition(terms: list[str]):  # type: ignore[no-untyped-def]
    return or_(*(Customer.address.contains(t, autoescape=True) for t in terms))


class PlannedWorkService(Service):
    def create(self, *, kind: str, title: str, area: str, address_terms: list[str], starts_at: datetime,
               ends_at: datetime, emergency: bool = False, note: str = "") -> PlannedWorkView:
        self.actor.require(Permission.DISPATCH)
        now = self.app.clock.now()
        try:
            kind_ = WorkKind(kind)
        except ValueError as exc:
            raise Refused("请选择作业类别") from exc
        terms = [t for t in (clean_text(x) for x in address_terms) if t]
        if not clean_text(title):
            raise Refused("请填写作业名称", field="title")
        if len(clean_text(title)) > TITLE_MAX:
            raise Refused(f"作业名称最多{TITLE_MAX}个字", field="title")
        if len(clean_text(area)) > AREA_MAX:
            raise Refused(f"作业区域最多{AREA_MAX}个字", field="area")
        if not terms:
            raise Refused("请至少填写一个受影响的街道、小区或地址", field="address_terms")
        if any(len(t) < 2 for t in terms):
            raise Refused("地址关键词至少2个字", field="address_terms")
        if len(terms) > TERMS_MAX or any(len(t) > TERM_MAX for t in terms):
            raise Refused(f"地址关键词最多{TERMS_MAX}个，每个最多{TERM_MAX}个字", field="address_terms")
        if ends_at <= starts_at:
            raise Refused("结束时间应晚于开始时间", field="ends_at")
        if starts_at - now < NOTICE_AHEAD and not emergency:
            hours_ahead = max(0, int((starts_at - now).total_seconds() // 3600))
            raise Refused(f"计划作业须至少提前24小时通知用户（现在距开始仅{hours_ahead}小时）；"
                          "紧急作业请勾选“紧急”", field="starts_at")
        with self.app.unit_of_work() as s:
            windows = str(settings_store.get(s, "hours.peak") or "")
            peaks = peak_overlaps(starts_at, ends_at, windows)
            warning = f"作业时间与用气高峰（{'、'.join(peaks)}）重叠，请尽量避开" if peaks else ""
            affected = s.scalar(select(Customer.id).where(_affected_condition(terms)).limit(1))
            count = int(s.scalar(select(func.count()).select_from(Customer).where(
                _affected_condition(terms), Customer.status == "active")) or 0) if affected else 0
            work = PlannedWork(
                number=f"TZ-{now:%Y%m%d}-{numbering.next_value(s, f'TZ-{now:%Y%m%d}'):04d}", kind=kind_,
                title=clean_text(title), area=clean_text(area), address_terms=terms, starts_at=starts_at,
                ends_at=ends_at, noticed_at=now, emergency=emergency, peak_warning=warning, affected_count=count,
                status="planned", created_by_id=self.actor.staff_id, note=clean_text(note),
            )
            s.add(work)
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="planned_work", entity_id=work.id,
                         action="create", changes=audit.snapshot(work, [
                             "number", "kind", "area", "address_terms", "starts_at", "ends_at", "emergency"]))
            return _view(work)

    def cancel(self, work_id: int, reason: str) -> PlannedWorkView:
        self.actor.require(Permission.DISPATCH)
        with refusing():
            reason = check_required(reason, "取消原因", field="reason")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            work = must_get(s, PlannedWork, work_id, "作业通知不存在")
            work.status, work.note = "cancelled", (work.note + f"\n取消：{reason}").strip()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="planned_work", entity_id=work.id,
                         action="cancel", changes=audit.changes_of(work))
            return _view(work)

    def list(self, *, upcoming_only: bool = False, limit: int = 200, offset: int = 0) -> list[PlannedWorkView]:
        """Planned works, the latest start first, one page at a time."""
        now = self.app.clock.now()
        with self.app.reading() as s:
            stmt = (select(PlannedWork).order_by(PlannedWork.starts_at.desc(), PlannedWork.id.desc())
                    .offset(offset).limit(limit))
            if upcoming_only:
                stmt = stmt.where(PlannedWork.ends_at >= now, PlannedWork.status == "planned")
            return [_view(w) for w in s.scalars(stmt)]

    def affected(self, work_id: int, *, limit: int | None = None, offset: int = 0
                 ) -> builtins.list[AffectedCustomer]:
        return list(self.iter_affected(work_id, limit=limit, offset=offset))

    def iter_affected(self, work_id: int, *, limit: int | None = None, offset: int = 0
                      ) -> Iterator[AffectedCustomer]:
        """Active customers whose premises match the notice, with full phone numbers for the calls
        (the notice is sent by people allowed to phone the customers: dispatchers and managers)."""
        self.actor.require(Permission.DISPATCH)
        with self.app.reading() as s:
            work = must_get(s, PlannedWork, work_id, "作业通知不存在")
            stmt = (select(Customer.id, Customer.number, Customer.name, Customer.phone, Customer.address)
                    .where(_affected_condition(list(work.address_terms)), Customer.status == "active")
                    .order_by(Customer.address, Customer.id).offset(offset))
            if limit is not None:
                stmt = stmt.limit(limit)
            for row in s.execute(stmt.execution_options(yield_per=2000)):
                yield AffectedCustomer(*row)

    # --- printing and export ------------------------------------------------------------------

    def notice_pdf(self, work_id: int) -> bytes:
        """The notice to post in the affected estates. Its step is the notice made (the work created,
        `noticed_at`): the company profile it is signed with, and the work's note, are those of then
        (services/as_of.py), so a reprint after the profile is edited or the work cancelled reads the
        same as the copies already posted."""
        from gasdesk.reports.notice import NoticeData, render_notice
        from gasdesk.services.printing import company_profile

        self.actor.require(Permission.PRINT_FORMS)
        with self.app.reading() as s:
            work = must_get(s, PlannedWork, work_id, "作业通知不存在")
            point, _by = entry_point(s, "planned_work", work.id, ["create"], work.noticed_at)
            then = Since(s, [point], rows={"planned_work": [work.id]})
            values = then.settings(settings_store.read_all(s), point)
            note = then.row("planned_work", work.id, {"note": work.note}, point)["note"]
            data = NoticeData(number=work.number, kind_label=WorkKind(work.kind).label, title=work.title,
                              area=work.area, address_terms=list(work.address_terms), starts_at=work.starts_at,
                              ends_at=work.ends_at, noticed_at=work.noticed_at, emergency=work.emergency,
                              note=str(note or ""), affected_count=work.affected_count)
        return render_notice(company_profile(values), data, font_path=values.get("printing.font_path") or None)

    def export_affected(self, work_id: int, path: str, tick=None) -> int:  # type: ignore[no-untyped-def]
        """The affected customers, one row each with the phone to call, as an Excel workbook."""
        from gasdesk.reports.ledgers.spec import ColumnType, LedgerColumn, SheetData, TitleBlock
        from gasdesk.reports.ledgers.writer import write_workbook

        with self.app.reading() as s:
            work = must_get(s, PlannedWork, work_id, "作业通知不存在")
            company = str(settings_store.get(s, "company.name"))
            number, title = work.number, work.title
            period = f"{work.starts_at:%Y-%m-%d %H:%M} 至 {work.ends_at:%Y-%m-%d %H:%M}"
        columns = [LedgerColumn("客户编号", width=12), LedgerColumn("户名", width=14),
                   LedgerColumn("联系电话", ColumnType.PHONE), LedgerColumn("用气地址", width=40)]
        rows = ((c.number, c.name, c.phone, c.address) for c in self.iter_affected(work_id))
        block = TitleBlock(company=company, title=f"{title} 受影响用户（{number}）", period=period,
                           exported_at=self.app.clock.now(), exported_by=self.actor.name)
        [count] = write_workbook(path, block, [SheetData("受影响用户", columns, rows)], tick=tick)
        return count
