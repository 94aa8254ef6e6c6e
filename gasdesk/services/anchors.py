"""Chain heads recorded outside the database, so a deleted tail or a recomputed chain shows.

Every backup writes its manifest (with the audit head) beside the backup file, and every backup and
every printed daily cash report (日结) appends a line to `audit-anchors.jsonl` in the backup folder.
`gasdesk audit verify` checks that each recorded head is still in the chain; a head printed on a
signed 日结 can be given by hand (`--anchor ID:HASH`).

A restore from a backup legitimately loses what came after the backup; it appends a restore line,
and anchors recorded before it with a later entry than the restored head no longer apply.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from gasdesk import db
from gasdesk.config import data_dir
from gasdesk.services.audit import Anchor
from gasdesk.services.errors import Refused

ANCHOR_FILE = "audit-anchors.jsonl"
MANIFEST_SUFFIX = ".manifest.json"


def database_key(url: str) -> str:
    """Which database an anchor belongs to: the SQLite file's absolute path, or server/port/name."""
    u = make_url(url)
    if db.is_sqlite(url):
        return str(Path(u.database or "").resolve())
    return f"postgresql://{u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}"


def default_folder() -> Path:
    """Where backups, their manifests and the anchor file go unless told otherwise."""
    return owner_only_dir(data_dir() / "backups")


def owner_only_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only, through a .partial file renamed into place."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def record(folder: Path, url: str, *, kind: str, entry_id: int | None, head: str, source: str,
           **extra: Any) -> None:
    """Append one line to the folder's anchor file (created owner-only)."""
    owner_only_dir(folder)
    line = {"kind": kind, "database": database_key(url), "entry_id": entry_id, "hash": head, "source": source,
            "recorded_at": datetime.now().isoformat(timespec="microseconds"), **extra}
    fd = os.open(folder / ANCHOR_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


@dataclass(frozen=True)
class _Recorded:
    anchor: Anchor
    at: str
    kind: str


def _lines(folder: Path, key: str) -> list[_Recorded]:
    path = folder / ANCHOR_FILE
    if not path.exists():
        return []
    found = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(line, dict) or line.get("database") != key or not line.get("hash"):
            continue
        found.append(_Recorded(Anchor(str(line["hash"]), line.get("entry_id"),
                                      f"锚点文件第 {n} 行（{line.get('source', '')}）"),
                               str(line.get("recorded_at", "")), str(line.get("kind", ""))))
    return found


def _manifests(folder: Path, key: str) -> list[_Recorded]:
    found = []
    for path in sorted(folder.glob("*" + MANIFEST_SUFFIX)):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(manifest, dict) or manifest.get("database") != key:
            continue
        audit = manifest.get("audit") or {}
        if audit.get("head"):
            found.append(_Recorded(Anchor(str(audit["head"]), audit.get("entry_id"), f"备份清单 {path.name} "),
                                   str(manifest.get("written_at", "")), "backup"))
    return found


def load(folder: Path | None, url: str) -> list[Anchor]:
    """The anchors of this database in the folder's anchor file and backup manifests."""
    if folder is None or not folder.is_dir():
        return []
    key = database_key(url)
    recorded = _lines(folder, key) + _manifests(folder, key)
    restores = [r for r in recorded if r.kind == "restore"]
    last = max(restores, key=lambda r: r.at) if restores else None
    kept: dict[str, Anchor] = {}
    for r in sorted(recorded, key=lambda r: r.at):
        if last is not None and r.at < last.at and (
                r.anchor.entry_id is None or last.anchor.entry_id is None or r.anchor.entry_id > last.anchor.entry_id):
            continue  # recorded in the history the restore left behind
        kept.setdefault(r.anchor.hash, r.anchor)
    return list(kept.values())


def parse(value: str) -> Anchor:
    """An anchor typed by hand: the hash, or `ID:HASH` as the daily cash report prints it."""
    text = value.strip().lower()
    entry, _, digest = text.rpartition(":")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or (entry and not entry.isdigit()):
        raise Refused("锚点格式应为“记录号:64 位哈希值”，如日结单上所印", field="anchor")
    return Anchor(digest, int(entry) if entry else None, "手工输入的锚点")
