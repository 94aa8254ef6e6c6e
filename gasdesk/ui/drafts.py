"""A clerk's unfinished new-business wizard, kept on this PC until it is submitted or discarded.

One JSON file per clerk and database in the data folder's `drafts/` (folder 0700, file 0600, written
under a `.partial` name and renamed): another clerk signing in on the same PC never gets it offered,
and nothing of it goes into the database before the clerk submits.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from gasdesk.config import data_dir

log = logging.getLogger(__name__)
VERSION = 1


def drafts_folder() -> Path:
    folder = data_dir() / "drafts"
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


class DraftStore:
    """The draft of one clerk (staff id) on one database (its URL, hashed: no password in a name)."""

    def __init__(self, folder: Path, staff_id: int, database: str) -> None:
        tag = hashlib.sha256(database.encode("utf-8")).hexdigest()[:12]
        self.path = folder / f"wizard-{tag}-{staff_id}.json"

    def load(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log.warning("an unreadable wizard draft was set aside")
            self.discard()
            return None
        return data if isinstance(data, dict) and data.get("version") == VERSION else None

    def save(self, data: dict[str, Any]) -> None:
        partial = self.path.with_name(self.path.name + ".partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({**data, "version": VERSION}, fh, ensure_ascii=False)
            os.chmod(partial, 0o600)
            os.replace(partial, self.path)
        except OSError:
            log.warning("the wizard draft could not be written")  # the wizard goes on; only the draft is lost

    def discard(self) -> None:
        for path in (self.path, self.path.with_name(self.path.name + ".partial")):
            with contextlib.suppress(FileNotFoundError, OSError):
                path.unlink()
