"""The installation flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.installation.demo import DEMO
from gasdesk.flows.installation.flow import FLOW
from gasdesk.flows.installation.forms import FORMS
from gasdesk.flows.installation.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
