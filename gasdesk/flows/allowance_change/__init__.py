"""The allowance_change flow: its definition, rules, forms and demo route."""

from gasdesk.flows.allowance_change.demo import DEMO
from gasdesk.flows.allowance_change.flow import FLOW
from gasdesk.flows.allowance_change.forms import FORMS
from gasdesk.flows.allowance_change.rules import RULES
from gasdesk.flows.bundle import FlowBundle

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
