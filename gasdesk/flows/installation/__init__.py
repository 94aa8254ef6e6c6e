"""The installation flow: its definition, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.installation.demo import DEMO
from gasdesk.flows.installation.flow import FLOW
from gasdesk.flows.installation.forms import FORMS

BUNDLE = FlowBundle(FLOW, forms=FORMS, demo=DEMO)
