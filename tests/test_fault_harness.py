"""The short CI version of bench/faults.py: 4 counters for a few seconds on SQLite and on PostgreSQL,
killed with SIGKILL at random, and afterwards every invariant holds."""

from __future__ import annotations

import importlib.util
import json
import uuid
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "faults.py"


def _harness():  # type: ignore[no-untyped-def]
    # imported by its dotted name, so that spawned workers can import it again
    assert BENCH.is_file()
    return importlib.import_module("bench.faults")


def _check(out: dict, printed: list[str]) -> None:  # type: ignore[type-arg]
    assert out["invariants"] == {
        "duplicate_receipt_numbers": 0, "duplicate_order_numbers": 0, "double_reversals": 0,
        "exclusive_order_clashes": 0, "balance_differences": 0, "audit_problems": 0}
    assert out["kills"] >= 1, "the run must have killed at least one counter"
    done = out["totals"]
    assert done["prepay_done"] > 0 and done["reverse_done"] > 0, done
    assert not any(k.endswith("_errors") for k in done), done  # no unexpected exception in any worker
    assert [json.loads(line)["line"] for line in printed] == ["run", "worker_counts", "ops_in_database", "invariants"]


def test_fault_harness_on_sqlite(tmp_path: Path):
    printed: list[str] = []
    out = _harness().run(f"sqlite:///{tmp_path / 'faults.sqlite'}", procs=4, seconds=12, kills=3, seed_=3,
                         emit=printed.append)
    _check(out, printed)


def test_fault_harness_on_postgresql(pg_url: str):
    printed: list[str] = []
    url = pg_url.rsplit("/", 1)[0] + f"/gasdesk_faults_{uuid.uuid4().hex[:8]}"
    harness = _harness()
    try:
        out = harness.run(url, procs=4, seconds=12, kills=3, seed_=3, emit=printed.append)
    finally:
        from sqlalchemy import create_engine, text

        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()
    _check(out, printed)


@pytest.fixture(autouse=True)
def _no_cheap_hashing_leak() -> object:
    """run() makes password hashing cheap for its seeding; the session fixture restores it anyway."""
    from gasdesk.services import staff

    before = staff._hasher
    yield None
    staff._hasher = before
