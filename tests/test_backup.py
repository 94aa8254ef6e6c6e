"""SQLite backups: online copy, daily with retention, verified restore; the CLI around them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gasdesk.cli import main
from gasdesk.models import Customer
from gasdesk.services import backup
from gasdesk.services.context import App
from tests.helpers import make_team, resident


@pytest.fixture
def sqlite_app(tmp_path, clock):
    app = App(f"sqlite:///{tmp_path / 'live.sqlite'}", clock)
    yield app
    app.dispose()


def customers(app):
    with app.reading() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def test_backup_and_restore_round_trip(sqlite_app, tmp_path):
    team = make_team(sqlite_app)
    resident(sqlite_app, team.clerk, "张三")
    info = backup.take_backup(sqlite_app, tmp_path / "bk")
    assert backup.check_integrity(info.path) == "ok"
    resident(sqlite_app, team.clerk, "李四")  # written after the backup
    assert customers(sqlite_app) == 2
    url = sqlite_app.url
    sqlite_app.dispose()
    assert main(["--db", url, "restore", str(info.path)]) == 0
    again = App(url)
    assert customers(again) == 1
    again.dispose()
    assert list(tmp_path.glob("live.sqlite.before-restore-*")), "the replaced database is kept"


def test_daily_backup_once_a_day_and_pruned(sqlite_app, tmp_path, clock):
    folder = tmp_path / "bk"
    make_team(sqlite_app)
    for _day in range(40):
        backup.daily_backup(sqlite_app, folder)
        backup.daily_backup(sqlite_app, folder)  # twice the same day: one file
        clock.advance(days=1)
    kept = backup.list_backups(folder)
    assert len(kept) == 31  # keep_days default 30, plus today
    assert kept[-1].taken_at.date() == (clock.now() - timedelta(days=1)).date()


def test_a_damaged_backup_is_refused(sqlite_app, tmp_path):
    bad = tmp_path / "gasdesk-20261127-100000.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(backup.Refused, match="已损坏"):
        backup.restore(bad, sqlite_app.url)
    assert customers(sqlite_app) == 0


def test_backup_refuses_postgresql():
    with pytest.raises(backup.Refused, match="pg_dump"):
        backup.sqlite_path("postgresql+psycopg://u@h/db")


def test_cli_backup(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert main(["--db", url, "backup", "--to", str(tmp_path / "out")]) == 0
    assert "完整性校验通过" in capsys.readouterr().out
    assert len(list((tmp_path / "out").glob("gasdesk-*.sqlite"))) == 1
