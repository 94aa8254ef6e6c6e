"""Files attached to an order (an inspector's photos): copied into the files folder beside the database
under their SHA-256, listed on the order, read back only when they still match their hash.

The folder: the `files.folder` setting when set (on PostgreSQL name a folder every counter reaches),
else `<database name>-files/` beside the SQLite file, else `files/` in the data folder. Inside it
each file is `attachments/<order number>/<sha256><suffix>`. The copy is written under a temporary
name and renamed, then the row is inserted; a file already there with the same hash is kept.

`references` lists every file the database refers to, and `folder_of` where its files folder is: the
backups (services/backup.py) copy exactly those and bring them back on a restore.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gasdesk import config, db
from gasdesk.models import InspectionHazard, OrderAttachment, ServiceOrder, Staff
from gasdesk.permissions import Permission
from gasdesk.services import audit
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Service, must_get, name_of
from gasdesk.services.errors import NotFound, Refused
from gasdesk.validation import clean_text

# Photos and scans an inspector brings back; anything else is refused.
ALLOWED = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".bmp": "image/bmp",
           ".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf"}
MAX_BYTES = 20 * 1024 * 1024
_SIGNATURES = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"BM", ".bmp"), (b"GIF8", ".gif"),
               (b"%PDF", ".pdf"))


@dataclass(frozen=True)
class AttachmentView:
    id: int
    order_id: int
    hazard_id: int | None
    file_name: str
    sha256: str
    size: int
    content_type: str
    caption: str
    added_at: datetime
    added_by: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass(frozen=True)
class StoredFile:
    """One file the database refers to: where it is kept (relative to the files folder), its SHA-256
    and size, and what it is attached to (for messages)."""
    path: str
    sha256: str
    size: int
    order_number: str
    file_name: str

    @property
    def shown(self) -> str:
        return f"业务单 {self.order_number} 的“{self.file_name}”"


def files_folder(url: str, configured: str = "") -> Path:
    if configured.strip():
        return Path(configured.strip()).expanduser()
    if db.is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            path = Path(database)
            return path.with_name(f"{path.stem}-files")
    return config.data_dir() / "files"


def folder_of(session: Session, url: str) -> Path:
    """The files folder of the database the session reads (its `files.folder` setting, else the default)."""
    return files_folder(url, str(settings_store.get(session, "files.folder") or ""))


def references(session: Session) -> list[StoredFile]:
    """Every attachment file the database lists, by stored path (none before the table existed)."""
    if not inspect(session.connection()).has_table(OrderAttachment.__tablename__):
        return []
    rows = session.execute(select(OrderAttachment.stored_path, OrderAttachment.sha256, OrderAttachment.size,
                                  ServiceOrder.number, OrderAttachment.file_name)
                           .join(ServiceOrder, ServiceOrder.id == OrderAttachment.order_id)
                           .order_by(OrderAttachment.stored_path)).all()
    found: dict[str, StoredFile] = {}
    for path, sha, size, number, name in rows:
        found.setdefault(path, StoredFile(path, sha, int(size), number, name))
    return list(found.values())


def _kind_of(data: bytes, suffix: str) -> str:
    """The file's type by its first bytes (a renamed file is not trusted by its name)."""
    for magic, ext in _SIGNATURES:
        if data.startswith(magic):
            return ALLOWED[ext]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ALLOWED[".webp"]
    raise Refused(f"文件内容不是照片或PDF（{suffix or '无扩展名'}），不能作为附件", field="file")


def _view(a: OrderAttachment, by: str) -> AttachmentView:
    return AttachmentView(id=a.id, order_id=a.order_id, hazard_id=a.hazard_id, file_name=a.file_name, sha256=a.sha256,
                          size=a.size, content_type=a.content_type, caption=a.caption, added_at=a.added_at, added_by=by)


class AttachmentService(Service):
    def folder(self) -> Path:
        with self.app.reading() as s:
            return folder_of(s, self.app.url)

    def attach(self, order_id: int, path: Path | str, *, caption: str = "",
               hazard_id: int | None = None) -> AttachmentView:
        """Copy a file from disk into the files folder and list it on the order."""
        self.actor.require(Permission.OPEN_ORDER, Permission.DISPATCH)
        source = Path(path)
        caption = clean_text(caption)
        if len(caption) > 200:
            raise Refused("说明最多200字", field="caption")
        suffix = source.suffix.lower()
        if suffix not in ALLOWED:
            raise Refused("只能附加照片（jpg、png、bmp、gif、webp）或PDF文件", field="file")
        try:
            size = source.stat().st_size
            if size > MAX_BYTES:
                raise Refused(f"文件过大（{size // (1024 * 1024)} MB），附件最大 {MAX_BYTES // (1024 * 1024)} MB", field="file")
            data = source.read_bytes()
        except OSError:
            raise Refused("文件无法读取，请检查文件是否存在", field="file") from None
        if not data:
            raise Refused("文件是空的", field="file")
        content_type = _kind_of(data, suffix)
        digest = hashlib.sha256(data).hexdigest()
        now = self.app.clock.now()
        folder = self.folder()
        with self.app.unit_of_work() as s:
            order = must_get(s, ServiceOrder, order_id, "业务单不存在")
            if hazard_id is not None:
                hazard = s.get(InspectionHazard, hazard_id)
                if hazard is None or hazard.order_id != order_id:
                    raise Refused("该隐患不属于本业务单", field="hazard")
            if s.scalar(select(OrderAttachment.id).where(OrderAttachment.order_id == order_id,
                                                         OrderAttachment.sha256 == digest)):
                raise Refused("该文件已附加在本业务单上", field="file")
            relative = Path("attachments") / order.number / f"{digest}{suffix}"
            store(folder / relative, data, digest)
            row = OrderAttachment(order_id=order_id, hazard_id=hazard_id, file_name=source.name[:200],
                                  stored_path=relative.as_posix(), sha256=digest, size=len(data),
                                  content_type=content_type, caption=caption, added_at=now,
                                  added_by_id=self.actor.staff_id)
            s.add(row)
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="order_attachment", entity_id=row.id,
                         action="attach", changes={"order": [None, order.number], "sha256": [None, digest],
                                                   "file_name": [None, row.file_name], "size": [None, len(data)]})
            return _view(row, name_of(s, self.actor))

    def for_order(self, order_id: int) -> list[AttachmentView]:
        with self.app.reading() as s:
            rows = s.execute(select(OrderAttachment, Staff.name).join(Staff, Staff.id == OrderAttachment.added_by_id)
                             .where(OrderAttachment.order_id == order_id).order_by(OrderAttachment.id)).all()
            return [_view(a, name) for a, name in rows]

    def read(self, attachment_id: int) -> tuple[AttachmentView, bytes]:
        """The file's bytes, refused when it is missing or no longer matches its SHA-256."""
        folder = self.folder()
        with self.app.reading() as s:
            row = s.execute(select(OrderAttachment, Staff.name).join(Staff, Staff.id == OrderAttachment.added_by_id)
                            .where(OrderAttachment.id == attachment_id)).first()
            if row is None:
                raise NotFound("附件不存在")
            a, name = row
            view, stored = _view(a, name), a.stored_path
        try:
            data = (folder / view_path(stored)).read_bytes()
        except OSError:
            raise Refused(f"附件文件“{view.file_name}”不在附件文件夹中（{folder}），请联系系统管理员") from None
        if hashlib.sha256(data).hexdigest() != view.sha256:
            raise Refused(f"附件文件“{view.file_name}”已被改动（校验值不符），不能显示") from None
        return view, data


def view_path(stored: str) -> Path:
    path = Path(stored)
    if path.is_absolute() or ".." in path.parts:
        raise Refused("附件路径无效")
    return path


def store(target: Path, data: bytes, digest: str) -> None:
    """Write a file of the files folder (through a `.partial` name, renamed); one already there with
    the same hash is kept."""
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == digest:
        return
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".partial")
    with open(partial, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, target)
