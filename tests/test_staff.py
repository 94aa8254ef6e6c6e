"""Sign-in, lock-out, password resets and the first administrator."""

from __future__ import annotations

import pytest

from gasdesk.services.errors import NotAllowed, Refused, SignInFailed
from gasdesk.services.staff import StaffService, create_first_admin, needs_first_admin, sign_in
from tests.helpers import make_team


def test_first_admin_only_once(app):
    assert needs_first_admin(app)
    with pytest.raises(Refused, match="至少6位"):
        create_first_admin(app, "admin", "管理员", "123")
    admin = create_first_admin(app, "admin", "管理员", "admin-pass-1")
    assert admin.role == "admin" and not needs_first_admin(app)
    with pytest.raises(Refused, match="已有管理员"):
        create_first_admin(app, "admin2", "管理员", "admin-pass-2")


def test_five_failures_lock_for_fifteen_minutes(app, clock):
    make_team(app)
    for i in range(4):
        with pytest.raises(SignInFailed, match=f"再错{4 - i}次"):
            sign_in(app, "clerk", "wrong")
    with pytest.raises(SignInFailed, match="锁定15分钟"):
        sign_in(app, "clerk", "wrong")
    with pytest.raises(SignInFailed, match="已锁定"):
        sign_in(app, "clerk", "secret-pass")  # even the right password
    clock.advance(minutes=15, seconds=1)
    actor, must_change = sign_in(app, "clerk", "secret-pass")
    assert actor.login == "clerk" and not must_change


def test_unknown_user_and_disabled_user_get_the_same_message(app):
    team = make_team(app)
    with pytest.raises(SignInFailed, match="用户名或密码错误"):
        sign_in(app, "nobody", "x")
    StaffService(app, team.admin).update(team.clerk.staff_id, active=False)
    with pytest.raises(SignInFailed, match="用户名或密码错误"):
        sign_in(app, "clerk", "secret-pass")


def test_reset_password_forces_a_change(app):
    team = make_team(app)
    clerk_actor, _ = sign_in(app, "clerk", "secret-pass")
    StaffService(app, clerk_actor).change_own_password("secret-pass", "my-own-pass")
    assert sign_in(app, "clerk", "my-own-pass")[1] is False
    with pytest.raises(NotAllowed):
        StaffService(app, team.manager).reset_password(team.clerk.staff_id, "temp-pass-1")
    StaffService(app, team.admin).reset_password(team.clerk.staff_id, "temp-pass-1")
    actor, must_change = sign_in(app, "clerk", "temp-pass-1")
    assert must_change
    with pytest.raises(Refused, match="原密码不正确"):
        StaffService(app, actor).change_own_password("wrong", "another-pass")
    StaffService(app, actor).change_own_password("temp-pass-1", "another-pass")
    assert sign_in(app, "clerk", "another-pass")[1] is False


def test_only_administrators_manage_staff(app):
    team = make_team(app)
    with pytest.raises(NotAllowed):
        StaffService(app, team.manager).create("x1", "某某", "clerk", "customer_service", "secret-pass")
    with pytest.raises(Refused, match="已被使用"):
        StaffService(app, team.admin).create("clerk", "某某", "clerk", "customer_service", "secret-pass")
