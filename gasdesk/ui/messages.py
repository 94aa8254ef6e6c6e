"""Messages a clerk reads: service refusals, confirmations, and unexpected errors (logged).

All message boxes go through QMessageBox's static functions, so a test patches them in one place.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from gasdesk.services.errors import ServiceError, SessionEnded
from gasdesk.ui.redact import safe_traceback

log = logging.getLogger("gasdesk.ui")
TITLE = "燃气营业厅"
UNEXPECTED = ("操作未能完成：程序遇到了意外错误，已记录到日志。\n"
              "请稍后重试；如果反复出现，请联系系统管理员并告知操作时间。")


class _Notices(QObject):
    # The signed-in member of staff was disabled, moved or must change the password: the main
    # window signs out once the clerk has read why.
    session_ended = Signal()


_notices: _Notices | None = None


def notices() -> _Notices:
    global _notices
    if _notices is None:
        _notices = _Notices()
    return _notices


def info(parent: QWidget | None, text: str, title: str = TITLE) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, text: str, title: str = TITLE) -> None:
    QMessageBox.warning(parent, title, text)


def ask(parent: QWidget | None, text: str, title: str = TITLE) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def file_error(exc: OSError) -> str:
    """Why a file could not be written, in words a clerk reads (no English from the system)."""
    if isinstance(exc, PermissionError):
        return "保存失败：没有写入该位置的权限，请换一个文件夹"
    if isinstance(exc, FileNotFoundError):
        return "保存失败：文件夹不存在"
    if getattr(exc, "errno", None) == 28:
        return "保存失败：磁盘空间不足"
    return "保存失败：无法写入该文件（可能正被其他程序打开），请换一个文件名或文件夹"


def report(parent: QWidget | None, exc: BaseException, title: str = TITLE) -> None:
    """A service refusal shows its Chinese message; anything else is logged and shown plainly: no
    English, no SQL and none of the values it carried reach the clerk (the log has the details --
    for a database error its shape only, see logs.safe_traceback)."""
    if isinstance(exc, ServiceError):
        log.info("refused: %s", type(exc).__name__)  # the message may quote what was typed
        QMessageBox.warning(parent, title, exc.message)
        if isinstance(exc, SessionEnded):
            notices().session_ended.emit()
        return
    reference = datetime.now().strftime("%Y%m%d-%H%M%S")
    log.error("unexpected error %s\n%s", reference, safe_traceback(exc))
    QMessageBox.critical(parent, title, f"{UNEXPECTED}\n\n（错误编号 {reference}）")
