"""What an allowance change does to the customer."""

from __future__ import annotations

from decimal import Decimal

from gasdesk.flows.rules import RuleBook, RuleContext

RULES = RuleBook()


@RULES.effect("change_allowance")
def change_allowance(ctx: RuleContext) -> None:
    customer = ctx.customer
    ctx.remember(old_allowance=customer.yearly_allowance, old_household_size=customer.household_size)
    customer.yearly_allowance = Decimal(str(ctx.value("new_allowance")))
    customer.household_size = int(ctx.value("household_size"))
    ctx.audit("customer", customer.id, "change_allowance", ctx.changes_of(customer))
