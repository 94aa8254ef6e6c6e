"""The forms only the installation flow prints: application, supply-plan reply (the plan when gas
can be supplied, the reason when it cannot), the customer's confirmation of the design plan, the
construction's briefing and completion checklist, completion confirmation and ignition notice."""

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
from gasdesk.reports.forms.kit import Cell, Kit
from gasdesk.reports.forms.values import check, value
from gasdesk.reports.texts import text_for

DESIGN_CODES = ("design_unit", "design_number", "design_summary", "approval_date", "approved_by")
BRIEFING_CODES = ("briefing_date", "briefing_attendees", "briefing_points")
CHECKLIST = (("work_finished", "工完", "施工内容已按设计全部完成"),
             ("materials_cleared", "料尽", "剩余材料已清点退库，无遗留"),
             ("site_cleaned", "场清", "施工现场已清理干净，恢复原状"))
CHECK_CODES = ("construction_unit", "supervision_unit", *(code for code, _, _ in CHECKLIST))


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


def design_plan(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pairs: list[tuple[str, Cell]] = [
        ("设计单位", value(ctx, "design_unit")), ("方案编号", value(ctx, "design_number")),
        ("方案概要", value(ctx, "design_summary")),
        ("确认日期", value(ctx, "approval_date")), ("客户确认人", value(ctx, "approved_by"))]
    out: list[Flowable] = [*kit.section("设计方案"), *kit.grid(pairs, cols=2, label_width=76, wide=("方案概要",))]
    out += [*kit.section("客户审核意见"), kit.lines("□ 同意按此方案实施　　□ 需修改（意见）：", 3)]
    return out


def construction_checklist(kit: Kit, ctx: FormContext) -> list[Flowable]:
    briefing: list[tuple[str, Cell]] = [
        ("施工单位", value(ctx, "construction_unit")), ("监理单位", value(ctx, "supervision_unit")),
        ("交底日期", value(ctx, "briefing_date")), ("参加人员", value(ctx, "briefing_attendees")),
        ("交底内容", value(ctx, "briefing_points"))]
    out: list[Flowable] = [*kit.section("一、现场技术交底（施工前）"),
                           *kit.grid(briefing, cols=2, label_width=76, wide=("参加人员", "交底内容"))]
    rows = [[f"{check(bool(ctx.data.get(code)))} {word}", what] for code, word, what in CHECKLIST]
    out += [*kit.section("二、完工检查（竣工验收前）"), kit.table(["检查项", "要求"], rows, [1.0, 4.0])]
    return out


FORMS = {
    "installation_application": FormDef("报装申请表", (
        customer_info_titled("申请单位"), recorded("报装项目"), documents,
        signatures(Signer("申请单位", stamp=True, party=True), Signer("申请单位经办人", party=True), Signer("受理人", clerk),
                   lead="installation_declaration"),
    )),
    "supply_plan_reply": FormDef("用气方案答复", (
        customer_info_titled("用气单位"), recorded("项目情况", exclude=("supply_plan",)), supply_plan,
        signatures(Signer("答复单位", company_name, stamp=True), Signer("经办人", clerk), Signer("用气单位签收", party=True)),
    )),
    "design_approval": FormDef("设计方案确认单", (
        customer_info_titled("用气单位"), recorded("项目情况", exclude=DESIGN_CODES + BRIEFING_CODES + CHECK_CODES),
        design_plan,
        signatures(Signer("用气单位", stamp=True, party=True), Signer("用气单位代表签字", party=True),
                   Signer("设计单位"), Signer("供气单位经办人", clerk), lead="design_approval_statement"),
    )),
    "construction_checklist": FormDef("施工技术交底及完工检查记录", (
        customer_info_titled("用气单位"), construction_checklist,
        signatures(Signer("施工单位", stamp=True), Signer("监理单位", stamp=True),
                   Signer("用气单位", stamp=True, party=True), Signer("供气单位经办人", clerk),
                   lead="construction_checklist_statement"),
    )),
    "completion_confirmation": FormDef("燃气工程竣工确认单", (
        customer_info_titled("用气单位"), recorded("工程信息", exclude=VISIT_CODES),
        signatures(Signer("用气单位", stamp=True, party=True), Signer("施工单位", stamp=True), Signer("监理单位", stamp=True),
                   Signer("供气单位验收人", clerk), lead="completion_statement"),
    )),
    "ignition_notice": FormDef("点火通知单", (
        customer_info_titled("用气单位"), recorded("工程信息", exclude=VISIT_CODES), visit,
        text("ignition_statement", "通知事项"),
        signatures(Signer("发出人", clerk), Signer("输配中心接收人"), Signer("用气单位", stamp=True, party=True)),
    ), Audience.FIELD),  # sent to the distribution centre, whose crew ignites on site
}
