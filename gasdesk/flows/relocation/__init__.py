"""The relocation flow: its definition, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.relocation.demo import DEMO
from gasdesk.flows.relocation.flow import FLOW

BUNDLE = FlowBundle(FLOW, demo=DEMO)
