"""The suspension flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.suspension.demo import DEMO
from gasdesk.flows.suspension.flow import FLOW
from gasdesk.flows.suspension.forms import FORMS
from gasdesk.flows.suspension.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
