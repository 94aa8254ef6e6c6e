"""Every printed form a flow can name, by code, with its title: the shared ones (the reports layer's)
and each flow's own (FORMS in gasdesk/flows/<kind>/forms.py, gathered by the registry)."""

from gasdesk.flows.registry import FLOW_FORMS
from gasdesk.reports.forms.catalog import AUDIENCES, Audience
from gasdesk.reports.forms.titles import ANY_FLOW_FORMS
from gasdesk.reports.forms.titles import FORMS as SHARED

FORMS: dict[str, str] = {**SHARED, **{code: form.title for code, form in FLOW_FORMS.items()}}


def audience_of(code: str) -> Audience:
    """Whose paper the form is: a flow's own form says so in its FormDef, a shared one in AUDIENCES."""
    if code in FLOW_FORMS:
        return FLOW_FORMS[code].audience
    return AUDIENCES.get(code, Audience.CUSTOMER)


__all__ = ["ANY_FLOW_FORMS", "FLOW_FORMS", "FORMS", "Audience", "audience_of"]
