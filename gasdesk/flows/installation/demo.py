"""How the demo walks installations of businesses: survey to ignition, some re-worked, some refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gasdesk.flows.demo import (
    DemoCustomer,
    DemoPlan,
    DemoStory,
    Driver,
    Opening,
    Payload,
)

DESIGN_UNITS = ("贵州燃气集团工程设计有限公司", "安顺市市政工程设计院有限公司", "贵州黔能燃气工程设计有限公司")
BUILDERS = ("安顺市燃气安装工程有限公司", "贵州安泰管道工程有限公司", "安顺黔通燃气设备安装有限公司")
SUPERVISORS = ("安顺市建设工程监理有限公司", "贵州建信工程监理有限公司")


def _equipment(drv: Driver, customer: DemoCustomer) -> str:
    n = drv.rng.randint(2, 6)
    return {
        "restaurant": f"中餐燃气炒灶{n}台、蒸饭柜1台、大锅灶1台",
        "hotel": f"燃气热水锅炉1台、厨房炒灶{n}台",
        "school": f"食堂大锅灶{n}台、蒸饭柜{max(1, n // 2)}台",
        "clinic": "食堂炒灶2台、开水器1台",
        "factory": f"燃气蒸汽锅炉{max(1, n // 2)}台（{drv.rng.choice((1, 2, 4))}吨/小时）",
    }.get(customer.business, f"燃气灶具{n}台")


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    return Opening({"project_name": f"{customer.name}用气工程",
                    "expected_monthly_volume": story.memo.get("monthly", 1000),
                    "equipment": _equipment(drv, customer)})


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    rng, now = drv.rng, drv.now()
    p: dict[str, Any] = {}
    if move == "ignited":
        p = drv.new_meter(customer, story.memo.get("rating"))
    elif move == "register":
        p = {"business_group": rng.choice(("业务一组", "业务二组"))}
    elif move == "survey_done":
        p = {"survey_date": now.date(), "designer": rng.choice(drv.designers),
             "survey_notes": f"用气点位于一层厨房，拟新建DN{rng.choice((32, 50, 80))}引入管约"
                             f"{rng.randint(15, 120)}米，表具设于室外表箱"}
    elif move == "plan_approved":
        p = {"supply_plan": f"由市政中压管网接入，设调压箱一台，计量表具{story.memo.get('rating', 'G25')}，"
                            f"预计月用气量约{story.memo.get('monthly', 1000)}立方米"}
    elif move == "design_done":
        p = {"design_unit": rng.choice(DESIGN_UNITS), "design_number": f"SJ{now:%Y}-{drv.serial('design'):04d}",
             "design_summary": f"中压引入，室外设调压计量箱一座（{story.memo.get('rating', 'G25')}表），"
                               f"DN{rng.choice((32, 50))}镀锌钢管沿外墙明敷至厨房，安装燃气泄漏报警及紧急切断装置"}
    elif move == "design_approved":
        p = {"approval_date": now.date(), "approved_by": drv.person()[0]}
    elif move == "briefing_done":
        p = {"briefing_date": now.date(), "briefing_attendees": "施工单位项目经理、监理工程师、用气单位代表",
             "briefing_points": "管道走向、穿墙套管、焊接与防腐要求，带气接驳安全措施"}
    elif move == "budget_done":
        story.memo["budget"] = Decimal(rng.randrange(18_000, 260_000, 500))
        p = {"budget_amount": story.memo["budget"]}
    elif move == "contract_signed":
        amount = story.memo.get("budget", Decimal(50_000)) * Decimal(rng.choice(("0.95", "0.97", "1")))
        p = {"contract_number": f"AZ{now:%Y}-{drv.serial('contract'):04d}", "contract_date": now.date(),
             "contract_amount": amount.quantize(Decimal("1"))}
    elif move == "construction_done":
        p = {"construction_unit": rng.choice(BUILDERS), "supervision_unit": rng.choice(SUPERVISORS),
             "work_finished": True, "materials_cleared": True, "site_cleaned": True}
    elif move == "acceptance_passed":
        p = {"acceptance_date": now.date()}
    return p, ""


_SURVEYED = ("register", "survey_done", "materials_received")
_DESIGNED = (*_SURVEYED, "plan_approved", "design_done", "design_approved")
_BUILT = (*_DESIGNED, "budget_done", "contract_signed", "briefing_done", "construction_done")

DEMO = DemoPlan(
    routes={
        "done": (*_BUILT, "acceptance_passed", "assign", "ignited"),
        "rework": (*_BUILT, "acceptance_failed", "construction_done", "acceptance_passed", "assign",
                   "conditions_not_met", "rebook", "assign", "ignited"),
        "redesign": (*_SURVEYED, "plan_approved", "design_done", "design_revision", "design_done", "design_approved",
                     "budget_done", "contract_signed", "briefing_done", "construction_done", "acceptance_passed",
                     "assign", "ignited"),
        "refused": ("refuse",),
        "no_supply": (*_SURVEYED, "plan_refused"),
    },
    newcomers="non_residential",
    first_mix={"rework": 0.15, "redesign": 0.08, "refused": 0.05, "no_supply": 0.04, "@cancel": 0.05},
    gaps={
        "register": (1, 8), "survey_done": (20, 72), "materials_received": (72, 300), "plan_approved": (8, 40),
        "plan_refused": (8, 40), "design_done": (100, 300), "design_approved": (24, 120),
        "design_revision": (24, 96), "budget_done": (40, 120), "briefing_done": (24, 120),
        "contract_signed": (40, 200), "construction_done": (150, 500), "acceptance_passed": (8, 30),
        "acceptance_failed": (8, 30),
    },
    refusals=(
        ("营业执照经营范围与用气场所用途不符，请补充相关证照后再申请", None),
        ("未提供用气场所产权或租赁证明，资料不齐", "site_proof"),
        ("用气场所位于地下室，不符合燃气设计规范要求，不予受理", None),
    ),
    reasons={
        "plan_refused": ("该区域中压管网尚未敷设到位，暂不具备供气条件，待管网建成后另行通知",
                         "用气场所与相邻建筑安全间距不足，无法设置调压设施，暂不能供气"),
        "design_revision": ("客户要求调整表箱位置，避开店面招牌", "客户增加一台蒸饭柜，需核算用气量并调整管径"),
        "acceptance_failed": ("调压箱安装位置与设计图纸不符，需整改后重新报验",
                              "部分管道焊口无损检测不合格，返工后重新报验",
                              "燃气泄漏报警器未与紧急切断阀联动，整改后重新验收"),
    },
    account_manager=True,
    account_after="active",
    open_data=open_data,
    payload=payload,
)
