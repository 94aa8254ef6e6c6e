"""The closure flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.closure.demo import DEMO
from gasdesk.flows.closure.flow import FLOW
from gasdesk.flows.closure.forms import FORMS
from gasdesk.flows.closure.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
