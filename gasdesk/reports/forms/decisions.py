"""The form that tells the customer a refusal: the rejection notice (不予受理告知书)."""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import fmt_date
from gasdesk.reports.texts import text_for

NO_REASON = "（原因未填写，请经办人当面告知并在此处手写）"


def _chinese_date(when: datetime | None) -> str:
    return f"{when.year}年{when.month}月{when.day}日" if when is not None else "　　年　　月　　日"


def rejection_letter(kit: Kit, ctx: FormContext) -> list[Flowable]:
    who = ctx.customer.name or "客户"
    intro = (f"您于{fmt_date(ctx.opened_at)}申请办理的“{ctx.flow_label}”业务（受理单号：{ctx.order_number}），"
             f"经审核，现不予受理（暂不能办理）。原因如下：")
    reason = ctx.reason.strip() or NO_REASON
    return [
        kit.spacer(8),
        kit.p(f"{who}：", "letter_head"),
        kit.p(intro, "letter"),
        kit.spacer(6),
        *kit.box(reason, "emphasis", min_height=70),
        kit.spacer(6),
        *[kit.p(line, "letter") for line in text_for(ctx, "rejection_footer").splitlines() if line.strip()],
        kit.p("特此告知。", "letter"),
        kit.spacer(14),
        kit.p(f"{ctx.company.name}（盖章）", "right"),
        # The date of the decision, whenever the notice is printed.
        kit.p(_chinese_date(ctx.step_at), "right"),
    ]

