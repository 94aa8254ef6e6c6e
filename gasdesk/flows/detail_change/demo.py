"""How the demo walks changes of details: new phone numbers, a new contact, a name put right."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, OrderFacts, Payload


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move != "approve":
        return {}, ""
    if customer.category == "non_residential":
        story.memo["change"] = {"contact_person": drv.person()[0], "phone2": drv.mobile()}
        return {"new_contact_person": story.memo["change"]["contact_person"],
                "new_phone2": story.memo["change"]["phone2"]}, ""
    if drv.rng.random() < 0.85:
        story.memo["change"] = {"phone": drv.mobile()}
        return {"new_phone": story.memo["change"]["phone"]}, ""
    # A mistyped given name corrected from the ID card.
    fixed = customer.name[0] + drv.person()[0][1:]
    story.memo["change"] = {"name": fixed if fixed != customer.name else customer.name + "林"}
    return {"new_name": story.memo["change"]["name"]}, ""


def after(drv: Driver, story: DemoStory, move: str, view: OrderFacts, customer: DemoCustomer) -> None:
    if move == "details_changed":
        change = story.memo["change"]
        customer.phone = change.get("phone", customer.phone)
        customer.name = change.get("name", customer.name)


DEMO = DemoPlan(
    routes={
        "done": ("approve", "details_changed", "agreement_signed"),
        "refused": ("refuse",),
    },
    volume={"done": 35, "refused": 2, "@cancel": 2},
    needs="held",
    gaps={"approve": (0.05, 0.4), "details_changed": (0.1, 3.0), "agreement_signed": (0.05, 0.4)},
    refusals=(
        ("更正后的姓名与身份证不一致，不予更改", None),
        ("非户主本人申请且无委托书，不予更改", None),
    ),
    payload=payload,
    after=after,
)
