"""The printed forms a flow can name, by code (their titles and blocks are the reports layer's)."""

from gasdesk.reports.forms.titles import ANY_FLOW_FORMS, FORMS

__all__ = ["ANY_FLOW_FORMS", "FORMS"]
