from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gasdesk.validation import (
    PROVINCE_CODES,
    ValidationError,
    check_amount,
    check_credit_code,
    check_mobile,
    check_phone,
    check_reading,
    check_required,
    check_resident_id,
    make_credit_code,
    make_resident_id,
    mask_id,
    mask_phone,
)

# Worked by hand (GB 11643 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2):
#   1*7+1*9+0+1*5+0+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0+0+2*2 = 167, 167 mod 11 = 2 -> 'X'
STANDARD_ID = "11010519491231002X"
#   5*7+2*9+0+3*5+0+2*4+1*2+9*1+9*6+0+0+1*9+0+1*5+1*8+2*4+3*2 = 177, 177 mod 11 = 1 -> '0'
ZUNYI_ID = "520302199001011230"
# Worked by hand (GB 32100 weights, M=21, Y=30): sum = 1640, 1640 mod 31 = 28, 31 - 28 = 3 -> '3'
CREDIT_CODE = "91350100M000100Y43"

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def error_of(func: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func()
    assert has_chinese(info.value.message)
    return info.value


# ------------------------------------------------------------------ ValidationError


def test_validation_error_attributes() -> None:
    err = ValidationError("请填写姓名", field="name")
    assert isinstance(err, ValueError)
    assert err.message == "请填写姓名"
    assert err.field == "name"
    assert str(err) == "请填写姓名"
    assert ValidationError("x").field is None
    assert error_of(lambda: check_mobile("123", field="mobile")).field == "mobile"


# ------------------------------------------------------------------- resident ID


def test_resident_id_known_good() -> None:
    assert check_resident_id(STANDARD_ID) == STANDARD_ID
    assert check_resident_id(ZUNYI_ID) == ZUNYI_ID
    assert make_resident_id("110105", date(1949, 12, 31), 2) == STANDARD_ID
    assert make_resident_id("520302", date(1990, 1, 1), 123) == ZUNYI_ID


def test_resident_id_normalisation() -> None:
    assert check_resident_id(STANDARD_ID.lower()) == STANDARD_ID
    assert check_resident_id(" 110105 19491231 002x ") == STANDARD_ID
    assert check_resident_id("１１０１０５１９４９１２３１００２Ｘ") == STANDARD_ID


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12345",
        "11010519491231002",
        "11010519491231002XX",
        "1101051949123100XX",
        "11010519491231002Y",
    ],
)
def test_resident_id_format_errors(text: str) -> None:
    err = error_of(lambda: check_resident_id(text))
    assert err.message in ("请填写身份证号码", "身份证号码应为18位（17位数字加1位数字或X）")


def test_resident_id_error_messages() -> None:
    assert (
        error_of(lambda: check_resident_id("12345")).message == "身份证号码应为18位（17位数字加1位数字或X）"
    )
    bad_region = "99" + STANDARD_ID[2:]
    assert "省级行政区划" in error_of(lambda: check_resident_id(bad_region)).message
    # 31 Feb does not exist (check digit computed for the invalid body)
    bad_date = "110105" + "19490231" + "002"
    bad_date += _id_check(bad_date)
    assert error_of(lambda: check_resident_id(bad_date)).message == "身份证号码中的出生日期无效"
    future = make_resident_id("520302", date.today() + timedelta(days=400), 1)
    assert error_of(lambda: check_resident_id(future)).message.startswith("身份证号码中的出生日期无效")
    old = make_resident_id("520302", date(1899, 12, 31), 1)
    assert error_of(lambda: check_resident_id(old)).message.startswith("身份证号码中的出生日期无效")
    wrong_check = STANDARD_ID[:17] + "1"
    assert error_of(lambda: check_resident_id(wrong_check)).message == "身份证号码校验位不正确，请核对"


def _id_check(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


def test_make_resident_id_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        make_resident_id("52030", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_resident_id("990302", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_resident_id("520302", date(1990, 1, 1), 1000)
    with pytest.raises(ValueError):
        make_resident_id("520302", date(1990, 1, 1), -1)


regions = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date.today())


@settings(max_examples=300)
@given(region=regions, birth=births, seq=st.integers(min_value=0, max_value=999))
def test_generated_ids_pass(region: str, birth: date, seq: int) -> None:
    rid = make_resident_id(region, birth, seq)
    assert len(rid) == 18
    assert check_resident_id(rid) == rid
    assert check_resident_id(rid.lower()) == rid


@settings(max_examples=300)
@given(
    region=regions,
    birth=births,
    seq=st.integers(min_value=0, max_value=999),
    pos=st.integers(min_value=0, max_value=17),
    char=st.sampled_from("0123456789X"),
)
def test_single_character_change_refused(region: str, birth: date, seq: int, pos: int, char: str) -> None:
    rid = make_resident_id(region, birth, seq)
    if rid[pos] == char:
        return
    changed = rid[:pos] + char + rid[pos + 1 :]
    with pytest.raises(ValidationError):
        check_resident_id(changed)


# ----------------------------------------------------------- unified credit code


def test_credit_code_known_good() -> None:
    assert check_credit_code(CREDIT_CODE) == CREDIT_CODE
    assert check_credit_code(CREDIT_CODE.lower()) == CREDIT_CODE
    assert check_credit_code(" 91350100 M000100Y4 3 ") == CREDIT_CODE
    assert make_credit_code(CREDIT_CODE[:17]) == CREDIT_CODE
    assert make_credit_code(CREDIT_CODE[:17].lower()) == CREDIT_CODE


def test_credit_code_errors() -> None:
    assert error_of(lambda: check_credit_code("")).message == "请填写统一社会信用代码"
    assert "18位" in error_of(lambda: check_credit_code("91350100M000100Y4")).message
    wrong = CREDIT_CODE[:17] + "4"
    assert error_of(lambda: check_credit_code(wrong)).message == "统一社会信用代码校验位不正确"
    with pytest.raises(ValueError):
        make_credit_code("91350100M000100Y")
    with pytest.raises(ValueError):
        make_credit_code("91350100I000100Y4")


@pytest.mark.parametrize("bad", list("IOZSV"))
def test_credit_code_forbidden_letters(bad: str) -> None:
    code = CREDIT_CODE[:8] + bad + CREDIT_CODE[9:]
    msg = error_of(lambda: check_credit_code(code)).message
    assert "无效字符" in msg and bad in msg


credit_bodies = st.text(alphabet=CREDIT_CHARS, min_size=17, max_size=17)


@settings(max_examples=300)
@given(body=credit_bodies, pos=st.integers(min_value=0, max_value=17), char=st.sampled_from(CREDIT_CHARS))
def test_generated_credit_codes(body: str, pos: int, char: str) -> None:
    code = make_credit_code(body)
    assert check_credit_code(code) == code
    if code[pos] != char:
        with pytest.raises(ValidationError):
            check_credit_code(code[:pos] + char + code[pos + 1 :])


# ------------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "8613812345678",
        "+86-13812345678",
    ],
)
def test_mobile_accepted(text: str) -> None:
    assert check_mobile(text) == "13812345678"


@pytest.mark.parametrize(
    "text", ["1381234567", "138123456789", "12812345678", "23812345678", "1381234567a", "+85213812345"]
)
def test_mobile_refused(text: str) -> None:
    assert error_of(lambda: check_mobile(text)).message == "手机号码应为以1开头的11位数字"


def test_mobile_empty() -> None:
    assert error_of(lambda: check_mobile(" ")).message == "请填写手机号码"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0851-86201234", "0851-86201234"),
        ("085186201234", "0851-86201234"),
        ("0851 8620 1234", "0851-86201234"),
        ("(0851)86201234", "0851-86201234"),
        ("86201234", "86201234"),
        ("8620123", "8620123"),
        ("010-82345678", "010-82345678"),
        ("01082345678", "010-82345678"),
        ("02187654321", "021-87654321"),
        ("0851-8620123", "0851-8620123"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
    ],
)
def test_phone_accepted(text: str, expected: str) -> None:
    assert check_phone(text) == expected


@pytest.mark.parametrize(
    "text", ["12345", "0851-123", "851-86201234", "0851-01234567", "085-86201234", "0851—862O1234"]
)
def test_phone_refused(text: str) -> None:
    assert "电话号码格式不正确" in error_of(lambda: check_phone(text)).message


# -------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5", Decimal("12.50")),
        ("１２.５０", Decimal("12.50")),
        ("１２．５０", Decimal("12.50")),
        ("¥12.50", Decimal("12.50")),
        ("￥12.50", Decimal("12.50")),
        ("12.50元", Decimal("12.50")),
        ("1,234.00", Decimal("1234.00")),
        ("1,234,567", Decimal("1234567.00")),
        (" 0.10 ", Decimal("0.10")),
        ("0", Decimal("0.00")),
        (".5", Decimal("0.50")),
        ("9999999999.99", Decimal("9999999999.99")),
        (Decimal("0.1") + Decimal("0.2"), Decimal("0.30")),
        (Decimal("1.230"), Decimal("1.23")),
        (Decimal("-0"), Decimal("0.00")),
        (42, Decimal("42.00")),
    ],
)
def test_amount_accepted(text: str | Decimal | int, expected: Decimal) -> None:
    result = check_amount(text)
    assert result == expected
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2
    assert not result.is_signed()


def test_amount_exact() -> None:
    assert check_amount("0.10") == Decimal("0.10")
    assert check_amount("0.1") + check_amount("0.2") == Decimal("0.3")
    assert str(check_amount("0.10")) == "0.10"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "金额不能为负数"),
        ("-¥1.00", "金额不能为负数"),
        ("¥-1.00", "金额不能为负数"),
        (Decimal("-0.01"), "金额不能为负数"),
        (-5, "金额不能为负数"),
        ("1.234", "金额最多保留两位小数"),
        (Decimal("0.001"), "金额最多保留两位小数"),
        ("", "请填写金额"),
    ],
)
def test_amount_error_messages(value: str | Decimal | int, message: str) -> None:
    assert error_of(lambda: check_amount(value)).message == message


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "inf",
        "Infinity",
        "1e3",
        "12,34",
        "1,2345",
        "abc",
        "12.",
        "1.2.3",
        "--1",
        "¥",
        "12 元 元",
        "10000000000",
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("1E+10"),
        10**10,
    ],
)
def test_amount_garbage_refused(value: str | Decimal | int) -> None:
    error_of(lambda: check_amount(value))


def test_amount_rejects_float_and_bool() -> None:
    with pytest.raises(TypeError):
        check_amount(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        check_amount(True)


def test_reading() -> None:
    assert check_reading("1234.5") == Decimal("1234.500")
    assert check_reading("1,234.567") == Decimal("1234.567")
    assert check_reading("12.5 m³") == Decimal("12.500")
    assert check_reading(Decimal("7")) == Decimal("7.000")
    assert check_reading(0) == Decimal("0.000")
    assert error_of(lambda: check_reading("1.2345")).message == "表读数最多保留三位小数"
    assert error_of(lambda: check_reading("-1")).message == "表读数不能为负数"
    error_of(lambda: check_reading("¥12"))
    error_of(lambda: check_reading("nan"))


# ----------------------------------------------------------------------- required


def test_required() -> None:
    assert check_required("  张三 ", "姓名") == "张三"
    assert error_of(lambda: check_required("   ", "姓名")).message == "请填写姓名"
    assert error_of(lambda: check_required(None, "用户地址")).message == "请填写用户地址"


# ------------------------------------------------------------------------ masking


def test_mask_id() -> None:
    assert mask_id("520302199001011234") == "5203**********1234"
    assert mask_id(STANDARD_ID) == "1101**********002X"
    assert mask_id("123456") == "****56"
    assert mask_id("12") == "**"
    assert mask_id("") == ""


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("0851-86201234") == "0851-****1234"
    assert mask_phone("86201234") == "****1234"
    assert mask_phone("123") == "*23"


# ------------------------------------------------------- robustness (hypothesis)

CHECKERS: list[Callable[[str], object]] = [
    check_resident_id,
    check_credit_code,
    check_mobile,
    check_phone,
    check_amount,
    check_reading,
    lambda s: check_required(s, "姓名"),
]

interesting_text = st.one_of(
    st.text(),
    st.text(alphabet="0123456789Xx-+.,¥￥元 ()０１２３４５６７８９．，eE", max_size=25),
)


@settings(max_examples=500)
@given(text=interesting_text, index=st.integers(min_value=0, max_value=len(CHECKERS) - 1))
def test_checkers_only_raise_validation_error(text: str, index: int) -> None:
    try:
        result = CHECKERS[index](text)
    except ValidationError as exc:
        assert exc.message
        assert has_chinese(exc.message)
    else:
        assert result is not None


@given(text=st.text())
def test_masks_never_fail(text: str) -> None:
    assert isinstance(mask_id(text), str)
    assert isinstance(mask_phone(text), str)


@given(
    units=st.integers(min_value=0, max_value=10**10 - 1),
    cents=st.integers(min_value=0, max_value=99),
)
def test_amount_round_trip(units: int, cents: int) -> None:
    text = f"{units}.{cents:02d}"
    assert check_amount(text) == Decimal(text)
    assert check_amount(f"¥{units:,}.{cents:02d}") == Decimal(text)
