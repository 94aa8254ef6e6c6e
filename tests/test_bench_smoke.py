"""The benchmarks run end to end at a tiny size: generator, then every figure of bench/run.py.

No timing is asserted: the figures are for the report; this checks they are all printed, one valid
JSON object per line with the fields of issue 8.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"name", "median_ms", "p95_ms", "baseline", "baseline_median_ms", "ratio"}
FIGURES = {
    "search_name_2char", "search_name_3char", "search_phone_prefix", "search_id_number", "search_account_number",
    "search_address_2char", "search_address_4char", "search_pinyin_initials", "search_number_typed_2to4",
    "customer_page_200_orders",
    "overdue_list_first_page_and_count", "order_open_complaint", "order_perform_complaint_transfer",
    "order_open_activation", "order_perform_activation_accept", "form_acceptance_pdf_print_service",
    "form_acceptance_pdf_render_form_sample", "export_business_ledger", "start_to_signin_window",
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.gui
def test_generate_and_run_print_every_figure(tmp_path: Path) -> None:
    db = tmp_path / "bench.sqlite"
    gen = _run("bench/generate.py", "--customers", "300", "--db", str(db), "--seed", "3")
    assert gen.returncode == 0, gen.stderr[-3000:]

    samples = json.loads(Path(f"{db}.bench.json").read_text())
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM customer").fetchone()[0] == 300
        assert con.execute("SELECT count(*) FROM customer_fts").fetchone()[0] == 300
        heavy = con.execute("SELECT count(*) FROM service_order WHERE customer_id = ?",
                            (samples["heavy_customer_id"],)).fetchone()[0]
        assert heavy >= 200
        kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM service_order")}
        assert len(kinds) >= 10
        assert con.execute("SELECT last_value FROM number_sequence WHERE series = 'customer'").fetchone()[0] == 300
    finally:
        con.close()
    for key in ("names2", "names3", "phones", "ids", "accounts", "addr2", "addr4", "initials", "quiet_residents"):
        assert samples[key], key

    run = _run("bench/run.py", "--db", str(db), "--quick")
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [ln for ln in run.stdout.splitlines() if ln.strip()]
    figures = [json.loads(ln) for ln in lines]  # every line is one JSON object
    for fig in figures:
        assert isinstance(fig, dict)
        assert FIELDS <= fig.keys(), fig
        assert "skipped" in fig or 0 <= fig["median_ms"] <= fig["p95_ms"], fig
    assert {f["name"] for f in figures} == FIGURES
    export = next(f for f in figures if f["name"] == "export_business_ledger")
    assert "skipped" in export or "peak_mb" in export


def test_bank_bench_prints_its_two_figures(tmp_path: Path) -> None:
    out = _run("bench/bank.py", "--lines", "300", "--naive-lines", "20", "--db", f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [x["figure"] for x in lines] == ["bank_debit_run", "bank_return_import"]
    for x in lines:
        assert x["lines"] == 300 and x["seconds"] > 0 and x["naive_lines"] == 20 and x["naive_seconds"] > 0
        assert x["naive_seconds_scaled_to_lines"] > 0
    assert lines[1]["paid"] + lines[1]["failed"] == 300


@pytest.fixture(scope="module")
def tiny_bench_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("uibench") / "bench.sqlite"
    gen = _run("bench/generate.py", "--customers", "300", "--db", str(db), "--seed", "5")
    assert gen.returncode == 0, gen.stderr[-3000:]
    return db


UI_KINDS = ("name", "name_2char", "address_2char", "address_4char_estate", "address_4char_street", "phone",
            "id_number", "account_number", "pinyin_initials")


@pytest.mark.gui
def test_ui_bench_types_into_the_real_window_and_opens_pages(tiny_bench_db: Path, tmp_path: Path) -> None:
    """bench/ui.py on a tiny database, then on its naive copy: every figure printed, every key answered."""
    keys = tmp_path / "keys.jsonl"
    out = _run("bench/ui.py", "--db", str(tiny_bench_db), "--queries", "1", "--pages", "2", "--keys", str(keys))
    assert out.returncode == 0, out.stderr[-3000:]
    figures = {f["name"]: f for f in map(json.loads, out.stdout.splitlines())}
    for kind in UI_KINDS:
        for measure in ("search_to_painted", "press_to_painted", "service", "echo"):
            fig = figures[f"ui_search_{kind}_{measure}"]
            assert 0 <= fig["median_ms"] <= fig["p95_ms"] <= fig["max_ms"], fig
            assert fig["way"] == "indexed" and fig["dialect"] == "sqlite" and fig["customers"] == 300
            assert len(fig["load_avg"]) == 3
    # the whole sample value typed finds its customer(s), and the pause before searching is the window's
    assert figures["ui_search_name_service"]["mean_hits_whole_query"] >= 1
    assert figures["ui_search_account_number_service"]["mean_hits_whole_query"] == 1
    assert figures["ui_search_name_press_to_painted"]["pause_ms_median"] >= 200
    opened = figures["ui_open_customer_page"]
    assert opened["samples"] == 3 and opened["heavy_orders"] >= 100  # the customer of ~200 orders, a page of them
    assert figures["ui_open_order_page"]["samples"] == 3
    rows = [json.loads(line) for line in keys.read_text().splitlines()]
    typed = [r for r in rows if r.get("kind") != "page"]
    assert {r["kind"] for r in typed} == set(UI_KINDS)
    assert all(r["text_len"] == r["key"] for r in typed)  # one row per key, the box holding what was typed

    naive = tmp_path / "naive.sqlite"
    made = _run("bench/ui.py", "--db", str(tiny_bench_db), "--make-naive", str(naive))
    assert made.returncode == 0, made.stderr[-3000:]
    con = sqlite3.connect(naive)
    try:
        names = {n for (n,) in con.execute("SELECT name FROM sqlite_master")}
    finally:
        con.close()
    assert "customer_fts" not in names and "ix_customer_phone" not in names and "ix_order_customer" not in names
    # on the naive copy, the two kinds compared below (every kind typed costs the window's pause per key)
    out = _run("bench/ui.py", "--db", str(naive), "--naive", "--queries", "1", "--only", "search",
               "--kinds", "name,address_4char_estate")
    assert out.returncode == 0, out.stderr[-3000:]
    naive_figures = {f["name"]: f for f in map(json.loads, out.stdout.splitlines())}
    assert naive_figures["ui_search_name_service"]["way"] == "naive"
    # the naive window finds the same customers by name and address
    for kind in ("name", "address_4char_estate"):
        assert (naive_figures[f"ui_search_{kind}_service"]["mean_hits_whole_query"]
                == figures[f"ui_search_{kind}_service"]["mean_hits_whole_query"])


def test_load_bench_runs_counters_through_every_interaction(tiny_bench_db: Path) -> None:
    out = _run("bench/load.py", "--db", str(tiny_bench_db), "--counters", "2", "--seconds", "8", "--think", "0",
               "--warmup", "0", "--baseline-seconds", "8")
    assert out.returncode == 0, out.stderr[-3000:]
    lines = {f["name"]: f for f in map(json.loads, out.stdout.splitlines())}
    for name in ("search", "open_customer", "payment", "open_order", "new_order", "advance_step", "print_form",
                 "cancel_order"):
        fig = lines[f"load_{name}"]
        assert fig["samples"] > 0 and 0 < fig["median_ms"] <= fig["p95_ms"], fig
        assert fig["baseline_samples"] > 0 and fig["counters"] == 2
    run = lines["load_run"]
    assert run["counters_exited_badly"] == 0 and not any(k.endswith("_error") for k in run["not_ok"])
    con = sqlite3.connect(tiny_bench_db)
    try:  # the counters' complaints (the newest orders, all at the bench clock's fixed "now") were all cancelled
        made = dict(con.execute("SELECT status, count(*) FROM service_order WHERE kind = 'complaint' AND "
                                "opened_at = (SELECT opened_at FROM service_order ORDER BY id DESC LIMIT 1) GROUP BY status").fetchall())
    finally:
        con.close()
    assert list(made) == ["cancelled"] and made["cancelled"] >= lines["load_new_order"]["samples"]
