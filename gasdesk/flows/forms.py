"""Every printed form a flow can name, by code, with its title: the shared ones (the reports layer's)
and each flow's own (FORMS in gasdesk/flows/<kind>/forms.py, gathered by the registry)."""

from gasdesk.flows.registry import FLOW_FORMS
from gasdesk.reports.forms.titles import ANY_FLOW_FORMS
from gasdesk.reports.forms.titles import FORMS as SHARED

FORMS: dict[str, str] = {**SHARED, **{code: form.title for code, form in FLOW_FORMS.items()}}

__all__ = ["ANY_FLOW_FORMS", "FLOW_FORMS", "FORMS"]
