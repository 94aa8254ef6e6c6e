"""Migrations build the schema on an empty database, and the models match them exactly.

The schema the migrations build up to 0011 is recorded in tests/fixtures/schema-0011-sqlite.txt and
schema-0011-postgresql.txt, as the migrations written by Alembic's autogenerate built it before they
were rewritten with gasdesk.migrations.kit: a fresh database migrated today must give the same text,
to the letter. A migration, once released, never changes what it builds; newer revisions do not
touch these files.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from gasdesk import db
from gasdesk.db import include_object
from gasdesk.models import Base
from gasdesk.services.context import App
from gasdesk.services.customers import CustomerService


def test_upgrade_empty_database_and_models_match(db_url):
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(mc, Base.metadata)
    engine.dispose()
    assert diff == []


def test_fresh_sqlite_file_is_migrated_on_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    app = App(url)
    with app.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    app.dispose()
    App(url).dispose()  # starting again on a migrated database changes nothing


def test_head_constant_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head() == db.HEAD


def test_search_quads_are_filled_for_the_customers_already_there(db_url):
    """0012 on a database with customers: every customer is found by four characters or more at once,
    on PostgreSQL from the runs of four the migration wrote (SQLite's index is untouched)."""
    from tests.helpers import make_team, resident

    app = App(db_url, migrate=False)
    team = make_team(app)
    resident(app, team.clerk, "欧阳晓明", address="安顺市西秀区塔山东路18号锦绣花园3栋")
    resident(app, team.clerk, "李娜", address="安顺市西秀区中华南路6号")
    app.dispose()
    cfg = db.alembic_config(db_url)
    command.downgrade(cfg, "0011")
    command.upgrade(cfg, "head")
    app = App(db_url, migrate=False)
    found = {q: [h.customer.name for h in CustomerService(app, team.manager).search(q).hits]
             for q in ("塔山东路", "锦绣花园3栋", "欧阳晓明", "西秀区中华", "中华南路6号", "山东路1")}
    app.dispose()
    assert found == {"塔山东路": ["欧阳晓明"], "锦绣花园3栋": ["欧阳晓明"], "欧阳晓明": ["欧阳晓明"],
                     "西秀区中华": ["李娜"], "中华南路6号": ["李娜"], "山东路1": ["欧阳晓明"]}


# --- the schema each revision builds -------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = "0011"  # the revision whose schema the fixture files hold


def _sqlite_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")).all()
    return "".join(f"{kind} {name} on {table}\n{sql}\n\n" for kind, name, table, sql in rows)


# Every relation, column, constraint, index, trigger and function of the public schema, sorted.
_PG_CATALOG = {
    "relations": """SELECT c.relname, c.relkind FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1""",
    "columns": """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                         pg_get_expr(d.adbin, d.adrelid)
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                    AND a.attnum > 0 AND NOT a.attisdropped
                  ORDER BY c.relname, a.attnum""",
    "constraints": """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""",
    "indexes": """SELECT tablename, indexname, indexdef FROM pg_indexes
                  WHERE schemaname = 'public' ORDER BY 1, 2""",
    "triggers": """SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger
                   WHERE NOT tgisinternal ORDER BY 1, 2""",
    "functions": """SELECT proname, pg_get_functiondef(oid) FROM pg_proc
                    WHERE pronamespace = 'public'::regnamespace ORDER BY 1""",
}


def _pg_schema(engine: Engine) -> str:
    out = []
    with engine.connect() as conn:
        for part, sql in _PG_CATALOG.items():
            out.append(f"-- {part}\n")
            out += ["\t".join(str(v) for v in row) + "\n" for row in conn.execute(text(sql))]
    return "".join(out)


def schema_text(engine: Engine) -> str:
    return _sqlite_schema(engine) if engine.dialect.name == "sqlite" else _pg_schema(engine)


def _migrate(engine: Engine, how: str, revision: str) -> None:
    cfg = db.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        (command.upgrade if how == "up" else command.downgrade)(cfg, revision)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database nothing has migrated yet: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        yield engine
        engine.dispose()
        return
    base = os.environ.get("GASDESK_TEST_PG_URL")
    if not base:
        pytest.skip("PostgreSQL tests need a server: set GASDESK_TEST_PG_URL=postgresql+psycopg://user@host/db")
    from gasdesk.config import normalise_url

    base = normalise_url(base)
    name = f"gasdesk_schema_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = db.make_engine(base.rsplit("/", 1)[0] + "/" + name)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_build_the_recorded_schema(empty_engine):
    _migrate(empty_engine, "up", RECORDED)
    recorded = (FIXTURES / f"schema-{RECORDED}-{empty_engine.dialect.name}.txt").read_text(encoding="utf-8")
    assert schema_text(empty_engine) == recorded


def test_each_downgrade_undoes_its_upgrade(empty_engine):
    """Up one revision at a time to the newest, then down one at a time: at each revision the schema
    on the way down is the schema on the way up, and at the bottom only Alembic's own table is left."""
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    revisions = [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]
    assert revisions[0] == "0001" and revisions[-1] == db.HEAD
    up = {}
    for revision in revisions:
        _migrate(empty_engine, "up", revision)
        up[revision] = schema_text(empty_engine)
    for revision in reversed(revisions[:-1]):
        _migrate(empty_engine, "down", revision)
        assert schema_text(empty_engine) == up[revision], revision
    _migrate(empty_engine, "down", "base")
    left = schema_text(empty_engine)
    assert "alembic_version" in left
    assert "customer" not in left and "digest" not in left and "gasdesk_audit" not in left


def test_a_new_script_has_a_minimal_header_and_runs(tmp_path):
    """`alembic revision --autogenerate` with our env.py and template, on an empty database: the script
    names its revisions and imports what it uses (our types' modules, Text for JSONB), nothing more;
    it runs and leaves the database matching the models."""
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    for name in ("env.py", "script.py.mako"):
        (scripts / name).write_text((db.MIGRATIONS / name).read_text(encoding="utf-8"), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    cfg = db.alembic_config(url)
    cfg.set_main_option("script_location", str(scripts))
    command.revision(cfg, message="everything", autogenerate=True, rev_id="0001")
    script = (scripts / "versions" / "0001_everything.py").read_text(encoding="utf-8")
    head = script.split("def upgrade", 1)[0]
    assert "revision = '0001'\ndown_revision = None\n" in head
    assert "branch_labels" not in head and "depends_on" not in head and "Sequence" not in head
    assert {"import gasdesk.models.base", "import gasdesk.models.billing", "from sqlalchemy import Text"} <= set(
        head.splitlines())
    engine = db.make_engine(url)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
            assert compare_metadata(mc, Base.metadata) == []
    finally:
        engine.dispose()
