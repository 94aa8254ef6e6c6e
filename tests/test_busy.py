"""A write that finds the database locked by another counter or program waits a bounded time, then is
refused with a Chinese message (Busy) and writes nothing -- on SQLite (busy_timeout) and PostgreSQL
(lock_timeout)."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text

from gasdesk.models import Customer
from gasdesk.services.audit import _AUDIT_LOCK_KEY
from gasdesk.services.context import BUSY_MESSAGE, App
from gasdesk.services.errors import Busy, Conflict
from tests.helpers import make_team, resident


@contextmanager
def held_lock(url: str) -> Iterator[None]:
    """Another connection holds what every write takes first: SQLite's write lock, PostgreSQL's audit
    chain lock."""
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = create_engine(url)
    with engine.connect() as c:
        c.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
        try:
            yield
        finally:
            c.rollback()
    engine.dispose()


def test_a_locked_database_refuses_after_a_bounded_wait(app, db_url, clock):
    team = make_team(app)
    window_app = App(db_url, clock, migrate=False, busy_timeout=1.0)
    try:
        with app.reading() as s:
            before = s.scalar(select(func.count()).select_from(Customer))
        with held_lock(db_url):
            started = time.monotonic()
            with pytest.raises(Busy) as caught:
                resident(window_app, team.clerk, "阚三")
            waited = time.monotonic() - started
        assert isinstance(caught.value, Conflict)  # callers that handle a conflict handle this too
        assert caught.value.message == BUSY_MESSAGE and not re.search(r"[A-Za-z]", BUSY_MESSAGE)
        assert 0.5 <= waited < 10  # waited for the lock, boundedly
        with app.reading() as s:
            assert s.scalar(select(func.count()).select_from(Customer)) == before  # nothing written
        resident(window_app, team.clerk, "阚三")  # the lock released: it goes through
    finally:
        window_app.dispose()
