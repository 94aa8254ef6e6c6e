"""系统设置 → 银行文件格式: an administrator edits the contracted banks' file layouts; a bad value is refused
beside its field with nothing written; the layout is previewed on a sample and on a pasted line."""

from __future__ import annotations

import copy
from datetime import date

from PySide6.QtCore import Qt

from gasdesk.bankfiles import EXAMPLE_LAYOUTS
from gasdesk.services.bank import BankService
from gasdesk.services.settings import SettingsService
from gasdesk.ui.main_window import SETTINGS
from tests.bank_helpers import CARD_19
from tests.helpers import active_resident
from tests.ui import steps
from tests.ui.driver import choose, click, type_into


def open_editor(qtbot, win):  # type: ignore[no-untyped-def]
    steps.go(qtbot, win, SETTINGS)
    tabs = win.settings_page.tabs
    editor = win.settings_page.banks
    index = tabs.indexOf(editor)
    assert tabs.tabText(index) == "银行文件格式"
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentWidget() is editor)
    return editor


def saved(app, actor):  # type: ignore[no-untyped-def]
    return SettingsService(app, actor).all()["bank.banks"]


def test_bank_layouts_edited_checked_previewed_and_saved(qtbot, gui_app, team, window, msgs):
    win = window(team.admin)
    editor = open_editor(qtbot, win)
    assert [editor.bank_list.item(i).text().split()[0] for i in range(editor.bank_list.count())] == ["GH", "NH"]
    before = copy.deepcopy(saved(gui_app, team.admin))
    assert before == EXAMPLE_LAYOUTS

    # The fixed-width bank: a field the editor does not know, then a date format its 8-byte date cannot hold.
    editor.bank_list.setCurrentRow(1)
    assert editor.code.text() == "NH" and editor.format.currentData() == "fixed"
    detail = editor.record_edits["debit.detail"]
    assert detail.text() == "“2” 序号:8 账单号:20 燃气户号:12 银行账号:19 户名:30 金额:12"
    type_into(qtbot, detail, "“2” 序号:8 账单:20 燃气户号:12 银行账号:19 户名:30 金额:12")
    click(qtbot, editor.save_button)
    assert "不认识的字段“账单”" in editor.errors["debit.detail"].text()
    assert editor.errors["debit.detail"].isVisible()
    type_into(qtbot, detail, "“2” 序号:8 账单号:20 燃气户号:12 银行账号:19 户名:30 金额")
    click(qtbot, editor.save_button)
    assert "须写宽度" in editor.errors["debit.detail"].text()
    type_into(qtbot, detail, "“2” 序号:8 账单号:20 燃气户号:12 银行账号:19 户名:30 金额:12")
    choose(editor.date_format, "%Y-%m-%d")
    click(qtbot, editor.save_button)
    assert "文件日期宽 8 字节，而日期格式写出 10 个字符" in editor.errors["debit.header"].text()
    assert not editor.errors["debit.detail"].isVisible()
    choose(editor.date_format, "%Y%m%d")
    assert saved(gui_app, team.admin) == before and msgs.texts("information") == []  # nothing written

    # A new delimited bank: amounts in fen, comma-separated; previewed on the sample and a pasted line.
    click(qtbot, editor.add_delimited)
    assert editor.bank_list.count() == 3 and editor.code.text() == ""
    type_into(qtbot, editor.code, "GH")
    type_into(qtbot, editor.name, "示例建设银行")
    type_into(qtbot, editor.merchant, "JS0851")
    type_into(qtbot, editor.delimiter, ",")
    choose(editor.amount_unit, "fen")
    type_into(qtbot, editor.account_lengths, "19")
    click(qtbot, editor.save_button)
    assert "已有另一家银行使用" in editor.errors["code"].text()
    assert saved(gui_app, team.admin) == before
    type_into(qtbot, editor.code, "JH")
    type_into(qtbot, editor.delimiter, "8")
    click(qtbot, editor.preview_button)
    assert "分隔符应为一个符号" in editor.errors["delimiter"].text() and editor.preview.toPlainText() == ""
    type_into(qtbot, editor.delimiter, ",")
    click(qtbot, editor.preview_button)
    sample = editor.preview.toPlainText().splitlines()
    assert sample[0] == "H,JS0851,DKPC-20261227-0001,2026-12-27,1,7950"
    assert sample[1].startswith("D,1,ZD-202612-000001,A000012345,") and sample[1].endswith(",张伟,7950,2026-12")
    assert sample[2] == "T,1,7950"
    type_into(qtbot, editor.sample_line, sample[1])
    click(qtbot, editor.trial_button)
    shown = editor.trial_result.text()
    assert "账单号：ZD-202612-000001" in shown and "金额：79.50" in shown and "户名：张伟" in shown
    type_into(qtbot, editor.sample_line, sample[1].rsplit(",", 1)[0])
    click(qtbot, editor.trial_button)
    assert "有 7 个字段，应为 8 个" in editor.trial_result.text()
    type_into(qtbot, editor.reasons, "3001 余额不足\n3009")
    click(qtbot, editor.save_button)
    assert "每行写 结果码 和 原因" in editor.errors["reasons"].text()
    type_into(qtbot, editor.reasons, "3001 余额不足\n3009 卡片过期")
    click(qtbot, editor.save_button)
    assert msgs.texts("information")[-1].startswith("银行文件格式已保存")

    banks = saved(gui_app, team.admin)
    assert [b["code"] for b in banks] == ["GH", "NH", "JH"] and banks[:2] == before
    layout = BankService(gui_app, team.admin).layout("JH")
    assert (layout.name, layout.delimiter, layout.amount_unit, layout.account_lengths) == ("示例建设银行", ",", "fen", (19,))
    assert layout.reasons == {"3001": "余额不足", "3009": "卡片过期"}
    assert layout.write("debit", [], batch="B", file_date=date(2026, 12, 27)).startswith(b"H,JS0851,B,2026-12-27,0,0")


def test_a_bank_with_live_agreements_cannot_be_removed(qtbot, gui_app, team, window, msgs):
    _, order = active_resident(gui_app, team, "张伟", meter="M-LAYOUT-1")
    BankService(gui_app, team.clerk).open_agreement(order.account_id, bank="GH", branch="塔山支行", holder="张伟",
                                                    bank_account=CARD_19)
    win = window(team.admin)
    editor = open_editor(qtbot, win)
    editor.bank_list.setCurrentRow(0)
    click(qtbot, editor.remove_button)
    assert editor.bank_list.count() == 1
    click(qtbot, editor.save_button)
    assert "银行 GH 还有有效的代扣协议" in editor.form_error.text() and editor.form_error.isVisible()
    assert [b["code"] for b in saved(gui_app, team.admin)] == ["GH", "NH"]


def test_only_an_administrator_edits_bank_layouts(qtbot, gui_app, team, window):
    win = window(team.manager)
    editor = win.settings_page.banks
    assert editor.bank_list.count() == 2
    assert not editor.save_button.isEnabled() and not editor.add_fixed.isEnabled() and not editor.code.isEnabled()
