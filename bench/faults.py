"""Fault harness (issue 15, item 9): many counters at once while some are killed with SIGKILL.

    python bench/faults.py --db sqlite:////tmp/faults.sqlite [--procs 16] [--seconds 60] [--kills 20] [--seed 1]
    python bench/faults.py --db postgresql+psycopg://postgres@127.0.0.1:5432/faults

The database named by --db is made afresh (SQLite file deleted; PostgreSQL database dropped and
created). A small hall is seeded through the services: clerks, two managers, a dispatcher, customers
with active accounts and meters. Then N worker processes do a mix through the services: prepayments,
bill payments, reversals (the two managers both reverse the same, oldest unreversed payment at
once), transfers and closures (OrderService open/perform), readings imports (ReadingService.import_rows).
Meanwhile random workers are killed with SIGKILL and restarted. The clock of every process runs at
one simulated day per two real seconds, so readings and bills go on day after day.

Afterwards it checks with SQL and `services.audit.check`: no duplicate receipt or order numbers, no
payment reversed twice, no clash of open account-changing orders per customer, every balance equal to
its payments minus its bills, and a clean audit verify. Prints JSON lines: the ops done per kind (from
the database), the refusals and kills (from the workers' own counters), then each invariant's count.
Exit status 1 when an invariant count is not 0.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from gasdesk.clock import Clock  # noqa: E402

SIM_BASE = datetime(2027, 1, 4, 9, 0)
SIM_SPEED = 43200.0  # simulated seconds per real second: a day every two seconds
CUSTOMERS = 48


class SimClock(Clock):
    """Shared simulated time: every process computes it from the same real start."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0

    def now(self) -> datetime:
        return SIM_BASE + timedelta(seconds=(time.time() - self.t0) * SIM_SPEED)


def _cheap_hashing() -> None:
    from argon2 import PasswordHasher

    from gasdesk.services import staff

    staff._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


# --- database ------------------------------------------------------------------------------------

def fresh_database(url: str) -> str:
    from gasdesk.config import normalise_url

    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return url
    url = normalise_url(url)
    base, name = url.rsplit("/", 1)
    admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def seed(url: str, t0: float) -> None:
    from gasdesk.services.context import Actor, App
    from gasdesk.services.customers import CustomerInput, CustomerService
    from gasdesk.services.orders import OrderService
    from gasdesk.services.payments import PaymentService
    from gasdesk.services.staff import StaffService, create_first_admin
    from gasdesk.validation import make_resident_id
    from gasdesk.vocab import Role

    app = App(url, SimClock(t0))
    try:
        admin = create_first_admin(app, "admin", "系统管理员", "admin-pass-1")
        staff = StaffService(app, admin)
        people = [("clerk1", "李娜", Role.CLERK, "customer_service"), ("clerk2", "孙丽", Role.CLERK, "customer_service"),
                  ("clerk3", "周杰", Role.CLERK, "customer_service"), ("manager1", "王强", Role.MANAGER, "management"),
                  ("manager2", "吴刚", Role.MANAGER, "management"), ("dispatch", "刘洋", Role.DISPATCHER, "distribution")]
        actors: dict[str, Actor] = {}
        for login, name, role, dept in people:
            v = staff.create(login, name, role, dept, "first-pass")
            with app.reading() as s:
                dept_id = s.execute(text("SELECT id FROM department WHERE code = :c"), {"c": dept}).scalar()
            actors[login] = Actor(v.id, v.login, v.name, v.role, dept_id)
            StaffService(app, actors[login]).change_own_password("first-pass", "secret-pass")
        clerk, dispatcher = actors["clerk1"], actors["dispatch"]
        for n in range(1, CUSTOMERS + 1):
            c = CustomerService(app, clerk).create(CustomerInput(
                category="residential", name=f"客户{n}", id_type="resident_id",
                id_number=make_resident_id("520102", date(1980, 1, 1 + n % 27), n),
                phone=f"139{n:08d}", address=f"示例市南明区花果园{n}栋{n % 30 + 1}号", district="urban"))
            orders = OrderService(app, clerk)
            o = orders.open("activation", c.id, documents=["property_proof", "owner_id"])
            o = orders.perform(o.id, "accept")
            o = OrderService(app, dispatcher).perform(o.id, "work_done", {
                "meter_number": f"M{n:06d}", "meter_model": "JBD2.5", "meter_rating": "G2.5", "initial_reading": "0"})
            PaymentService(app, clerk).prepay(o.account_id, Decimal("200"), "cash")
    finally:
        app.dispose()


# --- workers -------------------------------------------------------------------------------------

def worker(url: str, index: int, generation: int, t0: float, deadline: float, seed_: int, stats_dir: str) -> None:
    from gasdesk.models import Account, Meter, Payment, Staff
    from gasdesk.services.billing import BillingService
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError
    from gasdesk.services.orders import OrderService
    from gasdesk.services.readings import ReadingService, SheetRow
    from gasdesk.services.staff import actor_of
    from gasdesk.validation import make_resident_id
    from gasdesk.vocab import AccountStatus

    rng = random.Random(seed_ * 1000 + index * 37 + generation)
    app = App(url, SimClock(t0), migrate=False)
    manager = index % 4 in (1, 3)
    login = ("manager1" if index % 4 == 1 else "manager2") if manager else f"clerk{index % 3 + 1}"
    with app.reading() as s:
        me = actor_of(s.scalar(select(Staff).where(Staff.login == login)))
        dispatcher = actor_of(s.scalar(select(Staff).where(Staff.login == "dispatch")))
    stats: Counter[str] = Counter()
    out = Path(stats_dir) / f"w{index}-g{generation}.json"

    def save() -> None:
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(stats))
        os.replace(tmp, out)

    def active_accounts() -> list[Any]:
        with app.reading() as s:
            return list(s.execute(select(Account.id, Account.customer_id, Meter.number)
                                  .join(Meter, Meter.account_id == Account.id)
                                  .where(Account.status == AccountStatus.ACTIVE)).all())

    def reading_now() -> str:  # every process agrees: readings only grow with the shared clock
        return f"{(time.time() - t0) * 0.5 + 1:.1f}"

    def prepay() -> None:
        acc = rng.choice(active_accounts())
        BillingService(app, me).prepay(acc[0], Decimal(rng.randint(1, 30000)) / 100, "cash")

    def pay_bills() -> None:
        acc = rng.choice(active_accounts())
        ids = [b.id for b in BillingService(app, me).unpaid(acc[0])]
        if not ids:
            stats["nothing_to_do"] += 1
            return
        BillingService(app, me).pay_bills(acc[0], ids, "cash")

    def reverse() -> None:
        # both managers pick the same payment: the oldest prepayment nobody has reversed
        reversal = Payment.__table__.alias("r")
        with app.reading() as s:
            pid = s.scalar(select(Payment.id).where(
                Payment.kind == "prepay", ~select(reversal.c.id).where(reversal.c.reverses_id == Payment.id).exists())
                .order_by(Payment.id).limit(1))
        if pid is None:
            stats["nothing_to_do"] += 1
            return
        BillingService(app, me).reverse(pid, "收错金额，冲正")

    def transfer() -> None:
        _, customer_id, _ = rng.choice(active_accounts())
        orders = OrderService(app, me)
        o = orders.open("transfer", customer_id, documents=["both_ids", "property_proof", "property_mgmt"])
        o = orders.perform(o.id, "documents_ok")
        o = orders.perform(o.id, "application_signed", {
            "new_name": "王芳", "new_id_type": "resident_id", "new_phone": "13700000001",
            "new_id_number": make_resident_id("520103", date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000)),
                                              rng.randint(0, 999))})
        o = orders.perform(o.id, "settled", {"settle_method": "cash", "final_reading": reading_now()})
        o = orders.perform(o.id, "owner_switched")
        orders.perform(o.id, "agreement_signed")

    def closure() -> None:
        _, customer_id, _ = rng.choice(active_accounts())
        orders = OrderService(app, me)
        o = orders.open("closure", customer_id, documents=["id_copy", "property_proof", "property_mgmt"])
        o = orders.perform(o.id, "documents_ok")
        o = orders.perform(o.id, "application_signed")
        o = orders.perform(o.id, "settled", {"settle_method": "cash"})
        o = orders.perform(o.id, "removal")
        OrderService(app, dispatcher).perform(o.id, "work_done", {
            "final_reading": reading_now(), "fee": "120", "fee_method": "cash"})

    def readings() -> None:
        accounts = active_accounts()
        picked = rng.sample(accounts, min(len(accounts), 12))
        today = app.clock.now().date().isoformat()
        rows = [SheetRow(i + 2, number, today, reading_now()) for i, (_, _, number) in enumerate(picked)]
        result = ReadingService(app, me).import_rows(rows)
        stats["reading_rows_imported"] += result.imported
        stats["reading_rows_rejected"] += len(result.rejected)

    mix = ([(reverse, 6), (prepay, 2), (pay_bills, 1)] if manager else
           [(prepay, 6), (pay_bills, 3), (readings, 2), (transfer, 1), (closure, 1)])
    ops, weights = [m[0] for m in mix], [m[1] for m in mix]
    try:
        while time.time() < deadline:
            op = rng.choices(ops, weights)[0]
            try:
                op()
                stats[f"{op.__name__}_done"] += 1
            except ServiceError as exc:
                stats[f"{op.__name__}_refused"] += 1
                if "DeadlockDetected" in repr(exc.__context__):
                    stats["deadlocks"] += 1  # the database broke a lock cycle: a refusal the clerk retries
            except Exception:  # noqa: BLE001 - an unexpected error is a finding, counted and shown
                stats[f"{op.__name__}_errors"] += 1
                print(f"worker {index}: {op.__name__}\n{traceback.format_exc()}", file=sys.stderr)
            save()
    finally:
        app.dispose()


# --- checks --------------------------------------------------------------------------------------

def check(url: str, t0: float) -> dict[str, Any]:
    from gasdesk.flows.definition import AccountLock
    from gasdesk.flows.registry import ALL_FLOWS
    from gasdesk.models import Account, Bill, MeterReading, Payment, ServiceOrder
    from gasdesk.services import audit
    from gasdesk.services.context import App

    app = App(url, SimClock(t0), migrate=False)
    try:
        with app.reading() as s:
            ops = {f"payments_{k}": n for k, n in s.execute(
                select(Payment.kind, func.count()).group_by(Payment.kind))}
            ops.update({f"orders_{k}_{st}": n for k, st, n in s.execute(
                select(ServiceOrder.kind, ServiceOrder.status, func.count())
                .group_by(ServiceOrder.kind, ServiceOrder.status))})
            ops["readings"] = s.scalar(select(func.count()).select_from(MeterReading))
            ops["bills"] = s.scalar(select(func.count()).select_from(Bill))
            dup_receipts = s.scalar(select(func.count()).select_from(
                select(Payment.receipt_number).group_by(Payment.receipt_number).having(func.count() > 1).subquery()))
            dup_orders = s.scalar(select(func.count()).select_from(
                select(ServiceOrder.number).group_by(ServiceOrder.number).having(func.count() > 1).subquery()))
            double_reversals = s.scalar(select(func.count()).select_from(
                select(Payment.reverses_id).where(Payment.reverses_id.is_not(None))
                .group_by(Payment.reverses_id).having(func.count() > 1).subquery()))
            # open orders of one customer that clash (an account-ending one with any changing or ending one)
            locks = {k: f.account_lock for k, f in ALL_FLOWS.items()}
            open_orders = s.execute(select(ServiceOrder.customer_id, ServiceOrder.kind)
                                    .where(ServiceOrder.status == "open")).all()
            per_customer: dict[int, list[str]] = {}
            for cid, kind in open_orders:
                if locks[kind] is not AccountLock.NONE:
                    per_customer.setdefault(cid, []).append(kind)
            clashes = 0
            for kinds in per_customer.values():
                ending = [k for k in kinds if locks[k] is AccountLock.ENDS]
                changing = [k for k in kinds if locks[k] is AccountLock.CHANGES]
                own = [k for k in kinds if locks[k] is not AccountLock.ENDS]
                if len(ending) > 1 or (ending and changing) or len(own) != len(set(own)):
                    clashes += 1
            paid = (select(Payment.account_id.label("a"), func.sum(Payment.balance_effect).label("t"))
                    .group_by(Payment.account_id).subquery())
            billed = (select(Bill.account_id.label("a"), func.sum(Bill.amount).label("t"))
                      .group_by(Bill.account_id).subquery())
            balance_diffs = 0
            for balance, p, b in s.execute(select(Account.balance, paid.c.t, billed.c.t)
                                           .outerjoin(paid, paid.c.a == Account.id)
                                           .outerjoin(billed, billed.c.a == Account.id)):
                if balance != (p or 0) - (b or 0):
                    balance_diffs += 1
            report = audit.check(s)
            problems = [line for line in report.lines()] if not report.ok else []
        return {"ops": ops, "invariants": {
            "duplicate_receipt_numbers": dup_receipts, "duplicate_order_numbers": dup_orders,
            "double_reversals": double_reversals, "exclusive_order_clashes": clashes,
            "balance_differences": balance_diffs, "audit_problems": len(problems)}, "audit_lines": problems}
    finally:
        app.dispose()


# --- run -----------------------------------------------------------------------------------------

def run(url: str, procs: int = 16, seconds: float = 60, kills: int = 20, seed_: int = 1,
        emit: Any = print, start_method: str = "spawn") -> dict[str, Any]:
    from gasdesk import db

    _cheap_hashing()
    rng = random.Random(seed_)
    url = fresh_database(url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    t0 = time.time()
    started = time.monotonic()
    seed(url, t0)
    seeded_s = time.monotonic() - started
    stats_dir = tempfile.mkdtemp(prefix="gasdesk-faults-")
    ctx = mp.get_context(start_method)
    deadline = time.time() + seconds
    generation = [0] * procs

    def start(i: int) -> mp.process.BaseProcess:
        generation[i] += 1
        p = ctx.Process(target=worker, args=(url, i, generation[i], t0, deadline, seed_, stats_dir), daemon=True)
        p.start()
        return p

    workers = [start(i) for i in range(procs)]
    killed = 0
    # the kills spread over the run, the last one a few seconds before the end
    kill_times = sorted(rng.uniform(2, max(2.5, seconds - 3)) for _ in range(kills))
    begin = time.time()
    for at in kill_times:
        time.sleep(max(0.0, begin + at - time.time()))
        i = rng.randrange(procs)
        if workers[i].is_alive():
            os.kill(workers[i].pid, signal.SIGKILL)  # type: ignore[arg-type]
            workers[i].join()
            killed += 1
            workers[i] = start(i)
    crashed = 0
    for p in workers:
        p.join(seconds + 120)
        if p.exitcode not in (0, None):
            crashed += 1
    totals: Counter[str] = Counter()
    for f in Path(stats_dir).glob("*.json"):
        totals.update(json.loads(f.read_text()))
    engine_name = "postgresql" if url.startswith("postgresql") else "sqlite"
    common = {"engine": engine_name, "procs": procs, "seconds": seconds, "seed": seed_}
    result = check(url, t0)
    lines = [
        {**common, "line": "run", "start": start_method, "seed_s": round(seeded_s, 1), "kills": killed,
         "workers_exited_badly": crashed},
        {**common, "line": "worker_counts", **dict(sorted(totals.items()))},
        {**common, "line": "ops_in_database", **result["ops"]},
        {**common, "line": "invariants", **result["invariants"]},
    ]
    for line in lines:
        emit(json.dumps(line, ensure_ascii=False))
    for line in result["audit_lines"][:20]:
        print(line, file=sys.stderr)
    return {"lines": lines, "invariants": result["invariants"], "totals": totals, "kills": killed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="sqlite:///path/file.sqlite or postgresql+psycopg://.../name")
    ap.add_argument("--procs", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", choices=["fork", "spawn"], default="fork",
                    help="how workers start: fork (fast restarts; default here) or spawn (a fresh interpreter)")
    args = ap.parse_args(argv)
    out = run(args.db, args.procs, args.seconds, args.kills, args.seed, start_method=args.start)
    return 0 if not any(out["invariants"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
