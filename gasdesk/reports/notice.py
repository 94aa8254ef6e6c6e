"""The planned-work notice (停气/带气作业通知) posted in the affected estates, as an A4 PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gasdesk.reports.context import CompanyProfile
from gasdesk.reports.paper import Paper


@dataclass(frozen=True)
class NoticeData:
    number: str
    kind_label: str
    title: str
    area: str
    address_terms: list[str]
    starts_at: datetime
    ends_at: datetime
    noticed_at: datetime
    emergency: bool
    note: str
    affected_count: int


def render_notice(company: CompanyProfile, notice: NoticeData, *, font_path: str | None = None) -> bytes:
    paper = Paper(f"{notice.title} {notice.number}", company, font_path=font_path)
    kit = paper.kit
    when = f"{notice.starts_at:%Y年%m月%d日 %H:%M} 至 {notice.ends_at:%Y年%m月%d日 %H:%M}"
    story = [
        *paper.heading(f"{notice.kind_label}通知",
                       f"通知编号：{notice.number}　　发布时间：{notice.noticed_at:%Y-%m-%d %H:%M}"),
        kit.p("尊敬的燃气用户：", "clause"),
        kit.spacer(4),
        kit.p(f"因{notice.title}，我公司将于 {when} 在{notice.area}进行{notice.kind_label}"
              f"{'（紧急作业）' if notice.emergency else ''}，届时以下范围内的用户将暂停供气或气压偏低。"
              "给您带来不便，敬请谅解。", "clause"),
        kit.spacer(6),
        *kit.grid([("作业时间", when), ("影响范围", notice.area), ("涉及地址", "、".join(notice.address_terms)),
                  ("受影响用户", f"约 {notice.affected_count} 户")], cols=1),
        kit.spacer(8),
        *kit.section("温馨提示"),
        *kit.paragraphs(
            "1. 作业期间请关闭燃气表前阀门及灶具开关，切勿自行开启。\n"
            "2. 恢复供气后如需点火，请先确认灶具开关处于关闭状态，必要时联系我公司上门。\n"
            f"3. 如闻到燃气异味，请勿开关电器、勿动明火，立即开窗通风，到室外拨打抢修电话 {company.emergency_phone}。\n"
            + (f"4. {notice.note}" if notice.note else "")),
        kit.spacer(10),
        kit.p(f"客服电话：{company.service_phone}　　抢修电话（24小时）：{company.emergency_phone}", "body"),
        kit.spacer(16),
        kit.p(f"{company.name}\n{notice.noticed_at:%Y年%m月%d日}", "body"),
    ]
    return paper.build(story)
