"""Backups of the SQLite database: online (while counters work), daily, kept for N days, restorable.

Each backup `gasdesk-YYYYMMDD-HHMMSS.sqlite` has a manifest beside it (`….sqlite.manifest.json`:
SHA-256 and size of the file, row counts, the audit chain's head, schema version, time) and adds its
audit head to the folder's anchor file. A restore believes nothing it has not checked: the file must
match its manifest, and a temporary copy must pass SQLite's integrity check, carry a known schema,
the manifest's row counts and audit head, an unbroken audit chain, sealed rows that match their seals
and balances that match payments and bills — before the live file is touched. It holds the
database's lock exclusively, so it refuses while any counter has the database open.

Files are written through `.partial` names and renamed; leftovers of a killed backup are cleaned.
Backups, manifests and the anchor file are readable by their owner only.

PostgreSQL is backed up with the server's own tools (pg_dump), see the README.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gasdesk import db, dblock
from gasdesk.models import Base
from gasdesk.services import anchors
from gasdesk.services import audit as audit_trail
from gasdesk.services import settings as settings_store
from gasdesk.services.context import App
from gasdesk.services.errors import Refused
from gasdesk.services.file_guard import create_owner_only, database_file

_NAME = re.compile(r"gasdesk-(\d{8})-(\d{6})\.sqlite$")
MANIFEST_SUFFIX = anchors.MANIFEST_SUFFIX
STALE_PARTIAL_SECONDS = 3600


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int

    @property
    def manifest(self) -> Path:
        return manifest_path(self.path)


@dataclass(frozen=True)
class RestoreInfo:
    target: Path
    kept: Path | None
    manifest: dict[str, Any]
    report: audit_trail.AuditReport


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def backup_dir() -> Path:
    return anchors.default_folder()


def sqlite_path(url: str) -> Path:
    if not db.is_sqlite(url):
        raise Refused("PostgreSQL 数据库请使用服务器的 pg_dump 备份（见 README）")
    path = database_file(url)
    if path is None:
        raise Refused("内存数据库无法备份")
    return path


def check_integrity(path: Path) -> str:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return str(con.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return f"不是有效的数据库文件（{exc}）"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_file(path: Path) -> dict[str, Any]:
    """Schema version, row counts and audit head of a SQLite file (read with sqlite3, read-only)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            schema = con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            schema = None
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = {t.name: int(con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0])
                for t in Base.metadata.sorted_tables if t.name in tables}
        head = (con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
                if "audit_log" in tables else None)
    finally:
        con.close()
    return {
        "schema": schema[0] if schema else None,
        "rows": rows,
        "audit": {"entry_id": head[0] if head else None, "head": head[1] if head else audit_trail.GENESIS,
                  "entries": rows.get("audit_log", 0)},
    }


def clean_partials(folder: Path, *, older_than: float = STALE_PARTIAL_SECONDS) -> list[Path]:
    """Remove `.partial` files a killed backup left behind (older than `older_than` seconds)."""
    removed = []
    cutoff = time.time() - older_than
    for path in folder.glob("*.partial"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


def take_backup(app: App, folder: Path | None = None, *, now: datetime | None = None) -> BackupInfo:
    """An online copy through SQLite's backup API (consistent even while others write), verified,
    with its manifest; its audit head is added to the folder's anchors."""
    source = sqlite_path(app.url)
    now = now or app.clock.now()
    folder = anchors.owner_only_dir(folder or backup_dir())
    clean_partials(folder)
    target = folder / f"gasdesk-{now:%Y%m%d-%H%M%S}.sqlite"
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        create_owner_only(partial)
        src = sqlite3.connect(str(source), timeout=30)
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst, pages=1024)
        finally:
            dst.close()
            src.close()
        if (result := check_integrity(partial)) != "ok":
            raise Refused(f"备份校验失败：{result}")
        manifest = {
            "format": 1, "file": target.name, "size": partial.stat().st_size, "sha256": sha256_of(partial),
            "taken_at": now.isoformat(), "written_at": datetime.now().isoformat(timespec="microseconds"),
            "database": anchors.database_key(app.url), **describe_file(partial),
        }
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    anchors.write_private(manifest_path(target), json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    head = manifest["audit"]
    anchors.record(folder, app.url, kind="backup", entry_id=head["entry_id"], head=head["head"],
                   source=f"备份 {target.name}", entries=head["entries"])
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
    """Delete backup files older than keep_days (the newest one is always kept), with their manifests.
    Their audit heads stay in the anchor file."""
    backups = list_backups(folder)
    cutoff = today - timedelta(days=keep_days)
    removed = [b.path for b in backups[:-1] if b.taken_at.date() < cutoff]
    for path in removed:
        path.unlink(missing_ok=True)
        manifest_path(path).unlink(missing_ok=True)
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


# --- restore --------------------------------------------------------------------------------------

def read_manifest(backup: Path) -> dict[str, Any]:
    """The backup's manifest, after checking the file is the one it describes."""
    if not backup.is_file():
        raise Refused(f"找不到备份文件 {backup}")
    if backup.stat().st_size == 0:
        raise Refused(f"备份文件 {backup.name} 是空的（0 字节），不能恢复")
    path = manifest_path(backup)
    if not path.is_file():
        raise Refused(f"备份文件 {backup.name} 没有清单（{path.name}）：无法确认它是本系统完整的备份，不能恢复")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        expected_sha, expected_size = str(manifest["sha256"]), int(manifest["size"])
        manifest["audit"]["head"], manifest["rows"], manifest["schema"]  # noqa: B018 - present
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Refused(f"备份清单 {path.name} 无法读取或不完整，不能恢复") from exc
    if backup.stat().st_size != expected_size or sha256_of(backup) != expected_sha:
        raise Refused(f"备份文件 {backup.name} 与其清单不符（大小或 SHA-256 不同）：文件已被改动或损坏，不能恢复")
    return manifest


def _known_revision(revision: Any) -> bool:
    return isinstance(revision, str) and bool(revision) and any(
        (db.MIGRATIONS / "versions").glob(f"{revision}_*.py"))


def _verify_copy(copy: Path, manifest: dict[str, Any]) -> audit_trail.AuditReport:
    """Everything a restored database must be, checked on a copy. Raises Refused with the reasons."""
    if (result := check_integrity(copy)) != "ok":
        raise Refused(f"备份文件已损坏，不能恢复（完整性校验：{result}）")
    facts = describe_file(copy)
    if facts["schema"] is None:
        raise Refused("备份文件不是本系统的数据库（没有数据库结构版本），不能恢复")
    if facts["schema"] != manifest["schema"] or not _known_revision(facts["schema"]):
        raise Refused(f"备份文件的数据库结构版本（{facts['schema']}）与清单或本程序不符，不能恢复")
    if facts["rows"] != manifest["rows"] or facts["audit"]["head"] != manifest["audit"]["head"]:
        raise Refused("备份文件的记录数或审计链首与清单不符，不能恢复")
    engine = db.make_engine(f"sqlite:///{copy}")
    try:
        db.upgrade(engine)  # an older schema is brought up to date on the copy, as the counters would
        with Session(engine) as session:
            report = audit_trail.check(session)
            session.rollback()
    finally:
        engine.dispose()
    if report.head_hash != manifest["audit"]["head"] and facts["schema"] == db.HEAD:
        raise Refused("备份文件的审计链首与清单不符，不能恢复")
    if not report.ok:
        shown = "；".join(p.text for p in report.problems[:5])
        more = f"等 {len(report.problems)} 处" if len(report.problems) > 5 else ""
        raise Refused(f"备份文件的数据未通过审计核对，不能恢复：{shown}{more}")
    return report


def _copy_owner_only(source: Path, target: Path) -> None:
    create_owner_only(target)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def restore(backup: Path, target_url: str, *, anchor_folder: Path | None = None) -> RestoreInfo:
    """Replace the database file with a verified backup; the current file is kept beside it first.

    Refused, with the live file untouched, when the backup is empty, unrelated, altered or fails any
    check, or while any counter has the database open.
    """
    manifest = read_manifest(backup)
    target = sqlite_path(target_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock = dblock.DatabaseLock(target, exclusive=True)
    except dblock.LockBusy as exc:
        raise Refused("还有柜台程序正在使用该数据库：请先在每个柜台退出程序，再恢复备份") from exc
    copy = target.with_name(target.name + ".restoring")
    try:
        _remove_sidecars(copy)
        copy.unlink(missing_ok=True)
        create_owner_only(copy)
        with backup.open("rb") as src, copy.open("wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        if sha256_of(copy) != manifest["sha256"]:
            raise Refused("复制备份文件时内容发生变化，不能恢复")
        report = _verify_copy(copy, manifest)
        _remove_sidecars(copy)
        kept = None
        if target.exists() and target.stat().st_size > 0:
            kept = target.with_name(target.name + f".before-restore-{datetime.now():%Y%m%d-%H%M%S}")
            _copy_owner_only(target, kept)
        _remove_sidecars(target)
        os.replace(copy, target)
        if os.name == "posix":
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        _remove_sidecars(copy)
        copy.unlink(missing_ok=True)
        lock.release()
    anchors.record(anchor_folder or backup.parent, target_url, kind="restore",
                   entry_id=manifest["audit"]["entry_id"], head=manifest["audit"]["head"],
                   source=f"从备份 {backup.name} 恢复")
    return RestoreInfo(target, kept, manifest, report)
