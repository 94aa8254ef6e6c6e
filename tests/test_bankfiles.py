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
