"""The transfer flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.transfer.demo import DEMO
from gasdesk.flows.transfer.flow import FLOW
from gasdesk.flows.transfer.forms import FORMS
from gasdesk.flows.transfer.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
