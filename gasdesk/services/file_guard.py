"""A counter's hold on its SQLite file: the shared lock restore waits for, and the check that the file
it writes is still the file it opened (see gasdesk.dblock)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from gasdesk import dblock
from gasdesk.services.errors import Refused

REPLACED = "数据库文件已被替换（可能刚从备份恢复）：本柜台已停止写入，请关闭程序后重新启动"
RESTORING = "数据库正在从备份恢复，请等恢复完成后再启动本程序"


def database_file(url: str) -> Path | None:
    """The SQLite file of the url; None for PostgreSQL and in-memory databases."""
    if make_url(url).get_backend_name() != "sqlite":
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def create_owner_only(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only, before SQLite does.
    SQLite gives its -wal and -shm files the database file's permissions."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


class FileGuard:
    def __init__(self, url: str) -> None:
        self.path = database_file(url)
        self._lock: dblock.DatabaseLock | None = None
        self._identity: tuple[int, int] | None = None
        self.stopped = False
        if self.path is None:
            return
        create_owner_only(self.path)
        try:
            self._lock = dblock.DatabaseLock(self.path, exclusive=False)
        except dblock.LockBusy as exc:
            raise Refused(RESTORING) from exc
        self._identity = dblock.file_identity(self.path)

    def check(self) -> None:
        """Before a write transaction: refuse for good once the file is not the one opened."""
        if self.path is None:
            return
        if not self.stopped and dblock.file_identity(self.path) != self._identity:
            self.stopped = True
        if self.stopped:
            raise Refused(REPLACED)

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
