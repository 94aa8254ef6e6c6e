"""The running application's handles: the database, the clock, the calendar, the signed-in actor."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from gasdesk import db
from gasdesk.clock import Clock
from gasdesk.config import describe_url
from gasdesk.models import search_index  # noqa: F401  (keeps the search index current on every write)
from gasdesk.permissions import Permission, has_permission
from gasdesk.services import audit, handlers  # noqa: F401  (audit seals sealed rows)
from gasdesk.services.errors import Conflict, NotAllowed
from gasdesk.services.file_guard import FileGuard
from gasdesk.vocab import Role
from gasdesk.workdays import WorkCalendar

# What the models' domain events lead to (bills follow a moved balance), before each commit.
handlers.install()


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
        self.file_guard = FileGuard(url)  # SQLite: shared lock against restore, replaced-file check
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
        self.file_guard.release()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any exception."""
        self.file_guard.check()
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
            from gasdesk.models import CalendarOverride, Setting

            with self.reading() as s:
                overrides = {row.day: row.is_working for row in s.scalars(select(CalendarOverride))}
                confirmed = s.scalar(select(Setting.value).where(Setting.key == "calendar.confirmed_years"))
            self._calendar = WorkCalendar(overrides, confirmed_years=confirmed or [])
            self._calendar_loaded = time.monotonic()
        return self._calendar

    def forget_calendar(self) -> None:
        self._calendar = None
