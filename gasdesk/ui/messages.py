"""Messages a clerk reads: service refusals, confirmations, and unexpected errors (logged).

All message boxes go through QMessageBox's static functions, so a test patches them in one place.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from gasdesk.services.errors import ServiceError

log = logging.getLogger("gasdesk.ui")
TITLE = "燃气营业厅"
UNEXPECTED = ("操作未能完成：程序遇到了意外错误，已记录到日志。\n"
              "请稍后重试；如果反复出现，请联系系统管理员并告知操作时间。")


def info(parent: QWidget | None, text: str, title: str = TITLE) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, text: str, title: str = TITLE) -> None:
    QMessageBox.warning(parent, title, text)


def ask(parent: QWidget | None, text: str, title: str = TITLE) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def report(parent: QWidget | None, exc: BaseException, title: str = TITLE) -> None:
    """A service refusal shows its Chinese message; anything else is logged and shown plainly."""
    if isinstance(exc, ServiceError):
        log.info("refused: %s", exc.message)
        QMessageBox.warning(parent, title, exc.message)
        return
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    QMessageBox.critical(parent, title, f"{UNEXPECTED}\n\n（{type(exc).__name__}: {exc}）")
