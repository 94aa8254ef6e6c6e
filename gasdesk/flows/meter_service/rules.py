"""The meter service's own rules: the re-check that ends the work, and re-work when it fails."""

from __future__ import annotations

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext

RULES = RuleBook()


@RULES.guard("rechecked")
def rechecked(ctx: RuleContext) -> None:
    """The work is finished only once its re-check passed; a failed re-check is re-work."""
    if not ctx.values.get("work_checked"):
        raise Refused("复检合格后才能办结；复检不合格请办理“复检不合格，返工”并写明原因", field="work_checked")


@RULES.effect("count_rework")
def count_rework(ctx: RuleContext) -> None:
    """One more re-work: the order no longer counts as passed first time (the published pass rate)."""
    ctx.order.rounds += 1
    ctx.remember(reworks=ctx.order.rounds)
