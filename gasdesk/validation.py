"""Input checks for the service-hall forms (输入校验).

Every ``check_*`` function either returns the normalised value or raises
:class:`ValidationError` carrying a specific Chinese message for the clerk.
Money and meter readings are handled as :class:`~decimal.Decimal` only.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from gasdesk.errors import ClerkError

__all__ = [
    "ValidationError",
    "MAX_AMOUNT",
    "MAX_READING",
    "MAX_STORED_MONEY",
    "MAX_STORED_QUANTITY",
    "check_amount",
    "check_counter_amount",
    "check_meter_reading",
    "check_text",
    "check_credit_code",
    "check_mobile",
    "check_phone",
    "check_reading",
    "check_required",
    "check_resident_id",
    "make_credit_code",
    "make_resident_id",
    "mask_id",
    "mask_phone",
]


class ValidationError(ClerkError, ValueError):
    """A user input was refused; ``message`` is a Chinese sentence for the clerk."""

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- helpers

# Full-width ASCII variants (U+FF01..U+FF5E) -> ASCII, ideographic space -> space,
# plus a few look-alikes clerks type with a Chinese IME.
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALFWIDTH.update({0x3000: 0x20, 0xFFE5: ord("¥"), 0x2014: ord("-"), 0x2013: ord("-"), 0x2212: ord("-")})

_ASCII_DIGITS = frozenset("0123456789")


def _to_halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def _compact(text: str) -> str:
    """Half-width, with all whitespace removed."""
    return "".join(_to_halfwidth(text).split())


def _is_digits(text: str) -> bool:
    # str.isdigit() also accepts non-ASCII digits such as '²' or Arabic-Indic digits.
    return bool(text) and all(c in _ASCII_DIGITS for c in text)


def _require_str(text: object, label: str, field: str | None) -> str:
    if text is None:
        raise ValidationError(f"请填写{label}", field)
    if not isinstance(text, str):
        raise TypeError(f"{label}: expected str, got {type(text).__name__}")
    return text


def _compact_required(text: object, label: str, field: str | None) -> str:
    """The text compacted (half-width, no whitespace); None or nothing left is refused "请填写{label}"."""
    value = _compact(_require_str(text, label, field))
    if not value:
        raise ValidationError(f"请填写{label}", field)
    return value


# ------------------------------------------------------------------ resident ID card

# Province-level codes of GB/T 2260 used as the first two digits of a resident ID.
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

# ISO 7064 MOD 11-2 weights: 2^(17-i) mod 11 for positions i = 0..16.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


def _resident_id_check_char(body17: str) -> str:
    total = sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def check_resident_id(text: str, *, field: str | None = None) -> str:
    """18-digit PRC resident ID (GB 11643-1999); returns it with an upper-case X."""
    value = _compact_required(text, "身份证号码", field).upper()
    if not _ID_PATTERN.fullmatch(value):
        raise ValidationError("身份证号码应为18位（17位数字加1位数字或X）", field)
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError("身份证号码前两位不是有效的省级行政区划代码", field)
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效", field) from None
    if birth > date.today():
        raise ValidationError("身份证号码中的出生日期无效（晚于今天）", field)
    if birth.year < 1900:
        raise ValidationError("身份证号码中的出生日期无效（早于1900年）", field)
    if _resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError("身份证号码校验位不正确，请核对", field)
    return value


def make_resident_id(region: str, birth: date, seq: int) -> str:
    """Build a valid resident ID: 6-digit region code, birth date, 3-digit sequence, check digit.

    An odd last sequence digit means male, even means female.
    """
    if len(region) != 6 or not _is_digits(region):
        raise ValueError(f"region must be 6 ASCII digits, got {region!r}")
    if region[:2] not in PROVINCE_CODES:
        raise ValueError(f"region {region!r} does not start with a province code")
    if not 0 <= seq <= 999:
        raise ValueError(f"seq must be in 0..999, got {seq}")
    body = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return body + _resident_id_check_char(body)


# ------------------------------------------------------ unified social credit code

# GB 32100-2015 character set: digits and capitals without I, O, Z, S, V (31 symbols).
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {c: i for i, c in enumerate(_CREDIT_CHARS)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _credit_check_char(body17: str) -> str:
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(body17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(text: str, *, field: str | None = None) -> str:
    """18-character unified social credit code (GB 32100-2015), returned upper-case."""
    value = _compact_required(text, "统一社会信用代码", field).upper()
    if len(value) != 18:
        raise ValidationError(f"统一社会信用代码应为18位，当前为{len(value)}位", field)
    bad = sorted({c for c in value if c not in _CREDIT_VALUES})
    if bad:
        shown = "、".join(bad[:5])
        raise ValidationError(
            f"统一社会信用代码含有无效字符：{shown}（只允许数字和除I、O、Z、S、V以外的大写字母）", field
        )
    if _credit_check_char(value[:17]) != value[17]:
        raise ValidationError("统一社会信用代码校验位不正确", field)
    return value


def make_credit_code(body17: str) -> str:
    """Append the GB 32100-2015 check character to a 17-character body."""
    body = body17.upper()
    if len(body) != 17 or any(c not in _CREDIT_VALUES for c in body):
        raise ValueError(f"body17 must be 17 characters from {_CREDIT_CHARS!r}, got {body17!r}")
    return body + _credit_check_char(body)


# ------------------------------------------------------------------------ phones

_MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_MESSAGE = "手机号码应为以1开头的11位数字"
# Mainland area codes: 010 and 020-029 have three digits, all others four (0xxx).
_AREA_LOCAL_PATTERN = re.compile(r"\(?(0[1-9][0-9]{1,2})\)?-?([2-9][0-9]{6,7})")
_LOCAL_PATTERN = re.compile(r"[2-9][0-9]{6,7}")


def _mobile_digits(value: str) -> str | None:
    """The 11 mobile digits of a compacted string, or None when it is not a mobile."""
    digits = value.replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE_PATTERN.fullmatch(digits):
        return digits
    return None


def check_mobile(text: str, *, field: str | None = None) -> str:
    """Mainland mobile number; spaces, hyphens and a leading +86/86 are dropped."""
    value = _compact_required(text, "手机号码", field)
    digits = _mobile_digits(value)
    if digits is None:
        raise ValidationError(_MOBILE_MESSAGE, field)
    return digits


def _split_landline(value: str) -> tuple[str | None, str] | None:
    """(area code or None, local number) of a compacted landline string, or None."""
    if _LOCAL_PATTERN.fullmatch(value):
        return None, value
    m = _AREA_LOCAL_PATTERN.fullmatch(value)
    if m is None:
        return None
    area, local = m.groups()
    if value.count("(") != value.count(")"):
        return None
    if "-" not in value and ")" not in value:
        # No separator: the area code length follows from its leading digits.
        digits = area + local
        area_len = 3 if digits[1] in "12" else 4
        area, local = digits[:area_len], digits[area_len:]
        if not _LOCAL_PATTERN.fullmatch(local):
            return None
    elif len(area) != (3 if area[1] in "12" else 4):
        return None
    return area, local


def check_phone(text: str, *, field: str | None = None) -> str:
    """A mobile number or a landline; landlines with an area code come back as 'AREA-LOCAL'."""
    value = _compact_required(text, "联系电话", field)
    mobile = _mobile_digits(value)
    if mobile is not None:
        return mobile
    parts = _split_landline(value)
    if parts is None:
        raise ValidationError("电话号码格式不正确，应为11位手机号码或座机号码（如0851-86201234）", field)
    area, local = parts
    return local if area is None else f"{area}-{local}"


# ------------------------------------------------------------ money and readings

_NUMBER_PATTERN = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+")
_MAX_INT_DIGITS = 10


def _to_decimal(
    value: object,
    *,
    label: str,
    places: int,
    places_zh: str,
    prefixes: tuple[str, ...],
    suffixes: tuple[str, ...],
    field: str | None,
) -> Decimal:
    if value is None:
        raise ValidationError(f"请填写{label}", field)
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        # float is refused on purpose: binary fractions cannot represent money exactly.
        raise TypeError(f"{label}: expected str, Decimal or int, got {type(value).__name__}")
    if isinstance(value, int):
        if value < 0:
            raise ValidationError(f"{label}不能为负数", field)
        if value >= 10**_MAX_INT_DIGITS:
            raise ValidationError(f"{label}过大，整数部分最多{_MAX_INT_DIGITS}位", field)
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        number = _parse_number_text(value, label=label, prefixes=prefixes, suffixes=suffixes, field=field)
    if not number.is_finite():
        raise ValidationError(f"{label}必须是有效的数字", field)
    if number < 0:
        raise ValidationError(f"{label}不能为负数", field)
    if not number.is_zero() and number.adjusted() >= _MAX_INT_DIGITS:
        raise ValidationError(f"{label}过大，整数部分最多{_MAX_INT_DIGITS}位", field)
    quantum = Decimal(1).scaleb(-places)
    try:
        result = number.quantize(quantum)
    except InvalidOperation:  # pragma: no cover - excluded by the magnitude check above
        raise ValidationError(f"{label}必须是有效的数字", field) from None
    if result != number:
        raise ValidationError(f"{label}最多保留{places_zh}位小数", field)
    if result.is_zero():
        result = abs(result)  # no '-0.00'
    return result


def _parse_number_text(
    text: str, *, label: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...], field: str | None
) -> Decimal:
    s = _compact(text)
    if not s:
        raise ValidationError(f"请填写{label}", field)
    negative = False
    if s[0] in "+-":
        negative, s = s[0] == "-", s[1:]
    for prefix in prefixes:
        if s.startswith(prefix):
            s = s[len(prefix) :]
            break
    if not negative and s[:1] in ("+", "-"):  # '¥-12' as well as '-¥12'
        negative, s = s[0] == "-", s[1:]
    for suffix in suffixes:
        if s.endswith(suffix):
            s = s[: -len(suffix)]
            break
    if not _NUMBER_PATTERN.fullmatch(s):
        raise ValidationError(f"{label}格式不正确，请输入数字，例如 12.50", field)
    number = Decimal(s.replace(",", ""))
    if negative and number != 0:
        raise ValidationError(f"{label}不能为负数", field)
    return number


def check_amount(value: str | Decimal | int, *, field: str | None = None) -> Decimal:
    """Money in yuan: >= 0, at most 2 decimals and 10 integer digits; returns Decimal('0.01')-quantized.

    Strings may use full-width digits, a leading ¥/￥, a trailing 元 and thousands separators.
    """
    return _to_decimal(
        value,
        label="金额",
        places=2,
        places_zh="两",
        prefixes=("¥", "RMB"),
        suffixes=("元",),
        field=field,
    )


def check_reading(value: str | Decimal | int, *, field: str | None = None) -> Decimal:
    """Meter reading in m³: >= 0, at most 3 decimals and 10 integer digits; quantized to 0.001."""
    return _to_decimal(
        value,
        label="表读数",
        places=3,
        places_zh="三",
        prefixes=(),
        suffixes=("立方米", "m³", "m3", "方"),
        field=field,
    )


# The sane maxima of what a counter takes or a meter shows. One payment at the hall stays under ten
# million yuan (a large commercial prepayment is about a million); a meter index has at most eight
# integer digits. Anything larger is a typing slip, and is refused rather than stored.
MAX_AMOUNT = Decimal("9999999.99")
MAX_READING = Decimal("99999999.999")
# What the columns can hold at all (NUMERIC(12, 2) and NUMERIC(14, 3)): a balance or a sum beyond
# these is refused before the database would fail on it.
MAX_STORED_MONEY = Decimal("9999999999.99")
MAX_STORED_QUANTITY = Decimal("99999999999.999")


def check_counter_amount(value: str | Decimal | int, *, field: str | None = None, label: str = "金额") -> Decimal:
    """check_amount, and at most MAX_AMOUNT: what one payment or fee at the counter may be."""
    amount = check_amount(value, field=field)
    if amount > MAX_AMOUNT:
        raise ValidationError(f"{label}不能超过{MAX_AMOUNT:,}元，请核对", field)
    return amount


def check_meter_reading(value: str | Decimal | int, *, field: str | None = None) -> Decimal:
    """check_reading, and at most MAX_READING (eight integer digits)."""
    reading = check_reading(value, field=field)
    if reading > MAX_READING:
        raise ValidationError(f"表读数不能超过{MAX_READING:,}立方米，请核对", field)
    return reading


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a single-line field, line breaks and tabs are control characters too.
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    return bool((_CONTROL if multiline else _LINE_CONTROL).search(text))


def check_text(text: str | None, label: str, max_length: int, *, field: str | None = None,
               required: bool = False, multiline: bool = False) -> str:
    """Typed text, stripped: control characters (NUL and the like; line breaks unless `multiline`)
    and more than `max_length` characters are refused -- never cut or cleaned silently."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ValidationError(f"{label}格式不正确", field)
    value = text.strip()
    if has_control_characters(value, multiline=multiline):
        raise ValidationError(f"{label}含有不可见的控制字符，请重新输入", field)
    if required and not value:
        raise ValidationError(f"请填写{label}", field)
    if len(value) > max_length:
        raise ValidationError(f"{label}过长：最多{max_length}个字，现有{len(value)}个字", field)
    return value


def clean_text(text: str | None) -> str:
    """Typed or pasted text without control characters (NUL breaks PostgreSQL), stripped."""
    if text is None:
        return ""
    return _CONTROL.sub("", str(text)).strip()


def check_required(text: str | None, label: str, *, field: str | None = None) -> str:
    """The cleaned text; empty or None is refused with "请填写{label}"."""
    cleaned = clean_text(text)
    if not cleaned:
        raise ValidationError(f"请填写{label}", field)
    return cleaned


# ----------------------------------------------------------------------- masking


def mask_id(text: str) -> str:
    """Mask an ID number for display: keep the first 4 and last 4 characters.

    Inputs of 8 characters or fewer keep only the last 2 (2 or fewer: everything masked).
    """
    value = _compact(text)
    n = len(value)
    if n <= 2:
        return "*" * n
    if n <= 8:
        return "*" * (n - 2) + value[-2:]
    return value[:4] + "*" * (n - 8) + value[-4:]


def _mask_tail(value: str, keep: int) -> str:
    """Mask all but the last ``keep`` characters (short values: all but the last 2, or all)."""
    n = len(value)
    if n <= keep:
        keep = 2 if n > 2 else 0
    return "*" * (n - keep) + value[n - keep :]


def mask_phone(text: str) -> str:
    """Mask a phone number for display: '13812345678' -> '138****5678'.

    Landlines keep the area code and the last 4 digits: '0851-86201234' -> '0851-****1234'.
    """
    value = _compact(text)
    mobile = _mobile_digits(value)
    if mobile is not None:
        return mobile[:3] + "****" + mobile[-4:]
    parts = _split_landline(value)
    if parts is not None:
        area, local = parts
        masked = _mask_tail(local, 4)
        return masked if area is None else f"{area}-{masked}"
    return _mask_tail(value, 4)
