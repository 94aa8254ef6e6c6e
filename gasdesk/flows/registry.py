"""The registry: every flow package, listed once. Everything that runs orders iterates it.

Adding a flow: copy a package beside this file, name it in PACKAGES, add its migration if it brings
tables. Nothing else names a flow.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, cast

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.definition import FlowDef
from gasdesk.flows.rules import SHARED, Rule

# One line per flow, in the order the wizard and the ledgers list them.
PACKAGES = (
    "installation",
    "activation",
    "capacity_change",
    "type_change",
    "allowance_change",
    "suspension",
    "transfer",
    "detail_change",
    "closure",
    "complaint",
    "meter_service",
    "relocation",
    "resume_supply",
    "inspection",
)
# The flow the new-business wizard selects first: the counter's most common business.
WIZARD_DEFAULT = "activation"

BUNDLES: tuple[FlowBundle, ...] = tuple(
    cast(FlowBundle, importlib.import_module(f"gasdesk.flows.{name}").BUNDLE) for name in PACKAGES
)
ALL_FLOWS: dict[str, FlowDef] = {b.flow.kind: b.flow for b in BUNDLES}
# The ten flows of the process document's charts, and the further services of its commitment.
FLOWS: dict[str, FlowDef] = {k: f for k, f in ALL_FLOWS.items() if f.chart}
SERVICE_FLOWS: dict[str, FlowDef] = {k: f for k, f in ALL_FLOWS.items() if not f.chart}


def _merged(kind: str) -> dict[str, Rule]:
    merged: dict[str, Rule] = dict(getattr(SHARED, kind))
    for bundle in BUNDLES:
        for name, fn in getattr(bundle.rules, kind).items():
            if name in merged and merged[name] is not fn:
                raise RuntimeError(f"{bundle.kind}: rule {name!r} is defined twice")
            merged[name] = fn
    return merged


GUARDS: dict[str, Rule] = _merged("guards")
EFFECTS: dict[str, Rule] = _merged("effects")
# Money-moving effects' previews (RuleBook.preview): what the action would move, written nowhere.
PREVIEWS: dict[str, Rule] = _merged("previews")
# Forms that a single flow prints, gathered from the packages: code -> form definition.
FLOW_FORMS: dict[str, Any] = {code: form for b in BUNDLES for code, form in b.forms.items()}


def bundle(kind: str) -> FlowBundle:
    for b in BUNDLES:
        if b.kind == kind:
            return b
    raise KeyError(kind)


def reading_labels() -> Mapping[str, str]:
    """Meter-reading sources the flows' visits write, with their labels."""
    return {code: label for f in ALL_FLOWS.values() for code, label in f.reading_sources}


def kinds_in_ledger(ledger: str) -> tuple[str, ...]:
    """The flows that a shared ledger lists (FlowDef.ledgers)."""
    return tuple(k for k, f in ALL_FLOWS.items() if ledger in f.ledgers)
