"""The performance figures of issue 8, each against the naive way measured in the same run on the same data.

    python bench/run.py [--customers N] [--db URL] [--quick] [--only search,page,...]

Without --db it uses bench/data/bench-<N>.sqlite, generating it first (bench/generate.py) when it is
not there. Prints ONE JSON object per line per figure on stdout (progress goes to stderr):

    {"name", "median_ms", "p95_ms", "baseline", "baseline_median_ms", "ratio", ...}

with "peak_mb" where memory matters, "samples" (timed calls), "target" (issue 8, item 3) and
"meets_target". `ratio` is median / baseline median. A figure that cannot be measured here prints
the same fields as null and a "skipped" reason.

Groups (--only): search, page, overdue, orders, forms, export, startup.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GROUPS = ("search", "page", "overdue", "orders", "forms", "export", "startup")
SEARCH_KINDS = (  # figure name, samples key
    ("search_name_2char", "names2"), ("search_name_3char", "names3"), ("search_phone_prefix", "phones"),
    ("search_id_number", "ids"), ("search_account_number", "accounts"), ("search_address_2char", "addr2"),
    ("search_address_4char", "addr4"), ("search_pinyin_initials", "initials"),
    ("search_number_typed_2to4", "short_numbers"),
)
# The naive search looks where the real one does: name, initials, address, phone, ID, account number
# (the account through a correlated EXISTS, so a scan that finds its page early stops early).
LIKE_WHERE = ("name LIKE :p OR name_initials LIKE :p OR address LIKE :p OR phone LIKE :p OR id_number LIKE :p "
              "OR EXISTS (SELECT 1 FROM account WHERE account.customer_id = customer.id AND account.number LIKE :p)")
LIKE_IDS_SQL = f"SELECT id FROM customer WHERE {LIKE_WHERE} LIMIT :limit OFFSET :offset"
LIKE_SQL = f"SELECT id, number, name, phone, id_number, address FROM customer WHERE {LIKE_WHERE} LIMIT 50"


def short_numbers(samples: dict[str, Any]) -> list[str]:
    """What is in the box while a number is still being typed: 2-4 leading characters of phones,
    ID numbers and account numbers (a prefix like '13' matches most mobiles)."""
    cuts = (("phones", 2), ("phones", 3), ("ids", 4), ("accounts", 3))
    return [samples[key][i][:n] for i in range(10) for key, n in cuts if len(samples.get(key, [])) > i]


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1))]


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def sample(calls: Sequence[Callable[[], Any]], budget_s: float, at_least: int = 5) -> list[float]:
    """Time each call in turn; stop early once the budget is spent and `at_least` calls are timed
    (a figure that takes seconds a call still gets a median, without an hour's run)."""
    ms: list[float] = []
    start = time.perf_counter()
    for fn in calls:
        ms.append(timed(fn))
        if len(ms) >= at_least and time.perf_counter() - start > budget_s:
            break
    return ms


class Report:
    def __init__(self, dialect: str, customers: int) -> None:
        self.dialect, self.customers = dialect, customers

    def figure(self, name: str, ms: Sequence[float], baseline: str | None, base_ms: Sequence[float] | None, *,
               target: str | None = None, ok: Callable[[float, float, float | None], bool] | None = None,
               **extra: Any) -> None:
        median = statistics.median(ms)
        p95 = percentile(ms, 0.95)
        base = statistics.median(base_ms) if base_ms else None
        line: dict[str, Any] = {
            "name": name, "median_ms": round(median, 3), "p95_ms": round(p95, 3), "baseline": baseline,
            "baseline_median_ms": round(base, 3) if base is not None else None,
            "ratio": round(median / base, 3) if base else None, "samples": len(ms),
            "baseline_p95_ms": round(percentile(base_ms, 0.95), 3) if base_ms else None,
            "dialect": self.dialect, "customers": self.customers,
        }
        line.update(extra)
        if target is not None:
            line["target"] = target
            line["meets_target"] = bool(ok(median, p95, base)) if ok else None
        print(json.dumps(line, ensure_ascii=False), flush=True)

    def skipped(self, name: str, reason: str, baseline: str | None = None) -> None:
        print(json.dumps({"name": name, "median_ms": None, "p95_ms": None, "baseline": baseline,
                          "baseline_median_ms": None, "ratio": None, "skipped": reason, "dialect": self.dialect,
                          "customers": self.customers}, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------------------------------- context

class Bench:
    def __init__(self, url: str, samples: dict[str, Any], args: argparse.Namespace) -> None:
        from sqlalchemy import select

        from gasdesk.clock import FixedClock
        from gasdesk.models import Staff
        from gasdesk.services.context import App
        from gasdesk.services.staff import actor_of

        self.url, self.samples, self.args = url, samples, args
        self.now = datetime.fromisoformat(samples["now"])
        self.app = App(url, FixedClock(self.now))
        with self.app.reading() as s:  # not sign_in: argon2 is not what these figures measure
            staff = {x.login: actor_of(x) for x in s.scalars(select(Staff))}
        self.clerk = staff["clerk1"]
        # Searches run as a manager: a clerk finds a phone only by its whole number (masked digits), so
        # the prefix figures are a manager's.
        self.searcher = staff["manager1"]
        self.dialect = self.app.engine.dialect.name
        self.report = Report(self.dialect, samples["generation"]["customers"])

    # --- customer search ------------------------------------------------------------------------

    def search(self) -> None:
        """Each kind of query through the search service, against the same service with its index
        replaced by LIKE '%q%' over the customer table (the naive way, returning the same hits); the
        bare LIKE statement is reported beside it (like_sql_median_ms)."""
        from sqlalchemy import text
        from sqlalchemy.orm import Session

        from gasdesk.services.customers import CustomerService

        like_ids = text(LIKE_IDS_SQL)

        class LikeSearch(CustomerService):
            @staticmethod
            def _matching_ids(s: Session, q: str, limit: int, offset: int, *, whole_phone: bool = False) -> list[int]:
                return list(s.execute(like_ids, {"p": f"%{q}%", "limit": limit, "offset": offset}).scalars())

        service = CustomerService(self.app, self.searcher)
        naive = LikeSearch(self.app, self.searcher)
        like = text(LIKE_SQL)
        q_count, rounds = self.args.queries, self.args.rounds
        for name, key in SEARCH_KINDS:
            pool = short_numbers(self.samples) if key == "short_numbers" else list(self.samples.get(key) or [])
            queries, spare = pool[:q_count], pool[q_count:q_count + 3] or pool[:1]
            if not queries:
                self.report.skipped(name, f"no sample values of kind {key!r} in the samples file")
                continue
            for q in spare:  # warm the statement caches with values that are not measured
                service.search(q)
                naive.search(q)
            budget = self.args.budget
            ms = sample([lambda q=q: service.search(q) for _ in range(rounds) for q in queries], budget)
            hits = [len(service.search(q).hits) for q in queries[:5]]
            base_queries = queries[:self.args.baseline_queries]
            base = sample([lambda q=q: naive.search(q) for q in base_queries], budget)
            with self.app.read_engine.connect() as con:
                con.execute(like, {"p": f"%{spare[0]}%"}).all()
                bare = sample([lambda q=q: con.execute(like, {"p": f"%{q}%"}).all() for q in base_queries], budget)
            self.report.figure(
                name, ms, "the same search service with LIKE '%q%' over customer name, initials, address, phone, "
                "ID and account number in place of its indexes, LIMIT 51", base,
                target="p95 <= 10 ms and not slower than the baseline",
                ok=lambda m, p, b: p <= 10 and (b is None or m <= b),
                queries=len(queries), mean_hits=round(statistics.mean(hits), 1), example=queries[0],
                baseline_samples=len(base), like_sql_median_ms=round(statistics.median(bare), 3))

    # --- customer page --------------------------------------------------------------------------

    def page(self) -> None:
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from gasdesk.models import Account, Customer, Payment, ServiceOrder
        from gasdesk.services.customers import CustomerService
        from gasdesk.services.payments import PaymentService
        from gasdesk.services.worklists import WorklistService

        cid = int(self.samples["heavy_customer_id"])
        customers = CustomerService(self.app, self.clerk)
        worklists = WorklistService(self.app, self.clerk)
        payments = PaymentService(self.app, self.clerk)
        sizes: dict[str, int] = {}

        def open_page() -> None:  # what CustomerPage.refresh asks: details, accounts, first pages, counts
            customers.get(cid)
            customers.accounts(cid)
            worklists.orders_of_customer(cid, limit=100)
            payments.for_customer(cid, limit=100)
            sizes["orders"] = worklists.count_orders_of_customer(cid)
            sizes["payments"] = payments.count_for_customer(cid)

        def naive() -> None:
            with Session(self.app.read_engine) as s:
                s.get(Customer, cid)
                list(s.scalars(select(Account).where(Account.customer_id == cid)))
                for order in s.scalars(select(ServiceOrder).where(ServiceOrder.customer_id == cid)):
                    list(order.steps)  # lazy loads: N+1
                    list(order.deadlines)
                list(s.scalars(select(Payment).where(Payment.customer_id == cid)))

        open_page()
        naive()
        ms = sample([open_page] * (self.args.rounds * 7), self.args.budget)
        base = sample([naive] * max(2, self.args.rounds * 2), self.args.budget, at_least=2)
        self.report.figure("customer_page_200_orders", ms, "naive ORM: orders, then lazy steps and deadlines "
                           "of each (N+1)", base, target="median <= 50 ms", ok=lambda m, p, b: m <= 50,
                           orders=sizes["orders"], payments=sizes["payments"])

    # --- overdue list ---------------------------------------------------------------------------

    def overdue(self) -> None:
        from sqlalchemy import func, select
        from sqlalchemy.orm import Session, selectinload

        from gasdesk.models import Customer, ServiceOrder
        from gasdesk.services.worklists import WorklistService

        worklists = WorklistService(self.app, self.clerk)
        now = self.now
        sizes: dict[str, int] = {}

        def service() -> None:
            sizes["page"] = len(worklists.overdue())
            sizes["count"] = worklists.count_overdue()

        def naive() -> None:
            with Session(self.app.read_engine) as s:
                orders = s.scalars(select(ServiceOrder).where(ServiceOrder.status == "open")
                                   .options(selectinload(ServiceOrder.deadlines))).all()
                late = []
                for o in orders:
                    due = [d.due_at for d in o.deadlines if d.status == "running" and d.due_at < now]
                    if due:
                        late.append((min(due), o.id, o))
                late.sort(key=lambda x: (x[0], x[1]))
                page = late[:200]
                ids = [o.customer_id for _, _, o in page]
                list(s.scalars(select(Customer).where(Customer.id.in_(ids))))
                sizes["baseline_count"] = len(late)
                sizes["open"] = len(orders)

        service()
        ms = sample([service] * (self.args.rounds * 7), self.args.budget)
        base = sample([naive] * max(1, self.args.rounds), self.args.budget, at_least=1)
        with self.app.reading() as s:
            open_orders = s.scalar(select(func.count()).select_from(ServiceOrder)
                                   .where(ServiceOrder.status == "open"))
        self.report.figure("overdue_list_first_page_and_count", ms, "load all open orders with their deadlines, "
                           "filter and sort in Python", base, target="median <= 20 ms", ok=lambda m, p, b: m <= 20,
                           open_orders=open_orders, overdue_orders=sizes["count"], page_rows=sizes["page"])

    # --- opening an order, taking a step ------------------------------------------------------

    def orders(self) -> None:
        from sqlalchemy import delete, select
        from sqlalchemy.orm import Session

        from gasdesk.models import OrderStep, ServiceOrder
        from gasdesk.services.orders import OrderService

        service = OrderService(self.app, self.clerk)
        quiet = list(self.samples["quiet_residents"])
        with self.app.reading() as s:  # residents with no open order (an earlier run may have left some)
            busy = set(s.scalars(select(ServiceOrder.customer_id).where(
                ServiceOrder.customer_id.in_(quiet), ServiceOrder.status == "open")))
        quiet = [c for c in quiet if c not in busy]
        n = min(self.args.orders, len(quiet) // 2)
        if n < 1:
            for name in ("order_open_complaint", "order_perform_complaint_transfer", "order_open_activation",
                         "order_perform_activation_accept"):
                self.report.skipped(name, "no resident without an open order left in the samples")
            return
        complaint = {"complaint_type": "complaint", "content": "燃气表走字偏快，要求上门校验",
                     "contact_phone": "13985012345"}
        made: list[int] = []
        t_open, t_move, t_act_open, t_act_accept = [], [], [], []
        warm = service.open("complaint", quiet[-1], data=complaint)
        service.perform(warm.id, "refer", {"department": "distribution", "summary": "转输配中心处理"})
        made.append(warm.id)
        for cid in quiet[:n]:
            box: dict[str, Any] = {}
            t_open.append(timed(lambda cid=cid, box=box: box.update(o=service.open("complaint", cid, data=complaint))))
            oid = box["o"].id
            made.append(oid)
            t_move.append(timed(lambda oid=oid: service.perform(
                oid, "refer", {"department": "distribution", "summary": "转输配中心处理"})))
        for cid in quiet[n:2 * n]:
            box = {}
            t_act_open.append(timed(lambda cid=cid, box=box: box.update(o=service.open(
                "activation", cid, documents=["property_proof", "owner_id"]))))
            oid = box["o"].id
            made.append(oid)
            t_act_accept.append(timed(lambda oid=oid: service.perform(oid, "accept")))

        bench_numbers: list[str] = []

        def bare_insert() -> None:
            number = f"BENCH-{uuid.uuid4().hex[:12]}"
            bench_numbers.append(number)
            with Session(self.app.engine) as s:
                order = ServiceOrder(number=number, kind="complaint", customer_id=quiet[0], account_id=None,
                                     step="accept", status="open", step_entered_at=self.now,
                                     opened_by_id=self.clerk.staff_id, opened_at=self.now, channel="counter",
                                     summary="", documents=[], data=complaint, reason="", crew="", rounds=0)
                s.add(order)
                s.flush()
                s.add(OrderStep(order_id=order.id, seq=1, from_step=None, to_step="accept", action="open",
                                actor_id=self.clerk.staff_id, at=self.now, note="", data=complaint))
                s.commit()

        bare_insert()
        base = [timed(bare_insert) for _ in range(max(3, n))]
        # Leave the database as it was found for the next run: cancel the orders, drop the bare rows.
        for oid in made:
            service.perform(oid, "cancel", reason="基准测试撤销")
        with Session(self.app.engine) as s:
            ids = list(s.scalars(select(ServiceOrder.id).where(ServiceOrder.number.in_(bench_numbers))))
            s.execute(delete(OrderStep).where(OrderStep.order_id.in_(ids)))
            s.execute(delete(ServiceOrder).where(ServiceOrder.id.in_(ids)))
            s.commit()
        what = "bare ORM insert of one order row and one step row, committed"
        target, ok = "median <= 30 ms", (lambda m, p, b: m <= 30)
        self.report.figure("order_open_complaint", t_open, what, base, target=target, ok=ok)
        self.report.figure("order_perform_complaint_transfer", t_move, what, base, target=target, ok=ok)
        self.report.figure("order_open_activation", t_act_open, what, base, target=target, ok=ok)
        self.report.figure("order_perform_activation_accept", t_act_accept, what, base, target=target, ok=ok)

    # --- forms ----------------------------------------------------------------------------------

    def forms(self) -> None:
        """A form page against a bare reportlab canvas page in the same font printing the same text.

        The bare page draws each text line of the form with drawString, so its PDF embeds the same
        glyphs: the ratio is what the form layout (grids, header, QR code, page numbers) adds to the
        floor of writing that text. The old five-line page is reported beside it for comparison."""
        from io import BytesIO

        from pypdf import PdfReader
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        from gasdesk.reports.fonts import register_cjk_font
        from gasdesk.reports.forms import render_form
        from gasdesk.services.printing import PrintService
        from tests.form_samples import sample_context

        font = register_cjk_font()
        five_lines = ("贵州燃气集团安顺市燃气有限责任公司  业务受理单", "客户名称：张伟    客户编号：C000000123",
                      "用气地址：贵阳市云岩区中华北路108号金桂园小区3栋2单元1502室", "联系电话：13985012345",
                      "受理人：李娜    受理时间：2026年11月27日 09:30")

        def text_lines(pdf: bytes) -> list[str]:
            reader = PdfReader(BytesIO(pdf))
            return [line for page in reader.pages for line in page.extract_text().splitlines() if line.strip()]

        def bare_page(lines: Sequence[str], size: float = 12, leading: float = 22) -> bytes:
            buf = BytesIO()
            c = canvas.Canvas(buf, pagesize=A4)
            c.setFont(font, size)
            y = 770.0
            for line in lines:
                if y < 40:
                    c.showPage()
                    c.setFont(font, size)
                    y = 770.0
                c.drawString(72, y, line)
                y -= leading
            c.showPage()
            c.save()
            return buf.getvalue()

        # Each timed print is of another order, as at a counter (printing one order hundreds of
        # times would time its ever longer print log instead).
        printer = PrintService(self.app, self.clerk)
        order_ids = [int(x) for x in self.samples["print_orders"]]
        n = self.args.rounds * 7
        printed_lines = {oid: text_lines(printer.render(oid, "acceptance")) for oid in order_ids[:n]}
        ctx = sample_context("acceptance")
        sample_lines = text_lines(render_form(ctx))
        for run in (lambda: bare_page(five_lines), lambda: render_form(ctx)):  # warm: fonts, imports
            run()
        times: dict[str, list[float]] = {name: [] for name in
                                         ("five_lines", "printed_text", "sample_text", "print_service", "render_form")}
        for i in range(n):  # interleaved, so a busy moment of the machine hits every figure alike
            oid = order_ids[i % len(printed_lines)]
            times["five_lines"].append(timed(lambda: bare_page(five_lines)))
            times["printed_text"].append(timed(lambda oid=oid: bare_page(printed_lines[oid], 9, 12)))
            times["print_service"].append(timed(lambda oid=oid: printer.render(oid, "acceptance")))
            times["sample_text"].append(timed(lambda: bare_page(sample_lines, 9, 12)))
            times["render_form"].append(timed(lambda: render_form(ctx)))
        five = statistics.median(times["five_lines"])
        what = "bare reportlab canvas page, same embedded CJK font, drawString of the same text lines"
        for figure, real, base, extra in (
            ("form_acceptance_pdf_print_service", "print_service", "printed_text",
             {"orders": len(printed_lines),
              "text_lines": round(statistics.mean(len(v) for v in printed_lines.values()), 1),
              "pdf_kb": round(len(printer.render(order_ids[0], "acceptance")) / 1024, 1)}),
            ("form_acceptance_pdf_render_form_sample", "render_form", "sample_text",
             {"text_lines": len(sample_lines), "pdf_kb": round(len(render_form(ctx)) / 1024, 1)}),
        ):
            self.report.figure(
                figure, times[real], what, times[base], target="<= 3x the bare page",
                ok=lambda m, p, b: b is not None and m <= 3 * b, five_line_page_median_ms=round(five, 3),
                ratio_to_five_line_page=round(statistics.median(times[real]) / five, 2), **extra)

    # --- ledger export --------------------------------------------------------------------------

    def export(self) -> None:
        name = "export_business_ledger"
        path = BENCH / "export_ledger.py"
        if not path.exists():
            self.report.skipped(name, "TODO: bench/export_ledger.py (a colleague's) is not there yet",
                                "openpyxl_write_only_append")
            return
        spec = importlib.util.spec_from_file_location("gasdesk_bench_export_ledger", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        missing = [f for f in ("build", "run_worker") if not hasattr(module, f)]
        if missing:
            self.report.skipped(name, f"TODO: bench/export_ledger.py has no {', '.join(missing)} yet",
                                "openpyxl_write_only_append")
            return
        rows = self.args.export_rows
        with tempfile.TemporaryDirectory(prefix="gasdesk-bench-export-") as tmp:
            db = Path(tmp) / "ledger.sqlite"
            t = time.perf_counter()
            module.build(db, rows)
            err(f"  export: built a SQLite database of {rows} orders in {time.perf_counter() - t:.1f} s "
                f"(bench/export_ledger.py; its own data, SQLite only)")
            runs: dict[str, list[dict[str, float]]] = {"export": [], "baseline": []}
            for i in range(self.args.export_repeat):
                for kind in ("baseline", "export"):
                    out = Path(tmp) / f"{kind}-{i}.xlsx"
                    runs[kind].append(module.run_worker(kind, db, out))
                    err(f"  export {kind} run {i + 1}: {runs[kind][-1]['seconds']:.2f} s, "
                        f"{runs[kind][-1]['maxrss_mb']:.0f} MB peak")
                    out.unlink(missing_ok=True)
        ms = [r["seconds"] * 1000 for r in runs["export"]]
        base = [r["seconds"] * 1000 for r in runs["baseline"]]
        peak = max(r["maxrss_mb"] for r in runs["export"])
        self.report.figure(name, ms, "openpyxl write-only, ws.append of the same rows (bench/export_ledger.py)", base,
                           target="<= 1.2x bare openpyxl and peak < 150 MB",
                           ok=lambda m, p, b: b is not None and m <= 1.2 * b and peak < 150,
                           rows=rows, peak_mb=round(peak, 1),
                           baseline_peak_mb=round(max(r["maxrss_mb"] for r in runs["baseline"]), 1),
                           note="SQLite database built by bench/export_ledger.py, whatever --db says")

    # --- start to the sign-in window --------------------------------------------------------

    def startup(self) -> None:
        runs = self.args.startup_runs
        app_ms, base_ms, peaks = [], [], []
        probe(APP_PROBE, self.url)  # warm the page cache once for each
        probe(BARE_PROBE, self.url)
        for _ in range(runs):
            ms, peak = probe(APP_PROBE, self.url)
            app_ms.append(ms)
            peaks.append(peak)
            base_ms.append(probe(BARE_PROBE, self.url)[0])
        self.report.figure("start_to_signin_window", app_ms, "bare QApplication + QMainWindow shown, offscreen",
                           base_ms, target="<= 2x bare Qt", ok=lambda m, p, b: b is not None and m <= 2 * b,
                           peak_mb=round(max(peaks), 1))


# The child's side of the start-up figure: the real start (gasdesk.cli.main, i.e. run_gui) with the
# sign-in dialog's show()/exec() replaced by show + paint + report, so it stops when the dialog is up.
APP_PROBE = r"""
import json, os, sys, time
from PySide6.QtWidgets import QApplication
from gasdesk.ui import signin
_show = signin.SignInDialog.show
def _shown(self):
    _show(self)
    QApplication.processEvents()
    print(json.dumps({"shown_at": time.time(), "peak_mb": _peak()}), flush=True)
    os._exit(0)
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0
signin.SignInDialog.exec = _shown
signin.SignInDialog.show = _shown
from gasdesk.cli import main
main(["--db", sys.argv[1]])
os._exit(3)
"""
BARE_PROBE = r"""
import json, os, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow()
w.setWindowTitle("bare")
w.show()
QApplication.processEvents()
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) / 1024
print(json.dumps({"shown_at": time.time(), "peak_mb": peak}), flush=True)
os._exit(0)
"""


def probe(code: str, url: str) -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    # As on a hall PC: byte code cached after the first start (this sandbox sets PYTHONDONTWRITEBYTECODE,
    # which makes every start compile every module). The cache goes to a scratch folder, not the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "gasdesk-bench-pycache")
    with tempfile.TemporaryDirectory(prefix="gasdesk-bench-home-") as home:
        env["HOME"] = home  # the start-up log goes to a scratch data folder
        env["XDG_DATA_HOME"] = home
        started = time.time()
        proc = subprocess.run([sys.executable, "-c", code, url], env=env, cwd=str(ROOT), capture_output=True,
                              text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"start-up probe failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result = json.loads(lines[-1])
    return (result["shown_at"] - started) * 1000, float(result["peak_mb"])


# ---------------------------------------------------------------------------------------- main

def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("gasdesk_bench_generate", BENCH / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000, help="size of the generated database when "
                        "--db is not given (bench/data/bench-<N>.sqlite, made if missing)")
    parser.add_argument("--db", help="an existing generated database (URL or SQLite file)")
    parser.add_argument("--only", help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--queries", type=int, default=30, help="queries per kind of search")
    parser.add_argument("--baseline-queries", type=int, default=15, help="of which timed with the LIKE baseline")
    parser.add_argument("--rounds", type=int, default=3, help="repetitions (search: of every query)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per figure (and per baseline) "
                        "after which a slow figure stops at 5 timed calls")
    parser.add_argument("--orders", type=int, default=30, help="orders opened per kind")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--export-repeat", type=int, default=2)
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a few repetitions of everything (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.queries, args.baseline_queries, args.rounds, args.orders = 3, 2, 1, 2
        args.export_rows, args.export_repeat, args.startup_runs = 300, 1, 1
    groups = [g.strip() for g in args.only.split(",")] if args.only else list(GROUPS)
    unknown = set(groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")

    generate = load_generator()
    from gasdesk.config import normalise_url

    if args.db:
        url = normalise_url(args.db)
    else:
        url = generate.default_url(args.customers)
    samples_file = generate.samples_path(url)
    if not samples_file.exists():
        if args.db:
            err(f"{samples_file} not found: generate the database first with bench/generate.py --db {args.db}")
            return 2
        err(f"generating {args.customers} customers into {url} ...")
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--customers", str(args.customers), "--db", url,
                        "--force"], check=True, stdout=sys.stderr)
    samples = json.loads(samples_file.read_text())
    bench = Bench(url, samples, args)
    err(f"benchmarking {bench.dialect} {samples['url']} ({samples['generation']['customers']} customers): "
        f"{', '.join(groups)}")
    for group in groups:
        t = time.perf_counter()
        getattr(bench, group)()
        err(f"  {group}: {time.perf_counter() - t:.1f} s")
    bench.app.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
