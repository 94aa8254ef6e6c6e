"""A flow bundle: everything one flow is, gathered from its package for the registry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gasdesk.flows.definition import FlowDef
from gasdesk.flows.rules import RuleBook


@dataclass(frozen=True)
class FlowBundle:
    flow: FlowDef
    # The guards and effects only this flow uses (shared ones are in flows/rules.py).
    rules: RuleBook = field(default_factory=RuleBook)
    # Forms only this flow prints: code -> reports.forms.FormDef (title and blocks).
    forms: Mapping[str, Any] = field(default_factory=dict)
    # How `gasdesk demo` walks this flow's orders into every state (flows/demo.py DemoPlan).
    demo: Any = None

    @property
    def kind(self) -> str:
        return self.flow.kind
