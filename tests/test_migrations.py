"""Migrations build the schema on an empty database, and the models match them exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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
    from alembic import command

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
