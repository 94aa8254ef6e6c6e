"""The forms only the installation flow prints: application, supply-plan reply (the plan when gas
can be supplied, the reason when it cannot), completion confirmation and ignition notice."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.blocks import VISIT_CODES
from gasdesk.reports.forms.catalog import (
    Audience,
    FormDef,
    Signer,
    clerk,
    company_name,
    customer_info_titled,
    documents,
    recorded,
    signatures,
    text,
    visit,
)
from gasdesk.reports.forms.kit import Kit
from gasdesk.reports.forms.values import value
from gasdesk.reports.texts import text_for


def supply_plan(kit: Kit, ctx: FormContext) -> list[Flowable]:
    refused = bool(ctx.reason.strip())
    decision = f"{'□' if refused else '■'} 可以供气　　{'■' if refused else '□'} 不能供气"
    out: list[Flowable] = [*kit.section("答复结论"), *kit.grid([("答复结论", decision)], cols=1, label_width=76)]
    if refused:
        out += [*kit.section("不能供气的原因"), *kit.box(ctx.reason.strip(), "emphasis")]
        key = "supply_plan_refused"
    else:
        plan = value(ctx, "supply_plan")
        out += [*kit.section("用气方案")]
        out += kit.paragraphs(plan, "body") if plan else [kit.lines("（用气方案）", 5)]
        key = "supply_plan_approved"
    out += [kit.spacer(4), *kit.paragraphs(text_for(ctx, key))]
    return out


FORMS = {
    "installation_application": FormDef("报装申请表", (
        customer_info_titled("申请单位"), recorded("报装项目"), documents,
        signatures(Signer("申请单位", stamp=True), Signer("申请单位经办人"), Signer("受理人", clerk),
                   lead="installation_declaration"),
    )),
    "supply_plan_reply": FormDef("用气方案答复", (
        customer_info_titled("用气单位"), recorded("项目情况", exclude=("supply_plan",)), supply_plan,
        signatures(Signer("答复单位", company_name, stamp=True), Signer("经办人", clerk), Signer("用气单位签收")),
    )),
    "completion_confirmation": FormDef("燃气工程竣工确认单", (
        customer_info_titled("用气单位"), recorded("工程信息", exclude=VISIT_CODES),
        signatures(Signer("用气单位", stamp=True), Signer("施工单位", stamp=True), Signer("监理单位", stamp=True),
                   Signer("供气单位验收人", clerk), lead="completion_statement"),
    )),
    "ignition_notice": FormDef("点火通知单", (
        customer_info_titled("用气单位"), recorded("工程信息", exclude=VISIT_CODES), visit,
        text("ignition_statement", "通知事项"),
        signatures(Signer("发出人", clerk), Signer("输配中心接收人"), Signer("用气单位", stamp=True)),
    ), Audience.FIELD),  # sent to the distribution centre, whose crew ignites on site
}
