"""Test data builders: staff of every role, customers with valid documents, opened orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from gasdesk.services.context import Actor, App
from gasdesk.services.customers import CustomerInput, CustomerService, CustomerView
from gasdesk.services.orders import OrderService, OrderView
from gasdesk.services.payments import PaymentService
from gasdesk.services.staff import StaffService, create_first_admin
from gasdesk.validation import make_credit_code, make_resident_id
from gasdesk.vocab import Role


@dataclass
class Team:
    admin: Actor
    clerk: Actor
    manager: Actor
    account_manager: Actor
    dispatcher: Actor
    handler: Actor


def make_team(app: App) -> Team:
    admin = create_first_admin(app, "admin", "系统管理员", "admin-pass-1")
    staff = StaffService(app, admin)
    made = {}
    for login, name, role, dept in [
        ("clerk", "李娜", Role.CLERK, "customer_service"),
        ("manager", "王强", Role.MANAGER, "management"),
        ("am", "赵敏", Role.ACCOUNT_MANAGER, "market"),
        ("dispatch", "刘洋", Role.DISPATCHER, "distribution"),
        ("handler", "陈静", Role.HANDLER, "distribution"),
    ]:
        v = staff.create(login, name, role, dept, "first-pass")
        made[login] = Actor(v.id, v.login, v.name, v.role, _dept_id(app, dept))
        # Each has signed in once and set their own password: no forced change is left.
        StaffService(app, made[login]).change_own_password("first-pass", "secret-pass")
    return Team(admin=admin, clerk=made["clerk"], manager=made["manager"], account_manager=made["am"],
                dispatcher=made["dispatch"], handler=made["handler"])


def _dept_id(app: App, code: str) -> int | None:
    with app.reading() as s:
        return s.execute(text("SELECT id FROM department WHERE code = :c"), {"c": code}).scalar()


_seq = iter(range(1, 10_000))


def resident(app: App, actor: Actor, name: str = "张伟", **over: object) -> CustomerView:
    n = next(_seq)
    data = CustomerInput(
        category="residential", name=name, id_type="resident_id",
        id_number=make_resident_id("520102", date(1980, 1, 1 + n % 27), n % 1000),
        phone=f"139{n:08d}", address=f"示例市南明区花果园{n}栋{n % 30 + 1}号", district="urban",
    )
    for k, v in over.items():
        setattr(data, k, v)
    return CustomerService(app, actor).create(data)


def business(app: App, actor: Actor, name: str = "示例餐饮有限公司") -> CustomerView:
    n = next(_seq)
    data = CustomerInput(
        category="non_residential", name=name, id_type="credit_code",
        id_number=make_credit_code(f"9152010{n:010d}"), phone=f"0851-8{n:07d}",
        address=f"示例市云岩区中华北路{n}号", district="suburban", gas_use_type="commercial",
        contact_person="周经理",
    )
    return CustomerService(app, actor).create(data)


def active_resident(app: App, team: Team, name: str = "张伟", meter: str | None = None,
                    balance: Decimal | None = None, **over: Any) -> tuple[CustomerView, OrderView]:
    """A residential customer taken through account opening: active account with a meter."""
    c = resident(app, team.clerk, name, **over)
    orders = OrderService(app, team.clerk)
    o = orders.open("activation", c.id, documents=["property_proof", "owner_id"])
    o = orders.perform(o.id, "accept")
    o = OrderService(app, team.dispatcher).perform(o.id, "work_done", {
        "meter_number": meter or f"M{c.id:08d}", "meter_model": "JBD2.5", "meter_rating": "G2.5",
        "initial_reading": "0",
    })
    if balance is not None and balance > 0:
        PaymentService(app, team.clerk).prepay(o.account_id, balance, "cash")
    if balance is not None and balance < 0:
        set_balance(app, o.account_id, balance)
    return c, o


def set_balance(app: App, account_id: int | None, balance: Decimal) -> None:
    """Arrears come from bills (a later issue); tests put them on the account directly."""
    from gasdesk.models import Account

    with app.unit_of_work() as s:
        account = s.get(Account, account_id)
        assert account is not None
        account.balance = balance


def snapshot(app: App) -> dict[str, list[tuple]]:
    """Every row of every table, to prove a refused action wrote nothing."""
    from gasdesk.models import Base

    result = {}
    with app.reading() as s:
        for table in Base.metadata.sorted_tables:
            rows = s.execute(table.select().order_by(*table.primary_key.columns)).all()
            result[table.name] = [tuple(r) for r in rows]
    return result


def balance_of(app: App, account_id: int | None) -> Decimal:
    from gasdesk.models import Account

    with app.reading() as s:
        account = s.get(Account, account_id)
        assert account is not None
        return account.balance


def tamper(app: App, sql: str, params: dict[str, object] | list[dict[str, object]] | None = None) -> None:
    """Change tables behind the application's back, as someone with the database's owner rights
    would: on PostgreSQL past the audit log's append-only trigger (a superuser's replica session)."""
    with app.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text(sql), params or {})
