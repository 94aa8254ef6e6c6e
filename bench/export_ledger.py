"""Benchmark: export the business ledger (业务受理台账) of N orders vs bare openpyxl write-only.

    python bench/export_ledger.py [--rows 100000] [--repeat 3]

Builds a temporary SQLite database with N service orders (customers, order clocks, staff) by bulk
SQL — a benchmark, not application code — then runs, each in a fresh subprocess so its peak memory
(VmHWM) is its own:

- `export`: LedgerService.export("business", ...) — count, streamed query, row conversion, masking
  off (a manager), styled write-only workbook, atomic rename, audit row;
- `baseline`: the same rows (read by the same query beforehand, not timed) written by a bare
  openpyxl write-only workbook with `ws.append(row)`, no styles, no title block.

Prints one JSON object per line: the export measured against the baseline, then the baseline alone.
Wall times (median_ms, p95_ms) suffer from whatever else runs on the machine; the CPU times
(median_cpu_ms, cpu_ratio) are the steadier comparison. The baseline's peak memory includes the
rows it holds in a list.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = [("activation", "KT", ["accept", "site_visit", "archived"]),
         ("capacity_change", "ZR", ["accept", "site_visit", "archived"]),
         ("complaint", "TS", ["accept", "handling", "follow_up", "archived"]),
         ("transfer", "GH", ["accept", "settle", "archived"]),
         ("suspension", "ZT", ["accept", "plugging_visit", "archived"])]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
STREETS = ["花果园", "中华北路", "观山东路", "溪北小区", "林城西路", "黔春小区", "中天未来方舟"]
START = datetime(2026, 1, 5, 9, 0)


def build(path: Path, n: int) -> None:
    """A migrated database with n orders, n customers and one order clock per order."""
    from sqlalchemy import text

    from gasdesk.clock import FixedClock
    from gasdesk.services.context import App
    from gasdesk.services.staff import StaffService, create_first_admin
    from gasdesk.validation import make_resident_id
    from gasdesk.vocab import Role

    app = App(f"sqlite:///{path}", FixedClock(START))
    admin = create_first_admin(app, "admin", "系统管理员", "admin-pass-1")
    staff = StaffService(app, admin)
    clerks = [staff.create(f"clerk{i}", name, Role.CLERK, "customer_service", "secret-pass").id
              for i, name in enumerate(("李娜", "王芳", "张敏", "刘洋"), 1)]
    staff.create("manager", "王强", Role.MANAGER, "management", "secret-pass")
    with app.unit_of_work() as s:  # as if each had signed in and set their password
        s.execute(text("UPDATE staff SET must_change_password = false"))
    app.dispose()

    rnd = random.Random(7)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    birth = datetime(1980, 1, 1).date()
    customers, orders, clocks = [], [], []
    for i in range(1, n + 1):
        opened = START + timedelta(minutes=7 * i)
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if i % 2 else "")
        id_number = make_resident_id("520102", birth + timedelta(days=i % 9000), i % 1000)
        address = f"贵阳市{rnd.choice(STREETS)}{i % 97 + 1}栋{i % 5 + 1}单元{i % 30 + 1}0{i % 4 + 1}"
        customers.append((i, f"C{i:09d}", "residential", "active", name, "", "resident_id", id_number, "",
                          f"139{i:08d}", "", address, "urban", "residential", 350000, _ts(opened), 1))
        kind, prefix, steps = KINDS[i % len(KINDS)]
        step = steps[i % len(steps)]
        status = "archived" if step == "archived" else "open"
        closed = _ts(opened + timedelta(days=3)) if status == "archived" else None
        data = json.dumps({"content": "燃气表走字快"} if kind == "complaint" else {}, ensure_ascii=False)
        orders.append((i, f"{prefix}-{opened:%Y%m%d}-{i:06d}", kind, i, None, step, status, _ts(opened),
                       clerks[i % len(clerks)], _ts(opened), closed, "counter", "", "[]", data, "", None, "", None,
                       0, 1))
        due = opened + timedelta(days=7)
        clock_status = ("met" if i % 3 else "missed") if status == "archived" else "running"
        clocks.append((i, "order", None, None, 5, "working_days", _ts(opened), _ts(due), clock_status, None, "",
                       None, closed))
    con.executemany("INSERT INTO customer (id, number, category, status, name, name_initials, id_type, id_number, "
                    "contact_person, phone, phone2, address, district, gas_use_type, yearly_allowance, created_at, "
                    "version) VALUES (" + ",".join("?" * 17) + ")", customers)
    con.executemany("INSERT INTO service_order (id, number, kind, customer_id, account_id, step, status, "
                    "step_entered_at, opened_by_id, opened_at, closed_at, channel, summary, documents, data, reason, "
                    "department_id, crew, appointment_at, rounds, version) VALUES (" + ",".join("?" * 21) + ")",
                    orders)
    con.executemany("INSERT INTO deadline (order_id, scope, step, department_id, amount, unit, started_at, due_at, "
                    "status, paused_at, pause_reason, remaining, finished_at) VALUES (" + ",".join("?" * 13) + ")",
                    clocks)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _ts(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="microseconds")


def _app_and_manager(db: Path):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from gasdesk.clock import FixedClock
    from gasdesk.models import Staff
    from gasdesk.services.context import App
    from gasdesk.services.staff import actor_of

    app = App(f"sqlite:///{db}", FixedClock(START + timedelta(days=400)), migrate=False)
    with app.reading() as s:  # not sign_in: argon2's password check alone takes ~64 MB of memory
        actor = actor_of(s.scalars(select(Staff).where(Staff.login == "manager")).one())
    return app, actor


def worker_export(db: Path, out: Path) -> dict[str, float]:
    from gasdesk.services.ledgers import LedgerService

    app, actor = _app_and_manager(db)
    t, cpu = time.perf_counter(), time.process_time()
    result = LedgerService(app, actor).export("business", None, out)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    app.dispose()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": result.rows}


def worker_baseline(db: Path, out: Path) -> dict[str, float]:
    from openpyxl import Workbook

    from gasdesk.services.ledgers import LEDGERS, LedgerFilter, Lookups, Query

    app, actor = _app_and_manager(db)
    ledger = LEDGERS["business"]
    with app.reading() as s:  # the same rows, read before the clock starts
        q = Query(filter=LedgerFilter(), now=app.clock.now(), dialect="sqlite", lookups=Lookups.load(s),
                  calendar=app.calendar())
        rows = list(ledger.rows(s, q))
    headers = [c.header for c in ledger.columns]
    t, cpu = time.perf_counter(), time.process_time()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(ledger.title)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(out)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    app.dispose()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": len(rows)}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image (ru_maxrss on Linux keeps
    the high-water mark of the parent across fork+exec, so it would report the builder's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(kind: str, db: Path, out: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--worker", kind, "--db", str(db), "--out", str(out)],
                          check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=["export", "baseline"])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.worker:
        fn = worker_export if args.worker == "export" else worker_baseline
        result = fn(args.db, args.out)
        result["maxrss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="gasdesk-bench-") as tmp:
        db = Path(tmp) / "bench.sqlite"
        t = time.perf_counter()
        build(db, args.rows)
        print(f"# built {args.rows} orders in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        runs: dict[str, list[dict[str, float]]] = {"export": [], "baseline": []}
        for i in range(args.repeat):
            for kind in ("baseline", "export"):
                out = Path(tmp) / f"{kind}-{i}.xlsx"
                runs[kind].append(run_worker(kind, db, out))
                size = out.stat().st_size / 1e6
                print(f"# {kind} run {i + 1}: {runs[kind][-1]['seconds']:.2f} s ({runs[kind][-1]['cpu_seconds']:.2f} s CPU), "
                      f"{runs[kind][-1]['maxrss_mb']:.0f} MB peak, {size:.1f} MB file", file=sys.stderr)
                out.unlink()
        ms = {k: [r["seconds"] * 1000 for r in v] for k, v in runs.items()}
        cpu = {k: statistics.median(r["cpu_seconds"] * 1000 for r in v) for k, v in runs.items()}
        peak = {k: max(r["maxrss_mb"] for r in v) for k, v in runs.items()}
        base = statistics.median(ms["baseline"])
        print(json.dumps({
            "name": "export_business_ledger", "rows": args.rows, "median_ms": round(statistics.median(ms["export"])),
            "p95_ms": round(percentile(ms["export"], 0.95)), "baseline": "openpyxl_write_only_append",
            "baseline_median_ms": round(base), "ratio": round(statistics.median(ms["export"]) / base, 3),
            "peak_mb": round(peak["export"], 1), "median_cpu_ms": round(cpu["export"]),
            "baseline_median_cpu_ms": round(cpu["baseline"]), "cpu_ratio": round(cpu["export"] / cpu["baseline"], 3),
        }))
        print(json.dumps({
            "name": "openpyxl_write_only_append", "rows": args.rows, "median_ms": round(base),
            "p95_ms": round(percentile(ms["baseline"], 0.95)), "baseline": None, "baseline_median_ms": None,
            "ratio": None, "peak_mb": round(peak["baseline"], 1), "median_cpu_ms": round(cpu["baseline"]),
        }))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
