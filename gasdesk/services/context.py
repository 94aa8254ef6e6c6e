"""The running application's handles: the database, the clock, the calendar, the signed-in actor."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Engine, event, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import ORMOption

from gasdesk import db
from gasdesk.clock import Clock
from gasdesk.config import describe_url
from gasdesk.models import Staff, search_index  # noqa: F401  (keeps the search index current on every write)
from gasdesk.permissions import Permission, has_permission
from gasdesk.services import audit, bounds, handlers  # noqa: F401  (audit seals sealed rows)
from gasdesk.services.audit import lock_chain
from gasdesk.services.errors import Busy, Conflict, NotAllowed, NotFound, Refused, ServiceError, SessionEnded
from gasdesk.services.file_guard import FileGuard
from gasdesk.vocab import Role
from gasdesk.workdays import WorkCalendar, YearNotice

Row = TypeVar("Row")

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

    def require(self, *permissions: Permission, doing: str = "执行此操作") -> None:
        """Refused (NotAllowed) unless the role has one of `permissions`; `doing` names the work refused."""
        if not any(self.can(p) for p in permissions):
            raise NotAllowed(f"您的岗位（{self.role.label}）无权{doing}")


log = logging.getLogger(__name__)

# SQLSTATEs of a transaction that lost a race with another counter: serialization failure, deadlock,
# lock not available.
_RETRYABLE = {"40001", "40P01", "55P03"}
BUSY_MESSAGE = ("数据库正忙：其他柜台或程序正在保存数据，等待后仍未完成。\n"
                "本次操作没有保存任何内容，请稍等片刻再试一次；如果反复出现，请联系系统管理员。")


def database_refusal(exc: DBAPIError) -> ServiceError:
    """A database error as the clerk reads it; the log gets its shape, never the values."""
    log.warning("database refused: %s", db.error_shape(exc))
    code = getattr(exc.orig, "sqlstate", None) or ""
    if isinstance(exc, IntegrityError):
        return Conflict("与其他柜台刚刚办理的业务冲突，未保存任何内容；请刷新后重新办理")
    if code == "55P03" or (isinstance(exc, OperationalError) and "locked" in str(exc.orig)):
        # A lock held past the bounded wait (SQLite's busy timeout, PostgreSQL's lock_timeout).
        return Busy(BUSY_MESSAGE)
    if code in _RETRYABLE:
        return Conflict("其他柜台正在办理同一笔业务，未保存任何内容；请稍后重试")
    if code.startswith("22"):  # data exception: too long, out of range, invalid text
        return Refused("输入的内容过长、数值超出范围或含有无效字符，未保存任何内容")
    return ServiceError("数据库暂时无法完成操作，未保存任何内容；请稍后重试，如反复出现请联系系统管理员")


_NAMES = "staff_names"


def name_of(session: Session, actor: Actor) -> str:
    """The actor's name as their staff record has it in this transaction: what a step records and a
    form prints as the one who did it. A clerk renamed while signed in is named by the new name from
    the next step on (the session's `actor.name` is the name at sign-in), as a payment they take is
    (services/as_of.py reads the record too). Read once per transaction; check_actor, which reads
    the record anyway, fills it in."""
    names: dict[int, str] = session.info.setdefault(_NAMES, {})
    if actor.staff_id not in names:
        names[actor.staff_id] = session.scalar(select(Staff.name).where(Staff.id == actor.staff_id)) or actor.name
    return names[actor.staff_id]


@event.listens_for(Session, "after_transaction_end")
def _forget_names(session: Session, transaction: Any) -> None:
    """The names read are those of one transaction: the next reads the record again."""
    if transaction.parent is None:
        session.info.pop(_NAMES, None)


def check_actor(session: Session, actor: Actor, *, lock: bool, for_password_change: bool = False) -> None:
    """The actor's staff record as it is now: disabled, moved to another role or department, or waiting
    for a forced password change -- the session no longer acts. `lock` holds the record (FOR SHARE on
    PostgreSQL) so a demotion waits for the work in hand and applies to everything after it."""
    stmt = select(Staff.active, Staff.role, Staff.department_id, Staff.must_change_password, Staff.name).where(
        Staff.id == actor.staff_id)
    if lock:
        stmt = stmt.with_for_update(read=True)
    row = session.execute(stmt).first()
    if row is None or not row.active:
        raise SessionEnded("您的账号已被停用，不能继续办理业务；请联系系统管理员")
    session.info.setdefault(_NAMES, {})[actor.staff_id] = row.name
    if row.role != actor.role or row.department_id != actor.department_id:
        raise SessionEnded("您的岗位或部门已被调整，请退出后重新登录")
    if row.must_change_password and not for_password_change:
        raise SessionEnded("请先修改密码，再办理业务")


@dataclass
class ChecksOnce:
    """The reads of one action (a window opened or refreshed) check each actor's staff record once: the
    first read checks it, the later ones trust that check. `forget()` ends the trust (the window waits for
    input again: whatever the clerk does next is checked anew)."""

    checked: set[Actor] = field(default_factory=set)

    def forget(self) -> None:
        self.checked.clear()


# The action in hand on this thread (a worker thread has none: every read of it checks).
_ACTION: ContextVar[ChecksOnce | None] = ContextVar("gasdesk_action", default=None)


class _Shared:
    """What the App and its acting copies share: the cached office calendar."""

    def __init__(self) -> None:
        self.calendar: WorkCalendar | None = None
        self.loaded = 0.0


class App:
    """One per process: engines, session factories, clock and the cached office calendar.

    `app.acting(actor)` is the same application on behalf of one member of staff: each of its units of
    work and reads first checks the staff record as it is now (services make one of these)."""

    CALENDAR_TTL = 60.0

    def __init__(self, url: str, clock: Clock | None = None, *, migrate: bool = True,
                 busy_timeout: float = db.BUSY_TIMEOUT) -> None:
        """`busy_timeout`: seconds a write waits for another writer's lock before it is refused (Busy)."""
        self.url = url
        self.clock = clock or Clock()
        self.file_guard = FileGuard(url)  # SQLite: shared lock against restore, replaced-file check
        self.engine: Engine = db.make_engine(url, immediate=True, busy_timeout=busy_timeout)
        self.read_engine: Engine = (
            db.make_engine(url, immediate=False, busy_timeout=busy_timeout) if db.is_sqlite(url) else self.engine
        )
        if migrate:
            db.upgrade(self.engine)
        self._write: sessionmaker[Session] = db.session_factory(self.engine)
        bounds.guard(self._write)
        self._read: sessionmaker[Session] = db.session_factory(self.read_engine)
        self._shared = _Shared()
        self.actor: Actor | None = None

    def acting(self, actor: Actor) -> App:
        """This application with every unit of work and read checked against `actor`'s staff record."""
        if self.actor == actor:
            return self
        twin = copy.copy(self)
        twin.actor = actor
        return twin

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
    def unit_of_work(self, *, for_password_change: bool = False) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any exception. Acting for
        someone, it first checks (and holds) their staff record; a database error becomes a Chinese
        refusal."""
        self.file_guard.check()
        session = self._write()
        try:
            # PostgreSQL: the audit chain's lock first. Every write chains audit entries and holds that
            # lock until commit anyway; taken after row locks (an account, a receipt number's row) it
            # made lock cycles between counters: 89 deadlocks in 60 s of bench/faults.py.
            lock_chain(session)
            if self.actor is not None:
                check_actor(session, self.actor, lock=True, for_password_change=for_password_change)
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise Conflict("该记录已被其他柜台修改，请刷新后重新办理") from exc
        except DBAPIError as exc:
            session.rollback()
            raise database_refusal(exc) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def one_action(self) -> Iterator[ChecksOnce]:
        """The reads inside check the staff record once, not each of them (a page's dozen reads); writes
        check and hold it every time. Nested, the outer action goes on."""
        current = _ACTION.get()
        if current is not None:
            yield current
            return
        action = ChecksOnce()
        token = _ACTION.set(action)
        try:
            yield action
        finally:
            _ACTION.reset(token)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._read()
        try:
            if self.actor is not None:
                action = _ACTION.get()
                if action is None or self.actor not in action.checked:
                    check_actor(session, self.actor, lock=False)
                    if action is not None:
                        action.checked.add(self.actor)
            yield session
        except DBAPIError as exc:
            raise database_refusal(exc) from None
        finally:
            session.rollback()
            session.close()

    def calendar(self) -> WorkCalendar:
        shared = self._shared
        if shared.calendar is None or time.monotonic() - shared.loaded > self.CALENDAR_TTL:
            with self.reading() as s:
                shared.calendar = load_calendar(s)
            shared.loaded = time.monotonic()
        return shared.calendar

    def forget_calendar(self) -> None:
        self._shared.calendar = None


class Service:
    """A service acting for one member of staff: every unit of work and read of `self.app` first checks
    their staff record as it is now."""

    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app.acting(actor), actor


def must_get(session: Session, model: type[Row], ident: Any, missing: str, *,
             lock: bool | dict[str, Any] = False, options: Sequence[ORMOption] = ()) -> Row:
    """The row of `model` with primary key `ident`, else NotFound(`missing`) (a Chinese sentence).
    `lock`: read it FOR UPDATE (Session.get's with_for_update)."""
    row = session.get(model, ident, with_for_update=lock or None, options=options or None)
    if row is None:
        raise NotFound(missing)
    return row
