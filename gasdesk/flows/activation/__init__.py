"""The activation flow: its definition, forms and demo route."""

from gasdesk.flows.activation.demo import DEMO
from gasdesk.flows.activation.flow import FLOW
from gasdesk.flows.bundle import FlowBundle

BUNDLE = FlowBundle(FLOW, demo=DEMO)
