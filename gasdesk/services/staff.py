"""Staff accounts and sign-in: argon2 hashes, lock-out after repeated failures, forced password change."""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gasdesk.flows.departments import DEPARTMENTS
from gasdesk.models import Department, Staff
from gasdesk.permissions import Permission
from gasdesk.services import audit
from gasdesk.services.context import Actor, App, Service, must_get
from gasdesk.services.errors import NotFound, Refused, SignInFailed, refusing
from gasdesk.validation import check_text, clean_text
from gasdesk.vocab import Role

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 6
_hasher = PasswordHasher()


@dataclass(frozen=True)
class StaffView:
    id: int
    login: str
    name: str
    role: Role
    department_code: str | None
    department_name: str
    active: bool
    locked_until: datetime | None
    must_change_password: bool


def _view(staff: Staff) -> StaffView:
    return StaffView(
        id=staff.id, login=staff.login, name=staff.name, role=Role(staff.role),
        department_code=staff.department.code if staff.department else None,
        department_name=staff.department.name if staff.department else "",
        active=staff.active, locked_until=staff.locked_until, must_change_password=staff.must_change_password,
    )


def actor_of(staff: Staff) -> Actor:
    return Actor(staff_id=staff.id, login=staff.login, name=staff.name, role=Role(staff.role),
                 department_id=staff.department_id)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Refused(f"密码至少{MIN_PASSWORD}位", field="password")
    if len(password) > 128 or "\x00" in password:
        raise Refused("密码不能超过128位，也不能含控制字符", field="password")


def _checked_name(name: str | None) -> str:
    with refusing():
        return check_text(name, "姓名", 40, field="name", required=True)


def ensure_departments(app: App) -> None:
    with app.unit_of_work() as s:
        have = set(s.scalars(select(Department.code)))
        for code, name in DEPARTMENTS.items():
            if code not in have:
                s.add(Department(code=code, name=name))


def needs_first_admin(app: App) -> bool:
    with app.reading() as s:
        return not s.scalar(select(func.count()).select_from(Staff))


def create_first_admin(app: App, login: str, name: str, password: str) -> Actor:
    """The administrator of an empty database; refused once any staff exists."""
    check_password_rules(password)
    login = clean_text(login)
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,40}", login):
        raise Refused("登录名为2至40位字母、数字、点、下划线或横线", field="login")
    name = _checked_name(name or login)
    ensure_departments(app)
    now = app.clock.now()
    with app.unit_of_work() as s:
        # The management department's row is the lock two first starts at once queue on.
        dept = s.scalar(select(Department).where(Department.code == "management").with_for_update())
        if s.scalar(select(func.count()).select_from(Staff)):
            raise Refused("系统已有管理员，请直接登录")
        staff = Staff(login=login, name=name, role=Role.ADMIN,
                      department_id=dept.id if dept else None, password_hash=_hasher.hash(password),
                      created_at=now)
        s.add(staff)
        s.flush()
        audit.append(s, at=now, staff_id=staff.id, entity="staff", entity_id=staff.id, action="create_first_admin",
                     changes=audit.snapshot(staff, ["login", "name", "role"]))
        return actor_of(staff)


def _locked_message(staff: Staff, now: datetime) -> str | None:
    if staff.locked_until and staff.locked_until > now:
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        return f"密码连续输错{MAX_FAILURES}次，账号已锁定，请{minutes}分钟后再试或联系管理员"
    return None


def _check_password(s: Session, staff: Staff, password: str, now: datetime) -> None:
    """The password of a staff row locked by the caller: a wrong one is counted (and may lock the
    account) and committed before SignInFailed is raised; a right one clears the count."""
    locked = _locked_message(staff, now)
    if locked:
        raise SignInFailed(locked)
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        staff.failed_attempts += 1
        if staff.failed_attempts >= MAX_FAILURES:
            staff.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            staff.failed_attempts = 0
            audit.append(s, at=now, staff_id=staff.id, entity="staff", entity_id=staff.id, action="locked")
            s.commit()
            raise SignInFailed(f"密码连续输错{MAX_FAILURES}次，账号已锁定{LOCK_MINUTES}分钟") from None
        left = MAX_FAILURES - staff.failed_attempts
        s.commit()
        raise SignInFailed(f"密码错误（再错{left}次将锁定{LOCK_MINUTES}分钟）") from None
    staff.failed_attempts = 0
    staff.locked_until = None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)


def sign_in(app: App, login: str, password: str) -> tuple[Actor, bool]:
    """Returns the actor and whether the password must be changed now.

    The staff row is locked while the password is checked, so counters trying passwords in parallel
    are counted one after another and the lock-out comes after MAX_FAILURES of them, not later."""
    now = app.clock.now()
    login = clean_text(login)
    if not login or len(login) > 40 or len(password) > 128:
        raise SignInFailed("用户名或密码错误")
    with app.unit_of_work() as s:
        staff = s.scalar(select(Staff).where(Staff.login == login).with_for_update(of=Staff))
        if staff is None or not staff.active:
            raise SignInFailed("用户名或密码错误")
        try:
            _check_password(s, staff, password, now)
        except SignInFailed as exc:
            if exc.message.startswith("密码错误"):
                raise SignInFailed("用户名或" + exc.message) from None
            raise
        audit.append(s, at=now, staff_id=staff.id, entity="staff", entity_id=staff.id, action="sign_in")
        return actor_of(staff), staff.must_change_password


def unlock(app: App, actor: Actor, password: str) -> None:
    """Unlock an idle-locked window: the same count of wrong passwords and the same lock-out as at
    sign-in; a disabled account, or one moved to another role, cannot unlock (sign in again)."""
    now = app.clock.now()
    if len(password) > 128:
        raise SignInFailed("密码错误")
    with app.unit_of_work() as s:
        staff = s.get(Staff, actor.staff_id, with_for_update={"of": Staff})
        if staff is None or not staff.active:
            raise SignInFailed("您的账号已被停用，不能解锁；请退出登录")
        _check_password(s, staff, password, now)
        if staff.role != actor.role or staff.department_id != actor.department_id:
            raise SignInFailed("您的岗位或部门已被调整，请退出后重新登录")
        audit.append(s, at=now, staff_id=staff.id, entity="staff", entity_id=staff.id, action="unlock")


def verify_password(app: App, actor: Actor, password: str) -> bool:
    """Whether `password` unlocks the window (see unlock(): wrong ones are counted)."""
    try:
        unlock(app, actor, password)
    except SignInFailed:
        return False
    return True


class StaffService(Service):
    def list(self) -> list[StaffView]:
        with self.app.reading() as s:
            return [_view(x) for x in s.scalars(select(Staff).order_by(Staff.login))]

    def departments(self) -> builtins.list[tuple[str, str]]:
        with self.app.reading() as s:
            return [(d.code, d.name) for d in s.scalars(select(Department).order_by(Department.id))]

    def create(self, login: str, name: str, role: Role | str, department_code: str | None,
               password: str) -> StaffView:
        self.actor.require(Permission.MANAGE_STAFF)
        check_password_rules(password)
        login, name = clean_text(login), _checked_name(name)
        if not login:
            raise Refused("请填写登录名和姓名")
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,40}", login):
            raise Refused("登录名为2至40位字母、数字、点、下划线或横线", field="login")
        try:
            role = Role(role)
        except ValueError:
            raise Refused("请选择有效的岗位", field="role") from None
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            if s.scalar(select(Staff).where(Staff.login == login)):
                raise Refused(f"登录名“{login}”已被使用", field="login")
            dept = None
            if department_code:
                dept = s.scalar(select(Department).where(Department.code == department_code))
                if dept is None:
                    raise NotFound("部门不存在")
            staff = Staff(login=login, name=name, role=role, department_id=dept.id if dept else None,
                          password_hash=_hasher.hash(password), must_change_password=True, created_at=now)
            s.add(staff)
            try:
                with s.begin_nested():
                    s.flush()
            except IntegrityError:  # another administrator took the login a moment ago
                raise Refused(f"登录名“{login}”已被使用", field="login") from None
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="staff", entity_id=staff.id,
                         action="create", changes=audit.snapshot(staff, ["login", "name", "role", "department_id"]))
            s.refresh(staff)
            return _view(staff)

    def update(self, staff_id: int, *, name: str | None = None, role: Role | str | None = None,
               department_code: str | None = None, active: bool | None = None) -> StaffView:
        """Rename, move or disable a member of staff. Their open sessions follow at their next action.
        The last active administrator cannot be demoted or disabled."""
        self.actor.require(Permission.MANAGE_STAFF)
        new_name = _checked_name(name) if name is not None else None
        try:
            new_role = Role(role) if role is not None else None
        except ValueError:
            raise Refused("请选择有效的岗位", field="role") from None
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            staff = must_get(s, Staff, staff_id, "员工不存在", lock={"of": Staff})
            if active is False and staff.id == self.actor.staff_id:
                raise Refused("不能停用自己的账号")
            leaves_admin = staff.role == Role.ADMIN and staff.active and (
                (new_role is not None and new_role is not Role.ADMIN) or active is False)
            if leaves_admin:
                # Every active administrator's row, locked in id order: two administrators demoting each
                # other at once are decided one after the other, and one of them stays.
                admins = s.scalars(select(Staff.id).where(Staff.role == Role.ADMIN, Staff.active.is_(True))
                                   .order_by(Staff.id).with_for_update()).all()
                if [x for x in admins if x != staff.id] == []:
                    raise Refused("这是最后一名在用的系统管理员，不能调岗或停用；请先任命另一名系统管理员")
            if new_name is not None:
                staff.name = new_name
            if new_role is not None:
                staff.role = new_role
            if department_code is not None:
                dept = None
                if department_code:
                    dept = s.scalar(select(Department).where(Department.code == department_code))
                    if dept is None:
                        raise NotFound("部门不存在")
                staff.department_id = dept.id if dept else None
            if active is not None:
                staff.active = active
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="staff", entity_id=staff.id,
                         action="update", changes=audit.changes_of(staff))
            s.flush()
            s.refresh(staff)
            return _view(staff)

    def reset_password(self, staff_id: int, new_password: str) -> None:
        """An administrator sets a temporary password; the user must change it at next sign-in."""
        self.actor.require(Permission.MANAGE_STAFF)
        check_password_rules(new_password)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            staff = must_get(s, Staff, staff_id, "员工不存在", lock={"of": Staff})
            staff.password_hash = _hasher.hash(new_password)
            staff.must_change_password = True
            staff.failed_attempts = 0
            staff.locked_until = None
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="staff", entity_id=staff.id,
                         action="reset_password")

    def change_own_password(self, old_password: str, new_password: str) -> None:
        check_password_rules(new_password)
        if old_password == new_password:
            raise Refused("新密码不能与原密码相同", field="password")
        now = self.app.clock.now()
        with self.app.unit_of_work(for_password_change=True) as s:
            staff = must_get(s, Staff, self.actor.staff_id, "员工不存在", lock={"of": Staff})
            try:
                _hasher.verify(staff.password_hash, old_password)
            except (VerificationError, InvalidHashError):
                raise Refused("原密码不正确", field="old_password") from None
            staff.password_hash = _hasher.hash(new_password)
            staff.must_change_password = False
            audit.append(s, at=now, staff_id=staff.id, entity="staff", entity_id=staff.id, action="change_password")
