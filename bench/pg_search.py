"""The name/address search statement on PostgreSQL alone: server-side execution time (EXPLAIN ANALYZE)
and table pages touched, per kind of query, for the statement the service runs on a database at
migration 0012 or later (`now`: the keys' B-tree range, search_index.KEY_RANGE, for fragments of two
to four characters), or for the ones it ran before, on a database before 0012 (`pairs`: the phrase of
character pairs in storage order; `sorted_by_id`: that phrase with every match sorted by id). No
Python, no network: what the database itself spends.

    python bench/pg_search.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench1m [--queries 20]

One JSON line per kind and statement: median / p95 / max of "Execution Time", the median of shared
blocks read from outside shared_buffers and hit, and the load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KINDS = (("name_2char", "names2"), ("name", "names3"), ("address_2char", "addr2"), ("address_4char", "addr4"))
BEFORE = {
    # what it ran before the runs of four (2026-11-30 morning): the pair phrase, in storage order
    "pairs": "SELECT customer_id AS id FROM customer_search WHERE doc @@ phraseto_tsquery('simple', :q) "
             "LIMIT 51 OFFSET 0",
    # and before that: every match fetched and sorted by id
    "sorted_by_id": "SELECT customer_id AS id FROM customer_search WHERE doc @@ phraseto_tsquery('simple', :q) "
                    "ORDER BY customer_id LIMIT 51 OFFSET 0",
}


def statements(value: str, keys: bool) -> dict[str, tuple[Any, dict[str, Any]]]:
    from sqlalchemy import text

    from gasdesk.models import search_index

    if keys:  # what the service reads for a page of 50 (+1 to know there are more), read twice over
        return {"now": (search_index.KEY_RANGE, {**search_index.key_range(value), "n": 2 * 51 + 8})}
    pairs = {"q": " ".join(search_index.phrase(value))}
    return {name: (text(sql), pairs) for name, sql in BEFORE.items()}


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1))]


def main(argv: Sequence[str] | None = None) -> int:
    from sqlalchemy import create_engine, text

    from gasdesk.config import normalise_url

    sys.path.insert(0, str(Path(__file__).parent))
    from ui import load_generator  # the generator's samples file

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args(argv)
    url = normalise_url(args.db)
    samples = json.loads(load_generator().samples_path(url).read_text())
    engine = create_engine(url)
    with engine.connect() as con:
        settings = {k: con.execute(text(f"SHOW {k}")).scalar() for k in ("shared_buffers", "server_version")}
        keys = con.execute(text("SELECT to_regclass('customer_gram') IS NOT NULL")).scalar()
        for kind, key in KINDS:
            values = list(samples.get(key) or [])[:args.queries]
            times: dict[str, list[float]] = {n: [] for n in (("now",) if keys else BEFORE)}
            read: dict[str, list[int]] = {n: [] for n in times}
            hit: dict[str, list[int]] = {n: [] for n in times}
            for value in values:
                for name, (sql, params) in statements(value, keys).items():
                    con.execute(text("SELECT set_config('synchronize_seqscans', 'off', true), "
                                     "set_config('max_parallel_workers_per_gather', '0', true)"))
                    plan: Any = con.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(sql)),
                                            params).scalar()
                    top = plan[0]
                    times[name].append(float(top["Execution Time"]))
                    read[name].append(int(top["Plan"].get("Shared Read Blocks", 0)))
                    hit[name].append(int(top["Plan"].get("Shared Hit Blocks", 0)))
                    con.rollback()
            for name in times:
                line = {"name": f"pg_search_{kind}_{name}", "median_ms": round(statistics.median(times[name]), 3),
                        "p95_ms": round(percentile(times[name], 0.95), 3), "max_ms": round(max(times[name]), 3),
                        "samples": len(times[name]), "blocks_read_median": statistics.median(read[name]),
                        "blocks_hit_median": statistics.median(hit[name]), "example": values[0],
                        "load_avg": [round(x, 2) for x in os.getloadavg()], **settings}
                print(json.dumps(line, ensure_ascii=False), flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
