"""The capacity_change flow: its definition, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.capacity_change.demo import DEMO
from gasdesk.flows.capacity_change.flow import FLOW

BUNDLE = FlowBundle(FLOW, demo=DEMO)
