"""The complaint flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.complaint.demo import DEMO
from gasdesk.flows.complaint.flow import FLOW
from gasdesk.flows.complaint.forms import FORMS
from gasdesk.flows.complaint.rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
