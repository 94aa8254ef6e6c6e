"""What a change of gas use does to the customer."""

from __future__ import annotations

from gasdesk.flows.rules import RuleBook, RuleContext
from gasdesk.vocab import CustomerCategory, GasUseType

RULES = RuleBook()


@RULES.effect("change_gas_use_type")
def change_gas_use_type(ctx: RuleContext) -> None:
    customer = ctx.customer
    ctx.remember(old_gas_use_type=customer.gas_use_type, old_category=customer.category,
                 old_name=customer.name)
    use = GasUseType(ctx.value("new_gas_use_type") or GasUseType.RESIDENTIAL)
    customer.gas_use_type = use
    customer.category = (CustomerCategory.RESIDENTIAL if use is GasUseType.RESIDENTIAL
                         else CustomerCategory.NON_RESIDENTIAL)
    if ctx.value("household_size"):
        customer.household_size = int(ctx.value("household_size"))
    if ctx.value("business_name"):
        customer.contact_person = customer.contact_person or customer.name
        customer.name = str(ctx.value("business_name"))
    ctx.audit("customer", customer.id, "change_gas_use_type", ctx.changes_of(customer))
