"""新建业务: the ten services as buttons; each opens the one wizard on its first page with that flow chosen,
where the clerk picks 来访 or 来电 and goes on with Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gasdesk.flows import ALL_FLOWS
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import hint_label, title_label


class NewBusinessPage(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("新建业务"))
        layout.addWidget(hint_label("选择客户要办理的业务（Ctrl+N 随时打开向导）。向导第一页已选好该业务：客户到厅办理的"
                                    "直接按回车；客户来电办理的，选择“来电”（Alt+D）并填写来电号码后按回车。向导将依次"
                                    "引导：选择客户 → 核对资料 → 填写申请 → 确认提交 → 办理受理环节 → 打印单据。"))
        grid = QGridLayout()
        grid.setSpacing(12)
        self.buttons: dict[str, QPushButton] = {}
        for i, flow in enumerate(ALL_FLOWS.values()):
            button = QPushButton(flow.label)
            button.setObjectName(f"flow_{flow.kind}")
            button.setMinimumHeight(54)
            button.setStyleSheet("QPushButton { font-size: 12pt; text-align: left; padding-left: 14px; }")
            button.clicked.connect(lambda _=False, k=flow.kind: self.session.new_business_requested.emit(k, None))
            self.buttons[flow.kind] = button
            about = QLabel(flow.commitment or "")
            about.setWordWrap(True)
            about.setStyleSheet("color: #5f6b7a;")
            about.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
            row, col = divmod(i, 2)
            grid.addWidget(button, row, col * 2)
            grid.addWidget(about, row, col * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(0, 220)
        grid.setColumnMinimumWidth(2, 220)
        layout.addLayout(grid)
        layout.addStretch(1)
