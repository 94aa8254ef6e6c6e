"""投诉 (flows.md §10): a complaint or an enquiry, handled by the department concerned, called back.

Our reading of the chart, updated: flows.md reads 客户投诉 → 受理、解释、安抚 → 客户是否接受解释 → (否)
投诉转办单 → 投诉处理 → 记录投诉处理结果 → 电话回访 → 客户对处理结果仍不满意 → (是) 被投诉部门重新处理 /
(否) 归档, and leaves out the chart's **是否通过** diamond, drawn between 投诉处理 and 记录投诉处理结果.
It guards what the department sends back: customer service (which owns the complaint and makes the
follow-up call) checks the department's result before it is recorded as the complaint's result and
put to the customer. 通过 → the result is recorded and the customer is called back (`follow_up`);
不通过 → back to the department with the reason, to handle it again (the same referral: the ticket's
round counts the customer's dissatisfaction, not this internal check). Orders that were already
waiting for the call when the check was added go on from there.

Hours: an enquiry by telephone comes in on the business and enquiry line (96977, every day
9:00-24:00), a complaint on the complaint line (working days 9:00-17:00); a call outside them records
when it will be handled (rules.note_service_hours). At the counter the hall is open.
"""

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
    commitment="来访、来电均可受理：咨询当场答复；投诉转被投诉部门处理，结果经审核后电话回访，直至客户满意",
    phone_intake=True,
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
            actions=(ActionDef(code="handled", label="处理完毕，报送处理结果", target="review", roles=ROLES.handler,
                               fields=(FieldDef("result", "处理结果", FieldKind.LONG_TEXT),)),),
        ),
        StepDef(
            code="review", label="审核处理结果", department="customer_service", question="是否通过",
            ledger_state="处理结果待审核",
            actions=(
                ActionDef(code="review_passed", label="通过，记录投诉处理结果", target="follow_up",
                          roles=ROLES.clerk, decision="是",
                          fields=(FieldDef("review_note", "审核意见", FieldKind.LONG_TEXT, required=False),)),
                ActionDef(code="review_failed", label="不通过，退回被投诉部门重新处理", target="handling",
                          roles=ROLES.clerk, decision="否", needs_reason=True),
            ),
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
