"""Backups of the SQLite database: online (while counters work), daily, kept for N days, restorable.

Each backup `gasdesk-YYYYMMDD-HHMMSS.sqlite` has a manifest beside it (`….sqlite.manifest.json`:
SHA-256 and size of the file, row counts, the audit chain's head, schema version, time) and adds its
audit head to the folder's anchor file. A restore believes nothing it has not checked: the file must
match its manifest, and a temporary copy must pass SQLite's integrity check, carry a known schema,
the manifest's row counts and audit head, an unbroken audit chain, sealed rows that match their seals
and balances that match payments and bills — before the live file is touched. It holds the
database's lock exclusively, so it refuses while any counter has the database open.

Attachments (inspectors' photos, scans) travel with it: every file the backed-up database refers to,
and only those, is copied from the files folder into `gasdesk-….files/` beside the backup (the same
`attachments/<order>/<sha256><suffix>` layout), checked against the SHA-256 the database recorded and
listed with its checksum in the manifest; a file unchanged since an earlier backup is hard-linked
from it, so thirty daily backups do not keep thirty copies of every photo. A file referred to but
missing or altered in the files folder cannot be backed up: the backup says so and lists it. A
restore brings back every referred file, each checked again, into the restored database's files
folder, before the database is swapped; if one is neither in the backup nor already in that folder
unaltered, it refuses, naming them, unless told to accept the loss.

Files are written through `.partial` names and renamed; leftovers of a killed backup are cleaned.
Backups, manifests and the anchor file are readable by their owner only.

PostgreSQL is backed up with the server's own tools (pg_dump), see the README; `take_files_backup` /
`restore_files` do the same for its attachments (a `.files` folder and its own manifest), run beside
pg_dump and after pg_restore.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from gasdesk import db, dblock
from gasdesk.models import Base
from gasdesk.services import anchors
from gasdesk.services import attachments as attached
from gasdesk.services import audit as audit_trail
from gasdesk.services import settings as settings_store
from gasdesk.services.context import App
from gasdesk.services.errors import Refused
from gasdesk.services.file_guard import create_owner_only, database_file

log = logging.getLogger(__name__)

_NAME = re.compile(r"gasdesk-(\d{8})-(\d{6})\.sqlite$")
MANIFEST_SUFFIX = anchors.MANIFEST_SUFFIX
FILES_SUFFIX = ".files"
STALE_PARTIAL_SECONDS = 3600
ACCEPT_MISSING_HINT = "如确认不要这些附件也要恢复，请加 --accept-missing-files 再次恢复"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int
    attachments: int = 0
    # Files the database refers to that were missing or altered in the files folder: not backed up.
    missing: tuple[attached.StoredFile, ...] = ()

    @property
    def manifest(self) -> Path:
        return manifest_path(self.path)


@dataclass
class FilesRestore:
    """The attachments of a restore: brought back from the backup, already in place, or missing."""
    folder: Path
    from_backup: list[attached.StoredFile] = field(default_factory=list)
    present: int = 0
    missing: list[attached.StoredFile] = field(default_factory=list)

    def text(self) -> str:
        total = len(self.from_backup) + self.present
        return f"附件 {total} 个（从备份复制 {len(self.from_backup)} 个，附件文件夹中原已有 {self.present} 个）"


@dataclass(frozen=True)
class RestoreInfo:
    target: Path
    kept: Path | None
    manifest: dict[str, Any]
    report: audit_trail.AuditReport
    files: FilesRestore


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def files_path(backup: Path) -> Path:
    """The folder of a backup's attachments: `gasdesk-….files` beside `gasdesk-….sqlite`."""
    return backup.with_name(backup.stem + FILES_SUFFIX)


def listed(files: Sequence[attached.StoredFile], limit: int = 10) -> str:
    shown = "、".join(f.shown for f in files[:limit])
    return shown + (f"等 {len(files)} 个" if len(files) > limit else "")


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
    """Remove `.partial` files and attachment folders a killed backup left behind (older than
    `older_than` seconds)."""
    removed = []
    cutoff = time.time() - older_than
    for path in folder.glob("*.partial"):
        try:
            if path.stat().st_mtime < cutoff:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


@contextmanager
def _read_only(path: Path) -> Iterator[Session]:
    """A session on a SQLite file opened read-only (nothing of it changes, not even its journal mode)."""
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True),
                           poolclass=NullPool)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _write_owner_only(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _copy_attachments(refs: Sequence[attached.StoredFile], source: Path, target: Path,
                      earlier: Path | None) -> tuple[list[dict[str, Any]], list[attached.StoredFile]]:
    """Copy the referred files from the files folder `source` into the backup's folder `target`, each
    checked against its recorded SHA-256 (in the files folder and again as written). A file an earlier
    backup holds unchanged is hard-linked from it. Returns the manifest's list and what was missing."""
    copied: list[dict[str, Any]] = []
    missing: list[attached.StoredFile] = []
    for ref in refs:
        try:
            relative = attached.view_path(ref.path)
            data = (source / relative).read_bytes()
        except (OSError, Refused):  # gone, unreadable, or a path outside the files folder
            missing.append(ref)
            continue
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            missing.append(ref)
            continue
        dest = target / relative
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        old = earlier / relative if earlier is not None else None
        try:
            if old is None or not old.is_file() or sha256_of(old) != ref.sha256:
                raise FileNotFoundError
            os.link(old, dest)
        except OSError:
            _write_owner_only(dest, data)
        if sha256_of(dest) != ref.sha256:
            raise Refused(f"备份附件校验失败：{ref.shown}写入后与原文件不符")
        copied.append({"path": ref.path, "sha256": ref.sha256, "size": len(data)})
    return copied, missing


def _earlier_files(folder: Path, name: str) -> Path | None:
    """The newest other backup's attachment folder in the backup folder, to hard-link from."""
    found = sorted(p for p in folder.glob(f"gasdesk-*{FILES_SUFFIX}") if p.is_dir() and p.name != name)
    return found[-1] if found else None


def _place_files(partial: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    partial.replace(target)


def _attachment_manifest(folder: Path, copied: list[dict[str, Any]],
                         missing: Sequence[attached.StoredFile]) -> dict[str, Any]:
    return {"folder": folder.name, "files": copied,
            "missing": [{"path": m.path, "order": m.order_number, "sha256": m.sha256} for m in missing]}


def take_backup(app: App, folder: Path | None = None, *, now: datetime | None = None) -> BackupInfo:
    """An online copy through SQLite's backup API (consistent even while others write), verified,
    with its manifest; its audit head is added to the folder's anchors."""
    source = sqlite_path(app.url)
    now = now or app.clock.now()
    folder = anchors.owner_only_dir(folder or backup_dir())
    clean_partials(folder)
    target = folder / f"gasdesk-{now:%Y%m%d-%H%M%S}.sqlite"
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    files = files_path(target)
    files_partial = files.with_name(f"{files.name}.{os.getpid()}.partial")
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
        facts = describe_file(partial)
        # The attachments the copy refers to (not the live database's: it may have moved on since).
        with _read_only(partial) as s:
            refs, live_files = attached.references(s), attached.folder_of(s, app.url)
        files_partial.mkdir(mode=0o700)
        copied, missing = _copy_attachments(refs, live_files, files_partial, _earlier_files(folder, files.name))
        manifest = {
            "format": 1, "file": target.name, "size": partial.stat().st_size, "sha256": sha256_of(partial),
            "taken_at": now.isoformat(), "written_at": datetime.now().isoformat(timespec="microseconds"),
            "database": anchors.database_key(app.url), **facts,
            "attachments": _attachment_manifest(files, copied, missing),
        }
        partial.replace(target)
        _place_files(files_partial, files)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(files_partial, ignore_errors=True)
    anchors.write_private(manifest_path(target), json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    head = manifest["audit"]
    anchors.record(folder, app.url, kind="backup", entry_id=head["entry_id"], head=head["head"],
                   source=f"备份 {target.name}", entries=head["entries"])
    return BackupInfo(target, now, target.stat().st_size, len(copied), tuple(missing))


def take_files_backup(app: App, folder: Path | None = None, *, now: datetime | None = None) -> BackupInfo:
    """PostgreSQL: the database is pg_dump's (see the README); this copies the attachments it refers to
    into `gasdesk-….files/` with a manifest (checksums, the audit head), as take_backup does beside a
    SQLite backup. Run it right after pg_dump: a later copy holds every file the dump refers to."""
    now = now or app.clock.now()
    folder = anchors.owner_only_dir(folder or backup_dir())
    clean_partials(folder)
    files = folder / f"gasdesk-{now:%Y%m%d-%H%M%S}{FILES_SUFFIX}"
    files_partial = files.with_name(f"{files.name}.{os.getpid()}.partial")
    with app.reading() as s:
        refs, live_files = attached.references(s), attached.folder_of(s, app.url)
        entry_id, head = audit_trail.head(s)
    try:
        files_partial.mkdir(mode=0o700)
        copied, missing = _copy_attachments(refs, live_files, files_partial, _earlier_files(folder, files.name))
        _place_files(files_partial, files)
    finally:
        shutil.rmtree(files_partial, ignore_errors=True)
    manifest = {
        "format": 1, "kind": "files", "taken_at": now.isoformat(),
        "written_at": datetime.now().isoformat(timespec="microseconds"), "database": anchors.database_key(app.url),
        "audit": {"entry_id": entry_id, "head": head}, "attachments": _attachment_manifest(files, copied, missing),
    }
    anchors.write_private(manifest_path(files), json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    anchors.record(folder, app.url, kind="backup", entry_id=entry_id, head=head, source=f"附件备份 {files.name}")
    return BackupInfo(files, now, sum(int(c["size"]) for c in copied), len(copied), tuple(missing))


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
        shutil.rmtree(files_path(path), ignore_errors=True)
    return removed


def daily_backup(app: App, folder: Path | None = None) -> BackupInfo | None:
    """Take today's backup unless one exists; prune old ones. Called when the application starts."""
    if not app.is_sqlite:
        return None
    now = app.clock.now()
    if any(b.taken_at.date() == now.date() for b in list_backups(folder)):
        return None
    info = take_backup(app, folder, now=now)
    if info.missing:  # counted only: the names may be personal
        log.warning("daily backup: %d attachment file(s) missing or altered in the files folder", len(info.missing))
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


def _verify_copy(copy: Path, manifest: dict[str, Any],
                 target_url: str) -> tuple[audit_trail.AuditReport, list[attached.StoredFile], Path]:
    """Everything a restored database must be, checked on a copy. Raises Refused with the reasons.
    Returns the audit report, the attachment files the copy refers to, and its files folder once it
    is `target_url`."""
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
            refs, files = attached.references(session), attached.folder_of(session, target_url)
            session.rollback()
    finally:
        engine.dispose()
    if report.head_hash != manifest["audit"]["head"] and facts["schema"] == db.HEAD:
        raise Refused("备份文件的审计链首与清单不符，不能恢复")
    if not report.ok:
        shown = "；".join(p.text for p in report.problems[:5])
        more = f"等 {len(report.problems)} 处" if len(report.problems) > 5 else ""
        raise Refused(f"备份文件的数据未通过审计核对，不能恢复：{shown}{more}")
    return report, refs, files


def _holds(path: Path, sha: str) -> bool:
    try:
        return path.is_file() and sha256_of(path) == sha
    except OSError:
        return False


def _listed_files(manifest: dict[str, Any]) -> dict[str, str]:
    """The manifest's attachment files: stored path → SHA-256 (none in a backup older than them)."""
    try:
        return {str(f["path"]): str(f["sha256"]) for f in (manifest.get("attachments") or {}).get("files", [])}
    except (KeyError, TypeError, AttributeError) as exc:
        raise Refused("备份清单的附件部分无法读取，不能恢复") from exc


def _files_plan(refs: Sequence[attached.StoredFile], backup_files: Path, listed_files: dict[str, str],
                target: Path) -> FilesRestore:
    """Where each referred file will come from: the backup (listed in its manifest with the SHA-256 the
    database recorded, and unaltered), or the files folder already holding it unaltered; else it is
    missing."""
    plan = FilesRestore(target)
    for ref in refs:
        relative = attached.view_path(ref.path)
        if listed_files.get(ref.path) == ref.sha256 and _holds(backup_files / relative, ref.sha256):
            plan.from_backup.append(ref)
        elif _holds(target / relative, ref.sha256):
            plan.present += 1
        else:
            plan.missing.append(ref)
    return plan


def _refuse_missing(plan: FilesRestore, accept_missing: bool) -> None:
    if plan.missing and not accept_missing:
        raise Refused(f"备份中缺少 {len(plan.missing)} 个附件（或已被改动），附件文件夹中也没有，不能恢复："
                      f"{listed(plan.missing)}。{ACCEPT_MISSING_HINT}")


def _bring_back(plan: FilesRestore, backup_files: Path) -> None:
    """Copy the files the plan takes from the backup into the files folder, each checked again."""
    for ref in plan.from_backup:
        relative = attached.view_path(ref.path)
        data = (backup_files / relative).read_bytes()
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            raise Refused(f"复制附件时内容发生变化（{ref.shown}），不能恢复")
        try:
            attached.store(plan.folder / relative, data, ref.sha256)
        except OSError as exc:
            raise Refused(f"附件无法写入附件文件夹 {plan.folder}（{exc.strerror}），不能恢复") from exc


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


def restore(backup: Path, target_url: str, *, anchor_folder: Path | None = None,
            accept_missing_files: bool = False) -> RestoreInfo:
    """Replace the database file with a verified backup; the current file is kept beside it first.
    The attachment files it refers to are brought back into its files folder first.

    Refused, with the live file untouched, when the backup is empty, unrelated, altered or fails any
    check, while any counter has the database open, or when a file it refers to is neither in the
    backup nor in the files folder (unless `accept_missing_files`: then RestoreInfo.files lists them).
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
        report, refs, files = _verify_copy(copy, manifest, target_url)
        plan = _files_plan(refs, files_path(backup), _listed_files(manifest), files)
        _refuse_missing(plan, accept_missing_files)
        _bring_back(plan, files_path(backup))
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
    return RestoreInfo(target, kept, manifest, report, plan)


def restore_files(backup: Path, url: str, *, anchor_folder: Path | None = None,
                  accept_missing_files: bool = False) -> FilesRestore:
    """PostgreSQL, after pg_restore: bring back the attachment files the restored database refers to
    from a `take_files_backup` folder (or its manifest), each checked against its SHA-256. Refused,
    nothing written, when one is neither in the backup nor already in the files folder (unless
    `accept_missing_files`). The restore is recorded in the anchor file with the database's head."""
    folder = backup.with_name(backup.name.removesuffix(MANIFEST_SUFFIX))
    manifest = manifest_path(folder)
    if not folder.is_dir() or not manifest.is_file():
        raise Refused(f"找不到附件备份 {folder.name} 或其清单（{manifest.name}）")
    try:
        facts = json.loads(manifest.read_text(encoding="utf-8"))
        known = _listed_files(facts) if isinstance(facts, dict) and "attachments" in facts else None
    except (OSError, ValueError) as exc:
        raise Refused(f"附件备份清单 {manifest.name} 无法读取，不能恢复") from exc
    if known is None:
        raise Refused(f"{manifest.name} 不是附件备份的清单，不能恢复")
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            refs, files = attached.references(session), attached.folder_of(session, url)
            entry_id, head = audit_trail.head(session)
            session.rollback()
    finally:
        engine.dispose()
    plan = _files_plan(refs, folder, known, files)
    _refuse_missing(plan, accept_missing_files)
    _bring_back(plan, folder)
    anchors.record(anchor_folder or folder.parent, url, kind="restore", entry_id=entry_id, head=head,
                   source=f"从附件备份 {folder.name} 恢复附件")
    return plan
