"""Shared fixtures: an application over a fresh database, on SQLite and (when configured) PostgreSQL.

PostgreSQL tests run when GASDESK_TEST_PG_URL names a server (CI sets it); otherwise they skip
with the reason. Every test gets an empty, migrated database: SQLite copies a migrated template
file; PostgreSQL migrates one scratch database per session and truncates it between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import create_engine, text

from gasdesk import db
from gasdesk.clock import FixedClock
from gasdesk.services.context import App

PG_ENV = "GASDESK_TEST_PG_URL"
START = datetime(2026, 11, 27, 10, 0)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 at production strength costs ~80 ms a hash; tests create many staff."""
    from argon2 import PasswordHasher

    from gasdesk.services import staff

    strong = staff._hasher
    staff._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    staff._hasher = strong


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need a server: set {PG_ENV}=postgresql+psycopg://user@host/db")
    from gasdesk.config import normalise_url

    base = normalise_url(base)
    name = f"gasdesk_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as c:
        tables = [r[0] for r in c.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        # audit_log refuses TRUNCATE (migration 0008); a superuser's replica session skips that trigger
        c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "gasdesk.sqlite"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    _truncate_pg(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def app(db_url: str, clock: FixedClock) -> Iterator[App]:
    application = App(db_url, clock, migrate=False)
    yield application
    application.dispose()
