"""The office calendar: the statutory schedule plus the office's own overrides."""

from __future__ import annotations

import calendar as pycal
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from gasdesk.models import CalendarOverride, Setting
from gasdesk.permissions import Permission
from gasdesk.services import audit
from gasdesk.services.context import Actor, App
from gasdesk.workdays import holiday_name


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    overridden: bool
    note: str
    holiday: str | None


class CalendarService:
    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app.acting(actor), actor

    def year(self, year: int) -> list[DayInfo]:
        cal = self.app.calendar()
        with self.app.reading() as s:
            notes = {
                o.day: o.note for o in s.scalars(
                    select(CalendarOverride).where(CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31)))
                )
            }
        days = []
        for month in range(1, 13):
            for d in range(1, pycal.monthrange(year, month)[1] + 1):
                day = date(year, month, d)
                days.append(DayInfo(day, cal.is_working_day(day), day in notes, notes.get(day, ""),
                                    holiday_name(day)))
        return days

    def is_confirmed(self, year: int) -> bool:
        return self.app.calendar().is_confirmed(year)

    def unconfirmed_years_ahead(self, today: date) -> list[int]:
        return [y for y in (today.year, today.year + 1) if not self.is_confirmed(y)]

    def set_day(self, day: date, working: bool | None, note: str = "") -> None:
        """Mark a date as working or rest; None removes the office's override."""
        self.actor.require(Permission.EDIT_CALENDAR)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
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
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="calendar", entity_id=day.isoformat(),
                         action="set_day", changes={"is_working": [old, working], "note": [None, note]})
        self.app.forget_calendar()

    def confirm_year(self, year: int, confirmed: bool = True) -> None:
        """The office states that the year's holidays and make-up days are all entered."""
        self.actor.require(Permission.EDIT_CALENDAR)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            row = s.get(Setting, "calendar.confirmed_years")
            years = set(row.value if row else [])
            old = sorted(years)
            years.add(year) if confirmed else years.discard(year)
            if row is None:
                s.add(Setting(key="calendar.confirmed_years", value=sorted(years), updated_at=now,
                              updated_by_id=self.actor.staff_id))
            else:
                row.value, row.updated_at = sorted(years), now
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="calendar", entity_id=str(year),
                         action="confirm_year", changes={"confirmed_years": [old, sorted(years)]})
        self.app.forget_calendar()
