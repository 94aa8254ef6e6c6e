"""Printed papers of the bank channel, drawn with the forms' kit: the direct-debit agreement
(委托银行代扣协议书) the customer signs, the transmittal sheet (代扣文件交接单) that goes to the bank with
a debit file, and the arrears notices (欠费催缴通知单), one page per account. Plain data in, PDF bytes out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.platypus import Flowable, PageBreak

from gasdesk.reports.context import CompanyProfile
from gasdesk.reports.forms.kit import Sign
from gasdesk.reports.paper import Paper


class Cancelled(Exception):
    """The person printing pressed 取消."""


@dataclass(frozen=True)
class AgreementSheet:
    number: str
    customer_number: str
    customer_name: str
    account_number: str
    address: str
    phone: str
    bank_name: str
    branch: str
    holder: str
    bank_account: str
    signed_on: date
    status_label: str
    clerk: str
    printed_at: datetime
    printed_by: str
    copy: bool


@dataclass(frozen=True)
class TransmittalSheet:
    run_number: str
    bank_name: str
    merchant: str
    month: str
    file_name: str
    file_sha256: str
    layout_text: str
    count: int
    total: Decimal
    created_at: datetime
    created_by: str
    printed_at: datetime
    printed_by: str


@dataclass(frozen=True)
class NoticeBill:
    number: str
    period: str
    amount: Decimal
    owed: Decimal
    due_to: date


@dataclass(frozen=True)
class ArrearsNoticeSheet:
    account_number: str
    customer_name: str
    address: str
    area: str
    bills: Sequence[NoticeBill]
    owed: Decimal
    debit_bank: str
    printed_at: datetime
    batch: str


def render_agreement(company: CompanyProfile, a: AgreementSheet, *, font_path: str | None = None) -> bytes:
    paper = Paper(f"委托银行代扣协议书 {a.number}", company, font_path=font_path)
    kit = paper.kit
    story: list[Flowable] = [
        *paper.heading("委托银行代扣燃气费协议书", f"协议编号：{a.number}　　签订日期：{a.signed_on:%Y年%m月%d日}",
                       copy=a.copy),
        *kit.section("委托人（燃气用户）"),
        *kit.grid([("客户编号", a.customer_number), ("户名", a.customer_name), ("燃气户号", a.account_number),
                   ("联系电话", a.phone or "—"), ("用气地址", a.address)]),
        *kit.section("代扣账户"),
        *kit.grid([("开户银行", a.bank_name), ("开户网点", a.branch), ("账户户名", a.holder),
                   ("银行账号", a.bank_account), ("协议状态", a.status_label)]),
        *kit.section("协议条款"),
        *kit.paragraphs(
            f"一、委托人自愿委托{company.name}（以下简称供气人）通过上述银行，从上述银行账户中按月代扣委托人燃气户号下的燃气费。\n"
            "二、供气人于每月抄表出账后将代扣数据送交银行，银行按账单金额扣款；扣款成功即视为委托人已缴纳该账单，"
            "供气人出具收据号，委托人可凭收据号在营业厅打印收据。\n"
            "三、因账户余额不足、账户冻结或销户等原因扣款不成功的，账单仍为未缴，委托人应在缴费期（抄表次月1日至20日）"
            "内到营业厅或委托银行缴纳，逾期按供用气合同约定处理。\n"
            "四、账单送交银行后委托人又在营业厅缴纳的，银行再扣的款项转为燃气账户预存款，可抵以后账单，"
            "委托人也可持本人证件到营业厅办理退费。\n"
            "五、委托人变更或撤销代扣账户，应持本人证件和银行卡到营业厅办理；已送交银行、尚未回盘的账单按原账户处理。\n"
            f"六、委托人对扣款有异议的，可拨打客服电话 {company.service_phone} 或到营业厅查询。"),
        kit.keep([kit.signatures([Sign("委托人（签字）"), Sign("账户户名人（签字）"),
                                  Sign("供气人", company.name, stamp=True), Sign("经办人", a.clerk)])]),
        kit.spacer(6),
        kit.p(f"打印：{a.printed_by}　{a.printed_at:%Y-%m-%d %H:%M}", "small"),
    ]
    return paper.build(story)


def render_transmittal(company: CompanyProfile, t: TransmittalSheet, *, font_path: str | None = None) -> bytes:
    paper = Paper(f"代扣文件交接单 {t.run_number}", company, font_path=font_path)
    kit = paper.kit
    story: list[Flowable] = [
        *paper.heading("委托银行代扣文件交接单", f"批次号：{t.run_number}　　账期：{t.month}"),
        *kit.grid([("委托单位", company.name), ("商户代码", t.merchant), ("代扣银行", t.bank_name),
                   ("账期", t.month), ("文件名", t.file_name), ("文件格式", t.layout_text),
                   ("代扣笔数", f"{t.count} 笔"), ("代扣总金额", f"{t.total:,.2f} 元"),
                   ("制盘时间", f"{t.created_at:%Y-%m-%d %H:%M}"), ("制盘人", t.created_by),
                   ("文件校验码（SHA-256）", t.file_sha256)], cols=2, wide=("文件校验码（SHA-256）", "文件名")),
        kit.spacer(6),
        kit.p("银行收到文件后请核对笔数、总金额与校验码，按明细扣款并在回盘文件中逐笔返回扣款结果。", "clause"),
        kit.keep([kit.signatures([Sign("送盘单位经办人", t.created_by), Sign("送盘单位", company.name, stamp=True),
                                  Sign("银行接收人"), Sign("银行", t.bank_name, stamp=True)])]),
        kit.spacer(6),
        kit.p(f"打印：{t.printed_by}　{t.printed_at:%Y-%m-%d %H:%M}", "small"),
    ]
    return paper.build(story)


def render_arrears_notices(company: CompanyProfile, notices: Sequence[ArrearsNoticeSheet], *,
                           font_path: str | None = None,
                           progress: Callable[[int, int], bool] | None = None) -> bytes:
    """One page per notice. `progress(done, total)` is called as pages are laid out; it returns
    False to stop (Cancelled is raised)."""
    paper = Paper(f"欠费催缴通知单 {notices[0].batch if notices else ''}", company, font_path=font_path)
    kit = paper.kit
    story: list[Flowable] = []
    total = len(notices)
    for i, n in enumerate(notices):
        if progress is not None and i % 50 == 0 and not progress(i, total):
            raise Cancelled()
        if i:
            story.append(PageBreak())
        rows = [[b.number, b.period, f"{b.amount:,.2f}", f"{b.owed:,.2f}", f"{b.due_to:%Y-%m-%d}"] for b in n.bills]
        story += [
            *paper.heading("燃气费欠费催缴通知单", f"批次：{n.batch}　　{n.area}　　{n.printed_at:%Y-%m-%d}"),
            kit.p(f"尊敬的燃气用户 {n.customer_name}：", "letter_head"),
            kit.p(f"您的燃气户号 {n.account_number}（{n.address}）以下账单已过缴费期（抄表次月1日至20日）尚未缴清，"
                  f"合计欠费 {n.owed:,.2f} 元。请您尽快缴纳，以免影响正常用气。", "letter"),
            kit.spacer(4),
            kit.table(["账单号", "用气期间", "账单金额（元）", "欠缴金额（元）", "缴费截止"], rows,
                      weights=[3.2, 3.6, 2, 2, 2]),
            kit.spacer(4),
            kit.p(f"欠费合计：{n.owed:,.2f} 元", "emphasis"),
            *kit.section("缴费方式"),
            kit.p(f"1. 到{company.hall_address}缴纳（现金、银行卡、移动支付）。\n"
                  "2. 到本公司委托的代收银行网点，凭燃气户号缴纳。\n"
                  + (f"3. 您已办理{n.debit_bank}代扣，请确保账户余额充足，下次代扣时将一并扣款。\n"
                     if n.debit_bank else "3. 可到营业厅办理银行代扣，按月自动缴费。\n")
                  + "如您已缴纳，请忽略本通知。", "clause"),
            kit.spacer(8),
            kit.p(f"客服电话：{company.service_phone}　　抢修电话（24小时）：{company.emergency_phone}", "body"),
            kit.spacer(12),
            kit.p(f"{company.name}\n{n.printed_at:%Y年%m月%d日}", "right"),
        ]
    if progress is not None:
        progress(total, total)
    return paper.build(story)
