"""Substring search over names and addresses that stays fast at a million customers.

Chinese names are mostly two or three characters, so a trigram index cannot serve them. Every name
and address is cut into keys that a fragment of it must start one of; the two databases keep them
differently:

- SQLite: the overlapping character pairs (张伟明 -> 张伟 伟明) in an FTS5 table (rowid = customer id);
  a query of n >= 2 characters is the phrase of its n-1 pairs, which matches exactly the texts
  containing it, in id order, and FTS5 stops at the page.
- PostgreSQL: `customer_gram`, one B-tree row per (key, customer): the runs of four characters of
  each text and its last three and last two characters, so every fragment of two to four characters
  is the start of a key. A query of two to four characters reads the keys' index range in order and
  stops at the page, however common the fragment -- a GIN index (the pairs in a tsvector, until
  migration 0012) must build the bitmap of every match first: ~24,000 addresses for a street name,
  4-12 ms at a million customers with 128 MB shared_buffers, where the range reads ~51 index
  entries. Five characters and more walk the rarest of their runs of four and keep the customers
  whose name or address holds the whole query. Hits come in key order (the characters after the
  fragment), then id: the same for every page.

Both are kept current by ORM events whenever a customer is inserted or renamed.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Mapper

from gasdesk.models.customer import Customer

_SPACE = re.compile(r"\s+")
_UNSAFE = re.compile(r"[^\w\u3400-\u9fff]", re.UNICODE)


QUAD = 4  # PostgreSQL's keys are runs of this many characters (and each text's last 3 and 2)
WALK = 500  # PostgreSQL, five characters and more: candidates read per round trip
RARE = 2000  # ... and a run of four found this many times or more counts as common


def _compact(value: str) -> str:
    return _UNSAFE.sub("", _SPACE.sub("", value or "")).lower()


def grams(value: str) -> str:
    """Overlapping character pairs of a text, space separated, lower case; a single character stands alone."""
    compact = _compact(value)
    if len(compact) < 2:
        return compact
    return " ".join(compact[i:i + 2] for i in range(len(compact) - 1))


def document(name: str, address: str) -> str:
    return f"{grams(name)} {grams(address)}".strip()


def phrase(query: str) -> list[str]:
    """The pairs a query must match in a row; empty when the query has fewer than two usable characters."""
    g = grams(query)
    return g.split() if " " in g or len(g) == 2 else []


def keys(value: str) -> set[str]:
    """PostgreSQL's keys of a text: its runs of four characters and its last three and last two, so
    that every fragment of two to four characters starts one of them; a shorter text is its own key."""
    compact = _compact(value)
    if len(compact) < 2:
        return set()
    runs = {compact[i:i + QUAD] for i in range(len(compact) - QUAD + 1)}
    return runs | {compact[-3:], compact[-2:]}


def customer_keys(name: str, address: str) -> set[str]:
    return keys(name) | keys(address)


# --- maintenance ----------------------------------------------------------------------------------

def upsert(connection: Connection, customer_id: int, name: str, address: str,
           before: tuple[str, str] | None = None) -> None:
    """Index a customer's name and address; `before`: the name and address it was indexed with."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("DELETE FROM customer_fts WHERE rowid = :id"), {"id": customer_id})
        connection.execute(text("INSERT INTO customer_fts(rowid, doc) VALUES (:id, :doc)"),
                           {"id": customer_id, "doc": document(name, address)})
        return
    now = customer_keys(name, address)
    old = customer_keys(*before) if before else set()
    if old - now:
        connection.execute(text("DELETE FROM customer_gram WHERE customer_id = :id AND gram = ANY(:gone)"),
                           {"id": customer_id, "gone": sorted(old - now)})
    if now - old:
        connection.execute(text("INSERT INTO customer_gram (gram, customer_id) VALUES (:gram, :id) "
                                "ON CONFLICT DO NOTHING"), [{"gram": g, "id": customer_id} for g in sorted(now - old)])


@event.listens_for(Customer, "after_insert")
def _indexed_on_insert(_mapper: Mapper[Any], connection: Connection, target: Customer) -> None:
    upsert(connection, target.id, target.name, target.address)


@event.listens_for(Customer, "after_update")
def _indexed_on_update(_mapper: Mapper[Any], connection: Connection, target: Customer) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    name, address = state.attrs.name.history, state.attrs.address.history
    if name.has_changes() or address.has_changes():
        before = ((name.deleted or [target.name])[0], (address.deleted or [target.address])[0])
        upsert(connection, target.id, target.name, target.address, before)


# --- querying -------------------------------------------------------------------------------------

def find(session: Any, query: str, limit: int, offset: int) -> list[int] | None:
    """One page of the ids of customers whose name or address contains `query` (see the module's
    docstring for the order); None when the query has fewer than two usable characters."""
    pairs = phrase(query)
    if not pairs:
        return None
    if session.get_bind().dialect.name == "sqlite":
        return list(session.execute(text(
            "SELECT rowid AS id FROM customer_fts WHERE customer_fts MATCH :q ORDER BY rowid LIMIT :limit OFFSET :offset"),
            {"q": '"' + " ".join(pairs) + '"', "limit": limit, "offset": offset}).scalars())
    fragment = _compact(query)
    if len(fragment) <= QUAD:
        return _keys_starting(session, fragment, limit, offset)
    return _walk_rarest(session, fragment, limit, offset)


# Keys in order, then customers: the B-tree's own order, read as a range (collation "C": by code point).
KEY_RANGE = text("SELECT customer_id FROM customer_gram WHERE gram >= :lo AND gram < :hi "
                 "ORDER BY gram, customer_id LIMIT :n")


def key_range(fragment: str) -> dict[str, str]:
    return {"lo": fragment, "hi": fragment + "\U0010ffff"}


def _keys_starting(session: Any, fragment: str, limit: int, offset: int) -> list[int]:
    """A customer holds a fragment in more than one key now and then (张伟 in 张伟 and in 张伟路...):
    read a little more than the page and keep each customer's first key."""
    want, n = offset + limit, (offset + limit) * 2 + 8
    while True:
        rows = list(session.execute(KEY_RANGE, {**key_range(fragment), "n": n}).scalars())
        ids = list(dict.fromkeys(rows))
        if len(ids) >= want or len(rows) < n:
            return ids[offset:want]
        n *= 4


def _walk_rarest(session: Any, fragment: str, limit: int, offset: int) -> list[int]:
    """Five characters and more: the customers holding the rarest of the fragment's runs of four, in
    id order, kept when the name or address holds the whole fragment (checked here, so the answer is
    exact). A run found fewer than RARE times is walked whole at most; when every run is common, the
    page is full long before."""
    runs = sorted({fragment[i:i + QUAD] for i in range(len(fragment) - QUAD + 1)})
    counted = dict(session.execute(text(
        "SELECT r.g, (SELECT count(*) FROM (SELECT 1 FROM customer_gram WHERE gram = r.g LIMIT :cap) c) "
        "FROM unnest(CAST(:runs AS text[])) AS r(g)"), {"runs": runs, "cap": RARE}).all())
    rarest = min(runs, key=lambda r: counted[r])
    if counted[rarest] == 0:
        return []
    want, after = offset + limit, -1
    found: list[int] = []
    walk = text("SELECT g.customer_id, c.name, c.address FROM customer_gram g JOIN customer c ON c.id = g.customer_id "
                "WHERE g.gram = :g AND g.customer_id > :after ORDER BY g.customer_id LIMIT :n")
    while len(found) < want:
        rows = session.execute(walk, {"g": rarest, "after": after, "n": WALK}).all()
        found += [r.customer_id for r in rows if fragment in _compact(r.name) or fragment in _compact(r.address)]
        if len(rows) < WALK:
            break
        after = rows[-1].customer_id
    return found[offset:want]


# --- schema -------------------------------------------------------------------------------------
# Migrations 0004 (the pairs) and 0012 (PostgreSQL's keys) write their own DDL, frozen as they ran.

TABLE_NAMES = ("customer_fts", "customer_search", "customer_gram")


def is_index_table(name: str | None) -> bool:
    return bool(name) and any(str(name).startswith(t) for t in TABLE_NAMES)
