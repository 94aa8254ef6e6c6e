"""What a change of gas use does to the customer."""

from __future__ import annotations

from typing import Any

from gasdesk.flows.rules import RuleBook, RuleContext
from gasdesk.vocab import CustomerCategory, GasUseType

RULES = RuleBook()


def intended(ctx: RuleContext) -> dict[str, Any]:
    """The customer as the change will leave them: use, category and (for a business) its name."""
    use = GasUseType(ctx.value("new_gas_use_type") or GasUseType.RESIDENTIAL)
    category = CustomerCategory.RESIDENTIAL if use is GasUseType.RESIDENTIAL else CustomerCategory.NON_RESIDENTIAL
    changes: dict[str, Any] = {"gas_use_type": str(use), "category": str(category)}
    if ctx.value("business_name"):
        changes["name"] = str(ctx.value("business_name"))
        changes["contact_person"] = ctx.customer.contact_person or ctx.customer.name
    return changes


@RULES.effect("intend_use")
def intend_use(ctx: RuleContext) -> None:
    """The contract signed before the change names the party as the change will leave them."""
    ctx.remember(party_changes=intended(ctx))


@RULES.effect("change_gas_use_type")
def change_gas_use_type(ctx: RuleContext) -> None:
    customer = ctx.customer
    ctx.remember(old_gas_use_type=customer.gas_use_type, old_category=customer.category,
                 old_name=customer.name)
    changes = intended(ctx)
    customer.gas_use_type = GasUseType(changes["gas_use_type"])
    customer.category = CustomerCategory(changes["category"])
    if ctx.value("household_size"):
        customer.household_size = int(ctx.value("household_size"))
    if "name" in changes:
        customer.contact_person = changes["contact_person"]
        customer.name = changes["name"]
    ctx.audit("customer", customer.id, "change_gas_use_type", ctx.changes_of(customer))
