"""安全检查 (issue 20): an inspector visits the premises; entered (the checklist, each hazard graded),
nobody home (a 到访不遇卡 is left, visit again; after the set number of attempts the order ends as
unreachable) or refused (the customer's reason). Hazards above advice grade get a 隐患整改通知书
with a deadline in working days by grade, and the order waits until re-inspection or the
customer's rectification report closes them; an 一级 hazard left unrectified can stop the supply
through the suspension flow (InspectionService.stop_supply, linked on the hazards).

Orders come in bulk from an inspection plan (services/inspection.py), or one at a time at the
counter when a customer books a visit.
"""

from __future__ import annotations

from dataclasses import dataclass

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary
from gasdesk.flows.shapes import ASSIGN


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the inspector's checklist; `grade` is the grade it usually gets when found."""

    code: str
    label: str
    grade: str

    @property
    def field(self) -> str:
        return f"chk_{self.code}"

    @property
    def note_field(self) -> str:
        return f"note_{self.code}"


# Hazard grades (隐患等级) as recorded for each checklist item; OK is "checked, no hazard".
OK, GRADE1, GRADE2, GRADE3 = "ok", "grade1", "grade2", "grade3"
GRADES = (
    (OK, "合格"),
    (GRADE1, "一级隐患（立即整改）"),
    (GRADE2, "二级隐患（限期整改）"),
    (GRADE3, "三级（整改建议）"),
)
GRADE_SHORT = {OK: "合格", GRADE1: "一级", GRADE2: "二级", GRADE3: "三级"}
# Grades that get a 隐患整改通知书 with a deadline (三级 is advice only).
NOTICE_GRADES = (GRADE1, GRADE2)
# The settings holding each noticed grade's working days.
GRADE_DAYS = {GRADE1: "limits.hazard_grade1_days", GRADE2: "limits.hazard_grade2_days"}

# The common items, the most frequent first (inspectors asked for that order).
CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("hose_aged", "胶管老化或使用非燃气专用胶管", GRADE2),
    ChecklistItem("hose_long", "胶管长度超过2米或穿墙、穿门窗", GRADE2),
    ChecklistItem("no_flame_failure", "灶具无熄火保护装置", GRADE2),
    ChecklistItem("heater_flue", "热水器类型不符（直排式）或烟道未伸出室外", GRADE1),
    ChecklistItem("pipe_concealed", "燃气管道暗埋暗封或设在卧室", GRADE2),
    ChecklistItem("no_alarm", "应安装燃气报警器而未安装", GRADE2),
    ChecklistItem("leak", "接口、阀门漏气", GRADE1),
    ChecklistItem("meter_damaged", "燃气表或阀门损坏", GRADE2),
    ChecklistItem("altered", "擅自改装、拆除燃气设施", GRADE2),
)
ITEMS = {item.code: item for item in CHECKLIST}

# Outcomes of a visit (and how an inspection order ends), as the visit table and the ledgers store them.
ENTERED, NOT_HOME, REFUSED, UNREACHABLE = "entered", "not_home", "refused", "unreachable"
OUTCOMES = {ENTERED: "入户检查", NOT_HOME: "到访不遇", REFUSED: "拒绝安检", UNREACHABLE: "多次到访不遇，无法入户"}

# How a hazard is closed.
REINSPECTION, REPORT = "reinspection", "report"
CLOSED_HOW = ((REINSPECTION, "上门复查合格"), (REPORT, "客户提交整改报告（附照片）"))

# Steps (codes used by the service through these names, never spelt elsewhere).
CHECK = "safety_check"
URGENT = "hazard_urgent"
RECTIFY = "hazard_rectify"
ENDED_UNREACHABLE = "ended_unreachable"
ENDED_REFUSED = "ended_refused"

# Actions the service takes for an inspector's result.
PASSED, HAZARDS, URGENT_HAZARDS = "passed", "hazards_found", "urgent_hazards"
NOT_HOME_ACTION, UNREACHABLE_ACTION, REFUSED_ACTION = "not_home", "unreachable", "refused"
RECTIFIED, PARTLY, STILL_OPEN, SUPPLY_STOPPED = "rectified", "partly_rectified", "still_open", "supply_stopped"

VISITED_AT = FieldDef("visited_at", "到访时间", FieldKind.DATETIME)
LEFT_AT = FieldDef("left_at", "离开时间", FieldKind.DATETIME, required=False)
INSPECTOR = FieldDef("inspector", "安检员", help="上门检查的安检员或班组")
NOTE = FieldDef("visit_note", "检查情况说明", FieldKind.LONG_TEXT, required=False)
DEVICES = (
    FieldDef("alarm_due", "燃气报警器到期日", FieldKind.DATE, required=False),
    FieldDef("hose_due", "连接胶管到期日", FieldKind.DATE, required=False),
    FieldDef("cooker_due", "燃气灶具到期日", FieldKind.DATE, required=False),
    FieldDef("heater_due", "热水器/壁挂炉到期日", FieldKind.DATE, required=False),
)
CHECK_FIELDS = tuple(
    f for item in CHECKLIST for f in (
        FieldDef(item.field, item.label, FieldKind.CHOICE, required=False, choices=GRADES),
        FieldDef(item.note_field, f"{item.label}：说明", required=False),
    )
)
ENTERED_FIELDS = (VISITED_AT, LEFT_AT, INSPECTOR, *CHECK_FIELDS, *DEVICES, NOTE)
CLOSED_HOW_FIELD = FieldDef("closed_how", "销项方式", FieldKind.CHOICE, choices=CLOSED_HOW)
CHECKED_AT = FieldDef("checked_at", "复查/收到报告时间", FieldKind.DATETIME)
RECTIFY_NOTE = FieldDef("rectify_note", "整改情况", FieldKind.LONG_TEXT)
CLOSING_FIELDS = (
    CLOSED_HOW_FIELD, CHECKED_AT,
    FieldDef("closing_items", "销项的隐患（留空为全部）", required=False,
             help="填写检查项目名称，多个用逗号分开；留空表示本单全部未整改隐患"),
    RECTIFY_NOTE,
)
PARTLY_FIELDS = (
    CLOSED_HOW_FIELD, CHECKED_AT,
    FieldDef("closing_items", "已整改的隐患", help="填写检查项目名称，多个用逗号分开"),
    RECTIFY_NOTE,
)
INSPECTORS = ROLES.dispatcher | ROLES.clerk


def entered(code: str, label: str, target: str, grades: str, forms: tuple[str, ...]) -> ActionDef:
    """The inspector got in: the checklist as recorded; `grades` says which worst grade this action
    is for (guard `worst_grade`), so each result goes to the step with its deadline."""
    return ActionDef(
        code=code, label=label, target=target, roles=INSPECTORS, fields=ENTERED_FIELDS, forms=forms,
        guards=(Guard("worst_grade", grades=grades),), effects=(Effect("record_visit", outcome=ENTERED),),
    )


def not_home(code: str, label: str, target: str, *, last: bool) -> ActionDef:
    """Nobody home, a card left: `last` says whether this was the last attempt allowed (guard
    `attempts_left`), so the order either waits for another visit or ends unreachable."""
    return ActionDef(
        code=code, label=label, target=target, roles=INSPECTORS, forms=("no_one_home_card",),
        fields=(VISITED_AT, INSPECTOR, FieldDef("card_left", "已留到访不遇卡", FieldKind.BOOL), NOTE),
        guards=(Guard("attempts_left", last=last),), effects=(Effect("record_visit", outcome=NOT_HOME),),
    )


def rectify_step(code: str, label: str, setting: str, default: int, *, stop: bool) -> StepDef:
    """The order waits for the hazards of its notice to be closed, within the grade's working days."""
    actions = [
        ActionDef(code=RECTIFIED, label="隐患已整改，销项", target="archived", roles=INSPECTORS,
                  fields=CLOSING_FIELDS, effects=("close_hazards",), decision="是"),
        ActionDef(code=PARTLY, label="部分隐患已整改，销项（其余继续督促）", target=code, roles=INSPECTORS,
                  fields=PARTLY_FIELDS, effects=(Effect("close_hazards", partial=True),)),
        ActionDef(code=STILL_OPEN, label="复查：隐患仍未整改（记录，继续督促）", target=code, roles=INSPECTORS,
                  fields=(FieldDef("checked_at", "复查时间", FieldKind.DATETIME),
                          FieldDef("rectify_note", "复查情况", FieldKind.LONG_TEXT)),
                  effects=("note_recheck",), decision="否"),
    ]
    if stop:
        actions.append(ActionDef(
            code=SUPPLY_STOPPED, label="一级隐患拒不整改，停止供气（关联暂停用气业务单）", target=code,
            roles=ROLES.clerk | ROLES.dispatcher,
            fields=(FieldDef("suspension_order", "暂停用气业务单号"),),
            effects=("link_suspension",)))
    return StepDef(code=code, label=label, department="distribution", limit=TimeLimit(default, WD, setting=setting),
                   question="隐患是否已整改", forms=("hazard_notice",), actions=tuple(actions),
                   ledger_state="待整改")


FLOW = FlowDef(
    kind="inspection", label="安全检查", short_label="安检", number_prefix="AJ", chart=False,
    account_statuses=("active", "suspended"), account_lock=AccountLock.OWN_KIND,
    rounds_label="上门次数",
    open_fields=(FieldDef("preferred_time", "客户希望上门时间", FieldKind.DATETIME, required=False),),
    open_effects=("start_inspection",),
    abandon_effects=("end_inspection",),
    commitment="居民用户每12个月至少入户安全检查一次，非居民用户每6个月一次；发现隐患书面告知限期整改",
    description="按安检计划或客户预约上门检查户内燃气设施，登记检查结果、隐患及整改情况",
    steps=(
        StepDef(
            code=CHECK, label="入户安全检查", department="distribution", visit=True,
            question="是否入户检查", forms=("inspection_record",), ledger_state="待检查",
            actions=(
                ActionDef(**{**ASSIGN.__dict__, "target": CHECK, "roles": INSPECTORS}),
                entered(PASSED, "入户检查：无隐患或仅有整改建议，归档", "archived", "none",
                        ("inspection_record",)),
                entered(HAZARDS, "入户检查：发现隐患，开具隐患整改通知书", RECTIFY, GRADE2,
                        ("inspection_record", "hazard_notice")),
                entered(URGENT_HAZARDS, "入户检查：发现一级隐患，立即整改", URGENT, GRADE1,
                        ("inspection_record", "hazard_notice")),
                not_home(NOT_HOME_ACTION, "到访不遇：留到访不遇卡，再次上门", CHECK, last=False),
                not_home(UNREACHABLE_ACTION, "到访不遇：已达上门次数，无法入户，结束", ENDED_UNREACHABLE, last=True),
                ActionDef(code=REFUSED_ACTION, label="客户拒绝安检（登记原因）", target=ENDED_REFUSED,
                          roles=INSPECTORS, forms=("inspection_record",), decision="否",
                          fields=(VISITED_AT, INSPECTOR,
                                  FieldDef("refusal_reason", "客户拒绝的原因", FieldKind.LONG_TEXT), NOTE),
                          effects=(Effect("record_visit", outcome=REFUSED),)),
            ),
        ),
        rectify_step(URGENT, "一级隐患立即整改", GRADE_DAYS[GRADE1], 1, stop=True),
        rectify_step(RECTIFY, "隐患限期整改", GRADE_DAYS[GRADE2], 20, stop=False),
        StepDef(code=ENDED_UNREACHABLE, label="多次到访不遇，无法入户（已标记）", terminal="archived"),
        StepDef(code=ENDED_REFUSED, label="客户拒绝安检（已标记）", terminal="archived"),
        *terminal_steps(),
    ),
)
