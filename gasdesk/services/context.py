"""The running application's handles: the database, the clock, the calendar, the signed-in actor."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from gasdesk import db
from gasdesk.clock import Clock
from gasdesk.config import describe_url
from gasdesk.permissions import Permission, has_permission
from gasdesk.services import search_index  # noqa: F401  (keeps the search index current on every write)
from gasdesk.services.errors import Conflict, NotAllowed
from gasdesk.vocab import Role
from gasdesk.workdays import WorkCalendar, YearNotice

NOTICE_KEY = "calendar.notice."  # + year: a confirmed State Council notice (settings table)
REVISION_KEY = "calendar.revision"  # bumped by every change of the office calendar


def calendar_revision(session: Session) -> int:
    from gasdesk.models import Setting

    return int(session.scalar(select(Setting.value).where(Setting.key == REVISION_KEY)) or 0)


def notice_from_setting(value: dict[str, object]) -> YearNotice:
    rest = value.get("rest") or {}
    work = value.get("work") or []
    assert isinstance(rest, dict) and isinstance(work, list)
    return YearNotice(int(str(value["year"])), {date.fromisoformat(k): str(v) for k, v in rest.items()},
                      frozenset(date.fromisoformat(str(d)) for d in work))


def load_calendar(session: Session) -> WorkCalendar:
    """The office calendar as the session sees it: overrides, confirmed years and pasted notices."""
    from gasdesk.models import CalendarOverride, Setting

    overrides = {row.day: row.is_working for row in session.scalars(select(CalendarOverride))}
    confirmed = session.scalar(select(Setting.value).where(Setting.key == "calendar.confirmed_years"))
    notices = [notice_from_setting(v) for v in session.scalars(
        select(Setting.value).where(Setting.key.startswith(NOTICE_KEY, autoescape=True)))]
    return WorkCalendar(overrides, confirmed_years=confirmed or [], notices=notices,
                        revision=calendar_revision(session))


@dataclass(frozen=True)
class Actor:
    """Who is acting: every service call names one, and the audit log records it."""

    staff_id: int
    login: str
    name: str
    role: Role
    department_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise NotAllowed(f"您的岗位（{self.role.label}）无权执行此操作")


class App:
    """One per process: engines, session factories, clock and the cached office calendar."""

    CALENDAR_TTL = 60.0

    def __init__(self, url: str, clock: Clock | None = None, *, migrate: bool = True) -> None:
        self.url = url
        self.clock = clock or Clock()
        self.engine: Engine = db.make_engine(url, immediate=True)
        self.read_engine: Engine = (
            db.make_engine(url, immediate=False) if db.is_sqlite(url) else self.engine
        )
        if migrate:
            db.upgrade(self.engine)
        self._write: sessionmaker[Session] = db.session_factory(self.engine)
        self._read: sessionmaker[Session] = db.session_factory(self.read_engine)
        self._calendar: WorkCalendar | None = None
        self._calendar_loaded = 0.0

    @property
    def description(self) -> str:
        return describe_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return db.is_sqlite(self.url)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any exception."""
        session = self._write()
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise Conflict("该记录已被其他柜台修改，请刷新后重新办理") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._read()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def calendar(self) -> WorkCalendar:
        if self._calendar is None or time.monotonic() - self._calendar_loaded > self.CALENDAR_TTL:
            with self.reading() as s:
                self._calendar = load_calendar(s)
            self._calendar_loaded = time.monotonic()
        return self._calendar

    def forget_calendar(self) -> None:
        self._calendar = None
