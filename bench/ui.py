"""The counter window as the clerk feels it (issue 18, item 9): the REAL main window, offscreen, on a
generated database, typed into key by key; every figure from the key press (or double-click) to the
results painted.

    QT_QPA_PLATFORM=offscreen python bench/ui.py --db /tmp/g1m.sqlite [--queries 10] [--pages 10]
    python bench/ui.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench1m
    python bench/ui.py --make-naive /tmp/g1m-naive.sqlite --db /tmp/g1m.sqlite     # the naive copy
    python bench/ui.py --db /tmp/g1m-naive.sqlite --naive                          # the same window on it

What happens: `MainWindow` for clerk1 at 1366x728, shown; Ctrl+F; for each kind of query, each sample
value is typed into the search box one key at a time (ASCII with QTest.keyClick, a Chinese character
as the input method commits it), waiting after each key until the results of that text are painted,
then cleared with Ctrl+A, Backspace. Page opens: a name is typed, Enter, the first hit double-clicked
(the customer page, timed to its first paint), then the first order of its 业务记录 double-clicked
(the order page, timed to its first paint); both are closed again. The customer with ~200 orders is
opened the same way by typing its customer number.

Per key it records (JSON lines on stdout, one per figure; `--keys FILE` writes one line per key):
- `press_to_painted_ms`: key press -> the table repainted with that text's results; this includes the
  window's deliberate pause before it searches (the debounce, `pause_ms`);
- `search_to_painted_ms`: the pause's end (the search box's timer firing) -> the results painted: the
  work the window does, which the target (p95 <= 50 ms on SQLite) applies to;
- `service_ms`: the `CustomerService.search` call inside it (the PostgreSQL target p95 <= 10 ms);
- `echo_ms`: key press -> the typed character painted in the box.

"Painted" is when the event loop returns from the paint that followed the model's reset (an event
filter on the table's viewport; on the new top-level window for a page). The naive way (`--naive`) is
the same window on a copy of the database without the indexes search and pages use (`--make-naive`
lists and drops them); where the pair index table is gone, the name/address search runs
`LIKE '%q%'` over name and address in id order (what one writes without that index).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Query kinds: figure name, samples key (bench/generate.py), filter on the sample values.
KINDS: tuple[tuple[str, str, Callable[[str, set[str]], bool]], ...] = (
    ("name", "names3", lambda _v, _e: True),
    ("name_2char", "names2", lambda _v, _e: True),
    ("address_2char", "addr2", lambda _v, _e: True),
    ("address_4char_estate", "addr4", lambda v, estates: v in estates),  # an estate: ~2,000 addresses
    ("address_4char_street", "addr4", lambda v, estates: v not in estates),  # a street: 7,000-24,000
    ("phone", "phones", lambda _v, _e: True),
    ("id_number", "ids", lambda _v, _e: True),
    ("account_number", "accounts", lambda _v, _e: True),
    ("pinyin_initials", "initials", lambda _v, _e: True),
)

# What the naive copy lacks: the search's indexes and those the customer and order pages read by.
# Unique constraints stay (they are integrity, not speed).
NAIVE_INDEXES = (
    "ix_customer_name", "ix_customer_initials", "ix_customer_phone", "ix_customer_id_number", "ix_customer_address",
    "ix_account_customer", "ix_order_customer", "ix_payment_customer_at", "ix_payment_order", "ix_deadline_order",
)
NAIVE_TABLES = {"sqlite": "customer_fts", "postgresql": "customer_gram"}
NAIVE_LIKE = ("SELECT id FROM customer WHERE name LIKE :p OR address LIKE :p ORDER BY id "
              "LIMIT :limit OFFSET :offset")


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1))]


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("gasdesk_bench_generate", BENCH / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ---------------------------------------------------------------------------------------- naive copy

def make_naive(url: str, dest: str) -> str:
    """Copy the database to `dest` (a SQLite file, or a PostgreSQL database name or URL) and drop the
    indexes of NAIVE_INDEXES and the pair index table there. Returns the copy's URL."""
    from sqlalchemy import create_engine, make_url, text

    from gasdesk.config import normalise_url

    generate = load_generator()
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        target = Path(dest).resolve()
        src = Path(u.database or "")
        err(f"copying {src} to {target} ...")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{target}{suffix}").exists():
                Path(f"{target}{suffix}").unlink()
        # The source's WAL is folded in first, so the copy is one file.
        con = create_engine(url).raw_connection()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        shutil.copyfile(src, target)
        copy_url = f"sqlite:///{target}"
    else:
        name = make_url(normalise_url(dest)).database if "://" in dest else dest
        admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            err(f"CREATE DATABASE {name} TEMPLATE {u.database} ...")
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{u.database}"'))
        admin.dispose()
        copy_url = u.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(copy_url)
    dialect = engine.dialect.name
    with engine.begin() as c:
        for index in NAIVE_INDEXES:
            c.execute(text(f"DROP INDEX IF EXISTS {index}"))
        c.execute(text(f"DROP TABLE IF EXISTS {NAIVE_TABLES[dialect]}"))
        if dialect == "postgresql":
            c.execute(text("ANALYZE"))
    if dialect == "sqlite":
        with engine.connect() as c:
            c.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    shutil.copyfile(generate.samples_path(url), generate.samples_path(copy_url))
    err(f"naive copy: {copy_url} (dropped {', '.join(NAIVE_INDEXES)}, {NAIVE_TABLES[dialect]})")
    return copy_url


def use_naive_search(dialect: str) -> None:
    """The pair index table is gone on the naive copy: its name/address lookup becomes LIKE '%q%'."""
    from sqlalchemy import text

    from gasdesk.models import search_index

    like = text(NAIVE_LIKE)

    def find(session: Any, query: str, limit: int, offset: int) -> list[int] | None:
        if not search_index.phrase(query):
            return None
        return list(session.execute(like, {"p": f"%{query}%", "limit": limit, "offset": offset}).scalars())

    search_index.find = find  # type: ignore[assignment]


# ---------------------------------------------------------------------------------------- the probe

class Driver:
    """The main window and the instruments around it."""

    def __init__(self, url: str, samples: dict[str, Any], timeout_s: float) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer
        from PySide6.QtWidgets import QApplication
        from sqlalchemy import select

        from gasdesk.clock import FixedClock
        from gasdesk.models import Staff
        from gasdesk.services.context import App
        from gasdesk.services.staff import actor_of
        from gasdesk.ui.main_window import MainWindow
        from gasdesk.ui.session import UiSession

        self.qapp = QApplication.instance() or QApplication([])
        self.timeout_s = timeout_s
        self.now = datetime.fromisoformat(samples["now"])
        self.app = App(url, FixedClock(self.now))
        with self.app.reading() as s:  # not sign_in: argon2 is not what these figures measure
            staff = {x.login: actor_of(x) for x in s.scalars(select(Staff))}
        self.dialect = self.app.engine.dialect.name
        self.window = MainWindow(UiSession(self.app, staff["clerk1"]))
        self.window.resize(1366, 728)
        self.window.show()
        box = self.window.search.box
        self.box, self.edit, self.view, self.model = box, box.edit, box.view, box.model
        self.service_ms: list[float] = []
        search = self.model.search

        def timed_search(q: str, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return search(q, **kw)
            finally:
                self.service_ms.append((time.perf_counter() - t) * 1000)

        self.model.search = timed_search  # instrument the call the window makes, nothing else changes

        driver = self
        self.reset_at: float | None = None
        self.fired_at: float | None = None
        self.results_painted = False
        self.echo_painted = False
        self.page_painted = False
        self.Paint, self.Timer = QEvent.Type.Paint, QEvent.Type.Timer

        class Filter(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
                kind = event.type()
                if kind == driver.Paint:
                    if obj is driver.view.viewport() and driver.reset_at is not None:
                        driver.results_painted = True
                    elif obj is driver.edit:
                        driver.echo_painted = True
                    else:
                        driver.page_painted = True
                elif kind == driver.Timer and obj is driver.box.timer and driver.fired_at is None:
                    driver.fired_at = time.perf_counter()
                return False

        self.filter = Filter()
        self.view.viewport().installEventFilter(self.filter)
        self.edit.installEventFilter(self.filter)
        self.box.timer.installEventFilter(self.filter)
        self.model.modelReset.connect(self._reset)
        # Wakes the event loop now and then, so waiting for events never blocks past a deadline.
        self.heartbeat = QTimer()
        self.heartbeat.start(50)
        self.pump_until(lambda: False, 0.3)
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.QTest, self.Qt = QTest, Qt
        QTest.keyClick(self.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # 客户查询, as a clerk
        self.pump_until(lambda: False, 0.2)
        if not self.edit.hasFocus():
            self.edit.setFocus()

    def _reset(self) -> None:
        self.reset_at = time.perf_counter()

    def pump_until(self, done: Callable[[], bool], timeout_s: float | None = None) -> float | None:
        """Process events (sleeping while there are none) until `done()`; the time it became true,
        or None after the timeout."""
        from PySide6.QtCore import QCoreApplication, QEventLoop

        deadline = time.perf_counter() + (self.timeout_s if timeout_s is None else timeout_s)
        while True:
            if done():
                return time.perf_counter()
            if time.perf_counter() > deadline:
                return None
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    # typing ---------------------------------------------------------------------------------------

    def press(self, char: str) -> None:
        if char.isascii():
            self.QTest.keyClick(self.edit, char)
        else:  # a Chinese character arrives as the input method commits it
            from PySide6.QtGui import QInputMethodEvent

            event = QInputMethodEvent()
            event.setCommitString(char)
            self.qapp.sendEvent(self.edit, event)

    def key(self, char: str) -> dict[str, Any]:
        """Type one character; wait for its echo and for the results of the new text painted."""
        self.reset_at = self.fired_at = None
        self.results_painted = self.echo_painted = False
        self.service_ms.clear()
        echo_at: list[float] = []

        def done() -> bool:
            if self.echo_painted and not echo_at:
                echo_at.append(time.perf_counter())
            return self.results_painted and self.model.query == self.edit.text().strip()

        t0, c0 = time.perf_counter(), time.process_time()
        self.press(char)
        painted = self.pump_until(done)
        cpu = time.process_time() - c0
        if painted is None:
            raise RuntimeError(f"no results painted within {self.timeout_s} s for {self.edit.text()!r}")
        if not echo_at:
            echo_at.append(painted)
        fired = self.fired_at if self.fired_at is not None else t0
        return {
            "text_len": len(self.edit.text()),
            "press_to_painted_ms": round((painted - t0) * 1000, 3),
            "pause_ms": round((fired - t0) * 1000, 3),
            "search_to_painted_ms": round((painted - fired) * 1000, 3),
            "service_ms": round(sum(self.service_ms), 3) if self.service_ms else None,
            "echo_ms": round((echo_at[0] - t0) * 1000, 3),
            "cpu_ms": round(cpu * 1000, 3),
            "hits": self.model.rowCount(),
        }

    def clear(self) -> None:
        """Ctrl+A, Backspace, and the emptied table painted (not timed)."""
        if not self.edit.text():
            return
        self.reset_at = None
        self.results_painted = False
        self.QTest.keyClick(self.edit, self.Qt.Key.Key_A, self.Qt.KeyboardModifier.ControlModifier)
        self.QTest.keyClick(self.edit, self.Qt.Key.Key_Backspace)
        self.pump_until(lambda: self.results_painted and not self.model.query)

    def type_query(self, text: str) -> list[dict[str, Any]]:
        self.clear()
        return [self.key(c) for c in text]

    def enter(self, text: str) -> dict[str, Any]:
        """Type `text` without waiting, then Enter: the search at once (no pause), timed to painted."""
        self.clear()
        for c in text:
            self.press(c)
        self.reset_at = self.fired_at = None
        self.results_painted = False
        self.service_ms.clear()
        t0 = time.perf_counter()
        self.QTest.keyClick(self.edit, self.Qt.Key.Key_Return)
        painted = self.pump_until(lambda: self.results_painted and self.model.query == text.strip())
        if painted is None:
            raise RuntimeError(f"no results painted within {self.timeout_s} s after Enter on {text!r}")
        return {"enter_to_painted_ms": round((painted - t0) * 1000, 3),
                "service_ms": round(sum(self.service_ms), 3) if self.service_ms else None,
                "hits": self.model.rowCount()}

    # pages ----------------------------------------------------------------------------------------

    def double_click_row(self, view: Any, row: int) -> float:
        index = view.model().index(row, 1)
        view.scrollTo(index)
        pos = view.visualRect(index).center()
        # The first click of a double-click selects the row (untimed); the second one opens it.
        self.QTest.mouseClick(view.viewport(), self.Qt.MouseButton.LeftButton, self.Qt.KeyboardModifier.NoModifier,
                              pos)
        self.pump_until(lambda: False, 0.05)
        t0, self.click_cpu = time.perf_counter(), time.process_time()
        self.QTest.mouseDClick(view.viewport(), self.Qt.MouseButton.LeftButton, self.Qt.KeyboardModifier.NoModifier,
                               pos)
        return t0

    def wait_page(self, pages: dict[int, Any], key: int, t0: float) -> tuple[Any, float]:
        """The page for `key` (made by the double-click, shown) until its first paint is done."""
        page = pages.get(key)
        if page is None:
            raise RuntimeError("the double-click opened no page")
        self.page_painted = False
        page.installEventFilter(self.filter)
        painted = self.pump_until(lambda: self.page_painted)
        if painted is None:
            raise RuntimeError(f"page not painted within {self.timeout_s} s")
        page.removeEventFilter(self.filter)
        self.page_cpu_ms = (time.process_time() - self.click_cpu) * 1000
        return page, (painted - t0) * 1000

    def open_customer_and_order(self, query: str) -> dict[str, Any]:
        searched = self.enter(query)
        if not self.model.rowCount():
            raise RuntimeError(f"nothing found for {query!r}")
        customer_id = self.model.hit(0).customer.id
        t0 = self.double_click_row(self.view, 0)
        page, customer_ms = self.wait_page(self.window.customer_pages, customer_id, t0)
        result = {"query": query, "customer_page_ms": round(customer_ms, 3),
                  "customer_page_cpu_ms": round(self.page_cpu_ms, 3),
                  "orders": page.orders_model.rowCount(), "search": searched}
        if page.orders_model.rowCount():
            order_id = page.orders_model.row(page.orders_model.index(0, 0)).order_id
            t1 = self.double_click_row(page.orders_view, 0)
            order_page, order_ms = self.wait_page(self.window.order_pages, order_id, t1)
            result["order_page_ms"] = round(order_ms, 3)
            result["order_page_cpu_ms"] = round(self.page_cpu_ms, 3)
            order_page.close()
        page.close()
        self.pump_until(lambda: not self.window.customer_pages and not self.window.order_pages, 5)
        return result

    def close(self) -> None:
        self.heartbeat.stop()
        self.window.close()
        self.pump_until(lambda: False, 0.1)
        self.app.dispose()


# ---------------------------------------------------------------------------------------- figures

def figure(name: str, values: Sequence[float], base: Sequence[float] | None, common: dict[str, Any],
           target_ms: float | None, **extra: Any) -> dict[str, Any]:
    line: dict[str, Any] = {"name": name, "median_ms": round(statistics.median(values), 3),
                            "p95_ms": round(percentile(values, 0.95), 3), "max_ms": round(max(values), 3),
                            "samples": len(values)}
    if base:
        line["baseline_median_ms"] = round(statistics.median(base), 3)
        line["baseline_p95_ms"] = round(percentile(base, 0.95), 3)
    if target_ms is not None:
        line["target"] = f"p95 <= {target_ms:g} ms"
        line["meets_target"] = line["p95_ms"] <= target_ms
    line.update(extra)
    line.update(common)
    return line


def run(args: argparse.Namespace) -> int:
    from gasdesk.config import normalise_url

    generate = load_generator()
    url = normalise_url(args.db)
    samples_file = generate.samples_path(url)
    if not samples_file.exists():
        err(f"{samples_file} not found: generate the database with bench/generate.py --db {args.db}")
        return 2
    samples = json.loads(samples_file.read_text())
    estates = {h + t for h in generate.ESTATE_HEADS for t in generate.ESTATE_TAILS}
    load_before = load_average()
    driver = Driver(url, samples, args.timeout)
    if args.naive:
        use_naive_search(driver.dialect)
    common: dict[str, Any] = {"dialect": driver.dialect, "customers": samples["generation"]["customers"],
                              "way": "naive" if args.naive else "indexed"}
    err(f"ui bench on {driver.dialect} {url} ({common['customers']} customers), {common['way']}")
    keys_out = open(args.keys, "a", encoding="utf-8") if args.keys else None  # noqa: SIM115
    lines: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        kinds = [k for k in KINDS if not args.kinds or k[0] in args.kinds.split(",")]
        for name, key, keep in kinds if args.only in (None, "search") else ():
            pool = [v for v in samples.get(key) or [] if keep(v, estates)]
            if not pool:
                err(f"  {name}: no samples")
                continue
            # One value not measured first, to warm the statements and the window.
            driver.type_query(pool[-1])
            rows: list[dict[str, Any]] = []
            t = time.perf_counter()
            for value in pool[:args.queries]:
                for i, row in enumerate(driver.type_query(value)):
                    row.update(kind=name, key=i + 1, of=len(value), last=i + 1 == len(value))
                    rows.append(row)
                    if keys_out:
                        keys_out.write(json.dumps({**row, **common}, ensure_ascii=False) + "\n")
                if time.perf_counter() - t > args.budget and len(rows) >= 10:
                    break
            queries = sum(r["last"] for r in rows)
            load = load_average()
            whole = [r for r in rows if r["last"]]
            for measure in ("search_to_painted_ms", "press_to_painted_ms", "service_ms", "echo_ms", "cpu_ms"):
                values = [r[measure] for r in rows if r[measure] is not None]
                if not values:
                    continue
                target = None
                if measure == "search_to_painted_ms" and driver.dialect == "sqlite":
                    target = 50.0
                if measure == "service_ms" and driver.dialect == "postgresql":
                    target = 10.0
                line = figure(f"ui_search_{name}_{measure[:-3]}", values, None, common,
                              None if args.naive else target, queries=queries, example=pool[0],
                              mean_hits_whole_query=round(statistics.mean(r["hits"] for r in whole), 1),
                              whole_query_median_ms=round(statistics.median(r[measure] for r in whole
                                                                           if r[measure] is not None), 3)
                              if any(r[measure] is not None for r in whole) else None,
                              pause_ms_median=round(statistics.median(r["pause_ms"] for r in rows), 1),
                              load_avg=load)
                lines.append(line)
                print(json.dumps(line, ensure_ascii=False), flush=True)
            err(f"  {name}: {len(rows)} keys in {time.perf_counter() - t:.1f} s")
        if args.only == "search":
            return 0
        # pages
        heavy = samples.get("heavy_customer_id")
        queries = [v for v in (samples.get("names3") or [])[:args.pages]]
        opened: list[dict[str, Any]] = []
        if heavy:
            with driver.app.engine.connect() as con:
                number = con.exec_driver_sql(f"SELECT number FROM customer WHERE id = {int(heavy)}").scalar()
            driver.open_customer_and_order(str(number))  # warm
            opened.append({**driver.open_customer_and_order(str(number)), "heavy": True})
        for q in queries:
            opened.append(driver.open_customer_and_order(q))
            if keys_out:
                keys_out.write(json.dumps({"kind": "page", **opened[-1], **common}, ensure_ascii=False) + "\n")
        load = load_average()
        for measure, target in (("customer_page_ms", 150.0), ("order_page_ms", 150.0),
                                ("customer_page_cpu_ms", None), ("order_page_cpu_ms", None)):
            values = [o[measure] for o in opened if measure in o]
            if values:
                line = figure(f"ui_open_{measure[:-3]}", values, None, common,
                              None if args.naive or driver.dialect != "sqlite" else target,
                              heavy_customer_ms=next((o[measure] for o in opened if o.get("heavy")), None),
                              heavy_orders=next((o["orders"] for o in opened if o.get("heavy")), None),
                              what="double-click in the table -> the new window's first paint done",
                              load_avg=load)
                lines.append(line)
                print(json.dumps(line, ensure_ascii=False), flush=True)
        enter = [o["search"]["enter_to_painted_ms"] for o in opened]
        line = figure("ui_search_enter_to_painted", enter, None, common, None, what="a whole name typed, "
                      "then Enter: the search at once, no pause", load_avg=load)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        if keys_out:
            keys_out.close()
        driver.close()
    err(f"done in {time.perf_counter() - started:.1f} s; load average {load_before} -> {load_average()}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a database made by bench/generate.py (URL or SQLite file)")
    parser.add_argument("--naive", action="store_true", help="this --db is a naive copy (see --make-naive)")
    parser.add_argument("--make-naive", metavar="DEST", help="copy --db to DEST (SQLite file or PostgreSQL "
                        "database name) without the indexes, then stop")
    parser.add_argument("--queries", type=int, default=10, help="sample values typed per kind of query")
    parser.add_argument("--pages", type=int, default=10, help="customers (and their first order) opened")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per kind after which typing "
                        "stops (at least 10 keys)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one paint")
    parser.add_argument("--kinds", help="comma-separated query kinds to type (default: all)")
    parser.add_argument("--only", choices=["search", "pages"], help="only the typing, or only the page opens")
    parser.add_argument("--keys", help="append one JSON line per key press and page open to this file")
    args = parser.parse_args(argv)
    if args.make_naive:
        from gasdesk.config import normalise_url

        make_naive(normalise_url(args.db), args.make_naive)
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
