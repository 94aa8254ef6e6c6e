"""Flow definitions (data) and the one engine that runs them. Pure Python: no Qt, no SQL."""

from gasdesk.flows.catalog import ALL_FLOWS
from gasdesk.flows.definition import FlowDef

FLOWS: dict[str, FlowDef] = {flow.kind: flow for flow in ALL_FLOWS}

__all__ = ["FLOWS", "FlowDef"]
