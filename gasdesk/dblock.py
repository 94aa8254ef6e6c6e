"""Who has a SQLite database file open: a lock file beside it, shared by counters, exclusive for restore.

Every App on a SQLite file holds a shared lock on `<db>.lock` for as long as it runs; `gasdesk
restore` needs the lock exclusively, so it refuses while any counter (any process) has the database
open, and a counter cannot start while a restore runs. The operating system drops the lock of a
process that dies, so a crashed counter never blocks a restore.

POSIX uses flock(2) (shared/exclusive). Windows has no shared msvcrt lock, so each counter locks one
byte of its own among SLOTS, and restore locks all of them at once.

A counter also remembers which file it opened (device and inode / file index) and refuses to write
once the path names a different file: a database replaced under it is never written into blindly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

SLOTS = 4096


class LockBusy(Exception):
    """The lock is held in a conflicting mode by another process (or another App of this one)."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _open(path: Path) -> IO[bytes]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return os.fdopen(fd, "r+b", buffering=0)


class DatabaseLock:
    """A held lock on `<db>.lock`; release() (or process exit) lets it go."""

    def __init__(self, database: Path, *, exclusive: bool) -> None:
        self.path = lock_path(database)
        self.exclusive = exclusive
        self._file: IO[bytes] | None = _open(self.path)
        try:
            self._acquire()
        except BaseException:
            self._file.close()
            self._file = None
            raise

    def _acquire(self) -> None:
        assert self._file is not None
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            self._acquire_windows()
            return
        import fcntl

        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(self._file.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockBusy(str(self.path)) from exc

    def _acquire_windows(self) -> None:  # pragma: no cover - Windows only
        import msvcrt

        assert self._file is not None
        fd = self._file.fileno()
        if self.exclusive:
            os.lseek(fd, 1, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, SLOTS)  # type: ignore[attr-defined]
            except OSError as exc:
                raise LockBusy(str(self.path)) from exc
            self._slot = 1
            return
        for slot in range(1, SLOTS + 1):
            os.lseek(fd, slot, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            except OSError:
                continue
            self._slot = slot
            return
        raise LockBusy(str(self.path))

    def release(self) -> None:
        if self._file is None:
            return
        try:
            if os.name == "nt":  # pragma: no cover - Windows only
                import msvcrt

                os.lseek(self._file.fileno(), self._slot, os.SEEK_SET)
                msvcrt.locking(self._file.fileno(), msvcrt.LK_UNLCK, SLOTS if self.exclusive else 1)  # type: ignore[attr-defined]
        finally:
            self._file.close()  # closing drops a flock
            self._file = None


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) — on Windows (volume serial, file index) — of the file at path, or None."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino
