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
