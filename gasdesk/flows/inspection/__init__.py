"""The inspection flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.inspection.demo import DEMO
from gasdesk.flows.inspection.flow import FLOW
from gasdesk.flows.inspection.forms import FORMS
from gasdesk.flows.inspection.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
