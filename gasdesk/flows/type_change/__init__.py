"""The type_change flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.type_change.demo import DEMO
from gasdesk.flows.type_change.flow import FLOW
from gasdesk.flows.type_change.forms import FORMS
from gasdesk.flows.type_change.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
