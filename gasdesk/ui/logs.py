"""Logging to a file in the data folder, and a last-resort hook for errors raised in Qt slots."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from gasdesk.config import data_dir
from gasdesk.ui.redact import safe_traceback

LOG_NAME = "gasdesk.log"


def log_path() -> Path:
    return data_dir() / LOG_NAME


class SafeFormatter(logging.Formatter):
    """Tracebacks in the log go through safe_traceback."""

    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]  # noqa: N802 - logging's name
        exc = ei[1]
        return safe_traceback(exc) if exc is not None else super().formatException(ei)


class OwnerOnlyFileHandler(RotatingFileHandler):
    """The log and its rotated files readable by their owner only: they name staff and times."""

    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return stream


def setup_logging(path: Path | None = None) -> Path:
    target = path or log_path()
    handler = OwnerOnlyFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
