"""Migrations build the schema on an empty database, and the models match them exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from gasdesk import db
from gasdesk.db import include_object
from gasdesk.models import Base
from gasdesk.services.context import App


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
