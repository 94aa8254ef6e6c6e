"""The resume_supply flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.resume_supply.demo import DEMO
from gasdesk.flows.resume_supply.flow import FLOW
from gasdesk.flows.resume_supply.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, demo=DEMO)
