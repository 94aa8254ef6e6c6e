"""The complaint flow's form, the transfer ticket (投诉转办单): what the customer said, what the
department must handle, which round this is, and the history so far."""

from __future__ import annotations

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.catalog import (
    Audience,
    FormDef,
    Signer,
    clerk,
    customer_brief,
    recorded,
    signatures,
    text,
)
from gasdesk.reports.forms.kit import Cell, Kit
from gasdesk.reports.forms.values import fmt_datetime, value

COMPLAINT_CODES = (
    "complaint_type", "content", "contact_phone", "respondent_department", "department", "summary",
    "round", "rounds",
)


def handling_round(ctx: FormContext) -> int:
    """Which handling round the ticket is for: the recorded count, else the transfers in the history."""
    for key in ("round", "rounds", "complaint_round"):
        raw = ctx.data.get(key)
        try:
            if raw is not None and int(raw) > 0:
                return int(raw)
        except (TypeError, ValueError):
            continue
    transfers = sum(1 for h in ctx.history if "转办" in h.action_label or "再次转" in h.action_label)
    return max(1, transfers)


def complaint_details(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pairs: list[tuple[str, Cell]] = [
        ("类别", value(ctx, "complaint_type", "投诉")),
        ("联系电话", value(ctx, "contact_phone") or ctx.customer.phone),
        ("转办轮次", f"第 {handling_round(ctx)} 次"),
        ("被投诉部门", value(ctx, "respondent_department")),
        ("承办部门", value(ctx, "department")),
        ("转办时间", fmt_datetime(ctx.step_at)),
    ]
    content = value(ctx, "content")
    summary = value(ctx, "summary")
    out: list[Flowable] = [*kit.section("转办信息"), *kit.grid(pairs, cols=3, label_width=58),
                           *kit.section("投诉内容")]
    out += kit.paragraphs(content, "body") if content else [kit.lines("（投诉内容）", 3)]
    out += [*kit.section("转办事项")]
    out += kit.paragraphs(summary, "body") if summary else [kit.lines("（转办事项）", 2)]
    if ctx.reason.strip():
        out += [*kit.section("客户仍不满意的原因"), *kit.paragraphs(ctx.reason.strip(), "body")]
    return out


def complaint_history(kit: Kit, ctx: FormContext) -> list[Flowable]:
    if not ctx.history:
        return []
    rows = [[fmt_datetime(h.at), h.step_label, h.action_label, h.actor_name, h.note] for h in ctx.history]
    return [*kit.section("办理经过"), kit.table(["时间", "环节", "处理", "经办人", "说明"], rows, [1.3, 1.6, 1.8, 0.8, 2.4])]


def handling_result(kit: Kit, ctx: FormContext) -> list[Flowable]:
    return [*kit.section("处理结果（承办部门填写）"), kit.lines("处理情况及结果：", 4)]


FORMS = {
    "complaint_transfer": FormDef("投诉转办单", (
        customer_brief, complaint_details, complaint_history, handling_result,
        recorded("其他记录", exclude=COMPLAINT_CODES),
        text("complaint_transfer_note", "办理要求"),
        signatures(Signer("转办人", clerk), Signer("承办部门签收"), Signer("承办部门负责人")),
    ), Audience.DEPARTMENT),  # passed to the department that handles the complaint
}
