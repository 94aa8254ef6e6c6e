"""Flows: each one a package (definition, rules, forms, demo route), listed once in registry.py.

FLOWS holds the ten flows of the company's process document. SERVICE_FLOWS holds the further
service orders its public commitment promises (meter service, 拆迁移改, resuming supply). Everything
that runs orders looks kinds up in ALL_FLOWS.
"""

from gasdesk.flows.definition import FlowDef
from gasdesk.flows.registry import ALL_FLOWS, BUNDLES, EFFECTS, FLOWS, GUARDS, SERVICE_FLOWS

__all__ = ["ALL_FLOWS", "BUNDLES", "EFFECTS", "FLOWS", "GUARDS", "SERVICE_FLOWS", "FlowDef"]
