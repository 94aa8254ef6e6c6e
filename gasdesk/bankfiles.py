"""Bank file layouts as data: the debit file the company sends (代扣文件), the bank's return file (回盘文件)
and the banks' collection file of bills paid at their counters (代收文件).

Pure Python below the services (like validation.py): a `Layout` is read from the settings entry of a
contracted bank (`Layout.from_dict`), so a new bank is configured, not coded. A layout says:

* `format`: "delimited" (fields joined by `delimiter`) or "fixed" (each field `width` bytes in the
  file's encoding: a GBK Chinese character takes two bytes; text is left-aligned and space-padded,
  numbers right-aligned and zero-padded; a value longer than its width is refused, never cut);
* `encoding` (Chinese banks commonly use GBK) and `line_end`;
* `amount_unit`: "yuan" (``123.45``) or "fen" (``12345``); `date_format` (strftime, e.g. ``%Y%m%d``);
* for each file kind a header, detail and trailer record: a list of fields by name; a field may be a
  constant (`value`, e.g. a record-type letter) or `filler`. Header and trailer may carry the
  `count` and `total` of the details; reading a file checks them;
* the return's result codes: which mean paid (`paid_codes`) and the Chinese reason of the others.

Field names: merchant (the company's code at the bank), batch, file_date, count, total, seq,
bill_number, account_number (gas account), bank_account, holder, amount, month (billing month),
result, message, serial (the bank's serial number), paid_date, branch, filler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FIELD_NAMES = frozenset({
    "merchant", "batch", "file_date", "count", "total", "seq", "bill_number", "account_number", "bank_account",
    "holder", "amount", "month", "result", "message", "serial", "paid_date", "branch", "filler",
})
NUMERIC = frozenset({"count", "total", "seq", "amount"})
KINDS = ("debit", "return", "collection")
KIND_LABELS = {"debit": "代扣文件", "return": "回盘文件", "collection": "代收文件"}
CENT = Decimal("0.01")
_YUAN = re.compile(r"^\d{1,10}\.\d{2}$")
_FEN = re.compile(r"^\d{1,15}$")
_INT = re.compile(r"^\d{1,9}$")


class LayoutError(ValueError):
    """A layout or a file does not fit: `message` is a Chinese sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str
    width: int = 0
    value: str | None = None

    @property
    def numeric(self) -> bool:
        return self.name in NUMERIC


@dataclass(frozen=True)
class Record:
    fields: tuple[Field, ...]

    def names(self) -> set[str]:
        return {f.name for f in self.fields if f.value is None}


@dataclass(frozen=True)
class FileFormat:
    detail: Record
    header: Record | None = None
    trailer: Record | None = None


@dataclass(frozen=True)
class Layout:
    code: str
    name: str
    merchant: str
    format: str
    encoding: str
    amount_unit: str
    date_format: str
    files: dict[str, FileFormat]
    delimiter: str = "|"
    line_end: str = "\r\n"
    account_lengths: tuple[int, ...] = (16, 19)
    luhn: bool = True
    paid_codes: tuple[str, ...] = ("0000",)
    reasons: dict[str, str] = field(default_factory=dict)
    file_name: str = "{merchant}_{kind}_{batch}.txt"

    @property
    def fixed(self) -> bool:
        return self.format == "fixed"

    @property
    def format_label(self) -> str:
        return "定长" if self.fixed else f"分隔符“{self.delimiter}”"

    @property
    def amount_label(self) -> str:
        return "分" if self.amount_unit == "fen" else "元（两位小数）"

    # -- reading the settings entry -----------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Layout:
        def need(key: str) -> Any:
            if key not in d or d[key] in (None, ""):
                raise LayoutError(f"银行文件格式缺少“{key}”")
            return d[key]

        fmt = need("format")
        if fmt not in ("delimited", "fixed"):
            raise LayoutError("文件格式应为 delimited（分隔符）或 fixed（定长）")
        unit = need("amount_unit")
        if unit not in ("yuan", "fen"):
            raise LayoutError("金额单位应为 yuan（元）或 fen（分）")
        encoding = need("encoding")
        try:
            "测".encode(encoding)
        except LookupError as exc:
            raise LayoutError(f"不认识的文件编码：{encoding}") from exc
        try:
            datetime(2026, 1, 2).strftime(need("date_format"))
        except ValueError as exc:
            raise LayoutError("日期格式有误") from exc
        files: dict[str, FileFormat] = {}
        for kind in KINDS:
            spec = need(kind)
            files[kind] = FileFormat(
                detail=_record(spec.get("detail"), fmt, kind, "明细"),
                header=_record(spec["header"], fmt, kind, "首行") if spec.get("header") else None,
                trailer=_record(spec["trailer"], fmt, kind, "尾行") if spec.get("trailer") else None,
            )
        for kind, needed in (("debit", {"bill_number", "amount", "bank_account"}),
                             ("return", {"bill_number", "amount", "result"}),
                             ("collection", {"bill_number", "amount", "serial"})):
            missing = needed - files[kind].detail.names()
            if missing:
                raise LayoutError(f"{KIND_LABELS[kind]}明细缺少字段：{'、'.join(sorted(missing))}")
        lengths = tuple(int(n) for n in d.get("account_lengths") or (16, 19))
        return cls(
            code=str(need("code")), name=str(need("name")), merchant=str(need("merchant")), format=fmt,
            encoding=encoding, amount_unit=unit, date_format=str(d["date_format"]), files=files,
            delimiter=str(d.get("delimiter") or "|"), line_end=str(d.get("line_end") or "\r\n"),
            account_lengths=lengths, luhn=bool(d.get("luhn", True)),
            paid_codes=tuple(str(c) for c in d.get("paid_codes") or ("0000",)),
            reasons={str(k): str(v) for k, v in (d.get("reasons") or {}).items()},
            file_name=str(d.get("file_name") or "{merchant}_{kind}_{batch}.txt"),
        )

    # -- values ------------------------------------------------------------------------------------

    def amount_text(self, amount: Decimal) -> str:
        if amount < 0:
            raise LayoutError("银行文件中的金额不能为负数")
        amount = amount.quantize(CENT)
        return str(int(amount * 100)) if self.amount_unit == "fen" else f"{amount:.2f}"

    def parse_amount(self, text: str) -> Decimal:
        text = text.strip()
        if self.amount_unit == "fen":
            if not _FEN.match(text):
                raise LayoutError(f"金额“{text}”不是以分为单位的整数")
            return (Decimal(text) / 100).quantize(CENT)
        if not _YUAN.match(text):
            raise LayoutError(f"金额“{text}”不是两位小数的元")
        return Decimal(text)

    def date_text(self, day: date) -> str:
        return day.strftime(self.date_format)

    def parse_date(self, text: str) -> date:
        try:
            return datetime.strptime(text.strip(), self.date_format).date()
        except ValueError as exc:
            raise LayoutError(f"日期“{text.strip()}”不符合格式") from exc

    def name_of(self, kind: str, batch: str) -> str:
        return self.file_name.format(merchant=self.merchant, kind=kind, batch=batch, bank=self.code)

    # -- writing -----------------------------------------------------------------------------------

    def write(self, kind: str, details: Sequence[Mapping[str, Any]], *, batch: str, file_date: date) -> bytes:
        """A whole file as bytes: header, one line per detail, trailer; counts and totals filled in."""
        spec = self.files[kind]
        total = sum((Decimal(d["amount"]) for d in details), Decimal("0.00"))
        summary = {"merchant": self.merchant, "batch": batch, "file_date": file_date, "count": len(details),
                   "total": total}
        end = self.line_end
        parts: list[bytes] = []
        if spec.header is not None:
            parts.append(self._line(spec.header, summary) + end.encode(self.encoding))
        encoded_end = end.encode(self.encoding)
        line = self._line
        for d in details:
            parts.append(line(spec.detail, d) + encoded_end)
        if spec.trailer is not None:
            parts.append(self._line(spec.trailer, summary) + encoded_end)
        return b"".join(parts)

    def _text(self, f: Field, values: Mapping[str, Any]) -> str:
        if f.value is not None:
            return f.value
        if f.name == "filler":
            return ""
        value = values.get(f.name, "")
        if f.name in ("amount", "total"):
            return self.amount_text(Decimal(value))
        if isinstance(value, date):
            return self.date_text(value)
        return str(value)

    def _line(self, record: Record, values: Mapping[str, Any]) -> bytes:
        if not self.fixed:
            texts = [self._text(f, values) for f in record.fields]
            for t in texts:
                if self.delimiter in t or "\n" in t or "\r" in t:
                    raise LayoutError(f"内容“{t}”含有分隔符或换行，不能写入银行文件")
            return self.delimiter.join(texts).encode(self.encoding)
        out = []
        for f in record.fields:
            raw = self._encode(self._text(f, values))
            if len(raw) > f.width:
                raise LayoutError(f"“{self._text(f, values)}”超过{f.name}字段的 {f.width} 字节宽度")
            pad = f.width - len(raw)
            if f.numeric:
                out.append(b"0" * pad + raw)
            else:
                out.append(raw + b" " * pad)
        return b"".join(out)

    def _encode(self, text: str) -> bytes:
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise LayoutError(f"“{text}”含有 {self.encoding.upper()} 编码不能表示的字") from exc

    # -- reading -----------------------------------------------------------------------------------

    def read(self, kind: str, data: bytes) -> ParsedFile:
        """Split a file into header, details and trailer. A line that does not fit its record, or
        counts and totals that disagree with the details, are listed in `problems` (line numbers
        from 1); the caller refuses a file with problems as a whole."""
        spec = self.files[kind]
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise LayoutError(f"文件不是 {self.encoding.upper()} 编码") from exc
        lines = [ln for ln in re.split(r"\r\n|\n|\r", text)]
        while lines and lines[-1] == "":
            lines.pop()
        parsed = ParsedFile()
        first, last = 0, len(lines)
        if spec.header is not None:
            if not lines:
                raise LayoutError("文件为空")
            parsed.header = self._fields(spec.header, lines[0], 1, parsed)
            first = 1
        if spec.trailer is not None:
            if last <= first:
                raise LayoutError("文件缺少尾行")
            parsed.trailer = self._fields(spec.trailer, lines[-1], last, parsed)
            last -= 1
        for i in range(first, last):
            values = self._fields(spec.detail, lines[i], i + 1, parsed)
            if values is not None:
                parsed.details.append((i + 1, values))
        total = sum((d.get("amount", Decimal("0.00")) for _, d in parsed.details), Decimal("0.00"))
        for where, values in (("首行", parsed.header), ("尾行", parsed.trailer)):
            if not values:
                continue
            if "count" in values and values["count"] != len(parsed.details):
                parsed.problems.append((0, f"{where}笔数 {values['count']} 与明细 {len(parsed.details)} 笔不符"))
            if "total" in values and values["total"] != total:
                parsed.problems.append((0, f"{where}总金额 {values['total']} 与明细合计 {total} 不符"))
        if not parsed.details and not parsed.problems:
            parsed.problems.append((0, "文件没有明细行"))
        return parsed

    def _fields(self, record: Record, line: str, number: int, parsed: ParsedFile) -> dict[str, Any] | None:
        if self.fixed:
            raw = self._encode(line)
            width = sum(f.width for f in record.fields)
            if len(raw) != width:
                parsed.problems.append((number, f"行长 {len(raw)} 字节，应为 {width} 字节"))
                return None
            texts, pos = [], 0
            for f in record.fields:
                try:
                    texts.append(raw[pos:pos + f.width].decode(self.encoding).strip())
                except UnicodeDecodeError:
                    parsed.problems.append((number, f"第 {pos + 1} 字节起的{f.name}字段把汉字截断了"))
                    return None
                pos += f.width
        else:
            texts = line.split(self.delimiter)
            if len(texts) != len(record.fields):
                parsed.problems.append((number, f"有 {len(texts)} 个字段，应为 {len(record.fields)} 个"))
                return None
            texts = [t.strip() for t in texts]
        values: dict[str, Any] = {}
        for f, t in zip(record.fields, texts, strict=True):
            if f.value is not None:
                if t != f.value:
                    parsed.problems.append((number, f"记录类型应为“{f.value}”，实为“{t}”"))
                    return None
                continue
            try:
                values[f.name] = self._value(f, t)
            except LayoutError as exc:
                parsed.problems.append((number, exc.message))
                return None
        return values

    def _value(self, f: Field, text: str) -> Any:
        if f.name in ("amount", "total"):
            return self.parse_amount(text)
        if f.name in ("count", "seq"):
            if not _INT.match(text):
                raise LayoutError(f"“{text}”不是整数")
            return int(text)
        if f.name in ("file_date", "paid_date"):
            return self.parse_date(text)
        return text

    def width_of(self, kind: str, name: str) -> int | None:
        """The byte width of a detail field in a fixed-width file (None: delimited, or no such field)."""
        if not self.fixed:
            return None
        return next((f.width for f in self.files[kind].detail.fields if f.name == name and f.value is None), None)

    # -- bank account numbers ------------------------------------------------------------------------

    def check_bank_account(self, text: str) -> str:
        """Digits only, a length the bank uses, and the Luhn check digit when its cards carry one."""
        digits = "".join(text.split())
        if not digits or not digits.isascii() or not digits.isdigit():
            raise LayoutError("银行账号只能由数字组成")
        if self.account_lengths and len(digits) not in self.account_lengths:
            allowed = "、".join(str(n) for n in self.account_lengths)
            raise LayoutError(f"{self.name}的账号应为 {allowed} 位，输入的是 {len(digits)} 位")
        if self.luhn and not luhn_ok(digits):
            raise LayoutError("银行账号校验位不对，请核对卡号")
        return digits


@dataclass
class ParsedFile:
    header: dict[str, Any] | None = None
    trailer: dict[str, Any] | None = None
    details: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _record(spec: Any, fmt: str, kind: str, where: str) -> Record:
    if not spec:
        raise LayoutError(f"{KIND_LABELS[kind]}缺少{where}字段")
    fields = []
    for item in spec:
        if isinstance(item, str):
            item = {"name": item}
        name = str(item.get("name") or "")
        value = item.get("value")
        if value is None and name not in FIELD_NAMES:
            raise LayoutError(f"{KIND_LABELS[kind]}{where}有不认识的字段“{name}”")
        width = int(item.get("width") or 0)
        if fmt == "fixed" and width <= 0:
            width = len(str(value).encode("ascii", "replace")) if value is not None else 0
            if width <= 0:
                raise LayoutError(f"定长格式的字段“{name}”须有宽度")
        fields.append(Field(name=name or "literal", width=width, value=None if value is None else str(value)))
    return Record(tuple(fields))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def luhn_complete(body: str) -> str:
    """`body` plus the Luhn check digit (test data, demo cards)."""
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


def mask_account(digits: str) -> str:
    """A bank account shown on screen and on lists: the first 4 and last 4 digits."""
    if len(digits) <= 8:
        return "*" * max(0, len(digits) - 4) + digits[-4:]
    return f"{digits[:4]} **** **** {digits[-4:]}"


def layouts(entries: Iterable[Mapping[str, Any]]) -> dict[str, Layout]:
    return {layout.code: layout for layout in (Layout.from_dict(e) for e in entries)}


# --- the two example layouts shipped with the application (settings key "bank.banks") ---------------

_REASONS = {
    "3001": "余额不足", "3002": "账户已销户", "3003": "账户冻结", "3004": "户名不符", "3005": "账号不存在",
    "3006": "协议已撤销",
}

EXAMPLE_DELIMITED: dict[str, Any] = {
    "code": "GH", "name": "示例工商银行（分隔符格式）", "merchant": "RQ0851001",
    "format": "delimited", "delimiter": "|", "encoding": "gbk", "line_end": "\r\n",
    "amount_unit": "yuan", "date_format": "%Y-%m-%d", "account_lengths": [16, 19], "luhn": True,
    "file_name": "{merchant}_{kind}_{batch}.txt",
    "debit": {
        "header": [{"name": "H", "value": "H"}, "merchant", "batch", "file_date", "count", "total"],
        "detail": [{"name": "D", "value": "D"}, "seq", "bill_number", "account_number", "bank_account", "holder",
                   "amount", "month"],
        "trailer": [{"name": "T", "value": "T"}, "count", "total"],
    },
    "return": {
        "header": [{"name": "H", "value": "H"}, "merchant", "batch", "file_date", "count", "total"],
        "detail": [{"name": "D", "value": "D"}, "seq", "bill_number", "account_number", "bank_account", "holder",
                   "amount", "month", "result", "message"],
        "trailer": [{"name": "T", "value": "T"}, "count", "total"],
    },
    "collection": {
        "header": [{"name": "H", "value": "H"}, "merchant", "file_date", "count", "total"],
        "detail": [{"name": "D", "value": "D"}, "serial", "bill_number", "account_number", "amount", "paid_date",
                   "branch"],
        "trailer": [{"name": "T", "value": "T"}, "count", "total"],
    },
    "paid_codes": ["0000"], "reasons": _REASONS,
}

EXAMPLE_FIXED: dict[str, Any] = {
    "code": "NH", "name": "示例农业银行（定长格式）", "merchant": "085100000012",
    "format": "fixed", "encoding": "gbk", "line_end": "\r\n",
    "amount_unit": "fen", "date_format": "%Y%m%d", "account_lengths": [19], "luhn": True,
    "file_name": "DK{merchant}{batch}.{kind}",
    "debit": {
        "header": [{"name": "1", "value": "1"}, {"name": "merchant", "width": 12}, {"name": "batch", "width": 20},
                   {"name": "file_date", "width": 8}, {"name": "count", "width": 8}, {"name": "total", "width": 15}],
        "detail": [{"name": "2", "value": "2"}, {"name": "seq", "width": 8}, {"name": "bill_number", "width": 20},
                   {"name": "account_number", "width": 12}, {"name": "bank_account", "width": 19},
                   {"name": "holder", "width": 30}, {"name": "amount", "width": 12}],
        "trailer": [{"name": "9", "value": "9"}, {"name": "count", "width": 8}, {"name": "total", "width": 15}],
    },
    "return": {
        "header": [{"name": "1", "value": "1"}, {"name": "merchant", "width": 12}, {"name": "batch", "width": 20},
                   {"name": "file_date", "width": 8}, {"name": "count", "width": 8}, {"name": "total", "width": 15}],
        "detail": [{"name": "2", "value": "2"}, {"name": "seq", "width": 8}, {"name": "bill_number", "width": 20},
                   {"name": "account_number", "width": 12}, {"name": "bank_account", "width": 19},
                   {"name": "holder", "width": 30}, {"name": "amount", "width": 12}, {"name": "result", "width": 4},
                   {"name": "message", "width": 20}],
        "trailer": [{"name": "9", "value": "9"}, {"name": "count", "width": 8}, {"name": "total", "width": 15}],
    },
    "collection": {
        "header": [{"name": "1", "value": "1"}, {"name": "merchant", "width": 12},
                   {"name": "file_date", "width": 8}, {"name": "count", "width": 8}, {"name": "total", "width": 15}],
        "detail": [{"name": "2", "value": "2"}, {"name": "serial", "width": 20}, {"name": "bill_number", "width": 20},
                   {"name": "account_number", "width": 12}, {"name": "amount", "width": 12},
                   {"name": "paid_date", "width": 8}, {"name": "branch", "width": 20}],
        "trailer": [{"name": "9", "value": "9"}, {"name": "count", "width": 8}, {"name": "total", "width": 15}],
    },
    "paid_codes": ["0000"], "reasons": _REASONS,
}

EXAMPLE_LAYOUTS: list[dict[str, Any]] = [EXAMPLE_DELIMITED, EXAMPLE_FIXED]

__all__ = [
    "EXAMPLE_LAYOUTS", "FileFormat", "Layout", "LayoutError", "ParsedFile", "Record", "layouts", "luhn_complete",
    "luhn_ok", "mask_account",
]
