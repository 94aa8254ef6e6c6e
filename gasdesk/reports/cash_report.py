"""The printed daily cash report (收费日结单) of one cashier's day, which the cashier and the checker sign.

It carries the audit chain's head at the moment it was printed: a signed paper copy of the chain's
state, kept outside the database (an anchor for `gasdesk audit verify --anchor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from gasdesk.reports.context import CompanyProfile
from gasdesk.reports.forms.kit import Sign
from gasdesk.reports.paper import Paper


@dataclass(frozen=True)
class CashLine:
    """One kind of payment: its label, how many, the sum of amounts and of drawer movements."""

    label: str
    count: int
    amount: Decimal
    cash_effect: Decimal


@dataclass(frozen=True)
class CashReceipt:
    receipt_number: str
    at: datetime
    kind_label: str
    method_label: str
    cash_effect: Decimal


@dataclass(frozen=True)
class CashReportData:
    day: date
    cashier: str
    lines: list[CashLine]
    by_method: list[tuple[str, Decimal]]
    net: Decimal
    receipts: list[CashReceipt]
    audit_entry_id: int
    audit_head: str
    printed_at: datetime
    printed_by: str

    @property
    def anchor(self) -> str:
        return f"{self.audit_entry_id}:{self.audit_head}"


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def render_cash_report(company: CompanyProfile, data: CashReportData, *, font_path: str | None = None) -> bytes:
    paper = Paper(f"收费日结单 {data.day:%Y-%m-%d} {data.cashier}", company, font_path=font_path, margin_y=14 * mm)
    kit = paper.kit
    count = sum(line.count for line in data.lines)
    story = [
        *paper.heading("收费日结单", f"日期：{data.day:%Y年%m月%d日}　　收费员：{data.cashier}　　"
                                    f"打印：{data.printed_at:%Y-%m-%d %H:%M}（{data.printed_by}）"),
        *kit.section("收付汇总"),
        kit.table(["类别", "笔数", "金额（元）", "现金收付（元）"],
                  [[line.label, str(line.count), _yuan(line.amount), _yuan(line.cash_effect)] for line in data.lines]
                  + [["合计", str(count), "", _yuan(data.net)]], weights=[3, 1.2, 2, 2]),
        kit.spacer(4),
        kit.table(["收付方式", "收付净额（元）"], [[label, _yuan(v)] for label, v in data.by_method]
                  + [["收付净额合计", _yuan(data.net)]], weights=[3, 2]),
        *kit.section(f"收费明细（{len(data.receipts)} 笔）"),
        kit.table(["收据号", "时间", "类别", "方式", "现金收付（元）"],
                  [[r.receipt_number, f"{r.at:%H:%M:%S}", r.kind_label, r.method_label, _yuan(r.cash_effect)]
                   for r in data.receipts] or [["当日无收付", "", "", "", ""]], weights=[3, 1.6, 2, 1.6, 2]),
        *kit.section("审计链锚点"),
        kit.p(f"打印本单时第 {data.audit_entry_id} 条审计记录的哈希值（审计锚点；核对账务时请将下行全文交系统管理员）：",
              "small"),
        kit.p(data.anchor, "small"),
        KeepTogether([kit.signatures([Sign("收费员签字", data.cashier), Sign("复核人签字")])]),
    ]
    return paper.build(story)
