"""银行文件格式: the contracted banks and their file layouts (the setting `bank.banks`), edited by an
administrator, checked when saved (a Chinese message beside the field, nothing written) and previewed:
the sample file this layout writes, and a line pasted from the bank's own file read field by field."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gasdesk.bankfiles import (
    EXAMPLE_DELIMITED,
    EXAMPLE_FIXED,
    FIELD_LABELS,
    KIND_LABELS,
    KINDS,
    RECORD_LABELS,
    Layout,
    LayoutError,
    check_entry,
    luhn_complete,
    parse_record_text,
    record_text,
)
from gasdesk.permissions import Permission
from gasdesk.services.errors import ServiceError
from gasdesk.ui import messages
from gasdesk.ui.build import push_button, save_row
from gasdesk.ui.session import UiSession
from gasdesk.ui.widgets import error_label, hint_label, show_error

FORMATS = (("delimited", "分隔符格式"), ("fixed", "定长格式（按字节，一个汉字占两个字节）"))
ENCODINGS = (("gbk", "GBK"), ("gb18030", "GB18030"), ("utf-8", "UTF-8"))
LINE_ENDS = (("\r\n", "CRLF（Windows）"), ("\n", "LF"))
UNITS = (("yuan", "元，两位小数，如 79.50"), ("fen", "分，整数，如 7950"))
DATE_FORMATS = (("%Y%m%d", "20261231"), ("%Y-%m-%d", "2026-12-31"), ("%Y/%m/%d", "2026/12/31"),
                ("%Y.%m.%d", "2026.12.31"), ("%d%m%Y", "31122026"))
RECORD_PARTS = ("header", "detail", "trailer")
SAMPLE_DAY = date(2026, 12, 27)


def _combo(choices: tuple[tuple[str, str], ...], name: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for code, label in choices:
        box.addItem(label, code)
    return box


def _put(box: QComboBox, value: str) -> None:
    i = box.findData(value)
    if i < 0:  # a value saved outside this editor: shown as it is
        box.addItem(value, value)
        i = box.count() - 1
    box.setCurrentIndex(i)


def draft_of(entry: dict[str, Any]) -> dict[str, Any]:
    """A settings entry as the editor's texts (and the entry itself, kept as `base`)."""
    fixed = entry.get("format") == "fixed"
    draft = {
        "base": copy.deepcopy(entry), "code": str(entry.get("code") or ""), "name": str(entry.get("name") or ""),
        "merchant": str(entry.get("merchant") or ""), "format": str(entry.get("format") or "delimited"),
        "delimiter": str(entry.get("delimiter") or "|"), "encoding": str(entry.get("encoding") or "gbk"),
        "line_end": str(entry.get("line_end") or "\r\n"), "amount_unit": str(entry.get("amount_unit") or "yuan"),
        "date_format": str(entry.get("date_format") or "%Y%m%d"),
        "account_lengths": "、".join(str(n) for n in entry.get("account_lengths") or ()),
        "luhn": bool(entry.get("luhn", True)),
        "paid_codes": "、".join(str(c) for c in entry.get("paid_codes") or ()),
        "file_name": str(entry.get("file_name") or ""),
        "reasons": "\n".join(f"{k} {v}" for k, v in (entry.get("reasons") or {}).items()),
    }
    for kind in KINDS:
        for part in RECORD_PARTS:
            draft[f"{kind}.{part}"] = record_text((entry.get(kind) or {}).get(part), fixed)
    return draft


class BankLayoutsEditor(QWidget):
    def __init__(self, session: UiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.editable = session.can(Permission.EDIT_SETTINGS)
        self.drafts: list[dict[str, Any]] = []
        self.current = -1
        self.errors: dict[str, QLabel] = {}
        self.edits: dict[str, QWidget] = {}

        outer = QVBoxLayout(self)
        outer.addWidget(hint_label(
            "每家签约银行一个文件格式：代扣文件（送盘）、回盘文件和代收文件的字段顺序与宽度、金额单位、日期格式和编码。"
            "字段写作“字段名”或“字段名:宽度”（定长格式须写宽度），固定值写在引号里，如 “2” 序号:8 账单号:20 金额:12。"
            "已送出的批次按送盘时的格式读回盘，修改不影响它们。"))
        body = QHBoxLayout()
        left = QVBoxLayout()
        self.bank_list = QListWidget()
        self.bank_list.setObjectName("bank_list")
        self.bank_list.setFixedWidth(210)
        left.addWidget(self.bank_list, 1)
        self.add_delimited = QPushButton("新增分隔符格式银行")
        self.add_fixed = QPushButton("新增定长格式银行")
        self.remove_button = QPushButton("删除该银行")
        for b in (self.add_delimited, self.add_fixed, self.remove_button):
            left.addWidget(b)
        body.addLayout(left)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        form_host = QWidget()
        right = QVBoxLayout(form_host)
        self.form_error = error_label()
        self.form_error.setObjectName("form_error")
        right.addWidget(self.form_error)
        top = QHBoxLayout()
        first, second = QFormLayout(), QFormLayout()
        top.addLayout(first, 1)
        top.addLayout(second, 1)
        right.addLayout(top)

        def row(form: QFormLayout, key: str, label: str, widget: QWidget) -> None:
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(widget)
            self.errors[key] = error_label()
            self.errors[key].setObjectName(f"error_{key}")
            box.addWidget(self.errors[key])
            if not widget.objectName():
                widget.setObjectName(key)
            self.edits[key] = widget
            form.addRow(label + "：", holder)

        self.code = QLineEdit()
        self.code.setPlaceholderText("如 GH")
        self.name = QLineEdit()
        self.merchant = QLineEdit()
        self.merchant.setPlaceholderText("本公司在该银行的商户号")
        self.format = _combo(FORMATS, "format")
        self.delimiter = QLineEdit()
        self.delimiter.setMaxLength(1)
        self.delimiter.setFixedWidth(60)
        self.encoding = _combo(ENCODINGS, "encoding")
        self.line_end = _combo(LINE_ENDS, "line_end")
        self.amount_unit = _combo(UNITS, "amount_unit")
        self.date_format = _combo(DATE_FORMATS, "date_format")
        self.account_lengths = QLineEdit()
        self.account_lengths.setPlaceholderText("如 16、19")
        self.luhn = QCheckBox("卡号末位是 Luhn 校验位")
        self.paid_codes = QLineEdit()
        self.paid_codes.setPlaceholderText("如 0000")
        self.file_name = QLineEdit()
        self.file_name.setPlaceholderText("{merchant}_{kind}_{batch}.txt")
        self.reasons = QPlainTextEdit()
        self.reasons.setPlaceholderText("每行一个：结果码 原因，如 3001 余额不足")
        self.reasons.setFixedHeight(92)
        fields: tuple[tuple[str, str, QWidget], ...] = (("code", "银行代码", self.code), ("name", "银行名称", self.name),
                                   ("merchant", "商户号", self.merchant), ("format", "文件格式", self.format),
                                   ("delimiter", "分隔符", self.delimiter), ("encoding", "文件编码", self.encoding),
                                   ("line_end", "换行", self.line_end))
        for key, label, widget in fields:
            row(first, key, label, widget)
        fields = (("amount_unit", "金额单位", self.amount_unit),
                                   ("date_format", "日期格式", self.date_format),
                                   ("account_lengths", "卡号位数", self.account_lengths), ("luhn", "卡号校验", self.luhn),
                                   ("paid_codes", "扣款成功的结果码", self.paid_codes),
                                   ("file_name", "文件命名", self.file_name), ("reasons", "失败原因", self.reasons))
        for key, label, widget in fields:
            row(second, key, label, widget)

        self.records = QTabWidget()
        self.record_edits: dict[str, QLineEdit] = {}
        for kind in KINDS:
            page = QWidget()
            form = QFormLayout(page)
            for part in RECORD_PARTS:
                edit = QLineEdit()
                key = f"{kind}.{part}"
                edit.setObjectName(key)
                if part != "detail":
                    edit.setPlaceholderText("没有则留空")
                self.record_edits[key] = edit
                row(form, key, RECORD_LABELS[part], edit)
            self.records.addTab(page, KIND_LABELS[kind])
        right.addWidget(self.records)

        preview_box = QHBoxLayout()
        self.preview_kind = _combo(tuple((k, KIND_LABELS[k]) for k in KINDS), "preview_kind")
        self.preview_button = QPushButton("预览样例")
        preview_box.addWidget(QLabel("样例："))
        preview_box.addWidget(self.preview_kind)
        preview_box.addWidget(self.preview_button)
        preview_box.addStretch(1)
        right.addLayout(preview_box)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("preview")
        self.preview.setReadOnly(True)
        self.preview.setFont(mono)
        self.preview.setFixedHeight(84)
        right.addWidget(self.preview)
        trial = QHBoxLayout()
        self.sample_line = QLineEdit()
        self.sample_line.setObjectName("sample_line")
        self.sample_line.setFont(mono)
        self.sample_line.setPlaceholderText("粘贴银行文件中的一行明细，按所选文件的格式试读")
        self.trial_button = QPushButton("试读")
        trial.addWidget(self.sample_line, 1)
        trial.addWidget(self.trial_button)
        right.addLayout(trial)
        self.trial_result = QLabel()
        self.trial_result.setObjectName("trial_result")
        self.trial_result.setWordWrap(True)
        right.addWidget(self.trial_result)
        right.addStretch(1)
        scroll.setWidget(form_host)
        body.addWidget(scroll, 1)
        outer.addLayout(body, 1)

        self.revert_button = push_button("放弃修改", self.load)
        self.save_button = push_button("保存银行文件格式", self.save, "save_banks")
        outer.addLayout(save_row(self.editable, "只有系统管理员可以修改银行文件格式。", self.revert_button,
                                 self.save_button))

        for button in (self.add_delimited, self.add_fixed, self.remove_button):
            button.setEnabled(self.editable)
        for w in self.edits.values():
            w.setEnabled(self.editable)
        self.bank_list.currentRowChanged.connect(self._select)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.add_delimited.clicked.connect(lambda: self.add(EXAMPLE_DELIMITED))
        self.add_fixed.clicked.connect(lambda: self.add(EXAMPLE_FIXED))
        self.remove_button.clicked.connect(self.remove)
        self.preview_button.clicked.connect(self.show_preview)
        self.trial_button.clicked.connect(self.try_line)
        self.load()

    # --- the list -----------------------------------------------------------------------------------

    def load(self) -> None:
        entries = self.session.settings().get("bank.banks") or []
        self.drafts = [draft_of(e) for e in entries]
        self.current = -1
        self._refill_list()
        self.bank_list.setCurrentRow(0 if self.drafts else -1)
        if not self.drafts:
            self._clear_errors()

    def _refill_list(self) -> None:
        self.bank_list.blockSignals(True)
        self.bank_list.clear()
        for d in self.drafts:
            self.bank_list.addItem(f"{d['code'] or '（新银行）'}  {d['name']}")
        self.bank_list.blockSignals(False)

    def _select(self, row: int) -> None:
        if 0 <= self.current < len(self.drafts):
            self.drafts[self.current] = self._read_form()
            self.bank_list.item(self.current).setText(
                f"{self.drafts[self.current]['code'] or '（新银行）'}  {self.drafts[self.current]['name']}")
        self.current = row
        self._clear_errors()
        if 0 <= row < len(self.drafts):
            self._fill_form(self.drafts[row])

    def add(self, example: dict[str, Any]) -> None:
        if 0 <= self.current < len(self.drafts):
            self.drafts[self.current] = self._read_form()
        entry = copy.deepcopy(example)
        entry.update(code="", name="", merchant="")
        self.drafts.append(draft_of(entry))
        self.current = -1
        self._refill_list()
        self.bank_list.setCurrentRow(len(self.drafts) - 1)
        self.code.setFocus()

    def remove(self) -> None:
        row = self.current
        if not 0 <= row < len(self.drafts):
            return
        name = self.drafts[row]["name"] or self.drafts[row]["code"] or "新银行"
        if not messages.ask(self, f"从签约银行中删除“{name}”？保存后生效。"):
            return
        del self.drafts[row]
        self.current = -1
        self._refill_list()
        self.bank_list.setCurrentRow(min(row, len(self.drafts) - 1))

    # --- the form: the editor's texts <-> a settings entry --------------------------------------------

    def _fill_form(self, d: dict[str, Any]) -> None:
        for key in ("code", "name", "merchant", "delimiter", "account_lengths", "paid_codes", "file_name"):
            edit = self.edits[key]
            assert isinstance(edit, QLineEdit)
            edit.setText(d[key])
        for key in ("format", "encoding", "line_end", "amount_unit", "date_format"):
            box = self.edits[key]
            assert isinstance(box, QComboBox)
            _put(box, d[key])
        self.luhn.setChecked(d["luhn"])
        self.reasons.setPlainText(d["reasons"])
        for key, edit in self.record_edits.items():
            edit.setText(d[key])
        self._format_changed()

    def _read_form(self) -> dict[str, Any]:
        d: dict[str, Any] = {"base": self.drafts[self.current]["base"] if 0 <= self.current < len(self.drafts) else {}}
        for key in ("code", "name", "merchant", "delimiter", "account_lengths", "paid_codes", "file_name"):
            edit = self.edits[key]
            assert isinstance(edit, QLineEdit)
            d[key] = edit.text().strip() if key != "delimiter" else edit.text()
        for key in ("format", "encoding", "line_end", "amount_unit", "date_format"):
            box = self.edits[key]
            assert isinstance(box, QComboBox)
            d[key] = str(box.currentData())
        d["luhn"] = self.luhn.isChecked()
        d["reasons"] = self.reasons.toPlainText()
        for key, edit in self.record_edits.items():
            d[key] = edit.text().strip()
        return d

    def _format_changed(self, _i: int = 0) -> None:
        self.delimiter.setEnabled(self.editable and self.format.currentData() == "delimited")

    @staticmethod
    def entry_of(d: dict[str, Any]) -> dict[str, Any]:
        """The settings entry a draft stands for, checked (bankfiles.check_entry): LayoutError names the
        field it is about."""
        if d["base"] and draft_of(d["base"]) == d:
            entry = copy.deepcopy(d["base"])  # untouched: saved as it was
            check_entry(entry)
            return entry
        fixed = d["format"] == "fixed"
        entry = copy.deepcopy(d["base"])
        entry.update(code=d["code"], name=d["name"], merchant=d["merchant"], format=d["format"],
                     encoding=d["encoding"], line_end=d["line_end"], amount_unit=d["amount_unit"],
                     date_format=d["date_format"], luhn=d["luhn"], file_name=d["file_name"])
        if fixed:
            entry.pop("delimiter", None)
        else:
            entry["delimiter"] = d["delimiter"]
        lengths = [t for t in d["account_lengths"].replace("，", "、").replace(",", "、").split("、") if t.strip()]
        if not all(t.strip().isascii() and t.strip().isdigit() for t in lengths):
            raise LayoutError("卡号位数应为整数，用顿号分开，如 16、19", "account_lengths")
        entry["account_lengths"] = [int(t) for t in lengths]
        entry["paid_codes"] = [t.strip() for t in d["paid_codes"].replace("，", "、").replace(",", "、").split("、")
                               if t.strip()]
        reasons: dict[str, str] = {}
        for line in d["reasons"].splitlines():
            if not line.strip():
                continue
            code, _, reason = line.strip().replace("：", " ").replace(":", " ").partition(" ")
            if not reason.strip():
                raise LayoutError(f"“{line.strip()}”：每行写 结果码 和 原因，如 3001 余额不足", "reasons")
            if code in reasons:
                raise LayoutError(f"结果码 {code} 写了两次", "reasons")
            reasons[code] = reason.strip()
        entry["reasons"] = reasons
        for kind in KINDS:
            records: dict[str, Any] = {}
            for part in RECORD_PARTS:
                key = f"{kind}.{part}"
                text = d[key]
                if not text:
                    if part == "detail":
                        raise LayoutError(f"请填写{KIND_LABELS[kind]}明细的字段", key)
                    continue
                records[part] = parse_record_text(text, fixed, key)
            entry[kind] = records
        check_entry(entry)
        return entry

    # --- checking, previewing, saving -----------------------------------------------------------------

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            show_error(label, "")
        show_error(self.form_error, "")

    def _show(self, exc: LayoutError) -> None:
        label = self.errors.get(exc.field or "")
        if label is None:
            show_error(self.form_error, exc.message)
            return
        show_error(label, exc.message)
        if "." in (exc.field or ""):
            self.records.setCurrentIndex(KINDS.index(str(exc.field).split(".")[0]))
        self.edits[str(exc.field)].setFocus()

    def _layout(self) -> Layout | None:
        self._clear_errors()
        if not 0 <= self.current < len(self.drafts):
            return None
        try:
            return Layout.from_dict(self.entry_of(self._read_form()))
        except LayoutError as exc:
            self._show(exc)
            return None

    def _sample(self, layout: Layout, kind: str) -> dict[str, Any]:
        length = max(layout.account_lengths or (19,))
        return {"seq": 1, "bill_number": "ZD-202612-000001", "account_number": "A000012345",
                "bank_account": luhn_complete("6" + "2" * (length - 2)) if layout.luhn else "6" * length,
                "holder": "张伟", "amount": Decimal("79.50"), "month": "2026-12", "result": layout.paid_codes[0],
                "message": "", "serial": "20261227000001", "paid_date": SAMPLE_DAY, "branch": "西秀支行"}

    def show_preview(self) -> None:
        layout = self._layout()
        if layout is None:
            self.preview.setPlainText("")
            return
        kind = str(self.preview_kind.currentData())
        try:
            data = layout.write(kind, [self._sample(layout, kind)], batch="DKPC-20261227-0001", file_date=SAMPLE_DAY)
        except LayoutError as exc:
            self._show(LayoutError(f"样例写不出：{exc.message}", f"{kind}.detail"))
            return
        lines = data.decode(layout.encoding).split(layout.line_end)
        shown = [ln for ln in lines if ln]
        if layout.fixed:
            shown = [f"{ln}    ← {len(ln.encode(layout.encoding))} 字节" for ln in shown]
        self.preview.setPlainText("\n".join(shown))

    def try_line(self) -> None:
        layout = self._layout()
        if layout is None:
            return
        kind = str(self.preview_kind.currentData())
        line = self.sample_line.text()
        if not line.strip():
            self.trial_result.setStyleSheet("color: #c62828;")
            self.trial_result.setText("请先粘贴一行明细")
            return
        try:
            values = layout.read_line(kind, line)
        except LayoutError as exc:
            self.trial_result.setStyleSheet("color: #c62828;")
            self.trial_result.setText(f"按{KIND_LABELS[kind]}明细读不通：{exc.message}")
            return
        self.trial_result.setStyleSheet("color: #1b5e20;")
        self.trial_result.setText("；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in values.items()))

    def save(self) -> None:
        if 0 <= self.current < len(self.drafts):
            self.drafts[self.current] = self._read_form()
        self._clear_errors()
        entries: list[dict[str, Any]] = []
        for row, d in enumerate(self.drafts):
            try:
                entry = self.entry_of(d)
                if entry["code"] in {e["code"] for e in entries}:
                    raise LayoutError(f"银行代码 {entry['code']} 已有另一家银行使用", "code")
            except LayoutError as exc:
                if row != self.current:
                    self.bank_list.setCurrentRow(row)
                self._show(exc)
                return
            entries.append(entry)
        try:
            self.session.settings_service.update({"bank.banks": entries})
        except ServiceError as exc:
            show_error(self.form_error, exc.message)
            return
        self.session.notify_changed()
        self.load()
        messages.info(self, "银行文件格式已保存，之后的代扣文件、回盘与代收文件按新格式处理")
