"""What this PC remembers between sign-ins (an INI file in the data folder, not the database): each
clerk's own choices (a receipt straight after payment) and the sizes the splitters were dragged to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gasdesk.config import data_dir
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import hint_label

FILE_NAME = "ui-settings.ini"
# Tests point this at a folder of their own.
path_override: Path | None = None

RECEIPT_NONE, RECEIPT_PREVIEW, RECEIPT_DIRECT = "none", "preview", "direct"
RECEIPT_MODES = ((RECEIPT_PREVIEW, "收费页面收款后打开收据的打印预览（默认）"),
                 (RECEIPT_DIRECT, "每次收款、退款后直接送默认打印机打印收据（不预览）"),
                 (RECEIPT_NONE, "收款后不打印（需要时在收费记录或业务单的打印中打印）"))


def store() -> QSettings:
    path = path_override or data_dir() / FILE_NAME
    return QSettings(str(path), QSettings.Format.IniFormat)


def receipt_mode(login: str) -> str:
    value = str(store().value(f"staff/{login}/receipt_after_payment", RECEIPT_PREVIEW))
    return value if value in dict(RECEIPT_MODES) else RECEIPT_PREVIEW


def set_receipt_mode(login: str, mode: str) -> None:
    settings = store()
    settings.setValue(f"staff/{login}/receipt_after_payment", mode)
    settings.sync()


def remember_splitter(splitter: QSplitter, name: str) -> None:
    """Restore the sizes the clerk last dragged this splitter to, and keep them when dragged again."""
    key = f"splitters/{name}"
    saved = store().value(key)
    if isinstance(saved, list) and len(saved) == splitter.count():
        try:
            splitter.setSizes([int(x) for x in saved])
        except (TypeError, ValueError):
            pass

    def moved(_pos: int, _index: int) -> None:
        settings = store()
        settings.setValue(key, [str(x) for x in splitter.sizes()])
        settings.sync()

    splitter.splitterMoved.connect(moved)


class PersonalPanel(QWidget):
    """系统设置 → 我的设置: choices of the signed-in clerk, kept on this PC."""

    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.login = session.actor.login
        layout = QVBoxLayout(self)
        box = QGroupBox(f"我的设置（{session.actor.name}，保存在本机）")
        form = QFormLayout(box)
        self.receipt = QComboBox()
        self.receipt.setObjectName("receipt_after_payment")
        for code, label in RECEIPT_MODES:
            self.receipt.addItem(label, code)
        self.receipt.setCurrentIndex(self.receipt.findData(receipt_mode(self.login)))
        form.addRow("收款后的收据：", self.receipt)
        form.addRow(hint_label("“直接打印”适用于收费页面的收款、预存，以及业务办理中收取或退还的款项："
                               "收据不经预览送往本机的默认打印机（没有打印机时打开预览）。"
                               "其他选择下，业务办理中的收据在业务单的“打印全部”中已勾选。"))
        layout.addWidget(box)
        layout.addStretch(1)
        self.receipt.currentIndexChanged.connect(
            lambda _i: set_receipt_mode(self.login, str(self.receipt.currentData())))
