"""The installation's own checks: construction starts with the technical briefing and ends with
工完、料尽、场清 (the commitment, 三、1（4）), both recorded before completion acceptance."""

from __future__ import annotations

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext

RULES = RuleBook()


@RULES.guard("briefing_recorded")
def briefing_recorded(ctx: RuleContext) -> None:
    """The on-site technical briefing (技术交底) was recorded before construction is reported finished."""
    if not (ctx.order.data or {}).get("briefing_date"):
        raise Refused("施工前须组织现场技术交底：请先办理“现场技术交底”，记录交底日期和参加人员")


@RULES.guard("all_confirmed")
def all_confirmed(ctx: RuleContext, fields: tuple[str, ...]) -> None:
    """Every check of a checklist confirmed (a box left unticked names itself)."""
    labels = {f.code: f.label for f in (ctx.action.fields if ctx.action is not None else ())}
    missing = [code for code in fields if not ctx.values.get(code)]
    if missing:
        names = "、".join(labels.get(code, code).split("：")[0] for code in missing)
        raise Refused(f"施工完毕须做到工完、料尽、场清，尚未确认：{names}", field=missing[0])
