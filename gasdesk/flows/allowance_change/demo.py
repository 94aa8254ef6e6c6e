"""How the demo walks allowance changes: larger households, some sent home for a missing document."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload

_MISSING = "household_register"


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    return Opening(missing=(_MISSING,) if story.route == "more_documents" else ())


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "application_signed":
        size = drv.rng.randint(5, 8)
        return {"household_size": size, "new_allowance": 350 + 80 * (size - 4)}, ""
    return {}, ""


DEMO = DemoPlan(
    routes={
        "done": ("documents_ok", "application_signed", "allowance_changed"),
        "more_documents": ("documents_mismatch", "@docs", "documents_resubmitted", "documents_ok",
                           "application_signed", "allowance_changed"),
    },
    volume={"done": 18, "more_documents": 8, "@cancel": 2},
    needs="held_home",
    gaps={"application_signed": (0.05, 0.4), "documents_resubmitted": (0.05, 0.3), "allowance_changed": (4, 72)},
    reasons={"documents_mismatch": ("未带户口簿复印件，家庭人口无法核实，请补充后再核对",)},
    open_data=open_data,
    payload=payload,
)
