"""Work off the UI thread: long work (rendering forms, exports) and every write a page makes.

`run_task(parent, fn, on_done)` calls `fn(report)` on a worker thread; `report(percent, text)`
moves the progress bar. The result (or the exception) comes back on the UI thread.

`run_blocking(parent, fn)` is for a page that needs the answer before it goes on (a wizard page's
validatePage, an action dialog's 确定): `fn()` runs on a worker thread while the window keeps
painting, a busy indicator shows after 300 ms (window-modal, so nothing else is clicked meanwhile),
and the result is returned -- or the exception raised -- on the UI thread. A write waits for another
counter's lock only for the App's bounded busy timeout, then is refused (services.errors.Busy).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QProgressDialog, QWidget

from gasdesk.ui import messages

log = logging.getLogger(__name__)

Report = Callable[[int, str], None]

_running: set[BackgroundTask] = set()


class _Bridge(QObject):
    """Lives on the UI thread; the worker emits, Qt queues the call to the UI thread."""

    progressed = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(object)


class BackgroundTask(QObject):
    finished = Signal()

    def __init__(self, fn: Callable[[Report], Any], on_done: Callable[[Any], None],
                 on_failed: Callable[[BaseException], None], dialog: QProgressDialog | None) -> None:
        super().__init__()
        self.fn, self.on_done, self.on_failed, self.dialog = fn, on_done, on_failed, dialog
        self.bridge = _Bridge()
        self.bridge.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.bridge.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self.bridge.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.done = False

    def runnable(self) -> QRunnable:
        bridge, fn = self.bridge, self.fn

        def report(percent: int, text: str = "") -> None:
            bridge.progressed.emit(int(percent), text)

        def body() -> None:
            try:
                result = fn(report)
            except BaseException as exc:  # noqa: BLE001 - handed to the UI thread
                bridge.failed.emit(exc)
            else:
                bridge.succeeded.emit(result)

        return QRunnable.create(body)

    @Slot(int, str)
    def _progress(self, percent: int, text: str) -> None:
        # A modal dialog's setValue() processes events, which may deliver the result and close it:
        # the label first, then the value, and nothing after.
        if self.dialog is not None:
            if text:
                self.dialog.setLabelText(text)
            self.dialog.setRange(0, 100)
            self.dialog.setValue(percent)

    def _close(self) -> None:
        self.done = True
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        _running.discard(self)
        self.finished.emit()

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self._close()
        self.on_done(result)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._close()
        self.on_failed(exc)


def run_task(parent: QWidget | None, fn: Callable[[Report], Any], on_done: Callable[[Any], None], *,
             label: str = "正在处理，请稍候…", on_failed: Callable[[BaseException], None] | None = None,
             progress: bool = True, cancel: threading.Event | None = None) -> BackgroundTask:
    """With `cancel`, the dialog has a 取消 button that sets the event; `fn` checks it and stops."""
    dialog = None
    if progress:
        dialog = QProgressDialog(label, "取消" if cancel is not None else "", 0, 0, parent)
        dialog.setWindowTitle("请稍候")
        if cancel is None:
            dialog.setCancelButton(None)
        else:
            dialog.canceled.connect(cancel.set)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
    task = BackgroundTask(fn, on_done, on_failed or (lambda exc: messages.report(parent, exc)), dialog)
    _running.add(task)
    QThreadPool.globalInstance().start(task.runnable())
    return task


BUSY_AFTER_MS = 300


class _Outcome(QObject):
    finished = Signal()


_INPUT = {QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.Shortcut,
          QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
          QEvent.Type.Wheel}


class _InputBlocker(QObject):
    """While a page waits for its answer, a second Enter or click must not submit it again."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        return event.type() in _INPUT


def run_blocking(parent: QWidget | None, fn: Callable[[], Any], *, label: str = "正在保存，请稍候…") -> Any:
    """`fn()` on a worker thread; the UI thread keeps painting and shows a busy indicator after 300 ms.
    Returns what `fn` returned, or raises what it raised, here on the UI thread."""
    result: dict[str, Any] = {}
    outcome = _Outcome()
    loop = QEventLoop()
    outcome.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def body() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - raised again on the UI thread
            result["error"] = exc
        finally:
            outcome.finished.emit()

    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(BUSY_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)  # starts the 300 ms count; shown only if the work takes longer
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(dialog.show)
    timer.start(BUSY_AFTER_MS)
    started = time.monotonic()
    blocker = _InputBlocker()
    app = QCoreApplication.instance()
    if app is not None:
        app.installEventFilter(blocker)
    try:
        QThreadPool.globalInstance().start(QRunnable.create(body))
        if "value" not in result and "error" not in result:
            loop.exec()
    finally:
        if app is not None:
            app.removeEventFilter(blocker)
    timer.stop()
    dialog.reset()
    dialog.close()
    dialog.deleteLater()
    log.debug("blocking call took %.3f s", time.monotonic() - started)
    if "error" in result:
        raise result["error"]
    return result.get("value")
