"""The resume_supply flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle

from .demo import DEMO
from .flow import FLOW
from .rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, demo=DEMO)
