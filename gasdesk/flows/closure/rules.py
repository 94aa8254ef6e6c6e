"""Closing the account at the last visit: final reading billed, meter plugged or removed."""

from __future__ import annotations

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext, close_customer_if_done, read_final
from gasdesk.vocab import AccountStatus, MeterStatus

RULES = RuleBook()


@RULES.effect("close_account")
def close_account(ctx: RuleContext, remove_meter: bool) -> None:
    account = ctx.require_account()
    meter = ctx.current_meter()
    # settle_money ran first in this action: the final reading is billed and settled with the fee.
    if account.balance != 0:
        raise Refused("账户费用尚未结清，不能销户")
    if meter is not None:
        meter.final_reading = read_final(ctx, meter)
        if remove_meter:
            meter.status, meter.removed_at = MeterStatus.REMOVED, ctx.now
        ctx.audit("meter", meter.id, "close", ctx.changes_of(meter))
    account.status, account.closed_at = AccountStatus.CLOSED, ctx.now
    ctx.audit("account", account.id, "close", ctx.changes_of(account))
    close_customer_if_done(ctx)
