"""The meter_service flow: its definition, rules and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.meter_service.demo import DEMO
from gasdesk.flows.meter_service.flow import FLOW
from gasdesk.flows.meter_service.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, demo=DEMO)
