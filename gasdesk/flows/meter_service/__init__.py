"""The meter_service flow: its definition, forms and demo route."""

from gasdesk.flows.bundle import FlowBundle
from gasdesk.flows.meter_service.demo import DEMO
from gasdesk.flows.meter_service.flow import FLOW

BUNDLE = FlowBundle(FLOW, demo=DEMO)
