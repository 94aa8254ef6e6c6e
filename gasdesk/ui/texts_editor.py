"""合同与告知文本: the office edits the wording of its contracts and notices; blank means our default."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gasdesk.permissions import Permission
from gasdesk.reports.texts import DEFAULT_TEXTS, PLACEHOLDERS, TEXT_TITLES
from gasdesk.services.errors import ServiceError
from gasdesk.ui import messages
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import hint_label


class TextsEditor(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.texts: dict[str, str] = dict(session.settings().get("texts") or {})
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label("修改后打印的合同、协议和告知书即使用新文本；清空或“恢复默认”则使用系统自带文本。"
                                    f"可用占位符：{'、'.join('{' + p + '}' for p in PLACEHOLDERS)}"))
        body = QHBoxLayout()
        self.keys = QListWidget()
        self.keys.setFixedWidth(220)
        for key in DEFAULT_TEXTS:
            item = QListWidgetItem(TEXT_TITLES.get(key, key) + ("（已修改）" if key in self.texts else ""))
            item.setData(256, key)
            self.keys.addItem(item)
        body.addWidget(self.keys)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("text")
        body.addWidget(self.editor, 1)
        layout.addLayout(body, 1)
        buttons = QHBoxLayout()
        self.default_button = QPushButton("恢复默认")
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("save_text")
        buttons.addStretch(1)
        buttons.addWidget(self.default_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        editable = session.can(Permission.EDIT_SETTINGS)
        for w in (self.editor, self.default_button, self.save_button):
            w.setEnabled(editable)
        self.keys.currentRowChanged.connect(self.show_text)
        self.default_button.clicked.connect(self.restore_default)
        self.save_button.clicked.connect(self.save)
        self.keys.setCurrentRow(0)

    def current_key(self) -> str:
        item = self.keys.currentItem()
        return str(item.data(256)) if item else ""

    def show_text(self, _row: int = 0) -> None:
        key = self.current_key()
        self.editor.setPlainText(self.texts.get(key) or DEFAULT_TEXTS.get(key, ""))

    def restore_default(self) -> None:
        self.editor.setPlainText(DEFAULT_TEXTS.get(self.current_key(), ""))

    def save(self) -> None:
        key = self.current_key()
        text = self.editor.toPlainText().strip()
        texts = dict(self.texts)
        if not text or text == DEFAULT_TEXTS.get(key, "").strip():
            texts.pop(key, None)
        else:
            texts[key] = text
        try:
            self.session.settings_service.update({"texts": texts})
        except ServiceError as exc:
            messages.report(self, exc)
            return
        self.texts = texts
        self.session.notify_changed()
        item = self.keys.currentItem()
        item.setText(TEXT_TITLES.get(key, key) + ("（已修改）" if key in texts else ""))
        messages.info(self, "文本已保存，之后打印的单据将使用新文本")
