"""The printed forms: every form renders, carries its data, embeds its fonts; texts, copies, fonts."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from gasdesk.flows.forms import FLOW_FORMS, FORMS
from gasdesk.reports import fonts
from gasdesk.reports.context import FieldValue, PaymentInfo
from gasdesk.reports.fonts import FontNotFoundError, find_cjk_font_file, register_cjk_font
from gasdesk.reports.forms import FORM_CODES, UnknownFormError, render_form, render_forms
from gasdesk.reports.forms.values import fmt_money, fmt_quantity, rmb_capital
from gasdesk.reports.texts import DEFAULT_TEXTS, TEXT_TITLES, fill, text_for
from tests.form_samples import COMPANY, sample_context

if find_cjk_font_file() is None:
    pytest.skip("no Chinese TrueType font installed (sudo apt-get install fonts-wqy-microhei)",
                allow_module_level=True)

# What each form must show beyond the company, order number, customer and title.
EXPECTED: dict[str, tuple[str, ...]] = {
    "acceptance": ("房产证明材料", "户主身份证", "受理后5个工作日内完成通气点火", "客户签字", "受理人", "■"),
    "installation_application": ("好味道餐厅厨房燃气工程", "3200", "营业执照", "□ 用气设备清单", "盖章"),
    "supply_plan_reply": ("■ 可以供气", "DN160", "用气方案"),
    "design_approval": ("设计方案", "SJ2026-0031", "DN50镀锌钢管沿外墙明敷至厨房", "客户审核意见", "用气单位代表签字",
                        "同意按此方案编制工程预算"),
    "construction_checklist": ("现场技术交底", "2026-12-10", "监理工程师", "■ 工完", "■ 料尽", "■ 场清",
                               "工完、料尽、场清"),
    "completion_confirmation": ("AZ-2026-0318", "示例市燃气工程安装有限公司", "监理单位", "工程质量合格"),
    "ignition_notice": ("开通点火", "2026-12-22 09:30", "输配中心接收人"),
    "residential_contract": ("第一条", "第八条", "维护管理分界", "立方米", "96977", "用气人签字", "350 m³"),
    "non_residential_contract": ("非居民供用气合同", "91520100MA6H1234XY", "统一社会信用代码", "商业用气",
                                 "起始读数", "价格依据", "计量与抄表", "气费结算与支付", "供气人的安全责任",
                                 "用气人的安全责任", "检查与进入", "中止供气与合同解除", "违约责任", "争议解决",
                                 "用气人代表签字", "盖章"),
    "reset_agreement": ("复置", "材料费", "用气人签字"),
    "safety_notice": ("闻到燃气味", "打开门窗", "96977", "本人已收到"),
    "site_work": ("JB2026110045", "G2.5", "输配中心 安装二班 陈明", "2026-11-30 14:00", "作业人员"),
    "meter_change": ("JB2016030789", "JB2026110045", "1234.5", "新表起始读数：0", "JBD1.6膜式燃气表", "G4",
                     "150.00", "增容", "■ 是"),
    "suspension_notice": ("2026-12-01", "停止抄表计费", "恢复用气", "封堵"),
    "plugging_work": ("1260.3", "50.00", "封堵记录", "周杰"),
    "removal_work": ("1288", "120.00", "移动支付", "拆除记录"),
    "transfer_application": ("李秀英", "520103199203154321", "13608512345", "原户主", "新户主", "86.40"),
    "closure_application": ("A2026000123", "注销", "物业管理证明"),
    "allowance_application": ("520", "350", "6", "户口簿复印件"),
    "detail_change_application": ("13985012345", "13885098765", "王芳", "0851-85551234", "（不变）"),
    "type_change_application": ("■ 非居民转居民", "商业用气", "居民生活用气"),
    "complaint_transfer": ("打不着火", "请输配中心核实", "输配中心", "第 1 次", "处理结果", "办理经过"),
    "rejection_notice": ("产权人与申请人不一致", "不予受理", "特此告知"),
    "receipt": ("SJ202611270003", "150.00", "人民币壹佰伍拾元整", "增容换表费", "现金", "■ 收款", "收款人"),
    "inspection_record": ("第 2 次", "安检一班 周明", "2026-11-27 09:30", "入户检查", "接口、阀门漏气", "■一级",
                          "灶前阀接口漏气", "燃气管道暗埋暗封或设在卧室", "擅自改装、拆除燃气设施", "■合格",
                          "2027-06-30", "ZG-20261127-0001", "2026-11-30", "整改建议 1 项", "用户签字", "安检员",
                          "JB2016030789"),
    "hazard_notice": ("ZG-20261127-0001", "接口、阀门漏气", "一级", "2026-11-30", "胶管老化", "二级", "2026-12-25",
                      "停止供气", "预约上门复查", "用户签收"),
    "no_one_home_card": ("2026-11-27 09:30", "不在家", "第 1 次上门", "共 3 次", "96977", "预约上门时间",
                         "安检一班 周明", "A2026000123"),
}
# Forms left at the door: the customer's ID number and phone never print on them.
AT_THE_DOOR = {"no_one_home_card"}


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text without white space (text extraction spaces characters unpredictably)."""
    return re.sub(r"\s+", "", text)


def contains(text: str, needle: str) -> bool:
    return flat(needle) in flat(text)


def font_problems(pdf: bytes) -> list[str]:
    """Every font of every page must be embedded and none may be the built-in STSong."""
    problems: list[str] = []
    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, 1):
        resources: Any = page.get("/Resources") or {}
        font_dict: Any = resources.get("/Font") or {}
        if hasattr(font_dict, "get_object"):
            font_dict = font_dict.get_object()
        for key, ref in font_dict.items():
            font = ref.get_object()
            name = str(font.get("/BaseFont", key))
            if "STSong" in name:
                problems.append(f"page {number}: {name} is the non-embedded STSong")
            descriptors = []
            if "/FontDescriptor" in font:
                descriptors.append(font["/FontDescriptor"].get_object())
            for descendant in font.get("/DescendantFonts") or []:
                d = descendant.get_object()
                if "/FontDescriptor" in d:
                    descriptors.append(d["/FontDescriptor"].get_object())
            embedded = any(k in d for d in descriptors for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            if not embedded:
                problems.append(f"page {number}: font {name} is not embedded")
    return problems


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {code: render_form(sample_context(code)) for code in FORMS}


def test_every_form_code_of_the_flows_is_handled() -> None:
    assert set(FORM_CODES) | set(FLOW_FORMS) == set(FORMS)


@pytest.mark.parametrize("code", sorted(FORMS))
def test_form_shows_its_data(code: str, rendered: dict[str, bytes]) -> None:
    pdf = rendered[code]
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    ctx = sample_context(code)
    name = () if code in AT_THE_DOOR else (ctx.customer.name,)
    for needle in (COMPANY.name, COMPANY.service_phone, COMPANY.emergency_phone, COMPANY.complaint_phone,
                   ctx.order_number, *name, ctx.form_title, ctx.customer.number,
                   "打印时间", "李娜", "第1页"):
        assert contains(text, needle), f"{code}: {needle!r} missing"
    for needle in EXPECTED[code]:
        assert contains(text, needle), f"{code}: {needle!r} missing"
    assert "副本" not in text


@pytest.mark.parametrize("code", sorted(FORMS))
def test_forms_carry_full_customer_details(code: str, rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered[code])
    c = sample_context(code).customer
    if code in AT_THE_DOOR:
        assert contains(text, c.address)
        for needle in (c.id_number, c.phone, c.name):
            assert not contains(text, needle), f"{code}: {needle!r} is printed on a card left at the door"
        return
    for needle in (c.id_number, c.phone, c.address):
        assert contains(text, needle), f"{code}: {needle!r} missing"


@pytest.mark.parametrize("code", sorted(FORMS))
def test_fonts_are_embedded(code: str, rendered: dict[str, bytes]) -> None:
    assert font_problems(rendered[code]) == []


def test_embedded_font_programs_are_fast_flate_truetype(rendered: dict[str, bytes]) -> None:
    import zlib

    reader = PdfReader(io.BytesIO(rendered["acceptance"]))
    programs = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        stream = font.get_object()["/FontDescriptor"]["/FontFile2"].get_object()
        assert stream["/Filter"] in ("/FlateDecode", ["/FlateDecode"])
        raw = stream.get_data()
        assert raw[:4] == b"\x00\x01\x00\x00" and len(raw) == stream["/Length1"]
        programs.append((raw, stream._data))
    assert len(programs) == 2  # more than one 256-glyph subset of Chinese text
    # The level-1 stream of embedding.FastFlate, not reportlab's default level 6.
    assert all(data == zlib.compress(raw, 1) for raw, data in programs)


def test_reprint_shows_copy_mark() -> None:
    for code in ("acceptance", "receipt", "residential_contract"):
        pdf = render_form(sample_context(code, copy=True))
        text = pdf_text(pdf)
        assert "副本" in flat(text) or "副　本" in text
        reader = PdfReader(io.BytesIO(pdf))
        # Every page of a reprint is marked, not only the first one.
        for page in reader.pages:
            assert "副" in page.extract_text()
        assert font_problems(pdf) == []


def test_contract_flows_onto_further_pages_with_page_numbers() -> None:
    pdf = render_form(sample_context("residential_contract"))
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 2
    last = flat(reader.pages[-1].extract_text())
    assert f"第{pages}页/共{pages}页" in last
    # The signatures end the contract, with the end of the text on their page.
    assert "用气人签字" in last and "一式两份" in last


def test_long_values_wrap_instead_of_overflowing() -> None:
    long_address = "示例市云岩区中华北路108号金桂园小区3栋2单元1502室（临街商铺后侧通道进入，右转第二个门）" * 3
    long_note = "客户要求上门前电话联系，白天家中无人，只能在晚上七点以后或周末作业；楼道狭窄，需携带短梯。" * 4
    ctx = sample_context("site_work")
    ctx = replace(ctx, customer=replace(ctx.customer, address=long_address),
                  fields=[*ctx.fields, FieldValue("备注", long_note)])
    pdf = render_form(ctx)
    text = flat(pdf_text(pdf))
    assert flat(long_address)[:30] in text
    assert "晚上七点以后" in text
    reader = PdfReader(io.BytesIO(pdf))
    width = float(reader.pages[0].mediabox.width)
    assert round(width) == 595  # A4


def test_meter_change_uses_recorded_old_meter_when_given() -> None:
    ctx = sample_context("meter_change")
    ctx = replace(ctx, meter=None, data={**ctx.data, "old_meter_number": "OLD-778899"})
    text = pdf_text(render_form(ctx))
    assert contains(text, "OLD-778899")
    assert contains(text, "JB2026110045")


def test_meter_change_never_prints_the_new_meter_as_the_old_one() -> None:
    ctx = sample_context("meter_change")
    new_meter = replace(ctx.meter, number="JB2026110045") if ctx.meter else None
    text = flat(pdf_text(render_form(replace(ctx, meter=new_meter))))
    assert text.count("JB2026110045") == 1


def test_refund_receipt() -> None:
    ctx = sample_context("receipt")
    refund = PaymentInfo(receipt_number="TF202611270001", kind_label="预存款退费", item="过户退还预存款",
                         amount=Decimal("1234.56"), method_label="转账", at=ctx.opened_at, staff_name="王敏",
                         direction="out", note="退至原户主银行卡")
    text = pdf_text(render_form(replace(ctx, payment=refund)))
    for needle in ("■ 退款", "□ 收款", "1,234.56", "人民币壹仟贰佰叁拾肆元伍角陆分", "退款经办人", "领款人签字", "王敏",
                   "退至原户主银行卡"):
        assert contains(text, needle), needle


def test_receipt_without_payment_prints_blank_amounts() -> None:
    text = pdf_text(render_form(sample_context("receipt", payment=None, payments=[])))
    assert contains(text, "金额（大写）")


def test_supply_plan_refused_shows_reason() -> None:
    ctx = sample_context("supply_plan_reply", reason="周边无中压管网，近期无管网建设计划，暂不具备接气条件。")
    text = pdf_text(render_form(ctx))
    assert contains(text, "■ 不能供气")
    assert contains(text, "周边无中压管网")
    assert contains(text, "不能供气的原因")


@pytest.mark.parametrize("code", ["rejection_notice", "supply_plan_reply"])
def test_the_longest_reason_the_engine_accepts_runs_onto_another_page(code: str) -> None:
    reason = ("房产证明材料上的产权人与申请人不一致，且未提供产权人的委托书。" * 70)[:1999] + "止"
    pdf = render_form(sample_context(code, reason=reason))
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert contains(pdf_text(pdf), reason[-30:])


def test_detail_change_reads_old_values_when_the_customer_already_changed() -> None:
    ctx = sample_context("detail_change_application")
    changed = replace(ctx.customer, phone="13885098765", contact_person="王芳")
    text = pdf_text(render_form(replace(ctx, customer=changed)))
    assert contains(text, "13985012345") and contains(text, "13885098765")


def test_complaint_second_round() -> None:
    ctx = sample_context("complaint_transfer")
    ctx = replace(ctx, data={**ctx.data, "rounds": 2}, reason="客户认为维修后仍有异味，要求更换灶具")
    text = pdf_text(render_form(ctx))
    assert contains(text, "第 2 次")
    assert contains(text, "仍有异味")


def test_text_overrides_and_placeholders() -> None:
    ctx = sample_context("safety_notice", texts={"safety_notice": "{company}提醒：抢修电话{emergency_phone}。{unknown} {"})
    text = flat(pdf_text(render_form(ctx)))
    assert "贵州燃气集团安顺市燃气有限责任公司提醒：抢修电话96977。{unknown}{" in text
    assert "闻到燃气味" not in text  # the default was replaced
    blank = sample_context("safety_notice", texts={"safety_notice": "  "})
    assert "闻到燃气味" in text_for(blank, "safety_notice")  # a blank override falls back


def test_default_texts_are_complete() -> None:
    assert set(TEXT_TITLES) == set(DEFAULT_TEXTS)
    ctx = sample_context("acceptance")
    for key in DEFAULT_TEXTS:
        filled = text_for(ctx, key)
        assert filled.strip()
        assert not re.search(r"\{\w+\}", filled), f"{key}: unfilled placeholder"
    assert fill("{a}-{b}-{", {"a": 1}) == "1-{b}-{"


def test_render_forms_combines_with_own_page_numbers() -> None:
    codes = ["acceptance", "residential_contract", "reset_agreement", "safety_notice"]
    pdf = render_forms([sample_context(c) for c in codes])
    reader = PdfReader(io.BytesIO(pdf))
    singles = [len(PdfReader(io.BytesIO(render_form(sample_context(c)))).pages) for c in codes]
    assert len(reader.pages) == sum(singles)
    texts = [flat(p.extract_text()) for p in reader.pages]
    assert "第1页/共1页" in texts[0]
    assert f"第1页/共{singles[1]}页" in texts[1]
    for code in codes:
        assert any(FORMS[code] in t for t in texts)
    assert font_problems(pdf) == []


def test_render_forms_needs_forms_and_known_codes() -> None:
    with pytest.raises(ValueError):
        render_forms([])
    with pytest.raises(UnknownFormError):
        render_form(replace(sample_context("acceptance"), form="no_such_form"))


def test_value_formatting() -> None:
    assert rmb_capital(Decimal("150.00")) == "壹佰伍拾元整"
    assert rmb_capital("0.5") == "伍角"
    assert rmb_capital(Decimal("-20")) == "贰拾元整"
    assert fmt_money(Decimal("1234.5")) == "1,234.50"
    assert fmt_quantity(Decimal("350.000")) == "350"
    assert fmt_quantity("1234.50") == "1234.5"


def test_font_is_registered_once() -> None:
    first = register_cjk_font()
    assert register_cjk_font() == first
    path = find_cjk_font_file()
    assert path is not None and fonts.has_truetype_outlines(path)


def test_missing_font_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "system_font_paths", lambda: [tmp_path / "simsun.ttc"])
    monkeypatch.setattr(fonts, "fontconfig_paths", lambda: [])
    monkeypatch.setattr(fonts, "_configured", None)
    not_truetype = tmp_path / "NotoSansCJK.ttc"
    not_truetype.write_bytes(b"OTTO" + b"\0" * 64)
    missing = str(tmp_path / "missing.ttf")
    assert find_cjk_font_file(missing) is None
    with pytest.raises(FontNotFoundError) as err:
        register_cjk_font(missing)
    message = str(err.value)
    assert "fonts-wqy-microhei" in message
    assert "SimSun" in message and "系统设置" in message
    assert "missing.ttf" in message
    with pytest.raises(FontNotFoundError):
        register_cjk_font(str(not_truetype))
    with pytest.raises(FontNotFoundError):
        render_form(sample_context("acceptance"), font_path=missing)


def test_preferred_font_path_is_used(tmp_path: Path) -> None:
    path = find_cjk_font_file()
    assert path is not None
    name = register_cjk_font(str(path))
    pdf = render_form(sample_context("receipt"), font_path=str(path))
    assert font_problems(pdf) == []
    assert name == register_cjk_font()
    # The settings' path, remembered for callers that pass none.
    fonts.set_preferred_font(path)
    try:
        assert register_cjk_font() == name
    finally:
        fonts.set_preferred_font(None)


def test_markup_characters_and_missing_values_print_safely() -> None:
    ctx = sample_context("acceptance", form_title="", printed_at=None, printed_by="")
    ctx = replace(ctx, customer=replace(ctx.customer, name="<b>张&伟</b>", household_size=None),
                  fields=[FieldValue("备注", "a < b & c > d")])
    text = pdf_text(render_form(ctx))
    assert contains(text, "<b>张&伟</b>")
    assert contains(text, "a < b & c > d")
    assert contains(text, "业务受理单")  # the title from the form code when the context has none


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils' pdftoppm")
def test_qr_code_on_the_page_matches_the_order_number(tmp_path: Path) -> None:
    from PIL import Image

    from gasdesk.reports.forms.kit import MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH
    from gasdesk.reports.forms.page import HEADER_RULE_Y, QR_SIZE, qr_modules

    ctx = sample_context("receipt")
    pdf_path = tmp_path / "receipt.pdf"
    pdf_path.write_bytes(render_form(ctx))
    dpi = 300
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    modules = qr_modules(ctx.order_number)
    border = 4
    box = QR_SIZE / (len(modules) + 2 * border)
    x0, y0 = PAGE_WIDTH - MARGIN_X - QR_SIZE, HEADER_RULE_Y + 2
    wrong = 0
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            px = (x0 + (c + border + 0.5) * box) * dpi / 72
            py = (PAGE_HEIGHT - (y0 + QR_SIZE - (r + border + 0.5) * box)) * dpi / 72
            level = image.getpixel((int(px), int(py)))
            assert isinstance(level, int)
            wrong += (level < 128) != dark
    assert wrong == 0


def test_qr_code_scans_as_the_order_number(tmp_path: Path) -> None:
    import zxingcpp
    from PIL import Image

    for code in ("receipt", "acceptance"):
        ctx = sample_context(code)
        pdf_path = tmp_path / f"{code}.pdf"
        pdf_path.write_bytes(render_form(ctx))
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf_path),
                        str(tmp_path / code)], check=True)
        page = Image.open(next(tmp_path.glob(f"{code}*.png")))
        found = [b.text for b in zxingcpp.read_barcodes(page) if b.format == zxingcpp.BarcodeFormat.QRCode]
        assert found == [ctx.order_number]


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="needs fontconfig's fc-list")
def test_fontconfig_fallback_finds_a_truetype_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "system_font_paths", lambda: [])
    monkeypatch.setattr(fonts, "_configured", None)
    found = fonts.fontconfig_paths()
    assert all(p.suffix.lower() in (".ttf", ".ttc") for p in found)
    path = find_cjk_font_file()
    assert path is not None and path in found and fonts.has_truetype_outlines(path)


@pytest.mark.parametrize("code", sorted(FORMS))
def test_sample_forms_fit_their_pages(code: str, rendered: dict[str, bytes]) -> None:
    pages = len(PdfReader(io.BytesIO(rendered[code])).pages)
    assert pages == {"residential_contract": 2, "non_residential_contract": 3}.get(code, 1)


def test_site_visit_conditions_not_met_show_the_reason() -> None:
    ctx = sample_context("site_work", data={}, fields=[], reason="户内燃气管道被包进橱柜，不具备通气条件，请整改后重新预约。")
    text = pdf_text(render_form(ctx))
    assert contains(text, "□ 是　■ 否") or contains(text, "□是■否")
    assert contains(text, "户内燃气管道被包进橱柜")


def test_changes_read_what_the_effects_kept() -> None:
    # After the allowance change the customer carries the new base; the data keeps the old one.
    ctx = sample_context("allowance_application")
    ctx = replace(ctx, customer=replace(ctx.customer, yearly_allowance=Decimal("520"), household_size=6),
                  data={**ctx.data, "old_allowance": "350"})
    assert contains(pdf_text(render_form(ctx)), "年度用气基数（m³）350520")
    # A residential customer moving to commercial use, reprinted after the change.
    biz = sample_context("type_change_application")
    after = replace(biz, customer=replace(biz.customer, category_label="非居民", gas_use_type_label="商业用气"),
                    data={"new_gas_use_type": "commercial"})
    text = pdf_text(render_form(after))
    assert contains(text, "■ 居民转非居民")
    assert contains(text, "用气性质居民生活用气商业用气")
