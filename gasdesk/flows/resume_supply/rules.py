"""Resuming a suspended account: the reading taken at the visit becomes the meter's new start."""

from __future__ import annotations

from decimal import Decimal

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext
from gasdesk.vocab import AccountStatus

RULES = RuleBook()


@RULES.effect("resume_account")
def resume_account(ctx: RuleContext) -> None:
    account = ctx.require_account()
    if account.status != AccountStatus.SUSPENDED:
        raise Refused("账户不是暂停用气状态")
    meter = ctx.current_meter()
    if meter is not None and ctx.value("resume_reading") not in (None, ""):
        reading = Decimal(str(ctx.value("resume_reading")))
        if reading < meter.last_reading:
            raise Refused(f"表读数 {reading} 小于上次读数 {meter.last_reading}，请核对", field="resume_reading")
        # Recorded while still suspended: kept as the meter's new start, not billed.
        ctx.bill_reading(account, meter, reading, "resumption")
    account.status = AccountStatus.ACTIVE
    ctx.audit("account", account.id, "resume", ctx.changes_of(account))
