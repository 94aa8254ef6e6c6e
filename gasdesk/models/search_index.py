"""Substring search over names and addresses that stays fast at a million customers.

Chinese names are mostly two or three characters, so a trigram index cannot serve them. Every name
and address is indexed as its overlapping character pairs (张伟明 -> 张伟 伟明); a query of n >= 2
characters is the phrase of its n-1 pairs, which matches exactly the texts containing it.
SQLite keeps the pairs in an FTS5 table (rowid = customer id); PostgreSQL in a tsvector column with
a GIN index. Both are kept current by ORM events whenever a customer is inserted or renamed.

PostgreSQL also keeps every run of four characters (`quads`, a second tsvector with its own GIN
index) and answers a query of four or more characters from it: a street name is one quad found in
~24,000 addresses, which the planner counts from its statistics and reads until the page is full,
where the phrase of its three common pairs made it intersect three long posting lists first (22.8 ms
p95 at a million customers against 10 ms wanted; bench/README.md). SQLite's FTS5 phrase stops at
the page already and keeps the pairs only.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Mapper

from gasdesk.models.customer import Customer

_SPACE = re.compile(r"\s+")
_UNSAFE = re.compile(r"[^\w\u3400-\u9fff]", re.UNICODE)


QUAD = 4  # a query this long or longer is answered from the runs of four characters on PostgreSQL


def _compact(value: str) -> str:
    return _UNSAFE.sub("", _SPACE.sub("", value or "")).lower()


def grams(value: str, size: int = 2) -> str:
    """Overlapping runs of `size` characters of a text, space separated, lower case; a text shorter
    than that stands alone (a single character, or a two-character name among the quads)."""
    compact = _compact(value)
    if len(compact) < size:
        return compact
    return " ".join(compact[i:i + size] for i in range(len(compact) - size + 1))


def document(name: str, address: str, size: int = 2) -> str:
    return f"{grams(name, size)} {grams(address, size)}".strip()


def phrase(query: str) -> list[str]:
    """The pairs a query must match in a row; empty when the query has fewer than two usable characters."""
    g = grams(query)
    return g.split() if " " in g or len(g) == 2 else []


def quad_phrase(query: str) -> list[str]:
    """The runs of four characters a query of four or more must match in a row; empty when shorter."""
    return grams(query, QUAD).split() if len(_compact(query)) >= QUAD else []


# --- maintenance ----------------------------------------------------------------------------------

def upsert(connection: Connection, customer_id: int, name: str, address: str) -> None:
    doc = document(name, address)
    if connection.dialect.name == "sqlite":
        connection.execute(text("DELETE FROM customer_fts WHERE rowid = :id"), {"id": customer_id})
        connection.execute(text("INSERT INTO customer_fts(rowid, doc) VALUES (:id, :doc)"),
                           {"id": customer_id, "doc": doc})
    else:
        connection.execute(text(
            "INSERT INTO customer_search(customer_id, doc, quads) "
            "VALUES (:id, to_tsvector('simple', :doc), to_tsvector('simple', :quads)) "
            "ON CONFLICT (customer_id) DO UPDATE SET doc = excluded.doc, quads = excluded.quads"),
            {"id": customer_id, "doc": doc, "quads": document(name, address, QUAD)})


@event.listens_for(Customer, "after_insert")
def _indexed_on_insert(_mapper: Mapper[Any], connection: Connection, target: Customer) -> None:
    upsert(connection, target.id, target.name, target.address)


@event.listens_for(Customer, "after_update")
def _indexed_on_update(_mapper: Mapper[Any], connection: Connection, target: Customer) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    if state.attrs.name.history.has_changes() or state.attrs.address.history.has_changes():
        upsert(connection, target.id, target.name, target.address)


# --- querying -------------------------------------------------------------------------------------

def matching_ids(dialect: str, query: str, limit: int, offset: int) -> tuple[Any, dict[str, Any]] | None:
    """A SQL fragment selecting the ids of customers whose name or address contains `query`, one page
    at a time; None when the query is too short for the index.

    SQLite: in id order (FTS5 gives rowid order and stops at the page). PostgreSQL: from the pairs
    for two or three characters, from the quads for four or more, in the order the rows are stored -- the order customers were written, so id order but for a renamed customer. Its
    GIN index gives no order: sorting every match by id fetched every matching row from the table
    first (a street name is in ~24,000 addresses: ~19,000 table pages, 0.4-0.9 s on a server with the
    default 128 MB shared_buffers), while in storage order the page stops after ~50 rows. Run
    `SCAN_IN_STORAGE_ORDER` first in the same transaction, so the order is the same for every page."""
    pairs = phrase(query)
    if not pairs:
        return None
    if dialect == "sqlite":
        match = '"' + " ".join(pairs) + '"'
        sql = text("SELECT rowid AS id FROM customer_fts WHERE customer_fts MATCH :q "
                   "ORDER BY rowid LIMIT :limit OFFSET :offset")
        return sql, {"q": match, "limit": limit, "offset": offset}
    quads = quad_phrase(query)
    column, words = ("quads", quads) if quads else ("doc", pairs)
    sql = text(f"SELECT customer_id AS id FROM customer_search WHERE {column} @@ phraseto_tsquery('simple', :q) "
               "LIMIT :limit OFFSET :offset")
    return sql, {"q": " ".join(words), "limit": limit, "offset": offset}


# PostgreSQL, before matching_ids' statement in the same transaction: a plan without ORDER BY gives
# rows in storage order only if a sequential scan starts at the first page (a large table's scan may
# join another one midway: synchronize_seqscans) and runs in one process (no parallel workers).
SCAN_IN_STORAGE_ORDER = text("SELECT set_config('synchronize_seqscans', 'off', true), "
                             "set_config('max_parallel_workers_per_gather', '0', true)")


# --- schema -------------------------------------------------------------------------------------
# Migrations 0004 (the pairs) and 0012 (the quads) write their own DDL, frozen as they ran.

TABLE_NAMES = ("customer_fts", "customer_search")


def is_index_table(name: str | None) -> bool:
    return bool(name) and any(str(name).startswith(t) for t in TABLE_NAMES)
