"""Load figure (issue 15, item 9): N simulated counters at once on a generated database, p95 per
interaction, through the services as the counter window calls them.

    python bench/load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench1m [--counters 20]
                         [--seconds 120] [--think 1.0] [--warmup 10] [--baseline-seconds 60]

Each counter is a process (forked; its own engine and connections) signed in as one of the clerks of
bench/generate.py (clerk1..8 in turn). It serves one customer after another, each visit the same six
interactions in the order a clerk does them, with a pause between interactions (exponential, mean
`--think` seconds; 0 = back to back, the saturation figure):

1. `search`: CustomerService.search of a sample value of a random kind (name, 2-character name,
   address fragment, phone prefix, ID, account number, pinyin initials), as the search box asks;
2. `open_customer`: what the customer page asks (details, accounts, first 100 orders and payments,
   both counts);
3. `payment`: PaymentService.prepay of 50-300 yuan cash on the customer's open account (the 燃气费
   page's deposit: row lock on the account, a receipt number, the audit chain);
4. `open_order`: what the order page asks of the customer's latest order (OrderService.get with its
   chart, deadlines and history, and the clock notes);
5. `new_order` + `advance_step`: a complaint opened for the customer and moved a step on ("refer":
   a transfer to the distribution centre);
6. `print_form`: that step's form (投诉转办单) rendered through PrintService (PDF, print log row).
The complaint is then cancelled (`cancel_order`, timed but not one of the six), so the database
keeps no open orders from the run.

Interactions of the first `--warmup` seconds and of each counter's first visit are not counted
(with `--warmup 0` everything is). The naive way beside it is the same
visit by ONE counter (`--baseline-seconds`, run first): `baseline_*` in each line is what a lone
counter gets, so the ratio is what the other counters cost. One JSON line per interaction, then a
`load_run` line (counters, visits, throughput, refusals, load average before/after).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INTERACTIONS = ("search", "open_customer", "payment", "open_order", "new_order", "advance_step", "print_form",
                "cancel_order")
SEARCH_KEYS = ("names3", "names2", "addr2", "addr4", "phones", "ids", "accounts", "initials")
COMPLAINT = {"complaint_type": "complaint", "content": "燃气表走字偏快，要求上门校验", "contact_phone": "13985012345"}


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1))]


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def samples_of(url: str) -> dict[str, Any]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gasdesk_bench_generate", Path(__file__).parent / "generate.py")
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    path = generate.samples_path(url)
    if not path.exists():
        raise SystemExit(f"{path} not found: generate the database with bench/generate.py --db {url}")
    return dict(json.loads(path.read_text()))


# ---------------------------------------------------------------------------------------- a counter

def counter(url: str, index: int, samples: dict[str, Any], ready: Any, seconds: float, think: float,
            seed: int, out_dir: str) -> None:
    """One counter for `seconds` after every counter is ready (signed in, connected): visits, each the six
    interactions; timings to out_dir/c<index>.json."""
    from sqlalchemy import select

    from gasdesk.clock import FixedClock
    from gasdesk.models import Staff
    from gasdesk.services.calendar import CalendarService
    from gasdesk.services.context import App
    from gasdesk.services.customers import CustomerService
    from gasdesk.services.errors import ServiceError
    from gasdesk.services.orders import OrderService
    from gasdesk.services.payments import PaymentService
    from gasdesk.services.printing import PrintService
    from gasdesk.services.staff import actor_of
    from gasdesk.services.worklists import WorklistService
    from gasdesk.vocab import AccountStatus

    rng = random.Random(seed * 1000 + index)
    visits = 0  # a counter's first visit (imports, fonts, first statements) is never counted
    app = App(url, FixedClock(datetime.fromisoformat(samples["now"])), migrate=False)
    with app.reading() as s:
        clerks = sorted((x for x in s.scalars(select(Staff)) if x.role == "clerk" and x.active),
                        key=lambda x: x.login)
        me = actor_of(clerks[index % len(clerks)])
    customers, worklists = CustomerService(app, me), WorklistService(app, me)
    payments, orders = PaymentService(app, me), OrderService(app, me)
    calendar, printer = CalendarService(app, me), PrintService(app, me)
    pools = [(k, list(samples.get(k) or [])) for k in SEARCH_KEYS if samples.get(k)]
    timings: list[tuple[str, float, float, str, int]] = []  # interaction, at (since start), ms, outcome, visit
    counts: dict[str, int] = {}

    def pause() -> None:
        if think > 0:
            time.sleep(min(rng.expovariate(1 / think), think * 5))

    def timed(name: str, fn: Any) -> Any:
        t = time.perf_counter()
        outcome, result = "ok", None
        try:
            result = fn()
        except ServiceError:
            outcome = "refused"
        except Exception:  # noqa: BLE001 - an unexpected error is a finding: counted and shown
            outcome = "error"
            err(f"counter {index}: {name}\n{traceback.format_exc()}")
        ms = (time.perf_counter() - t) * 1000
        timings.append((name, time.time() - start_at, ms, outcome, visits))
        counts[f"{name}_{outcome}"] = counts.get(f"{name}_{outcome}", 0) + 1
        pause()
        return result

    def open_customer(cid: int) -> dict[str, Any]:
        view = customers.get(cid)
        accounts = customers.accounts(cid)
        first = worklists.orders_of_customer(cid, limit=100, offset=0)
        payments.for_customer(cid, limit=100, offset=0)
        worklists.count_orders_of_customer(cid)
        payments.count_for_customer(cid)
        return {"view": view, "accounts": accounts, "orders": first}

    def open_order(oid: int) -> None:
        orders.get(oid)
        calendar.clock_notes(oid)

    def visit() -> None:
        key, pool = rng.choice(pools)
        page = timed("search", lambda: customers.search(rng.choice(pool)))
        if not page or not page.hits:
            return
        # the customer the clerk came for: the first hit with an open account, else the first hit
        cid = next((h for h in page.hits if h.account_status is AccountStatus.ACTIVE), page.hits[0]).customer.id
        shown = timed("open_customer", lambda: open_customer(cid))
        if not shown:
            return
        active = [a for a in shown["accounts"] if a.status is AccountStatus.ACTIVE]
        if active:
            amount = Decimal(rng.choice((50, 100, 150, 200, 300)))
            timed("payment", lambda: payments.prepay(active[0].id, amount, "cash"))
        if shown["orders"]:
            latest = shown["orders"][0].order_id
            timed("open_order", lambda: open_order(latest))
        made = timed("new_order", lambda: orders.open("complaint", cid, data=COMPLAINT))
        if made is None:
            return
        moved = timed("advance_step", lambda: orders.perform(
            made.id, "refer", {"department": "distribution", "summary": "转输配中心处理"}))
        if moved is not None:
            timed("print_form", lambda: printer.render(made.id, "complaint_transfer"))
        timed("cancel_order", lambda: orders.perform(made.id, "cancel", reason="负载测试撤销"))

    ready.wait()  # every counter set up: the run starts for all at once
    start_at = time.time()
    stop_at = start_at + seconds
    time.sleep(rng.uniform(0, max(think, 0.2)))  # counters not in step
    try:
        while time.time() < stop_at:
            visit()
            visits += 1
    finally:
        app.dispose()
        counts["visits"] = visits
        Path(out_dir, f"c{index}.json").write_text(json.dumps({"timings": timings, "counts": counts}))


# ---------------------------------------------------------------------------------------- a run

def run_counters(url: str, samples: dict[str, Any], counters: int, seconds: float, think: float, warmup: float,
                 seed: int) -> dict[str, Any]:
    out_dir = tempfile.mkdtemp(prefix="gasdesk-load-")
    ctx = mp.get_context("fork")
    ready = ctx.Barrier(counters + 1)
    procs = [ctx.Process(target=counter, args=(url, i, samples, ready, seconds, think, seed, out_dir))
             for i in range(counters)]
    for p in procs:
        p.start()
    ready.wait(600)
    load_before = load_average()
    time.sleep(seconds / 2)
    load_mid = load_average()
    bad = 0
    for p in procs:
        p.join(seconds + 600)
        if p.exitcode != 0:
            bad += 1
    per: dict[str, list[float]] = {name: [] for name in INTERACTIONS}
    outcomes: dict[str, int] = {}
    visits = 0
    for f in Path(out_dir).glob("c*.json"):
        data = json.loads(f.read_text())
        for name, at, ms, outcome, visit in data["timings"]:
            if warmup <= 0 or (at >= warmup and visit > 0):
                if outcome == "ok":
                    per[name].append(ms)
                else:
                    outcomes[f"{name}_{outcome}"] = outcomes.get(f"{name}_{outcome}", 0) + 1
        visits += data["counts"].get("visits", 0)
    return {"per": per, "outcomes": outcomes, "visits": visits, "bad_exits": bad,
            "load_avg": {"before": load_before, "middle": load_mid, "after": load_average()},
            "measured_s": seconds - warmup}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a database made by bench/generate.py")
    parser.add_argument("--counters", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between interactions, seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds at the start not counted")
    parser.add_argument("--baseline-seconds", type=float, default=60.0, help="the lone counter's run (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    from gasdesk.config import normalise_url

    url = normalise_url(args.db)
    samples = samples_of(url)
    # Imported once here, before the counters are forked (each would import them again otherwise).
    import gasdesk.services.calendar
    import gasdesk.services.customers
    import gasdesk.services.orders
    import gasdesk.services.payments
    import gasdesk.services.printing
    import gasdesk.services.worklists  # noqa: F401
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    base: dict[str, Any] | None = None
    if args.baseline_seconds > 0:
        err(f"baseline: 1 counter for {args.baseline_seconds:g} s ...")
        base = run_counters(url, samples, 1, args.baseline_seconds, args.think,
                            min(args.warmup, args.baseline_seconds / 4), args.seed + 1)
    err(f"{args.counters} counters for {args.seconds:g} s (think {args.think:g} s) ...")
    got = run_counters(url, samples, args.counters, args.seconds, args.think, args.warmup, args.seed)
    common = {"dialect": dialect, "customers": samples["generation"]["customers"], "counters": args.counters,
              "think_s": args.think, "seconds": args.seconds, "load_avg": got["load_avg"]}
    for name in INTERACTIONS:
        ms = got["per"][name]
        if not ms:
            print(json.dumps({"name": f"load_{name}", "samples": 0, **common}, ensure_ascii=False), flush=True)
            continue
        line: dict[str, Any] = {"name": f"load_{name}", "median_ms": round(statistics.median(ms), 3),
                                "p95_ms": round(percentile(ms, 0.95), 3), "max_ms": round(max(ms), 3),
                                "samples": len(ms)}
        if base and base["per"][name]:
            b = base["per"][name]
            line.update(baseline="the same visits by one counter alone",
                        baseline_median_ms=round(statistics.median(b), 3),
                        baseline_p95_ms=round(percentile(b, 0.95), 3), baseline_samples=len(b),
                        ratio_p95=round(percentile(ms, 0.95) / percentile(b, 0.95), 2))
        line.update(common)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    print(json.dumps({"name": "load_run", "visits": got["visits"], "measured_s": got["measured_s"],
                      "interactions_per_s": round(sum(len(v) for v in got["per"].values()) / got["measured_s"], 2),
                      "not_ok": got["outcomes"], "counters_exited_badly": got["bad_exits"],
                      "baseline_load_avg": base["load_avg"] if base else None, **common},
                     ensure_ascii=False), flush=True)
    return 1 if got["bad_exits"] or any(k.endswith("_error") for k in got["outcomes"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
