"""The printed forms: `render_form(ctx)` -> PDF bytes for one FormContext, `render_forms(ctxs)` for
several in one PDF; FORM_CODES lists the shared forms
(a flow's own forms bring their blocks in the context)."""

from gasdesk.reports.forms.render import FORM_CODES, UnknownFormError, render_form, render_forms

__all__ = ["FORM_CODES", "UnknownFormError", "render_form", "render_forms"]
