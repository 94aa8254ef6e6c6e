"""The demo hall: complete (every flow, status and step), consistent (IDs, balances, audit), repeatable."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from gasdesk import models
from gasdesk.clock import Clock, FixedClock
from gasdesk.demo import (
    OPENING_BALANCE_ACTION,
    SIMULATED_DAYS,
    STAFF_PASSWORD,
    build_demo,
    main_demo,
)
from gasdesk.flows import ALL_FLOWS
from gasdesk.models import (
    Account,
    AuditEntry,
    Customer,
    InspectionHazard,
    InspectionPlan,
    InspectionVisit,
    Payment,
    ServiceOrder,
    Staff,
)
from gasdesk.services import audit
from gasdesk.services import settings as settings_store
from gasdesk.services import staff as staff_service
from gasdesk.services.context import App
from gasdesk.services.errors import Refused
from gasdesk.services.ledgers.inspection_coverage import coverage_now
from gasdesk.services.staff import actor_of, sign_in
from gasdesk.services.worklists import WorklistService
from gasdesk.validation import check_credit_code, check_resident_id
from gasdesk.vocab import Role

SIZE = 150
# Starts on a Monday so the period ends on a working day (2027-03-23, a Tuesday): some orders are due today.
PERIOD_START = datetime(2026, 11, 23, 10, 0)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo hashes ~50 staff passwords; at production cost that alone takes ~10 s a build."""
    monkeypatch.setattr(staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _admin(app: App):
    with app.reading() as s:
        staff = s.scalar(select(Staff).where(Staff.login == "admin"))
        assert staff is not None
        return actor_of(staff)


def test_demo_hall_is_complete_and_consistent(app: App, clock: FixedClock) -> None:
    clock.set(PERIOD_START)
    summary = build_demo(app, SIZE, seed=7)

    end = PERIOD_START + timedelta(days=SIMULATED_DAYS)
    assert clock.now() == end
    assert summary.period_end == end
    assert summary.skipped == 0
    lists = WorklistService(app, _admin(app))

    with app.reading() as s:
        orders = s.scalars(select(ServiceOrder)).all()
        customers = s.scalars(select(Customer)).all()
        accounts = s.scalars(select(Account)).all()
        payments = s.scalars(select(Payment)).all()
        openings = s.scalars(select(AuditEntry).where(AuditEntry.action == OPENING_BALANCE_ACTION)).all()
        bills = s.scalars(select(models.Bill)).all() if hasattr(models, "Bill") else []
        staff = s.scalars(select(Staff)).all()

        # Every flow (the charts' ten and the further services), every status, and open orders waiting
        # in every step of every flow.
        assert {o.kind for o in orders} == set(ALL_FLOWS)
        assert {o.status for o in orders} == {"open", "archived", "rejected", "cancelled"}
        assert {(o.kind, o.status) for o in orders} >= {(k, "archived") for k in ALL_FLOWS}
        waiting = {(o.kind, o.step) for o in orders if o.status == "open"}
        missing = [(f.kind, st.code) for f in ALL_FLOWS.values() for st in f.steps
                   if not st.terminal and (f.kind, st.code) not in waiting]
        assert not missing
        # Meters checked and passed, and meters replaced; supplies suspended before the period resumed.
        checked = [o.data for o in orders if o.kind == "meter_service" and o.status == "archived"]
        assert any("check_result" in d for d in checked) and any("meter_number" in d for d in checked)
        assert any(a.status == "suspended" and a.suspended_at < PERIOD_START for a in accounts)
        assert any(o.kind == "resume_supply" and o.status == "archived" and o.data.get("resume_reading")
                   for o in orders)
        assert {o.kind for o in orders if o.status == "rejected"} >= {"activation", "installation", "transfer"}
        assert {o.kind for o in orders if o.status == "cancelled"} >= {"activation", "closure", "complaint"}
        assert summary.orders_by_status == lists.counts_by_status()
        assert sum(summary.orders_by_kind.values()) == len(orders)

        # Clocks: overdue, due today, paused for the customer.
        overdue = lists.overdue(limit=1000)
        assert overdue and summary.open_overdue == len(overdue)
        assert lists.due_today(limit=1000) and summary.due_today > 0
        assert any(o.status == "open" and o.data.get("_on_hold") for o in orders)
        # Rejections and cancellations carry the reason told to the customer.
        assert all(o.reason for o in orders if o.status in ("rejected", "cancelled"))

        # Dispatch: site visits booked with crew and appointment, and some not booked yet.
        queue = lists.dispatch_queue(limit=1000)
        assert any(w.appointment_at and w.crew for w in queue)
        assert any(w.appointment_at is None for w in queue)

        # Complaints with one, two and three handling rounds.
        assert {o.rounds for o in orders if o.kind == "complaint" and o.status == "archived"} >= {1, 2, 3}

        # Customers: valid documents, mostly residential, mostly with an active account.
        for c in customers:
            (check_resident_id if c.id_type == "resident_id" else check_credit_code)(c.id_number)
        assert len(customers) >= SIZE
        residential = [c for c in customers if c.category == "residential"]
        assert 0.7 < len(residential) / len(customers) < 0.95
        assert sum(a.status == "active" for a in accounts) > len(customers) / 2
        assert all(c.address.startswith("安顺市") for c in customers)
        # Anshun: the city proper is 市区 (30-minute emergency limit), the rest 郊区; IDs and phones to match.
        assert {c.district for c in customers} == {"urban", "suburban"}
        assert all(c.district == "urban" for c in customers if c.address.startswith("安顺市西秀区"))
        assert sum(c.id_number[:4] in ("5204", "5225") for c in residential) > 0.8 * len(residential)
        assert all(c.phone.startswith("0851-3") for c in customers if c.id_type == "credit_code")

        # Money: every balance is its payments (minus its bills) plus its documented opening balance.
        expected: dict[int, Decimal] = defaultdict(Decimal)
        for p in payments:
            if p.account_id is not None:
                expected[p.account_id] += p.balance_effect
        for b in bills:
            expected[b.account_id] -= b.amount
        for e in openings:
            old, new = e.changes["balance"]
            expected[int(e.entity_id)] += Decimal(new) - Decimal(old)
        assert openings
        assert {a.id: a.balance for a in accounts} == {a.id: expected[a.id] for a in accounts}
        kinds = {p.kind for p in payments}
        assert {"prepay", "fee", "refund", "arrears"} <= kinds
        assert any(a.balance < 0 for a in accounts) and any(a.balance > 0 for a in accounts)

        # The profile is the seed's company, confirmed with the demo hall's own hours: the first-run
        # profile dialog does not appear on the demo hall.
        values = settings_store.read_all(s)
        assert values["company.confirmed"] is True and values["company.name"] == "贵州燃气集团安顺市燃气有限责任公司"
        assert values["hours.hall"] and values["hours.hall"] != values["hours.service_line"]
        # Safety inspection: a year of monthly plans before this month (imported history), visits at
        # realistic rates, a minority with hazards and most of those rectified; this month's plan of the
        # households due, opened through the service, waits for the inspectors.
        visits = s.scalars(select(InspectionVisit)).all()
        share = {o: sum(v.outcome == o for v in visits) / len(visits) for o in ("entered", "not_home", "refused")}
        assert 0.75 < share["entered"] < 0.93 and 0.04 < share["not_home"] < 0.2 and 0 < share["refused"] < 0.08
        assert min(v.visited_at for v in visits) < end - timedelta(days=300) and max(v.visited_at for v in visits) < end
        hazards = s.scalars(select(InspectionHazard)).all()
        entered = [v for v in visits if v.outcome == "entered"]
        assert 0 < len({h.visit_id for h in hazards}) < 0.3 * len(entered)
        noticed = [h for h in hazards if h.status != "advice"]
        assert sum(h.status == "closed" for h in noticed) > 0.8 * len(noticed)
        plans = s.scalars(select(InspectionPlan)).all()
        assert len({p.starts_on.replace(day=1) for p in plans if p.status == "closed"}) == 12
        [current] = [p for p in plans if p.status == "open"]
        assert current.due_only and current.opened > 0 and current.opened_at == end
        coverage = coverage_now(s, end)
        assert coverage.rate is not None and 0.6 < coverage.rate < 0.99 and coverage.overdue > 0

        # The audit chain is whole.
        ok, broken, why = audit.verify(s)
        assert ok, (broken, why)

        # The bank channel (gasdesk.demo_bank): agreements, a returned run with paid and failed lines,
        # bank-counter collections; its payments are in the balances and the audit checks above.
        runs = s.scalars(select(models.BankRun)).all()
        assert s.scalars(select(models.BankAgreement)).first() is not None
        assert any(r.status == "returned" for r in runs)
        assert {"paid", "failed"} <= {x.outcome for x in s.scalars(select(models.BankRunLine))}
        assert {p.method for p in payments} >= {"bank_debit", "bank_collection"}
        assert summary.bank.startswith("银行代收代扣")

        # Staff of every role can sign in with the printed password, without a forced change.
        assert {Role(x.role) for x in staff} == set(Role)
        printed = {x.login: x.password for x in summary.logins}
        assert printed["admin"] == "admin123"
        assert all(x.password == STAFF_PASSWORD for x in summary.logins if x.login != "admin")
        for login in ("clerk1", "am1", "dispatch1", "handler1", "manager1"):
            actor, must_change = sign_in(app, login, STAFF_PASSWORD)
            assert not must_change and actor.login == login
        assert summary.lines()


def test_the_demo_names_no_flow_and_no_step() -> None:
    """What the demo knows of a flow lives in the flow's package (flows/<kind>/demo.py)."""
    import ast
    from pathlib import Path

    import gasdesk.demo
    from gasdesk.flows.registry import BUNDLES

    names = set(ALL_FLOWS) | {st.code for f in ALL_FLOWS.values() for st in f.steps}
    tree = ast.parse(Path(gasdesk.demo.__file__).read_text(encoding="utf-8"))
    found = sorted({n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in names})
    assert not found
    # Every flow walks its orders in the demo, the further services as well as the charts' ten.
    assert {b.kind for b in BUNDLES if b.demo is not None} == set(ALL_FLOWS)


def _names(app: App) -> list[str]:
    with app.reading() as s:
        return list(s.scalars(select(Customer.name).order_by(Customer.id)))


def test_same_seed_builds_the_same_hall(app: App, clock: FixedClock, tmp_path, sqlite_template) -> None:
    import shutil

    clock.set(PERIOD_START)
    build_demo(app, 40, seed=3)
    copy = tmp_path / "again.sqlite"
    shutil.copy(sqlite_template, copy)
    again = App(f"sqlite:///{copy}", FixedClock(PERIOD_START), migrate=False)
    try:
        build_demo(again, 40, seed=3)
        assert _names(again) == _names(app)
        with again.reading() as s1, app.reading() as s2:
            def numbers(s):
                return s.execute(select(ServiceOrder.number, ServiceOrder.status, ServiceOrder.step)
                                 .order_by(ServiceOrder.id)).all()
            assert numbers(s1) == numbers(s2)
    finally:
        again.dispose()
    other = tmp_path / "other.sqlite"
    shutil.copy(sqlite_template, other)
    different = App(f"sqlite:///{other}", FixedClock(PERIOD_START), migrate=False)
    try:
        build_demo(different, 40, seed=4)
        assert _names(different) != _names(app)
    finally:
        different.dispose()


def test_refuses_a_database_with_customers(app: App) -> None:
    from tests.helpers import make_team, resident

    team = make_team(app)
    resident(app, team.clerk)
    with app.reading() as s:
        before = len(s.scalars(select(AuditEntry)).all())
    with pytest.raises(Refused, match="已有客户"):
        build_demo(app, 20)
    with app.reading() as s:
        assert len(s.scalars(select(AuditEntry)).all()) == before


def test_reuses_existing_staff_and_needs_a_fixed_clock(app: App, clock: FixedClock, db_url: str) -> None:
    with pytest.raises(TypeError):
        build_demo(App(db_url, Clock(), migrate=False), 20)
    staff_service.create_first_admin(app, "boss", "王总", "boss-pass-1")
    summary = build_demo(app, 30, seed=2)
    logins = {x.login for x in summary.logins}
    assert "admin" not in logins and {"boss", "clerk1"} <= logins
    with app.reading() as s:
        assert s.scalar(select(Staff).where(Staff.login == "admin")) is None


def test_main_demo_ends_now(tmp_path) -> None:
    before = datetime.now().replace(second=0, microsecond=0)
    summary = main_demo(f"sqlite:///{tmp_path / 'hall.sqlite'}", customers=30, seed=5)
    assert summary.period_end is not None and before <= summary.period_end <= datetime.now()
    assert summary.customers >= 30


def test_cli_demo_prints_the_logins_and_if_empty_leaves_a_filled_database(tmp_path, capsys):
    from gasdesk.cli import main

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert main(["--db", url, "demo", "--customers", "40"]) == 0
    out = capsys.readouterr().out
    assert "admin" in out and "demo1234" in out
    assert main(["--db", url, "demo", "--if-empty"]) == 0
    assert "不再生成" in capsys.readouterr().out
    assert main(["--db", url, "demo"]) == 1


def test_cli_demo_goes_to_its_own_database_by_default(tmp_path, monkeypatch, capsys):
    from gasdesk.cli import main
    from gasdesk.config import default_demo_path, default_sqlite_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("GASDESK_DB_URL", raising=False)
    assert main(["demo", "--customers", "30"]) == 0
    assert "demo.sqlite" in capsys.readouterr().out
    demo = App(f"sqlite:///{default_demo_path()}", migrate=False)
    try:
        assert settings_store.is_demo(demo)
        with demo.reading() as s:
            assert s.scalar(select(Staff).where(Staff.login == "clerk1")) is not None
    finally:
        demo.dispose()
    assert not default_sqlite_path().exists()  # the real database was not touched
    assert oct(default_demo_path().parent.stat().st_mode & 0o777) == "0o700"
    assert oct(default_demo_path().stat().st_mode & 0o777) == "0o600"


def test_a_real_database_never_gets_demo_logins(tmp_path, capsys):
    from gasdesk.cli import main

    url = f"sqlite:///{tmp_path / 'hall.sqlite'}"
    real = App(url)
    staff_service.create_first_admin(real, "boss", "王总", "boss-pass-1")  # a hall that started for real
    try:
        assert main(["--db", url, "demo", "--customers", "20"]) == 1
        assert "不是演示数据库" in capsys.readouterr().err
        assert main(["--db", url, "demo", "--if-empty"]) == 1
        with real.reading() as s:
            assert [x.login for x in s.scalars(select(Staff))] == ["boss"]
        assert not settings_store.is_demo(real)
    finally:
        real.dispose()
