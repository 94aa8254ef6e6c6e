"""Backups of the SQLite database: online (while counters work), daily, kept for N days, restorable.

PostgreSQL is backed up with the server's own tools (pg_dump), see the README.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from gasdesk import db
from gasdesk.config import data_dir
from gasdesk.services import settings as settings_store
from gasdesk.services.context import App
from gasdesk.services.errors import Refused

_NAME = re.compile(r"gasdesk-(\d{8})-(\d{6})\.sqlite$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sqlite_path(url: str) -> Path:
    if not db.is_sqlite(url):
        raise Refused("PostgreSQL 数据库请使用服务器的 pg_dump 备份（见 README）")
    database = make_url(url).database
    if not database or database == ":memory:":
        raise Refused("内存数据库无法备份")
    return Path(database)


def check_integrity(path: Path) -> str:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return str(con.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return f"不是有效的数据库文件（{exc}）"


def take_backup(app: App, folder: Path | None = None, *, now: datetime | None = None) -> BackupInfo:
    """An online copy through SQLite's backup API (consistent even while others write), verified."""
    source = sqlite_path(app.url)
    now = now or app.clock.now()
    folder = folder or backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"gasdesk-{now:%Y%m%d-%H%M%S}.sqlite"
    partial = target.with_suffix(".partial")
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(partial))
    try:
        src.backup(dst, pages=1024)
    finally:
        dst.close()
        src.close()
    if (result := check_integrity(partial)) != "ok":
        partial.unlink(missing_ok=True)
        raise Refused(f"备份校验失败：{result}")
    partial.replace(target)
    return BackupInfo(target, now, target.stat().st_size)


def list_backups(folder: Path | None = None) -> list[BackupInfo]:
    folder = folder or backup_dir()
    found = []
    for path in folder.glob("gasdesk-*.sqlite"):
        m = _NAME.search(path.name)
        if m:
            found.append(BackupInfo(path, datetime.strptime(m[1] + m[2], "%Y%m%d%H%M%S"), path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at)


def prune(folder: Path | None, keep_days: int, today: date) -> list[Path]:
    """Delete backup files older than keep_days (the newest one is always kept)."""
    backups = list_backups(folder)
    cutoff = today - timedelta(days=keep_days)
    removed = [b.path for b in backups[:-1] if b.taken_at.date() < cutoff]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def daily_backup(app: App, folder: Path | None = None) -> BackupInfo | None:
    """Take today's backup unless one exists; prune old ones. Called when the application starts."""
    if not app.is_sqlite:
        return None
    now = app.clock.now()
    if any(b.taken_at.date() == now.date() for b in list_backups(folder)):
        return None
    info = take_backup(app, folder, now=now)
    with app.reading() as s:
        keep = int(settings_store.get(s, "backup.keep_days") or 30)
    prune(folder, keep, now.date())
    return info


def restore(backup: Path, target_url: str) -> Path:
    """Replace the database file with a verified backup; the current file is kept beside it first.

    Run it with the application closed on every counter.
    """
    if check_integrity(backup) != "ok":
        raise Refused(f"备份文件 {backup} 已损坏，不能恢复")
    target = sqlite_path(target_url)
    if target.exists():
        keep = target.with_name(target.name + f".before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        src = sqlite3.connect(str(target))
        dst = sqlite3.connect(str(keep))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    tmp = target.with_suffix(".restoring")
    shutil.copyfile(backup, tmp)
    tmp.replace(target)
    if check_integrity(target) != "ok":
        raise Refused("恢复后的数据库校验失败")
    return target
