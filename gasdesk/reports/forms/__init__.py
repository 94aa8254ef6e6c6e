"""The printed forms: `render_form(ctx)` -> PDF bytes for one FormContext, `render_forms(ctxs)` for
several in one PDF; FORM_CODES lists the codes handled (all of gasdesk.flows.forms.FORMS)."""

from gasdesk.reports.forms.render import FORM_CODES, UnknownFormError, render_form, render_forms

__all__ = ["FORM_CODES", "UnknownFormError", "render_form", "render_forms"]
