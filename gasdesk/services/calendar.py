"""The office calendar: the statutory schedule, the State Council's notices, the office's own overrides.

Confirming a year's notice or overriding a day changes which days count; the open working-day clocks
that count across a changed day are recomputed in the same transaction (gasdesk.services.deadlines),
and the orders whose due time moved are listed, to be shown and exported.
"""

from __future__ import annotations

import calendar as pycal
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.flows import ALL_FLOWS
from gasdesk.holiday_notice import ParsedNotice, parse_notice
from gasdesk.models import CalendarOverride, Deadline, DeadlinePause, Setting, Staff
from gasdesk.permissions import Permission
from gasdesk.reports.ledgers import ColumnType, LedgerColumn, SheetData, TitleBlock, write_workbook
from gasdesk.services import audit
from gasdesk.services import deadlines as clocks
from gasdesk.services import settings as settings_store
from gasdesk.services.context import (
    NOTICE_KEY,
    REVISION_KEY,
    Service,
    calendar_revision,
    load_calendar,
)
from gasdesk.services.errors import Refused
from gasdesk.vocab import DeadlineScope, DeadlineStatus, TimeUnit
from gasdesk.workdays import PROVISIONAL_MARK, WorkCalendar

__all__ = ["PROVISIONAL_MARK", "CalendarChange", "CalendarService", "ClockNote", "DayInfo", "MovedOrder",
           "NoticePreview", "NoticeRecord"]

# From this day of the year on, managers are reminded while next year's notice is not confirmed.
REMIND_FROM = (11, 1)


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    overridden: bool
    note: str
    holiday: str | None
    # What the notices, the published schedule or the law say without the office's overrides.
    statutory_working: bool = True
    # The year is not confirmed: the day follows the law's holidays until the notice is pasted in.
    provisional: bool = False


@dataclass(frozen=True)
class DayDifference:
    day: date
    provisional_working: bool
    notice_working: bool
    name: str


@dataclass(frozen=True)
class NoticePreview:
    """What a pasted notice would change: its items, the problems found, the days that differ."""

    year: int | None
    parsed: ParsedNotice
    differences: tuple[DayDifference, ...]

    @property
    def ok(self) -> bool:
        return self.parsed.ok

    @property
    def problems(self) -> tuple[str, ...]:
        return self.parsed.problems

    def days(self) -> list[DayInfo]:
        """The year as it will be once confirmed (without the office's overrides)."""
        if self.year is None:
            return []
        cal = WorkCalendar(notices=[self.parsed.schedule()]) if self.parsed.year == self.year else WorkCalendar()
        return [DayInfo(d, cal.is_working_day(d), False, "", cal.holiday_name(d), cal.is_working_day(d), False)
                for d in _days_of(self.year)]


@dataclass(frozen=True)
class MovedOrder:
    order_id: int
    number: str
    kind_label: str
    clock: str
    old_due: datetime
    new_due: datetime
    paused: bool
    old_remaining: int | None
    new_remaining: int | None


@dataclass(frozen=True)
class CalendarChange:
    """What a confirmation or an override did: the days that changed and the clocks that moved."""

    what: str
    at: datetime
    by: str
    changed_days: tuple[date, ...]
    moved: tuple[MovedOrder, ...]


@dataclass(frozen=True)
class NoticeRecord:
    year: int
    confirmed_at: datetime
    confirmed_by: str
    text: str


@dataclass(frozen=True)
class ClockNote:
    """What the order page adds to a clock: the mark for a provisional due date, the paused working days."""

    provisional: bool
    paused_working_days: int
    pauses: tuple[tuple[datetime, datetime | None, int | None], ...]


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _clock_label(kind: str, scope: str, step: str | None) -> str:
    if scope == DeadlineScope.ORDER or step is None:
        return "全程时限"
    flow = ALL_FLOWS.get(kind)
    return (flow.step_label(step) if flow else step) + "环节"


class CalendarService(Service):
    # --- reading -----------------------------------------------------------------------------
    def year(self, year: int) -> list[DayInfo]:
        cal = self.app.calendar()
        with self.app.reading() as s:
            notes = {
                o.day: o.note for o in s.scalars(
                    select(CalendarOverride).where(CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31)))
                )
            }
        provisional = not cal.is_confirmed(year)
        days = []
        for month in range(1, 13):
            for d in range(1, pycal.monthrange(year, month)[1] + 1):
                day = date(year, month, d)
                days.append(DayInfo(day, cal.is_working_day(day), day in notes, notes.get(day, ""),
                                    cal.holiday_name(day), cal.base_is_working_day(day), provisional))
        return days

    def is_confirmed(self, year: int) -> bool:
        return self.app.calendar().is_confirmed(year)

    def unconfirmed_years_ahead(self, today: date) -> list[int]:
        return [y for y in (today.year, today.year + 1) if not self.is_confirmed(y)]

    def reminder(self, today: date) -> tuple[int, str] | None:
        """(year, text) while this year, or from 1 November next year, has no confirmed notice; only for
        those who may confirm it (managers and administrators)."""
        if not self.actor.can(Permission.EDIT_CALENDAR):
            return None
        years = [y for y in self.unconfirmed_years_ahead(today)
                 if y == today.year or (today.month, today.day) >= REMIND_FROM]
        if not years:
            return None
        year = years[0]
        return year, (f"{year}年的节假日安排尚未确认。国务院办公厅的放假通知发布前，计入{year}年的时限按法定节日推算，"
                      f"标有“{PROVISIONAL_MARK}”，调休公布后可能变动。请把通知全文粘贴到办公日历中核对并确认。")

    def notice(self, year: int) -> NoticeRecord | None:
        with self.app.reading() as s:
            row = s.get(Setting, f"{NOTICE_KEY}{year}")
            if row is None:
                return None
            value = row.value
            by = s.get(Staff, row.updated_by_id) if row.updated_by_id is not None else None
            return NoticeRecord(year, datetime.fromisoformat(value["confirmed_at"]), by.name if by else "",
                                str(value.get("text", "")))

    def preview_notice(self, text: str, year: int) -> NoticePreview:
        """Read a pasted notice and compare it with the days the calendar counts now (no writing)."""
        parsed = parse_notice(text, year)
        differences: list[DayDifference] = []
        if parsed.year == year and parsed.items:
            current = self.app.calendar()
            schedule = parsed.schedule()
            for d in sorted({*_days_of(year), *parsed.rest, *parsed.work}):
                now_working = schedule.is_working_day(d)
                if now_working is None:
                    continue
                before = current.base_is_working_day(d)
                if before != now_working:
                    differences.append(DayDifference(d, before, now_working, parsed.rest.get(d, "")))
        return NoticePreview(year, parsed, tuple(differences))

    def clock_notes(self, order_id: int) -> dict[int, ClockNote]:
        """Per clock of the order: whether its due date is provisional, and its paused working days."""
        cal = self.app.calendar()
        now = self.app.clock.now()
        with self.app.reading() as s:
            rows = s.scalars(select(Deadline).where(Deadline.order_id == order_id)).all()
            pauses: dict[int, list[DeadlinePause]] = {}
            for p in s.scalars(select(DeadlinePause).join(Deadline, Deadline.id == DeadlinePause.deadline_id)
                               .where(Deadline.order_id == order_id).order_by(DeadlinePause.id)):
                pauses.setdefault(p.deadline_id, []).append(p)
            notes = {}
            for d in rows:
                working = TimeUnit(d.unit) is TimeUnit.WORKING_DAYS
                spans = []
                for p in pauses.get(d.id, []):
                    n = (cal.count_working_days(p.started_at.date(), (p.ended_at or now).date())
                         if working else None)
                    spans.append((p.started_at, p.ended_at, n))
                total = sum(n or 0 for _b, e, n in spans if e is not None)
                open_ = d.status in clocks.OPEN
                notes[d.id] = ClockNote(open_ and clocks.is_provisional(d.unit, d.started_at, d.due_at, cal),
                                        total, tuple(spans))
        return notes

    # --- changing ----------------------------------------------------------------------------
    def set_day(self, day: date, working: bool | None, note: str = "") -> CalendarChange:
        """Mark a date as working or rest; None removes the office's override. Open clocks follow."""
        self.actor.require(Permission.EDIT_CALENDAR)
        now = self.app.clock.now()
        what = f"{day:%Y-%m-%d} 设为" + ("法定安排" if working is None else "工作日" if working else "休息日")
        with self.app.unit_of_work() as s:
            locked = self._lock_expected(s, lambda cal: cal.changed(day=day, working=working), [day])
            before = load_calendar(s)
            row = s.get(CalendarOverride, day)
            old = None if row is None else row.is_working
            if working is None:
                if row is not None:
                    # The override table is configuration, not history: the audit log keeps the trail.
                    s.delete(row)
            elif row is None:
                s.add(CalendarOverride(day=day, is_working=working, note=note, set_by_id=self.actor.staff_id,
                                       set_at=now))
            else:
                row.is_working, row.note, row.set_by_id, row.set_at = working, note, self.actor.staff_id, now
            s.flush()
            change, busy = self._follow(s, before, [day], what, now, locked)
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="calendar", entity_id=day.isoformat(),
                         action="set_day", changes={"is_working": [old, working], "note": [None, note]})
        self.app.forget_calendar()
        return self._catch_up(change, before, busy)

    def confirm_year(self, year: int, confirmed: bool = True) -> None:
        """The office states that the year's holidays and make-up days are all entered (by hand)."""
        self.actor.require(Permission.EDIT_CALENDAR)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            audit.lock_chain(s)
            row = s.get(Setting, "calendar.confirmed_years")
            years = set(row.value if row else [])
            old = sorted(years)
            years.add(year) if confirmed else years.discard(year)
            if row is None:
                s.add(Setting(key="calendar.confirmed_years", value=sorted(years), updated_at=now,
                              updated_by_id=self.actor.staff_id))
            else:
                row.value, row.updated_at = sorted(years), now
            self._bump_revision(s, now)
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="calendar", entity_id=str(year),
                         action="confirm_year", changes={"confirmed_years": [old, sorted(years)]})
        self.app.forget_calendar()

    def confirm_notice(self, text: str, year: int) -> CalendarChange:
        """Store the year's notice as confirmed (who and when, audited) and move the open clocks with it,
        all in one transaction. A notice with anything unread is refused: nothing is guessed."""
        self.actor.require(Permission.EDIT_CALENDAR)
        parsed = parse_notice(text, year)
        if not parsed.ok:
            first = parsed.problems[0] if parsed.problems else "未读到任何放假安排"
            raise Refused(f"通知中有无法识别的内容，未确认：{first}", field="notice")
        now = self.app.clock.now()
        key = f"{NOTICE_KEY}{year}"
        value = {
            "year": year,
            "rest": {d.isoformat(): name for d, name in sorted(parsed.rest.items())},
            "work": sorted(d.isoformat() for d in parsed.work),
            "text": text.strip(),
            "confirmed_at": now.isoformat(timespec="seconds"),
        }
        days = sorted({*_days_of(year), *parsed.rest, *parsed.work})
        with self.app.unit_of_work() as s:
            locked = self._lock_expected(s, lambda cal: cal.changed(notice=parsed.schedule()), days)
            before = load_calendar(s)
            row = s.get(Setting, key)
            old = None if row is None else {k: row.value[k] for k in ("rest", "work") if k in row.value}
            if row is None:
                s.add(Setting(key=key, value=value, updated_at=now, updated_by_id=self.actor.staff_id))
            else:
                row.value, row.updated_at, row.updated_by_id = value, now, self.actor.staff_id
            s.flush()
            change, busy = self._follow(s, before, days, f"确认{year}年国务院放假通知", now, locked)
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="calendar", entity_id=str(year),
                         action="confirm_notice",
                         changes={"notice": [old, {"rest": value["rest"], "work": value["work"]}]})
        self.app.forget_calendar()
        return self._catch_up(change, before, busy)

    # Locks, in the order every counter takes them too: the orders, then the audit chain (which also
    # guards the calendar: see deadlines.current_calendar).
    def _lock_expected(self, s: Session, change: Callable[[WorkCalendar], WorkCalendar], days: list[date]) -> list[int]:
        """Lock the orders the change is expected to move (read before anything is locked), then the audit
        chain; returns the orders locked."""
        current = load_calendar(s)
        expected = clocks.affected_candidates(s, clocks.changed_days(current, change(current), days))
        locked = clocks.lock_orders(s, expected)
        audit.lock_chain(s)
        return locked

    def _bump_revision(self, s: Session, now: datetime) -> None:
        """Every counter's next clock operation sees that the calendar changed (deadlines.current_calendar)."""
        row = s.get(Setting, REVISION_KEY)
        if row is None:
            s.add(Setting(key=REVISION_KEY, value=1, updated_at=now, updated_by_id=self.actor.staff_id))
        else:
            row.value, row.updated_at, row.updated_by_id = calendar_revision(s) + 1, now, self.actor.staff_id
        s.flush()

    def _follow(self, s: Session, before: WorkCalendar, days: list[date], what: str, now: datetime,
                locked: list[int]) -> tuple[CalendarChange, list[int]]:
        self._bump_revision(s, now)
        after = load_calendar(s)
        changed = clocks.changed_days(before, after, days)
        moved, busy = clocks.follow_calendar(s, before, after, changed, locked)
        self._audit_moved(s, moved, what, now)
        return CalendarChange(what, now, self.actor.name, tuple(sorted(changed)), self._rows(moved)), busy

    def _catch_up(self, change: CalendarChange, before: WorkCalendar, busy: list[int]) -> CalendarChange:
        """Orders that were at a counter during the change: moved now, waiting for the counter to finish."""
        if not busy:
            return change
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            clocks.lock_orders(s, busy)
            after = load_calendar(s)
            moved, _rest = clocks.follow_calendar(s, before, after, set(change.changed_days), busy)
            self._audit_moved(s, moved, change.what, now)
        return replace(change, moved=change.moved + self._rows(moved))

    def _audit_moved(self, s: Session, moved: list[clocks.MovedDeadline], what: str, now: datetime) -> None:
        for m in moved:
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="deadline", entity_id=m.deadline_id,
                         action="follow_calendar",
                         changes={"order": m.order_number, "due_at": [m.old_due.isoformat(), m.new_due.isoformat()],
                                  "remaining": [m.old_remaining, m.new_remaining], "reason": what})

    @staticmethod
    def _rows(moved: list[clocks.MovedDeadline]) -> tuple[MovedOrder, ...]:
        return tuple(MovedOrder(m.order_id, m.order_number, ALL_FLOWS[m.kind].label if m.kind in ALL_FLOWS else m.kind,
                                _clock_label(m.kind, m.scope, m.step), m.old_due, m.new_due,
                                m.status == DeadlineStatus.PAUSED, m.old_remaining, m.new_remaining)
                     for m in moved)

    def export_moved(self, change: CalendarChange, path: str | os.PathLike[str]) -> int:
        """The list of moved due dates as an Excel sheet; returns the number of rows."""
        self.actor.require(Permission.EDIT_CALENDAR)
        T = ColumnType
        columns = (LedgerColumn("业务单号", width=17), LedgerColumn("业务类型", width=12),
                   LedgerColumn("时限", width=16), LedgerColumn("原应完成时间", T.DATETIME),
                   LedgerColumn("新应完成时间", T.DATETIME), LedgerColumn("推迟/提前（工作日）", T.INT),
                   LedgerColumn("说明", width=30))
        cal = self.app.calendar()

        def shift(m: MovedOrder) -> int:
            if m.new_due >= m.old_due:
                return cal.count_working_days(m.old_due.date(), m.new_due.date())
            return -cal.count_working_days(m.new_due.date(), m.old_due.date())

        def remark(m: MovedOrder) -> str:
            if m.paused:
                return f"暂停中：剩余 {m.old_remaining} → {m.new_remaining} 个工作日（恢复计时后顺延）"
            return ""

        rows = [(m.number, m.kind_label, m.clock, m.old_due, m.new_due, shift(m), remark(m)) for m in change.moved]
        with self.app.reading() as s:
            company = str(settings_store.get(s, "company.name") or "")
        title = TitleBlock(company=company, title="日历调整后时限变动清单", period=change.what,
                           exported_at=self.app.clock.now(), exported_by=self.actor.name,
                           extra=(f"调整时间：{change.at:%Y-%m-%d %H:%M}　办理人：{change.by}",
                                  f"变动的日期：{len(change.changed_days)} 天"))
        write_workbook(path, title, [SheetData("时限变动", columns, rows, note="在办业务的时限按新的办公日历重新计算")])
        return len(rows)
