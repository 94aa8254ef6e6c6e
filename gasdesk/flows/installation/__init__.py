"""The installation flow: its definition, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle

from .demo import DEMO
from .flow import FLOW
from .forms import FORMS

BUNDLE = FlowBundle(FLOW, forms=FORMS, demo=DEMO)
