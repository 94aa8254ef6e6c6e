"""Bank channel figures: a debit run and a return import of N lines (default 200,000).

    python bench/bank.py [--db URL] [--lines 200000] [--naive-lines 5000]

Builds its own database (a temporary SQLite file without --db; a PostgreSQL URL is emptied first):
N households with one unpaid bill each (billing month 2026-12) and an active agreement at the
example bank GH, bulk-loaded (it is a fixture, not data entry). Then it times, through the services
as the window calls them:

* `bank_debit_run`: BankService.create_run (select, one INSERT … SELECT of the lines, the file written);
* `bank_return_import`: BankService.import_return of the bank's answer (1 in 20 lines failed), which
  checks every line, then writes payments, allocations, bills, balances and lines set-wise.

The naive way beside each: the same work object by object through the ORM (a run line added and
flushed per bill; per paid line a payment through the counter's own path: payments.record,
pay_exactly, audit), timed on `--naive-lines` lines in the same database and scaled to N (it is
linear; timing it on 200,000 would take the better part of an hour). One JSON object per line on
stdout.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from gasdesk.bankfiles import luhn_complete  # noqa: E402
from gasdesk.clock import FixedClock  # noqa: E402
from gasdesk.config import normalise_url  # noqa: E402
from gasdesk.models import (  # noqa: E402
    Account,
    BankAgreement,
    BankRun,
    BankRunLine,
    Bill,
    Customer,
    Meter,
    MeterReading,
    NumberSequence,
)
from gasdesk.services.context import Actor, App  # noqa: E402

RUN_AT = datetime(2026, 12, 21, 9, 0)
RETURN_AT = datetime(2026, 12, 27, 15, 0)
BATCH = 20_000


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def empty_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    name = url.rsplit("/", 1)[1]
    server = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as c:
        if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            c.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def load(app: App, n: int, first: int = 1) -> None:
    """n households numbered from `first`, each with an in-service meter, a reading, an unpaid bill of
    2026-12 and an active agreement at GH."""
    staff_id = 1
    now = datetime(2026, 1, 5, 9, 0)
    with app.unit_of_work() as s:
        for start in range(first, first + n, BATCH):
            ids = range(start, min(first + n, start + BATCH))
            s.execute(insert(Customer), [{
                "id": i, "number": f"C{i:09d}", "category": "residential", "status": "active", "name": f"用户{i}",
                "name_initials": "yh", "id_type": "resident_id", "id_number": f"52010219800101{i:04d}"[-18:],
                "contact_person": "", "phone": f"139{i:08d}", "phone2": "", "address": f"示例市南明区花果园{i}号",
                "district": "urban", "gas_use_type": "residential", "yearly_allowance": Decimal("350"),
                "household_size": None, "created_at": now, "closed_at": None, "predecessor_id": None, "version": 1,
            } for i in ids])
            s.execute(insert(Account), [{
                "id": i, "number": f"A{i:09d}", "customer_id": i, "status": "active", "balance": Decimal("-79.50"),
                "address": f"示例市南明区花果园{i}号", "opened_at": now, "activated_at": now, "suspended_at": None,
                "closed_at": None, "predecessor_id": None, "version": 1,
            } for i in ids])
            s.execute(insert(Meter), [{
                "id": i, "number": f"M{i:09d}", "model": "JBD2.5", "rating": "G2.5", "account_id": i,
                "status": "in_service", "initial_reading": Decimal("0"), "last_reading": Decimal("30"),
                "last_read_at": datetime(2026, 12, 20, 9), "installed_at": now, "removed_at": None,
                "final_reading": None,
            } for i in ids])
            s.execute(insert(MeterReading), [{
                "id": i, "meter_id": i, "account_id": i, "read_on": date(2026, 12, 20), "reading": Decimal("30"),
                "previous": Decimal("0"), "previous_on": date(2026, 11, 20), "volume": Decimal("30"),
                "source": "import", "order_id": None, "staff_id": staff_id, "created_at": datetime(2026, 12, 20, 9),
            } for i in ids])
            s.execute(insert(Bill), [{
                "id": i, "number": f"ZD-202612-{i:07d}", "account_id": i, "customer_id": i, "reading_id": i,
                "gas_use_type": "residential", "period_start": date(2026, 11, 20), "period_end": date(2026, 12, 20),
                "volume": Decimal("30"), "amount": Decimal("79.50"), "lines": [], "issued_at": datetime(2026, 12, 20, 9),
                "due_from": date(2027, 1, 1), "due_to": date(2027, 1, 20), "paid": Decimal("0.00"), "status": "unpaid",
                "staff_id": staff_id,
            } for i in ids])
            s.execute(insert(BankAgreement), [{
                "id": i, "number": f"DK-20261201-{i:07d}", "account_id": i, "customer_id": i,
                "current_account_id": i, "customer_number": f"C{i:09d}", "customer_name": f"用户{i}",
                "account_number": f"A{i:09d}", "address": f"示例市南明区花果园{i}号", "bank_code": "GH", "bank_name": "示例工商银行（分隔符格式）",
                "branch": "人民路支行", "holder": f"用户{i}", "bank_account": luhn_complete(f"622202{i:012d}"),
                "phone": "", "signed_on": date(2026, 12, 1), "status": "active", "reason": "", "created_at": now,
                "created_by_id": staff_id, "changed_at": now, "changed_by_id": staff_id, "version": 1,
            } for i in ids])
            log(f"  loaded {min(first + n, start + BATCH) - first}/{n}")
        if app.engine.dialect.name == "postgresql":
            for table in ("customer", "account", "meter", "meter_reading", "bill", "bank_agreement"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        s.merge(NumberSequence(series="customer", last_value=first + n))
        if app.engine.dialect.name == "postgresql":
            s.execute(text("ANALYZE"))


def bank_answer(service: Any, data: bytes) -> bytes:
    layout = service.layout("GH")
    parsed = layout.read("debit", data)
    details = [dict(d, result="3001" if i % 20 == 7 else "0000", message="") for i, (_, d) in enumerate(parsed.details)]
    return bytes(layout.write("return", details, batch=(parsed.header or {})["batch"], file_date=RETURN_AT.date()))


def naive_run(app: App, actor: Actor, month: str, limit: int) -> int:
    """The run object by object: read the candidates as ORM objects, add and flush one line each."""
    from gasdesk.services.bank import BankService

    svc = BankService(app, actor)
    done = 0
    with app.unit_of_work() as s:
        run = BankRun(number="NAIVE-RUN", bank_code="GH", bank_name="naive", month=month, status="sent",
                      file_name="", file_sha256="", layout={}, count=0, total=Decimal("0"), created_at=RUN_AT,
                      created_by_id=actor.staff_id)
        s.add(run)
        s.flush()
        rows = s.execute(svc._candidates("GH", month).limit(limit)).all()
        for seq, (bid, aid, agid, _bno, ano, _card, _holder, _amount) in enumerate(rows, 1):
            bill = s.get(Bill, bid)
            agreement = s.get(BankAgreement, agid)
            assert bill is not None and agreement is not None
            s.add(BankRunLine(run_id=run.id, seq=seq, bill_id=bid, pending_bill_id=bid, account_id=aid,
                              agreement_id=agid, bill_number=bill.number, account_number=ano,
                              bank_account=agreement.bank_account, holder=agreement.holder,
                              amount=bill.amount - bill.paid, outcome=""))
            s.flush()
            done += 1
        s.rollback()
    return done


def naive_return(app: App, actor: Actor, bill_ids: list[int]) -> int:
    """Each paid line through the counter's own path: lock, payment, allocation, audit, one by one."""
    from gasdesk.services import billing, payments
    from gasdesk.vocab import PaymentKind

    with app.unit_of_work() as s:
        for bid in bill_ids:
            bill = s.get(Bill, bid, with_for_update=True)
            assert bill is not None
            account = s.get(Account, bill.account_id, with_for_update=True)
            p = payments.record(s, actor=actor, at=RETURN_AT, kind=PaymentKind.ARREARS, amount=bill.amount - bill.paid,
                                method="bank_debit", customer_id=bill.customer_id, account=account, item="银行代扣")
            billing.pay_exactly(s, [bill], p, at=RETURN_AT, staff_id=actor.staff_id)
        s.rollback()
    return len(bill_ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--naive-lines", type=int, default=5_000)
    parser.add_argument("--phases", action="store_true", help="print each step's elapsed time to stderr")
    args = parser.parse_args(argv)
    url = normalise_url(args.db) if args.db else f"sqlite:///{tempfile.mkdtemp(prefix='gasdesk-bank-')}/bank.sqlite"
    empty_database(url)
    app = App(url, FixedClock(RUN_AT))
    from gasdesk.services.bank import BankService
    from gasdesk.services.staff import StaffService, create_first_admin, sign_in
    from gasdesk.vocab import Role

    admin = create_first_admin(app, "admin", "系统管理员", "admin-pass-1")
    StaffService(app, admin).create("manager1", "王强", Role.MANAGER, "management", "bench-pass-1")
    manager, _ = sign_in(app, "manager1", "bench-pass-1")  # as the window signs in: role and department
    StaffService(app, manager).change_own_password("bench-pass-1", "bench-pass-2")
    log(f"loading {args.lines} households…")
    load(app, args.lines)
    dialect = app.engine.dialect.name
    svc = BankService(app, manager)
    lines: list[dict[str, Any]] = []

    log("naive run…")
    t = time.perf_counter()
    naive_n = naive_run(app, manager, "2026-12", args.naive_lines) if args.naive_lines else 0
    naive_run_s = time.perf_counter() - t
    def phases(label: str) -> Any:
        began = time.perf_counter()
        if not args.phases:
            return None
        return lambda p, text: log(f"  {label} {time.perf_counter() - began:7.2f} s {p:3d}% {text}")

    log("debit run…")
    t, cpu, load_before = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    run, data = svc.create_run("GH", "2026-12", progress=phases("run"))
    run_s, run_cpu = time.perf_counter() - t, time.process_time() - cpu
    run_load = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    lines.append({"figure": "bank_debit_run", "db": dialect, "lines": run.count, "seconds": round(run_s, 2),
                  "client_cpu_seconds": round(run_cpu, 2), "load_average_1min_before_after": run_load,
                  "target_seconds": 60, "file_bytes": len(data),
                  "naive_way": "candidates as ORM objects, one run line added and flushed per bill",
                  "naive_lines": naive_n, "naive_seconds": round(naive_run_s, 2),
                  "naive_seconds_per_line": round(naive_run_s / max(naive_n, 1), 5)})
    back = bank_answer(svc, data)
    app.clock.set(RETURN_AT)  # type: ignore[attr-defined]
    log("return import…")
    t, cpu, load_before = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    result = svc.import_return(run.id, back, "return.txt", progress=phases("return"))
    ret_s, ret_cpu = time.perf_counter() - t, time.process_time() - cpu
    ret_load = [round(load_before, 1), round(os.getloadavg()[0], 1)]

    # the naive return on fresh bills (the same kind of household), in a transaction rolled back
    if args.naive_lines:
        load(app, args.naive_lines, first=args.lines + 1)
        with app.reading() as s:
            fresh = list(s.scalars(select(Bill.id).where(Bill.id > args.lines).order_by(Bill.id)))
        t = time.perf_counter()
        naive_return(app, manager, fresh)
        naive_ret_s = time.perf_counter() - t
    else:
        fresh, naive_ret_s = [], 0.0
    per = naive_ret_s / max(len(fresh), 1)
    lines.append({"figure": "bank_return_import", "db": dialect, "lines": result.lines, "paid": result.paid_count,
                  "failed": result.failed_count, "seconds": round(ret_s, 2),
                  "client_cpu_seconds": round(ret_cpu, 2), "load_average_1min_before_after": ret_load, "target_seconds": 60,
                  "naive_way": "per paid line the counter's path (locks, payments.record, pay_exactly, audit)",
                  "naive_lines": len(fresh), "naive_seconds": round(naive_ret_s, 2),
                  "naive_seconds_scaled_to_lines": round(per * result.paid_count, 1)})
    lines[0]["naive_seconds_scaled_to_lines"] = round(lines[0]["naive_seconds_per_line"] * run.count, 1)
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    app.dispose()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
