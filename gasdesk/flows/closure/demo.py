"""How the demo walks closures: the account settled, then the supply plugged or the meter removed."""

from __future__ import annotations

from gasdesk.flows.demo import DemoPlan

_SETTLED = ("documents_ok", "application_signed", "settled")


DEMO = DemoPlan(
    routes={
        "plugged": (*_SETTLED, "plugging", "assign", "work_done"),
        "removed": (*_SETTLED, "removal", "assign", "work_done"),
        "plug_rebooked": (*_SETTLED, "plugging", "assign", "conditions_not_met", "rebook", "assign", "work_done"),
        "remove_rebooked": (*_SETTLED, "removal", "assign", "conditions_not_met", "rebook", "work_done"),
        "refused": ("refuse",),
    },
    volume={"plugged": 8, "removed": 5, "plug_rebooked": 2, "remove_rebooked": 1, "refused": 2, "@cancel": 2},
    needs="held",
    gaps={"application_signed": (0.05, 0.4), "settled": (0.05, 0.3), "plugging": (0.05, 0.3),
          "removal": (0.05, 0.3)},
    refusals=(
        ("申请人非房屋所有权人，需产权人本人办理销户", None),
        ("房屋仍有租户在用气，需租户搬离后再办理", None),
    ),
    settles=True,
    account_after="closed",
)
