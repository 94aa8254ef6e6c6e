"""Logging to a file in the data folder, and a last-resort hook for errors raised in Qt slots."""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from gasdesk.config import data_dir

LOG_NAME = "gasdesk.log"


def log_path() -> Path:
    return data_dir() / LOG_NAME


def setup_logging(path: Path | None = None) -> Path:
    target = path or log_path()
    if not target.exists():  # owner-only (the rotated files follow the process umask, 077 via the CLI)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    handler = RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return target


def install_excepthook() -> None:
    """An exception escaping a slot is logged and shown instead of silently killing the action."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        from gasdesk.ui import messages

        exc.__traceback__ = tb
        try:
            messages.report(None, exc)
        except Exception:  # noqa: BLE001 - never let the hook itself fail
            logging.getLogger("gasdesk.ui").exception("error while reporting an error")

    sys.excepthook = hook
