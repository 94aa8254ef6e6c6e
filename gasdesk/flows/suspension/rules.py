"""What a suspension does to the account: billing pauses, the last reading is billed when plugged."""

from __future__ import annotations

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext, read_final
from gasdesk.vocab import AccountStatus

RULES = RuleBook()


@RULES.effect("suspend_account")
def suspend_account(ctx: RuleContext) -> None:
    account = ctx.require_account()
    if account.status != AccountStatus.ACTIVE:
        raise Refused("账户不是正常用气状态，不能暂停")
    if ctx.value("final_reading") not in (None, ""):
        meter = ctx.current_meter()
        if meter is not None:
            ctx.bill_reading(account, meter, read_final(ctx, meter), ctx.flow.kind)
    account.status = AccountStatus.SUSPENDED
    account.suspended_at = ctx.now
    ctx.audit("account", account.id, "suspend", ctx.changes_of(account))
