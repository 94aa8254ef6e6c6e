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
    final = read_final(ctx, meter) if meter is not None else None
    # The settle step came before this visit. The gas used since the last reading is billed now, as the
    # account's final bill (末次账单): it stays on the closed account as arrears, payable at the counter.
    if account.balance != 0:
        raise Refused("账户费用尚未结清，不能销户")
    if meter is not None and final is not None:
        ctx.bill_reading(account, meter, final, ctx.flow.kind)
        meter.final_reading = final
        if remove_meter:
            meter.status, meter.removed_at = MeterStatus.REMOVED, ctx.now
        ctx.audit("meter", meter.id, "close", ctx.changes_of(meter))
    account.status, account.closed_at = AccountStatus.CLOSED, ctx.now
    ctx.audit("account", account.id, "close", ctx.changes_of(account))
    close_customer_if_done(ctx)
