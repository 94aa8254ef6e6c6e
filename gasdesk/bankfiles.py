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

import codecs
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from gasdesk.errors import ClerkError

FIELD_NAMES = frozenset({
    "merchant", "batch", "file_date", "count", "total", "seq", "bill_number", "account_number", "bank_account",
    "holder", "amount", "month", "result", "message", "serial", "paid_date", "branch", "filler",
})
NUMERIC = frozenset({"count", "total", "seq", "amount"})
KINDS = ("debit", "return", "collection")
KIND_LABELS = {"debit": "代扣文件", "return": "回盘文件", "collection": "代收文件"}
RECORD_LABELS = {"header": "首行", "detail": "明细", "trailer": "尾行"}
# The fields as an administrator reads and types them in the layout editor.
FIELD_LABELS = {
    "merchant": "商户号", "batch": "批次号", "file_date": "文件日期", "count": "笔数", "total": "总金额",
    "seq": "序号", "bill_number": "账单号", "account_number": "燃气户号", "bank_account": "银行账号",
    "holder": "户名", "amount": "金额", "month": "账期", "result": "结果码", "message": "结果说明",
    "serial": "银行流水号", "paid_date": "缴费日期", "branch": "网点", "filler": "空白",
}
ENTRY_LABELS = {
    "code": "银行代码", "name": "银行名称", "merchant": "商户号", "format": "文件格式", "delimiter": "分隔符",
    "encoding": "文件编码", "line_end": "换行", "amount_unit": "金额单位", "date_format": "日期格式",
    "account_lengths": "卡号位数", "luhn": "卡号校验", "paid_codes": "扣款成功的结果码", "reasons": "失败原因",
    "file_name": "文件命名", "debit": "代扣文件", "return": "回盘文件", "collection": "代收文件",
}
CENT = Decimal("0.01")
_YUAN = re.compile(r"^\d{1,10}\.\d{2}$")
_FEN = re.compile(r"^\d{1,15}$")
_INT = re.compile(r"^\d{1,9}$")


class LayoutError(ClerkError, ValueError):
    """A layout or a file does not fit: `message` is a Chinese sentence; `field` names the setting it is
    about (a key of the bank's entry, or "debit.detail" etc. for a record), for the editor to show it
    beside that field."""


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
                raise LayoutError(f"银行文件格式缺少“{ENTRY_LABELS.get(key, key)}”", key)
            return d[key]

        fmt = need("format")
        if fmt not in ("delimited", "fixed"):
            raise LayoutError("文件格式应为 delimited（分隔符）或 fixed（定长）", "format")
        unit = need("amount_unit")
        if unit not in ("yuan", "fen"):
            raise LayoutError("金额单位应为 yuan（元）或 fen（分）", "amount_unit")
        encoding = need("encoding")
        try:
            "测".encode(encoding)
        except LookupError as exc:
            raise LayoutError(f"不认识的文件编码：{encoding}", "encoding") from exc
        try:
            datetime(2026, 1, 2).strftime(need("date_format"))
        except ValueError as exc:
            raise LayoutError("日期格式有误", "date_format") from exc
        files: dict[str, FileFormat] = {}
        for kind in KINDS:
            spec = need(kind)
            files[kind] = FileFormat(
                detail=_record(spec.get("detail"), fmt, kind, "detail"),
                header=_record(spec["header"], fmt, kind, "header") if spec.get("header") else None,
                trailer=_record(spec["trailer"], fmt, kind, "trailer") if spec.get("trailer") else None,
            )
        for kind, needed in (("debit", {"bill_number", "amount", "bank_account"}),
                             ("return", {"bill_number", "amount", "result"}),
                             ("collection", {"bill_number", "amount", "serial"})):
            missing = needed - files[kind].detail.names()
            if missing:
                raise LayoutError(f"{KIND_LABELS[kind]}明细缺少字段：{'、'.join(FIELD_LABELS[n] for n in sorted(missing))}"
                                  f"（{'、'.join(sorted(missing))}）", f"{kind}.detail")
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
        plan = self._plan(spec.detail)
        for i in range(first, last):
            values = self._fields(spec.detail, lines[i], i + 1, parsed, plan)
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

    def _plan(self, record: Record) -> _Plan:
        """How to read each field of a record: (name, constant, converter, first byte, end byte)."""
        fields, pos = [], 0
        for f in record.fields:
            fields.append((f.name, f.value, None if f.value is not None else self._converter(f.name), pos,
                           pos + f.width))
            pos += f.width
        return _Plan(tuple(fields), pos)

    def _converter(self, name: str) -> Callable[[str], Any] | None:
        if name in ("amount", "total"):
            return self.parse_amount
        if name in ("count", "seq"):
            return _integer
        if name in ("file_date", "paid_date"):
            return self.parse_date
        return None

    def _fields(self, record: Record, line: str, number: int, parsed: ParsedFile,
                plan: _Plan | None = None) -> dict[str, Any] | None:
        plan = plan or self._plan(record)
        if self.fixed:
            raw = self._encode(line)
            if len(raw) != plan.width:
                parsed.problems.append((number, f"行长 {len(raw)} 字节，应为 {plan.width} 字节"))
                return None
            texts = []
            decode = codecs.getdecoder(self.encoding)
            for name, _value, _conv, start, end in plan.fields:
                try:
                    texts.append(decode(raw[start:end])[0].strip())
                except UnicodeDecodeError:
                    parsed.problems.append((number, f"第 {start + 1} 字节起的{name}字段把汉字截断了"))
                    return None
        else:
            texts = line.split(self.delimiter)
            if len(texts) != len(plan.fields):
                parsed.problems.append((number, f"有 {len(texts)} 个字段，应为 {len(plan.fields)} 个"))
                return None
            texts = [t.strip() for t in texts]
        values: dict[str, Any] = {}
        for (name, value, conv, _start, _end), t in zip(plan.fields, texts, strict=True):
            if value is not None:
                if t != value:
                    parsed.problems.append((number, f"记录类型应为“{value}”，实为“{t}”"))
                    return None
            elif conv is None:
                values[name] = t
            else:
                try:
                    values[name] = conv(t)
                except LayoutError as exc:
                    parsed.problems.append((number, exc.message))
                    return None
        return values

    def read_line(self, kind: str, line: str, part: str = "detail") -> dict[str, Any]:
        """One line of a file (a detail, or the header or trailer) read by this layout: its values by
        field name; LayoutError with the reason when it does not fit (the layout editor's trial read)."""
        spec = self.files[kind]
        record = {"header": spec.header, "detail": spec.detail, "trailer": spec.trailer}[part]
        if record is None:
            raise LayoutError(f"{KIND_LABELS[kind]}没有{RECORD_LABELS[part]}")
        parsed = ParsedFile()
        values = self._fields(record, line.rstrip("\r\n"), 1, parsed)
        if values is None:
            raise LayoutError(parsed.problems[0][1])
        return values

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


@dataclass(frozen=True)
class _Plan:
    fields: tuple[tuple[str, str | None, Callable[[str], Any] | None, int, int], ...]
    width: int


def _integer(text: str) -> int:
    if not _INT.match(text):
        raise LayoutError(f"“{text}”不是整数")
    return int(text)


@dataclass
class ParsedFile:
    header: dict[str, Any] | None = None
    trailer: dict[str, Any] | None = None
    details: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _record(spec: Any, fmt: str, kind: str, part: str) -> Record:
    where, key = RECORD_LABELS[part], f"{kind}.{part}"
    if not spec:
        raise LayoutError(f"{KIND_LABELS[kind]}缺少{where}字段", key)
    fields = []
    for item in spec:
        if isinstance(item, str):
            item = {"name": item}
        name = str(item.get("name") or "")
        value = item.get("value")
        if value is None and name not in FIELD_NAMES:
            raise LayoutError(f"{KIND_LABELS[kind]}{where}有不认识的字段“{name}”", key)
        width = int(item.get("width") or 0)
        if fmt == "fixed" and width <= 0:
            width = len(str(value).encode("ascii", "replace")) if value is not None else 0
            if width <= 0:
                raise LayoutError(f"定长格式的字段“{FIELD_LABELS.get(name, name)}”须有宽度", key)
        fields.append(Field(name=name or "literal", width=width, value=None if value is None else str(value)))
    return Record(tuple(fields))


# --- the settings entry as an administrator edits it ------------------------------------------------

_CODE = re.compile(r"^[A-Za-z0-9_]{1,20}$")
_WIDTH = re.compile(r"^(?P<name>[^:：]+)(?:[:：](?P<width>\S*))?$")
_CONST = re.compile(r"^[“\"](?P<value>[^”\"]*)[”\"](?:[:：](?P<width>\S*))?$")
_PLACEHOLDERS = {"merchant", "kind", "batch", "bank"}


def record_text(spec: Any, fixed: bool) -> str:
    """A record of a settings entry as the editor shows it: 字段 or 字段:宽度, constants in quotes,
    separated by spaces (e.g. `“2” 序号:8 账单号:20 金额:12`)."""
    parts = []
    for item in spec or []:
        if isinstance(item, str):
            item = {"name": item}
        value, width = item.get("value"), int(item.get("width") or 0)
        if value is not None:
            text = f"“{value}”"
            if fixed and width and width != len(str(value).encode("ascii", "replace")):
                text += f":{width}"
        else:
            text = FIELD_LABELS.get(str(item.get("name")), str(item.get("name")))
            if fixed and width:
                text += f":{width}"
        parts.append(text)
    return " ".join(parts)


def parse_record_text(text: str, fixed: bool, key: str) -> list[dict[str, Any]]:
    """The editor's text of one record back to the entry's list of fields; refuses (naming `key`, e.g.
    "debit.detail") a field it does not know, a width that is not a whole number, or, in a fixed-width
    layout, a field without its width."""
    by_label = {v: k for k, v in FIELD_LABELS.items()}
    fields: list[dict[str, Any]] = []
    for token in text.replace("，", " ").replace(",", " ").split():
        const = _CONST.match(token)
        match = const or _WIDTH.match(token)
        if match is None:
            raise LayoutError(f"看不懂“{token}”：字段写作 字段名 或 字段名:宽度，固定值写在引号里", key)
        width_text = match.group("width")
        if width_text is not None and not (width_text.isascii() and width_text.isdigit() and 0 < int(width_text) <= 200):
            raise LayoutError(f"“{token}”的宽度应为 1 至 200 的整数", key)
        width = int(width_text) if width_text else 0
        if const is not None:
            value = const.group("value")
            if not value:
                raise LayoutError(f"“{token}”：引号里的固定值不能为空", key)
            fields.append({"name": value, "value": value, **({"width": width} if width else {})})
            continue
        label = match.group("name")
        name = by_label.get(label) or (label if label in FIELD_NAMES else None)
        if name is None:
            known = "、".join(FIELD_LABELS.values())
            raise LayoutError(f"不认识的字段“{label}”；可用的字段：{known}", key)
        if fixed and not width:
            raise LayoutError(f"定长格式的字段“{label}”须写宽度，如 {label}:12", key)
        fields.append({"name": name, **({"width": width} if width else {})})
    return fields


def check_entry(d: Mapping[str, Any]) -> Layout:
    """A contracted bank's entry as it may be saved: everything `Layout.from_dict` reads, plus what
    would only fail later, when a file is written or read (a date format that cannot be read back, a
    fixed-width date or merchant field too narrow, a file name without the batch number). Refused
    with a LayoutError naming the field."""
    code = str(d.get("code") or "")
    if not _CODE.match(code):
        raise LayoutError("银行代码只能由字母、数字组成，最多 20 位，如 GH", "code")
    for key, limit in (("name", 60), ("merchant", 30)):
        text = str(d.get(key) or "").strip()
        if not text:
            raise LayoutError(f"请填写{ENTRY_LABELS[key]}", key)
        if len(text) > limit or text != str(d.get(key)):
            raise LayoutError(f"{ENTRY_LABELS[key]}最多 {limit} 个字，前后不能有空格", key)
    if d.get("format") == "delimited":
        delimiter = str(d.get("delimiter") or "")
        if len(delimiter) != 1 or delimiter.isalnum() or delimiter in " \r\n\"“”":
            raise LayoutError("分隔符应为一个符号，如 | 或 ,", "delimiter")
    if str(d.get("line_end") or "\r\n") not in ("\r\n", "\n"):
        raise LayoutError("换行应为 CRLF（Windows）或 LF", "line_end")
    fmt = str(d.get("date_format") or "")
    sample = date(2026, 12, 31)
    try:
        if datetime.strptime(sample.strftime(fmt), fmt).date() != sample:
            raise ValueError(fmt)
    except ValueError as exc:
        raise LayoutError("日期格式须写出年、月、日并能读回，如 %Y%m%d 或 %Y-%m-%d", "date_format") from exc
    try:
        lengths = [int(n) for n in d.get("account_lengths") or ()]
    except (TypeError, ValueError) as exc:
        raise LayoutError("卡号位数应为整数，如 16、19", "account_lengths") from exc
    if not lengths or any(not 8 <= n <= 32 for n in lengths):
        raise LayoutError("卡号位数应为 8 至 32 之间的整数，如 16、19", "account_lengths")
    codes = [str(c).strip() for c in d.get("paid_codes") or ()]
    if not codes or any(not c or len(c) > 10 for c in codes):
        raise LayoutError("请填写扣款成功的结果码（每个最多 10 位），如 0000", "paid_codes")
    for code_, reason in (d.get("reasons") or {}).items():
        if not str(code_).strip() or len(str(code_)) > 10 or not str(reason).strip() or len(str(reason)) > 60:
            raise LayoutError("失败原因每行写 结果码 和 原因（结果码最多 10 位，原因最多 60 字），如 3001 余额不足",
                              "reasons")
        if str(code_) in codes:
            raise LayoutError(f"结果码 {code_} 已是扣款成功的结果码，不能再作失败原因", "reasons")
    name = str(d.get("file_name") or "")
    try:
        used = {part[1] for part in string.Formatter().parse(name) if part[1] is not None}
        name.format(merchant="M", kind="debit", batch="B", bank="B")
    except (ValueError, KeyError, IndexError) as exc:
        raise LayoutError("文件命名中的占位符只能用 {merchant}、{kind}、{batch}、{bank}", "file_name") from exc
    if not used <= _PLACEHOLDERS or "batch" not in used or "/" in name or "\\" in name:
        raise LayoutError("文件命名须含 {batch}（批次号），占位符只能用 {merchant}、{kind}、{batch}、{bank}，"
                          "不能含 / 或 \\", "file_name")
    layout = Layout.from_dict(d)
    if layout.fixed:
        dated = len(layout.date_text(sample).encode(layout.encoding))
        merchant = len(layout.merchant.encode(layout.encoding))
        for kind in KINDS:
            spec = layout.files[kind]
            for part, record in (("header", spec.header), ("detail", spec.detail), ("trailer", spec.trailer)):
                for f in record.fields if record is not None else ():
                    if f.name in ("file_date", "paid_date") and f.value is None and f.width != dated:
                        raise LayoutError(f"{FIELD_LABELS[f.name]}宽 {f.width} 字节，而日期格式写出 {dated} 个字符",
                                          f"{kind}.{part}")
                    if f.name == "merchant" and f.value is None and f.width < merchant:
                        raise LayoutError(f"商户号有 {merchant} 个字符，{KIND_LABELS[kind]}{RECORD_LABELS[part]}的"
                                          f"商户号字段只有 {f.width} 字节宽", f"{kind}.{part}")
    return layout


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
    "EXAMPLE_LAYOUTS", "ENTRY_LABELS", "FIELD_LABELS", "FileFormat", "Layout", "LayoutError", "ParsedFile", "Record",
    "check_entry", "layouts", "luhn_complete", "luhn_ok", "mask_account", "parse_record_text", "record_text",
]
