"""How the demo walks transfers: a flat sold, the account settled and opened again for the buyer."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, OrderFacts, Payload


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "application_signed":
        name, male, birth = drv.person()
        story.memo["new_owner"] = (name, drv.mobile())
        return {"new_name": name, "new_id_type": "resident_id", "new_id_number": drv.resident_id(male, birth),
                "new_phone": story.memo["new_owner"][1]}, ""
    return {}, ""


def after(drv: Driver, story: DemoStory, move: str, view: OrderFacts, customer: DemoCustomer) -> None:
    if move == "settled":
        customer.read_on = drv.now().date()
    elif move == "owner_switched":
        name, phone = story.memo["new_owner"]
        drv.successor(customer, int(view.data["new_customer_id"]), name, phone)
        customer.closed, customer.account_status = True, "closed"


DEMO = DemoPlan(
    routes={
        "done": ("documents_ok", "application_signed", "settled", "owner_switched", "agreement_signed"),
        "refused": ("refuse",),
    },
    volume={"done": 30, "refused": 3, "@cancel": 2},
    needs="held_home",
    gaps={"application_signed": (0.05, 0.4), "settled": (0.05, 0.3), "owner_switched": (0.05, 0.3),
          "agreement_signed": (0.05, 0.4)},
    refusals=(
        ("未提供物业管理证明，资料不齐", "property_mgmt"),
        ("不动产权证尚未办理过户，请提供网签购房合同", None),
        ("买卖双方均未到场，且无公证委托书", None),
    ),
    settles=True,
    reads_at_counter=True,
    payload=payload,
    after=after,
)
