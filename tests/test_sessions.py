"""Sessions follow the staff list, and money or staff decisions taken at two counters at once are
taken one after the other (run with processes on PostgreSQL, where two counters really overlap)."""

from __future__ import annotations

import json
import multiprocessing as mp
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from gasdesk.models import Account, Payment, Staff
from gasdesk.services.context import Actor, App
from gasdesk.services.customers import CustomerService
from gasdesk.services.errors import NotAllowed, Refused, SessionEnded, SignInFailed
from gasdesk.services.payments import ALREADY_REVERSED, PaymentService
from gasdesk.services.staff import MAX_FAILURES, StaffService, sign_in, unlock
from gasdesk.vocab import Role
from tests.helpers import active_resident, make_team
from tests.test_concurrency import run_at_once

# --------------------------------------------------------------------------- two managers, one payment


def _reverser(url: str, manager, payment_ids: list[int], barrier, out: str) -> None:  # type: ignore[no-untyped-def]
    app = App(url, migrate=False)
    results = []
    try:
        service = PaymentService(app, manager)
        for pid in payment_ids:
            barrier.wait(60)  # both processes reach each payment together
            try:
                service.reverse(pid, "重复收费")
                results.append([pid, "ok"])
            except Refused as exc:
                results.append([pid, exc.message])
    finally:
        app.dispose()
        Path(out).write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")


def test_two_managers_reversing_one_payment_at_once(app, tmp_path):
    team = make_team(app)
    second = StaffService(app, team.admin).create("manager2", "周梅", Role.MANAGER, "management", "first-pass")
    manager2 = Actor(second.id, second.login, second.name, second.role, team.manager.department_id)
    StaffService(app, manager2).change_own_password("first-pass", "secret-pass")
    _, order = active_resident(app, team)
    payments = PaymentService(app, team.clerk)
    with app.reading() as s:
        before = s.get(Account, order.account_id).balance
    ids = [payments.prepay(order.account_id, f"{10 + i}.00", "cash").id for i in range(6)]
    barrier = mp.get_context("spawn").Barrier(2)
    outs = [str(tmp_path / f"r{i}.json") for i in range(2)]
    run_at_once(_reverser, [(app.url, m, ids, barrier, out) for m, out in zip((team.manager, manager2), outs,
                                                                                strict=True)])
    results = [json.loads(Path(out).read_text(encoding="utf-8")) for out in outs]
    for k, pid in enumerate(ids):
        outcomes = sorted(r[k][1] for r in results)
        assert all(r[k][0] == pid for r in results)
        assert outcomes == sorted(["ok", ALREADY_REVERSED]), outcomes
    with app.reading() as s:
        for pid in ids:
            assert s.scalar(select(func.count()).select_from(Payment).where(Payment.reverses_id == pid)) == 1
        balance = s.get(Account, order.account_id).balance
        effects = s.scalar(select(func.sum(Payment.balance_effect)).where(Payment.account_id == order.account_id))
        assert balance == effects == before  # each payment taken back once, and only once


def test_the_database_refuses_a_second_reversal_of_one_payment(app):
    team = make_team(app)
    _, order = active_resident(app, team)
    paid = PaymentService(app, team.clerk).prepay(order.account_id, "20", "cash")
    PaymentService(app, team.manager).reverse(paid.id, "错收")
    with pytest.raises(Refused, match=ALREADY_REVERSED):
        PaymentService(app, team.manager).reverse(paid.id, "错收")
    with app.engine.connect() as c, pytest.raises(IntegrityError):  # even written behind the services' back
        c.execute(text("INSERT INTO payment (receipt_number, kind, amount, cash_effect, balance_effect, method, "
                       "customer_id, account_id, staff_id, at, item, note, reverses_id) SELECT 'X-1', kind, amount, "
                       "cash_effect, balance_effect, method, customer_id, account_id, staff_id, at, item, note, "
                       "reverses_id FROM payment WHERE reverses_id = :p"), {"p": paid.id})


# --------------------------------------------------------------------------- sessions follow the staff list


def test_a_demoted_manager_cannot_reverse_any_more(app):
    team = make_team(app)
    _, order = active_resident(app, team)
    paid = PaymentService(app, team.clerk).prepay(order.account_id, "20", "cash")
    manager = PaymentService(app, team.manager)  # the manager's window, still open
    StaffService(app, team.admin).update(team.manager.staff_id, role=Role.CLERK)
    with pytest.raises(SessionEnded, match="重新登录"):
        manager.reverse(paid.id, "错收")
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.reverses_id == paid.id)) == 0
    actor, _ = sign_in(app, "manager", "secret-pass")  # signed in again: a clerk now
    with pytest.raises(NotAllowed, match="无权"):
        PaymentService(app, actor).reverse(paid.id, "错收")


def test_a_disabled_clerk_can_neither_take_money_nor_look_anyone_up(app):
    team = make_team(app)
    customer, order = active_resident(app, team)
    clerk_payments, clerk_customers = PaymentService(app, team.clerk), CustomerService(app, team.clerk)
    clerk_payments.prepay(order.account_id, "5", "cash")
    StaffService(app, team.admin).update(team.clerk.staff_id, active=False)
    with pytest.raises(SessionEnded, match="已被停用"):
        clerk_payments.prepay(order.account_id, "5", "cash")
    with pytest.raises(SessionEnded, match="已被停用"):
        clerk_customers.search(customer.name)
    with pytest.raises(SessionEnded, match="已被停用"):
        clerk_customers.get(customer.id)


def _staff_checks(app: App) -> list[str]:
    """The staff-record checks the application sends from now on (a listener on its engines)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if "must_change_password" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    for engine in {app.engine, app.read_engine}:
        event.listen(engine, "before_cursor_execute", record)
    return seen


def test_one_action_checks_the_staff_record_once_for_its_reads_and_every_write(app):
    team = make_team(app)
    customer, order = active_resident(app, team)
    clerk = CustomerService(app, team.clerk)
    checks = _staff_checks(app)
    with app.acting(team.clerk).one_action():
        clerk.get(customer.id)
        clerk.accounts(customer.id)
        clerk.search(customer.name)
        assert len(checks) == 1  # three reads, one check
        PaymentService(app, team.clerk).prepay(order.account_id, "5", "cash")
        assert len(checks) == 2  # a write checks (and holds) the record every time
        StaffService(app, team.admin).update(team.clerk.staff_id, active=False)
        clerk.get(customer.id)  # the action in hand finishes its reads
        with pytest.raises(SessionEnded, match="已被停用"):
            PaymentService(app, team.clerk).prepay(order.account_id, "5", "cash")  # never a write
    with app.acting(team.clerk).one_action(), pytest.raises(SessionEnded, match="已被停用"):
        clerk.get(customer.id)  # the next action: refused at its first read
    with pytest.raises(SessionEnded, match="已被停用"):
        clerk.get(customer.id)  # outside any action every read checks


def test_one_actions_trust_ends_when_it_is_forgotten_and_is_one_actors(app):
    team = make_team(app)
    customer, _ = active_resident(app, team)
    clerk, manager = CustomerService(app, team.clerk), CustomerService(app, team.manager)
    checks = _staff_checks(app)
    with app.acting(team.clerk).one_action() as action:
        clerk.get(customer.id)
        manager.get(customer.id)  # another member of staff at the same PC is checked on their own
        manager.get(customer.id)
        assert len(checks) == 2
        action.forget()  # the window waited for input: the next read checks again
        StaffService(app, team.admin).update(team.clerk.staff_id, active=False)
        with pytest.raises(SessionEnded, match="已被停用"):
            clerk.get(customer.id)


def test_a_forced_password_change_blocks_every_service_until_done(app):
    team = make_team(app)
    customer, order = active_resident(app, team)
    StaffService(app, team.admin).reset_password(team.clerk.staff_id, "temp-pass-1")
    clerk = PaymentService(app, team.clerk)
    with pytest.raises(SessionEnded, match="修改密码"):
        clerk.prepay(order.account_id, "5", "cash")
    with pytest.raises(SessionEnded, match="修改密码"):
        CustomerService(app, team.clerk).search(customer.name)
    StaffService(app, team.clerk).change_own_password("temp-pass-1", "my-new-pass")
    assert clerk.prepay(order.account_id, "5", "cash").amount == Decimal("5.00")


def test_idle_unlock_counts_wrong_passwords_and_honours_lock_out_and_disabling(app, clock):
    team = make_team(app)
    for i in range(MAX_FAILURES - 1):
        with pytest.raises(SignInFailed, match=f"再错{MAX_FAILURES - 1 - i}次"):
            unlock(app, team.clerk, "wrong")
    with pytest.raises(SignInFailed, match="锁定15分钟"):
        unlock(app, team.clerk, "wrong")
    with pytest.raises(SignInFailed, match="已锁定"):
        unlock(app, team.clerk, "secret-pass")  # the right password, but locked out
    with pytest.raises(SignInFailed, match="已锁定"):
        sign_in(app, "clerk", "secret-pass")  # and the same at the sign-in window
    clock.advance(minutes=16)
    unlock(app, team.clerk, "secret-pass")
    StaffService(app, team.admin).update(team.clerk.staff_id, active=False)
    with pytest.raises(SignInFailed, match="停用"):
        unlock(app, team.clerk, "secret-pass")


def test_the_last_active_administrator_stays(app):
    team = make_team(app)
    admins = StaffService(app, team.admin)
    with pytest.raises(Refused, match="最后一名"):
        admins.update(team.admin.staff_id, role=Role.MANAGER)
    with pytest.raises(Refused, match="停用自己"):
        admins.update(team.admin.staff_id, active=False)
    second = admins.update(team.manager.staff_id, role=Role.ADMIN)
    assert second.role is Role.ADMIN
    admins.update(team.admin.staff_id, role=Role.MANAGER)  # another administrator remains: allowed
    actor, _ = sign_in(app, "manager", "secret-pass")
    with pytest.raises(Refused, match="最后一名"):
        StaffService(app, actor).update(actor.staff_id, role=Role.CLERK)
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(Staff).where(Staff.role == Role.ADMIN)) == 1


# --------------------------------------------------------------------------- wrong passwords in parallel


def _guesser(url: str, tries: int, barrier, out: str) -> None:  # type: ignore[no-untyped-def]
    app = App(url, migrate=False)
    messages = []
    try:
        barrier.wait(60)
        for _ in range(tries):
            try:
                sign_in(app, "clerk", "wrong-guess")
            except SignInFailed as exc:
                messages.append(exc.message)
    finally:
        app.dispose()
        Path(out).write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")


def test_parallel_wrong_passwords_lock_out_after_the_limit(app, tmp_path):
    make_team(app)
    workers, tries = 8, 4
    barrier = mp.get_context("spawn").Barrier(workers)
    outs = [str(tmp_path / f"g{i}.json") for i in range(workers)]
    run_at_once(_guesser, [(app.url, tries, barrier, out) for out in outs])
    messages = [m for out in outs for m in json.loads(Path(out).read_text(encoding="utf-8"))]
    assert len(messages) == workers * tries
    counted = [m for m in messages if "再错" in m]
    locking = [m for m in messages if "账号已锁定15分钟" in m]
    assert len(counted) == MAX_FAILURES - 1 and len(locking) == 1, messages
    # every other try was turned away by the lock-out, its password unchecked
    assert sum("分钟后再试" in m for m in messages) == workers * tries - MAX_FAILURES


# --------------------------------------------------------------------------- database errors in Chinese


def test_database_errors_reach_the_clerk_in_chinese_without_their_values(app, caplog):
    import logging

    from gasdesk.services.errors import Conflict, ServiceError

    make_team(app)
    secret = "520102198001011234"
    with caplog.at_level(logging.WARNING), pytest.raises(Conflict) as clash:
        with app.unit_of_work() as s:  # a unique login written behind the services' back
            s.execute(text("UPDATE staff SET login = 'clerk', name = :n WHERE login = 'manager'"), {"n": secret})
    assert clash.value.message.startswith("与其他柜台") and secret not in str(clash.value)
    if not app.is_sqlite:  # PostgreSQL checks lengths and types itself
        with caplog.at_level(logging.WARNING), pytest.raises(ServiceError) as bad:
            with app.unit_of_work() as s:
                s.execute(text("UPDATE staff SET login = :v WHERE login = 'clerk'"), {"v": secret * 3})
        assert "过长" in bad.value.message and secret not in str(bad.value)
        with pytest.raises(ServiceError, match="无效字符"):
            with app.reading() as s:
                s.execute(text("SELECT CAST(:v AS integer)"), {"v": secret + "x"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "database refused" in logged and secret not in logged


def _demoter(url: str, admin, other_id: int, barrier, out: str) -> None:  # type: ignore[no-untyped-def]
    from gasdesk.services.errors import ServiceError

    app = App(url, migrate=False)
    outcome = "ok"
    try:
        barrier.wait(60)
        StaffService(app, admin).update(other_id, role=Role.MANAGER)
    except ServiceError as exc:
        outcome = exc.message
    finally:
        app.dispose()
        Path(out).write_text(outcome, encoding="utf-8")


def test_two_administrators_demoting_each_other_at_once_leave_one(app, tmp_path):
    team = make_team(app)
    StaffService(app, team.admin).update(team.manager.staff_id, role=Role.ADMIN)
    second, _ = sign_in(app, "manager", "secret-pass")
    barrier = mp.get_context("spawn").Barrier(2)
    outs = [str(tmp_path / f"d{i}.txt") for i in range(2)]
    run_at_once(_demoter, [(app.url, team.admin, second.staff_id, barrier, outs[0]),
                           (app.url, second, team.admin.staff_id, barrier, outs[1])])
    outcomes = [Path(out).read_text(encoding="utf-8") for out in outs]
    assert outcomes.count("ok") == 1, outcomes
    assert all(o == "ok" or any(w in o for w in ("最后一名", "重新登录", "稍后重试")) for o in outcomes), outcomes
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(Staff).where(Staff.role == Role.ADMIN,
                                                                       Staff.active.is_(True))) == 1


def test_a_disabled_manager_runs_no_bank_debit_and_prints_no_cash_report(app):
    """The bank channel and the daily cash report check the staff record as every other service does."""
    from gasdesk.services.bank import BankService
    from gasdesk.services.cash_report import CashReportService

    team = make_team(app)
    bank, cash = BankService(app, team.manager), CashReportService(app, team.manager)
    bank.banks()
    StaffService(app, team.admin).update(team.manager.staff_id, active=False)
    with pytest.raises(SessionEnded, match="已被停用"):
        bank.banks()
    with pytest.raises(SessionEnded, match="已被停用"):
        bank.preview_run("ICBC", "2026-11")
    with pytest.raises(SessionEnded, match="已被停用"):
        cash.print_day(app.clock.now().date())
