"""What a suspension does to the account: billing pauses (routine reading rounds skip it); a plugging
visit's reading is billed and settled first (settle_money), the resumption bills the rest."""

from __future__ import annotations

from gasdesk.flows.rules import RuleBook, RuleContext, account_in
from gasdesk.vocab import AccountStatus

RULES = RuleBook()


@RULES.effect("suspend_account")
def suspend_account(ctx: RuleContext) -> None:
    account = account_in(ctx, AccountStatus.ACTIVE, "账户不是正常用气状态，不能暂停")
    account.status = AccountStatus.SUSPENDED
    account.suspended_at = ctx.now
    ctx.audit("account", account.id, "suspend", ctx.changes_of(account))
