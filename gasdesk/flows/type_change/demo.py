"""How the demo walks changes of gas use: homes that open a shop, businesses that become homes again."""

from __future__ import annotations

from typing import Any

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, OrderFacts, Payload
from gasdesk.vocab import OrderStatus


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    p: dict[str, Any] = {}
    if move == "contract_signed":  # back to a home
        p = {"household_size": drv.rng.randint(1, 5)}
    elif move == "work_done":  # the opening visit of a business that becomes a home
        p = {"work_record": "安全检查合格，通气点火正常"}
    elif move == "data_completed":
        story.memo["business_name"] = drv.shop_name(customer)
        p = {"new_gas_use_type": "commercial", "business_name": story.memo["business_name"]}
    return p, ""


def after(drv: Driver, story: DemoStory, move: str, view: OrderFacts, customer: DemoCustomer) -> None:
    if view.status == OrderStatus.ARCHIVED:
        customer.category = "residential" if story.route.startswith("to_home") else "non_residential"
        customer.name = story.memo.get("business_name", customer.name)


DEMO = DemoPlan(
    routes={
        "to_business": ("to_non_residential", "data_completed", "type_changed"),
        "to_home": ("to_residential", "contract_signed", "assign", "work_done", "type_changed"),
        "to_home_rebooked": ("to_residential", "contract_signed", "assign", "conditions_not_met", "rebook", "assign",
                             "work_done", "type_changed"),
        "refused": ("refuse",),
    },
    volume={"to_business": 3, "to_home": 1, "refused": 1, "@cancel": 1},
    needs="active_home",
    route_needs={"to_home": "active_business", "to_home_rebooked": "active_business"},
    gaps={"to_non_residential": (0.1, 0.5), "to_residential": (0.1, 0.5), "contract_signed": (0.2, 1.0),
          "data_completed": (20, 96), "type_changed": (2, 48)},
    refusals=(
        ("房屋规划用途为住宅，不能改为经营性用气", None),
        ("未提供营业执照，无法办理居民转非居民", None),
    ),
    payload=payload,
    after=after,
)
