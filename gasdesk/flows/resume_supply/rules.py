"""Resuming a suspended account: the reading taken at the visit was billed just before (settle_money,
all gas since the last billed reading at the prices in force); the account is active again."""

from __future__ import annotations

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext
from gasdesk.vocab import AccountStatus

RULES = RuleBook()


@RULES.guard("is_suspended")
def is_suspended(ctx: RuleContext) -> None:
    if ctx.require_account().status != AccountStatus.SUSPENDED:
        raise Refused("账户不是暂停用气状态")


@RULES.effect("resume_account")
def resume_account(ctx: RuleContext) -> None:
    is_suspended(ctx)
    account = ctx.require_account()
    account.status = AccountStatus.ACTIVE
    ctx.audit("account", account.id, "resume", ctx.changes_of(account))
