"""The capacity_change flow: its definition, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle

from .demo import DEMO
from .flow import FLOW

BUNDLE = FlowBundle(FLOW, demo=DEMO)
