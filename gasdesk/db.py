"""Engines, sessions and migrations for SQLite and PostgreSQL.

SQLite: WAL, foreign keys on, and every write transaction starts with BEGIN IMMEDIATE so two
counters never both read-then-write the same row (the second waits, up to busy_timeout). Reads
go through a second engine with ordinary deferred transactions, so a long read never blocks a
write and vice versa.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration. A database already there opens without loading Alembic at all (a test checks
# this against the migration scripts).
HEAD = "0012"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# How long a write waits for another writer's lock before it gives up (nothing written): long for
# command-line work, short for the counter's window (see gasdesk.ui.app), which says so in Chinese.
BUSY_TIMEOUT = 30.0


def make_engine(url: str, *, immediate: bool = True, busy_timeout: float = BUSY_TIMEOUT, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            create_owner_only(Path(database))
        engine = create_engine(url, connect_args={"timeout": busy_timeout}, hide_parameters=True, **kwargs)
        _configure_sqlite(engine, immediate=immediate, busy_ms=int(busy_timeout * 1000))
        return engine
    # hide_parameters: an error's text never carries the values bound to it (ID numbers, names).
    # lock_timeout bounds every wait for a row, table or advisory lock (SQLSTATE 55P03 past it).
    args = {"options": f"-c lock_timeout={int(busy_timeout * 1000)}"} if busy_timeout != BUSY_TIMEOUT else {}
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=args, **kwargs)


def create_owner_only(path: Path) -> None:
    """Create the file (and its folder) readable by its owner only, if it is not there yet. SQLite gives
    its -wal and -shm files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def error_shape(exc: BaseException) -> str:
    """A database error as it may be logged: its kind, the SQLSTATE and constraint, and the statement
    cut at its first clause boundary -- never the bound values nor the server's message, which quotes
    them ("Key (id_number)=(...) already exists")."""
    from sqlalchemy.exc import StatementError

    parts = [type(exc).__name__]
    orig = getattr(exc, "orig", None)
    if orig is not None:
        parts.append(type(orig).__name__)
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if code:
            parts.append(f"sqlstate={code}")
        diag = getattr(orig, "diag", None)
        for name in ("constraint_name", "table_name", "column_name"):
            value = getattr(diag, name, None) if diag is not None else None
            if value:
                parts.append(f"{name.split('_')[0]}={value}")
        if type(orig).__module__.startswith(("sqlite3", "_sqlite3")):
            # SQLite's messages name the constraint ("UNIQUE constraint failed: payment.reverses_id"),
            # never a value.
            parts.append(str(orig).splitlines()[0][:120])
    if isinstance(exc, StatementError) and exc.statement:
        statement = " ".join(exc.statement.split())
        parts.append(f"statement={statement[:160]}")
    return " ".join(parts)


def _configure_sqlite(engine: Engine, *, immediate: bool, busy_ms: int = 30000) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """What Alembic compares: everything but the search index, which is dialect-specific (an FTS5
    table on SQLite, a tsvector table on PostgreSQL) and lives outside the models."""
    from gasdesk.models.search_index import is_index_table

    return not (type_ == "table" and is_index_table(name))


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (empty and older databases alike)."""
    if current_revision(engine) == HEAD:
        return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
