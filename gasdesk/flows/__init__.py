"""Flow definitions (data) and the one engine that runs them. Pure Python: no Qt, no SQL.

FLOWS holds the ten flows of the company's process document. SERVICE_FLOWS holds the further
service orders its public commitment promises (meter service, 拆迁移改, resuming supply). Everything
that runs orders looks kinds up in ALL_FLOWS.
"""

from gasdesk.flows.catalog import ALL_FLOWS as CHART_FLOWS
from gasdesk.flows.commitment_catalog import SERVICE_FLOWS as _SERVICE_FLOWS
from gasdesk.flows.definition import FlowDef

FLOWS: dict[str, FlowDef] = {flow.kind: flow for flow in CHART_FLOWS}
SERVICE_FLOWS: dict[str, FlowDef] = {flow.kind: flow for flow in _SERVICE_FLOWS}
ALL_FLOWS: dict[str, FlowDef] = {**FLOWS, **SERVICE_FLOWS}

__all__ = ["ALL_FLOWS", "FLOWS", "SERVICE_FLOWS", "FlowDef"]
