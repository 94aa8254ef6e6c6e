"""The complaint flow: its definition, rules, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle

from .demo import DEMO
from .flow import FLOW
from .forms import FORMS
from .rules import RULES

BUNDLE = FlowBundle(FLOW, rules=RULES, forms=FORMS, demo=DEMO)
