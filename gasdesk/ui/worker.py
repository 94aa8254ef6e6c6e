"""Long work (rendering forms, exports) on a QThreadPool thread, with a progress dialog.

`run_task(parent, fn, on_done)` calls `fn(report)` on a worker thread; `report(percent, text)`
moves the progress bar. The result (or the exception) comes back on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from gasdesk.ui import messages

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
