"""Which customer details the flow may change, and the change itself (the old values are kept)."""

from __future__ import annotations

from typing import Any

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext

RULES = RuleBook()

# Field recorded at the counter -> the customer's attribute it replaces.
DETAIL_FIELDS = {"new_name": "name", "new_id_number": "id_number", "new_contact_person": "contact_person",
                 "new_phone": "phone", "new_phone2": "phone2"}


@RULES.guard("has_detail_changes")
def has_detail_changes(ctx: RuleContext) -> None:
    changed = [k for k, attr in DETAIL_FIELDS.items()
               if ctx.values.get(k) not in (None, "") and ctx.values[k] != getattr(ctx.customer, attr)]
    if not changed:
        raise Refused("请至少填写一项与现有信息不同的新值")
    if "new_id_number" in changed:
        ctx.values["new_id_number"] = ctx.check_id_number(ctx.customer.id_type, ctx.values["new_id_number"],
                                                          "new_id_number")


@RULES.effect("change_details")
def change_details(ctx: RuleContext) -> None:
    customer = ctx.customer
    old_values: dict[str, Any] = {}
    for key, attr in DETAIL_FIELDS.items():
        new_value = ctx.value(key)
        if new_value not in (None, "") and new_value != getattr(customer, attr):
            old_values[attr] = getattr(customer, attr)
            setattr(customer, attr, new_value)
    if "name" in old_values:
        customer.name_initials = ctx.name_initials(customer.name)
    ctx.remember(old_values=old_values)
    ctx.audit("customer", customer.id, "change_details", ctx.changes_of(customer))
