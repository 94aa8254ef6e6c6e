"""Writing many rows at once inside a unit of work: one COPY on PostgreSQL (no round trip per row, no
statement with thousands of parameters), executemany on SQLite (in process, where round trips cost
nothing). For bulk imports (the bank's return and collection files) that must stay one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ARRAY, JSON, BigInteger, Table, any_, func, literal, select, text
from sqlalchemy.orm import Session

CHUNK = 5000


def id_lists(s: Session, column: Any, ids: Sequence[int]) -> Iterable[Any]:
    """Conditions `column in ids`: on PostgreSQL one array parameter (`= ANY`), a single round trip
    whatever the count; on SQLite lists of CHUNK values (its limit on bound parameters)."""
    if s.get_bind().dialect.name == "postgresql":
        return [column == any_(literal(list(ids), ARRAY(BigInteger)))]
    return [column.in_(ids[i:i + CHUNK]) for i in range(0, len(ids), CHUNK)]


def new_ids(s: Session, table: Table, count: int) -> list[int]:
    """`count` primary keys for rows about to be inserted in bulk: drawn from the table's sequence on
    PostgreSQL; on SQLite the ids after the largest (the unit of work holds the database's write lock)."""
    if count == 0:
        return []
    if s.get_bind().dialect.name == "postgresql":
        return list(s.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                              {"t": table.name, "n": count}).scalars())
    top = s.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(top + 1, top + 1 + count))


def copy_rows(s: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL (psycopg): COPY rows into a table on the unit of work's own connection and transaction."""
    raw = s.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(s: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if s.get_bind().dialect.name == "postgresql":
        columns = list(rows[0])
        as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
        copy_rows(s, table.name, columns, ([json.dumps(r[c], ensure_ascii=False) if c in as_json else r[c]
                                            for c in columns] for r in rows))
        return
    columns = list(rows[0])
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    _executemany(s, table, sql, columns, [[r[c] for c in columns] for r in rows])


def update_rows(s: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Set the given columns of rows by id. PostgreSQL: the values are copied into a temporary table
    and applied by one UPDATE … FROM; SQLite (in process, no round trips): one plain executemany."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "id"]
    if s.get_bind().dialect.name == "postgresql":
        stage = f"stage_{table.name}"
        s.execute(text(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
                       f"SELECT id, {', '.join(columns)} FROM {table.name} WITH NO DATA"))
        copy_rows(s, stage, ["id", *columns], ([r["id"], *(r[c] for c in columns)] for r in rows))
        s.execute(text(f"ANALYZE {stage}"))
        sets = ", ".join(f"{c} = {stage}.{c}" for c in columns)
        s.execute(text(f"UPDATE {table.name} SET {sets} FROM {stage} WHERE {table.name}.id = {stage}.id"))
        s.execute(text(f"DROP TABLE {stage}"))
        return
    sql = f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"
    _executemany(s, table, sql, [*columns, "id"], [[*(r[c] for c in columns), r["id"]] for r in rows])


def _executemany(s: Session, table: Table, sql: str, columns: Sequence[str], rows: list[list[Any]]) -> None:
    """SQLite: each value passed through its column type's bind processor (yuan to fen, times to text,
    JSON to text) as SQLAlchemy would, then one plain executemany: no statement compiled per batch,
    no parameter dictionaries."""
    dialect = s.get_bind().dialect
    processors = [(k, p) for k, c in enumerate(columns)
                  if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    for row in rows:
        for k, process in processors:
            row[k] = process(row[k])
    conn = s.connection()
    for i in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, [tuple(r) for r in rows[i:i + CHUNK]])
