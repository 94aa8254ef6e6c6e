"""投诉 (flows.md §10): a complaint or an enquiry, handled by the department concerned, called back."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="complaint", label="投诉", number_prefix="TS", account_lock=AccountLock.NONE,
    rounds_label="处理轮次", ledgers=("complaints",),
    open_fields=(
        FieldDef("complaint_type", "类别", FieldKind.CHOICE,
                 choices=(("complaint", "投诉"), ("enquiry", "咨询/查询"))),
        FieldDef("content", "投诉/咨询内容", FieldKind.LONG_TEXT),
        FieldDef("contact_phone", "联系电话", FieldKind.PHONE, customer_value="phone"),
        FieldDef("respondent_department", "被投诉部门", FieldKind.DEPARTMENT, required=False),
    ),
    open_effects=("note_service_hours", Effect("assign_department", field="respondent_department", optional=True)),
    commitment="投诉电话工作日9:00-17:00受理，营业厅营业时间内均可受理",
    steps=(
        counter_step(
            "accept", "受理、解释、安抚客户", "客户是否接受解释",
            actions=(
                ActionDef(code="enquiry_answered", label="咨询/查询已当场答复", target="archived",
                          roles=ROLES.clerk, suggested_when=(("complaint_type", "enquiry"),), fields=(FieldDef("answer", "答复内容", FieldKind.LONG_TEXT),)),
                ActionDef(code="explanation_accepted", label="客户接受解释，记录归档", target="archived",
                          roles=ROLES.clerk, decision="是", suggested_when=(("complaint_type", "complaint"),),
                          fields=(FieldDef("explanation", "解释内容", FieldKind.LONG_TEXT),)),
                ActionDef(code="refer", label="客户不接受，开具投诉转办单", target="handling",
                          roles=ROLES.clerk, decision="否", forms=("complaint_transfer",),
                          effects=(Effect("assign_department", field="department"), "count_round"),
                          fields=(
                              FieldDef("department", "转办部门", FieldKind.DEPARTMENT),
                              FieldDef("summary", "转办事项", FieldKind.LONG_TEXT),
                          )),
            ),
        ),
        StepDef(
            code="handling", label="被投诉部门处理", department="",
            limit=TimeLimit(5, WD, setting="limits.complaint_round_days"),
            ledger_state="处理中", ledger_state_repeat="不满意，再次处理中",
            actions=(ActionDef(code="handled", label="处理完毕，记录结果", target="follow_up", roles=ROLES.handler,
                               fields=(FieldDef("result", "处理结果", FieldKind.LONG_TEXT),)),),
        ),
        StepDef(
            code="follow_up", label="电话回访", department="customer_service", question="客户是否仍不满意",
            ledger_state="待回访",
            actions=(
                ActionDef(code="satisfied", label="客户满意，归档", target="archived", roles=ROLES.clerk,
                          decision="否", fields=(FieldDef("callback_note", "回访记录", FieldKind.LONG_TEXT),)),
                ActionDef(code="not_satisfied", label="客户仍不满意，再次转部门处理", target="handling",
                          roles=ROLES.clerk, decision="是", needs_reason=True, effects=("count_round",),
                          forms=("complaint_transfer",)),
            ),
        ),
        *terminal_steps(),
    ),
)
