"""Inspection plan figure: opening a plan of N accounts (default 20,000) in bulk.

    python bench/inspection.py [--db URL] [--accounts 20000] [--naive 500]

Builds its own database (a temporary SQLite file without --db; a PostgreSQL URL is emptied first):
N households of the city district (市区), each with an active account and a meter, bulk-loaded (it is
a fixture, not data entry). Then it times, through the service as the plan page calls it:

* `inspection_plan_open`: InspectionService.open_plan of a plan covering all of them (chunks of
  2,000, each one transaction: numbers reserved as a block, orders, first log rows with their facts,
  inspection rows, one audit entry per order).

The naive way beside it: one OrderService.open per account (the counter's path: customer locked,
duplicate check, number, order, log row, audit), timed on `--naive` more households in the same
database and scaled to N. One JSON object per line on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from bench.bank import empty_database, log  # noqa: E402
from gasdesk.clock import FixedClock  # noqa: E402
from gasdesk.config import normalise_url  # noqa: E402
from gasdesk.models import Account, Customer, Meter, NumberSequence  # noqa: E402
from gasdesk.services.context import Actor, App  # noqa: E402

AT = datetime(2026, 12, 1, 9, 0)
BATCH = 20_000


def load(app: App, n: int, first: int = 1, district: str = "urban") -> None:
    now = datetime(2025, 3, 5, 9, 0)
    with app.unit_of_work() as s:
        for start in range(first, first + n, BATCH):
            ids = range(start, min(first + n, start + BATCH))
            s.execute(insert(Customer), [{
                "id": i, "number": f"C{i:09d}", "category": "residential", "status": "active", "name": f"用户{i}",
                "name_initials": "yh", "id_type": "resident_id", "id_number": f"52040219800101{i:04d}"[-18:],
                "contact_person": "", "phone": f"139{i:08d}", "phone2": "", "address": f"安顺市西秀区虹山小区{i}号",
                "district": district, "gas_use_type": "residential", "yearly_allowance": Decimal("350"),
                "household_size": None, "created_at": now, "closed_at": None, "predecessor_id": None, "version": 1,
            } for i in ids])
            s.execute(insert(Account), [{
                "id": i, "number": f"A{i:09d}", "customer_id": i, "status": "active", "balance": Decimal("0.00"),
                "address": f"安顺市西秀区虹山小区{i}号", "opened_at": now, "activated_at": now, "suspended_at": None,
                "closed_at": None, "predecessor_id": None, "version": 1,
            } for i in ids])
            s.execute(insert(Meter), [{
                "id": i, "number": f"M{i:09d}", "model": "JBD2.5", "rating": "G2.5", "account_id": i,
                "status": "in_service", "initial_reading": Decimal("0"), "last_reading": Decimal("30"),
                "last_read_at": now, "installed_at": now, "removed_at": None, "final_reading": None,
            } for i in ids])
        if app.engine.dialect.name == "postgresql":
            for table in ("customer", "account", "meter"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        s.merge(NumberSequence(series="customer", last_value=first + n))
        s.merge(NumberSequence(series="account", last_value=first + n))
        if app.engine.dialect.name == "postgresql":
            s.execute(text("ANALYZE"))
    log(f"  loaded {n} households")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--naive", type=int, default=500)
    args = parser.parse_args(argv)
    url = normalise_url(args.db) if args.db else f"sqlite:///{tempfile.mkdtemp(prefix='gasdesk-insp-')}/insp.sqlite"
    empty_database(url)
    app = App(url, FixedClock(AT))
    from gasdesk.flows.inspection.flow import FLOW
    from gasdesk.services.inspection import InspectionService, PlanSpec
    from gasdesk.services.orders import OrderService
    from gasdesk.services.staff import StaffService, create_first_admin
    from gasdesk.vocab import Role

    admin = create_first_admin(app, "admin", "系统管理员", "admin-pass-1")
    v = StaffService(app, admin).create("clerk1", "李娜", Role.CLERK, "customer_service", "bench-pass-1")
    with app.reading() as s:
        dept = s.scalar(text("SELECT id FROM department WHERE code = 'customer_service'"))
    clerk = Actor(v.id, v.login, v.name, v.role, dept)
    with app.unit_of_work() as s:
        s.execute(text("UPDATE staff SET must_change_password = :f"), {"f": False})
    log(f"loading {args.accounts} households…")
    load(app, args.accounts)
    load(app, args.naive, first=args.accounts + 1, district="suburban")
    dialect = app.engine.dialect.name
    svc = InspectionService(app, clerk)
    plan = svc.create_plan(PlanSpec(title="市区居民年度安检", inspector="安检一班", starts_on=date(2026, 12, 1),
                                    ends_on=date(2026, 12, 31), district="urban"))
    log("opening the plan…")
    t = time.perf_counter()
    opening = svc.open_plan(plan.id, progress=lambda p, m: log(f"  {p}% {m}"))
    plan_s = time.perf_counter() - t
    log("naive: one OrderService.open per account…")
    orders = OrderService(app, clerk)
    with app.reading() as s:
        rest = s.execute(select(Account.id, Account.customer_id).where(Account.id > args.accounts)
                         .order_by(Account.id)).all()
    t = time.perf_counter()
    for aid, cid in rest:
        orders.open(FLOW.kind, cid, account_id=aid, channel="plan")
    naive_s = time.perf_counter() - t
    per = naive_s / max(len(rest), 1)
    line = {"figure": "inspection_plan_open", "db": dialect, "date": f"{date.today():%Y-%m-%d}",
            "accounts": opening.opened, "seconds": round(plan_s, 2), "target_seconds": 60,
            "orders_per_second": round(opening.opened / plan_s, 1),
            "naive_way": "one OrderService.open per account (lock, duplicate check, number, order, log, audit)",
            "naive_accounts": len(rest), "naive_seconds": round(naive_s, 2),
            "naive_seconds_scaled_to_accounts": round(per * opening.opened, 1)}
    print(json.dumps(line, ensure_ascii=False))
    app.dispose()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
