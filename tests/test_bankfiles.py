"""Bank file layouts as data (gasdesk.bankfiles): writing, reading back, refusing what does not fit."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from gasdesk.bankfiles import (
    EXAMPLE_DELIMITED,
    EXAMPLE_FIXED,
    Layout,
    LayoutError,
    luhn_complete,
    luhn_ok,
    mask_account,
)

D = Decimal
ROW = {"seq": 1, "bill_number": "ZD-202612-000001", "account_number": "A000000001",
       "bank_account": luhn_complete("622202100000000001"), "holder": "欧阳娜娜", "amount": D("1234.50"),
       "month": "2026-12"}


@pytest.mark.parametrize("spec", [EXAMPLE_DELIMITED, EXAMPLE_FIXED], ids=["delimited", "fixed"])
def test_a_file_reads_back_what_was_written(spec):
    layout = Layout.from_dict(spec)
    data = layout.write("debit", [ROW, dict(ROW, seq=2, amount=D("0.05"))], batch="DKPC-1", file_date=date(2026, 12, 21))
    data.decode("gbk")
    parsed = layout.read("debit", data)
    assert parsed.problems == []
    assert parsed.header["count"] == 2 and parsed.header["total"] == D("1234.55")
    assert [d["amount"] for _, d in parsed.details] == [D("1234.50"), D("0.05")]
    assert parsed.details[0][1]["holder"] == "欧阳娜娜"


def test_fixed_width_counts_bytes_and_refuses_what_does_not_fit():
    layout = Layout.from_dict(EXAMPLE_FIXED)
    line = layout.write("debit", [ROW], batch="B", file_date=date(2026, 12, 21)).split(b"\r\n")[1]
    assert len(line) == 1 + 8 + 20 + 12 + 19 + 30 + 12  # 欧阳娜娜 is 8 bytes of the 30
    with pytest.raises(LayoutError, match="30 字节"):
        layout.write("debit", [dict(ROW, holder="一二三四五六七八九十一二三四五六")], batch="B", file_date=date(2026, 12, 21))
    with pytest.raises(LayoutError, match="不能表示"):
        layout.write("debit", [dict(ROW, holder="\U00020bb7")], batch="B", file_date=date(2026, 12, 21))
    with pytest.raises(LayoutError, match="负数"):
        layout.write("debit", [dict(ROW, amount=D("-1"))], batch="B", file_date=date(2026, 12, 21))


def test_reading_lists_lines_that_do_not_fit_and_wrong_counts_and_totals():
    layout = Layout.from_dict(EXAMPLE_DELIMITED)
    good = layout.write("debit", [ROW], batch="B", file_date=date(2026, 12, 21))
    bad = good.replace(b"|1234.50|", b"|1234.5|").replace(b"T|1|", b"T|2|")
    problems = layout.read("debit", bad).problems
    assert any("两位小数" in p for _, p in problems) and any("尾行笔数 2" in p for _, p in problems)
    with pytest.raises(LayoutError, match="GBK"):
        layout.read("debit", b"\xff\xfe\x00")
    fixed = Layout.from_dict(EXAMPLE_FIXED)
    data = fixed.write("debit", [ROW], batch="B", file_date=date(2026, 12, 21))
    short = data.split(b"\r\n")
    short[1] = short[1][:-1]
    assert "行长" in fixed.read("debit", b"\r\n".join(short)).problems[0][1]


def test_a_layout_is_checked_when_read_from_the_settings():
    spec = copy.deepcopy(EXAMPLE_DELIMITED)
    spec["amount_unit"] = "jiao"
    with pytest.raises(LayoutError, match="金额单位"):
        Layout.from_dict(spec)
    spec = copy.deepcopy(EXAMPLE_DELIMITED)
    spec["debit"]["detail"].remove("amount")
    with pytest.raises(LayoutError, match="amount"):
        Layout.from_dict(spec)
    spec = copy.deepcopy(EXAMPLE_FIXED)
    spec["debit"]["detail"][1] = {"name": "seq"}
    with pytest.raises(LayoutError, match="宽度"):
        Layout.from_dict(spec)


def test_card_numbers_luhn_and_masking():
    card = luhn_complete("622202100000000001")
    assert luhn_ok(card) and not luhn_ok(card[:-1] + str((int(card[-1]) + 1) % 10))
    assert luhn_ok("4539578763621486")  # a published test number
    assert mask_account(card) == f"{card[:4]} **** **** {card[-4:]}"
    layout = Layout.from_dict(EXAMPLE_FIXED)
    assert layout.check_bank_account(f"{card[:6]} {card[6:]}") == card
    with pytest.raises(LayoutError, match="19 位"):
        layout.check_bank_account(card[:-1])


def test_the_banks_setting_is_checked_before_it_is_saved(app):
    from gasdesk.services.errors import Refused
    from gasdesk.services.settings import SettingsService
    from tests.helpers import make_team

    team = make_team(app)
    svc = SettingsService(app, team.admin)
    broken = copy.deepcopy(EXAMPLE_FIXED)
    broken["encoding"] = "klingon"
    with pytest.raises(Refused, match="编码"):
        svc.update({"bank.banks": [EXAMPLE_DELIMITED, broken]})
    with pytest.raises(Refused, match="重复"):
        svc.update({"bank.banks": [EXAMPLE_DELIMITED, EXAMPLE_DELIMITED]})
    renamed = dict(copy.deepcopy(EXAMPLE_FIXED), code="JH", name="示例建设银行")
    svc.update({"bank.banks": [EXAMPLE_DELIMITED, EXAMPLE_FIXED, renamed]})
    from gasdesk.services.bank import BankService

    assert [b.code for b in BankService(app, team.clerk).banks()] == ["GH", "NH", "JH"]


# --- the entry as the settings editor edits it ----------------------------------------------------------

@pytest.mark.parametrize("spec", [EXAMPLE_DELIMITED, EXAMPLE_FIXED], ids=["delimited", "fixed"])
def test_records_as_the_editor_shows_them_read_back_to_the_same_layout(spec):
    from gasdesk.bankfiles import check_entry, parse_record_text, record_text

    fixed = spec["format"] == "fixed"
    edited = copy.deepcopy(spec)
    for kind in ("debit", "return", "collection"):
        for part, fields in spec[kind].items():
            edited[kind][part] = parse_record_text(record_text(fields, fixed), fixed, f"{kind}.{part}")
    assert check_entry(edited).files == Layout.from_dict(spec).files
    assert record_text(spec["debit"]["detail"], fixed).split()[:3] == (
        ["“2”", "序号:8", "账单号:20"] if fixed else ["“D”", "序号", "账单号"])


@pytest.mark.parametrize("change,field,message", [
    ({"code": "工行"}, "code", "字母、数字"),
    ({"name": ""}, "name", "请填写银行名称"),
    ({"delimiter": "ab"}, "delimiter", "一个符号"),
    ({"date_format": "%Y%m"}, "date_format", "年、月、日"),
    ({"account_lengths": [4]}, "account_lengths", "8 至 32"),
    ({"paid_codes": []}, "paid_codes", "扣款成功"),
    ({"reasons": {"0000": "成功"}}, "reasons", "已是扣款成功"),
    ({"file_name": "{merchant}.txt"}, "file_name", "{batch}"),
    ({"file_name": "../{batch}/{x}.txt"}, "file_name", "占位符"),
    ({"amount_unit": "jiao"}, "amount_unit", "金额单位"),
])
def test_an_entry_is_refused_naming_its_field(change, field, message):
    from gasdesk.bankfiles import check_entry

    with pytest.raises(LayoutError, match=message) as exc:
        check_entry({**copy.deepcopy(EXAMPLE_DELIMITED), **change})
    assert exc.value.field == field


def test_a_fixed_layout_is_checked_for_what_would_only_fail_when_a_file_is_written():
    from gasdesk.bankfiles import check_entry, parse_record_text

    with pytest.raises(LayoutError, match="文件日期宽 8 字节，而日期格式写出 10 个字符") as exc:
        check_entry({**copy.deepcopy(EXAMPLE_FIXED), "date_format": "%Y-%m-%d"})
    assert exc.value.field == "debit.header"
    with pytest.raises(LayoutError, match="商户号字段只有 12 字节") as exc:
        check_entry({**copy.deepcopy(EXAMPLE_FIXED), "merchant": "0851000000123"})
    for text, message in [("“2” 序号:8 账单:20", "不认识的字段“账单”"), ("“2” 序号 账单号:20", "须写宽度"),
                          ("“2” 序号:x", "1 至 200"), ("“” 序号:8", "不能为空")]:
        with pytest.raises(LayoutError, match=message) as exc:
            parse_record_text(text, True, "debit.detail")
        assert exc.value.field == "debit.detail"


@pytest.mark.parametrize("spec", [EXAMPLE_DELIMITED, EXAMPLE_FIXED], ids=["delimited", "fixed"])
def test_one_line_is_read_for_the_editors_trial(spec):
    layout = Layout.from_dict(spec)
    data = layout.write("debit", [ROW], batch="DKPC-1", file_date=date(2026, 12, 21)).decode("gbk")
    line = data.split("\r\n")[1]
    values = layout.read_line("debit", line)
    assert values["bill_number"] == "ZD-202612-000001" and values["amount"] == D("1234.50")
    assert values["holder"] == "欧阳娜娜"
    short = line[:-3] if layout.fixed else line.rsplit("|", 1)[0]
    with pytest.raises(LayoutError, match="应为 102 字节" if layout.fixed else "有 7 个字段，应为 8 个"):
        layout.read_line("debit", short)


def test_a_bank_in_use_stays_in_the_setting(app):
    from gasdesk.services.bank import BankService
    from gasdesk.services.errors import Refused
    from gasdesk.services.settings import SettingsService
    from tests.bank_helpers import CARD_19
    from tests.helpers import active_resident, make_team, snapshot

    team = make_team(app)
    _, order = active_resident(app, team, "张伟", meter="M-INUSE-1")
    agreement = BankService(app, team.clerk).open_agreement(order.account_id, bank="NH", branch="塔山支行",
                                                            holder="张伟", bank_account=CARD_19)
    svc = SettingsService(app, team.admin)
    before = snapshot(app)
    renamed = dict(copy.deepcopy(EXAMPLE_FIXED), code="NX")
    for banks in ([EXAMPLE_DELIMITED], [EXAMPLE_DELIMITED, renamed]):
        with pytest.raises(Refused, match="银行 NH 还有有效的代扣协议") as exc:
            svc.update({"bank.banks": banks})
        assert exc.value.field == "bank.banks"
    assert snapshot(app) == before
    # its layout may change; once the agreement is cancelled the bank may go
    svc.update({"bank.banks": [EXAMPLE_DELIMITED, dict(copy.deepcopy(EXAMPLE_FIXED), name="示例农业银行安顺分行")]})
    BankService(app, team.clerk).set_status(agreement.id, "cancelled", "客户销卡")
    svc.update({"bank.banks": [EXAMPLE_DELIMITED]})
    assert [b.code for b in BankService(app, team.clerk).banks()] == ["GH"]
