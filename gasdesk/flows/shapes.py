"""Shapes every flow builds from: a refusal, a documents check, a site visit with its re-booking, a
fee, a new meter. Each takes parameters for its labels and effects, so a flow states only what is
its own.
"""

from __future__ import annotations

from typing import Any

from gasdesk.flows.definition import (
    ROLES,
    AccountLock,
    ActionDef,
    DocumentDef,
    FieldDef,
    FieldKind,
    Rule,
    StepDef,
    TimeLimit,
    terminal_steps,
)
from gasdesk.vocab import GasUseType, PaymentMethod, Role, SiteWork, TimeUnit

WD = TimeUnit.WORKING_DAYS
RATINGS = tuple((r, r) for r in ("G1.6", "G2.5", "G4", "G6", "G10", "G16", "G25", "G40", "G65", "G100"))
METHODS = tuple(PaymentMethod.choices())
NON_RESIDENTIAL_USES = tuple(c for c in GasUseType.choices() if c[0] != GasUseType.RESIDENTIAL)

ID_COPY = DocumentDef("id_copy", "身份证复印件")
PROPERTY_PROOF = DocumentDef("property_proof", "房产证或购房合同复印件")
PROPERTY_MGMT = DocumentDef("property_mgmt", "物业管理证明")
OWNER_ID = DocumentDef("owner_id", "户主身份证")


def refuse(label: str = "不予受理（告知客户原因）", decision: str | None = "否") -> ActionDef:
    return ActionDef(
        code="refuse", label=label, target="rejected", roles=ROLES.clerk, needs_reason=True,
        forms=("rejection_notice",), decision=decision,
    )


def fee_fields(setting: str) -> tuple[FieldDef, ...]:
    """The step's fee: the fee schedule's amount unless someone with the take-payment right changes it
    and gives a reason (flows.rules.checked_fee)."""
    return (
        FieldDef("fee", "收费金额（元）", FieldKind.MONEY, default_setting=setting,
                 help="按收费标准收取；改收须有收费权限并填写原因"),
        FieldDef("fee_method", "收费方式", FieldKind.CHOICE, choices=METHODS),
        FieldDef("fee_reason", "改收原因", required=False),
    )


def new_meter_fields() -> tuple[FieldDef, ...]:
    return (
        FieldDef("meter_number", "表号"),
        FieldDef("meter_model", "表型号", default_setting="defaults.meter_model"),
        FieldDef("meter_rating", "规格", FieldKind.CHOICE, choices=RATINGS, default_from="meter_model",
                 help="按表型号自动选择（如 JBD2.5 → G2.5），可以改选"),
        FieldDef("initial_reading", "起始读数（m³）", FieldKind.READING),
    )


ASSIGN = ActionDef(
    code="assign", label="派工预约", target="", roles=ROLES.dispatcher,
    fields=(
        FieldDef("crew", "作业班组/人员"),
        FieldDef("appointment_at", "预约上门时间", FieldKind.DATETIME),
    ),
    effects=("set_appointment",),
)


def visit_steps(
    code: str,
    label: str,
    done: ActionDef,
    *,
    limit: TimeLimit | None = None,
    forms: tuple[str, ...] = (),
    rebook: bool = True,
    extra: tuple[ActionDef, ...] = (),
    work: SiteWork | None = None,
) -> tuple[StepDef, ...]:
    """A site visit by the distribution centre: book it, then work done or conditions not met.

    Conditions not met tells the customer why; with `rebook` the order waits on the customer
    (clocks paused) until a new visit is booked, otherwise it ends as refused.
    """
    wait_code = f"{code}_wait"
    not_met = ActionDef(
        code="conditions_not_met", label="不符合作业条件（告知客户原因）",
        target=wait_code if rebook else "rejected", roles=ROLES.dispatcher, needs_reason=True,
        decision="否", forms=() if rebook else ("rejection_notice",),
    )
    visit = StepDef(
        code=code, label=label, department="distribution", limit=limit, visit=True,
        question="是否符合作业条件", forms=forms, work=work,
        actions=(ActionDef(**{**ASSIGN.__dict__, "target": code}), done, *extra, not_met),
    )
    if not rebook:
        return (visit,)
    wait = StepDef(
        code=wait_code, label="等待客户重新预约", department="distribution", customer_wait=True,
        actions=(ActionDef(
            code="rebook", label="重新预约上门", target=code, roles=ROLES.business | ROLES.dispatcher,
            fields=(FieldDef("appointment_at", "预约上门时间", FieldKind.DATETIME, required=False),),
            effects=("set_appointment",),
        ),),
    )
    return (visit, wait)


def accept_then_visit(accept: str, visit: str, label: str, done: ActionDef, *, forms: tuple[str, ...] = (),
                      extra: tuple[ActionDef, ...] = ()) -> tuple[StepDef, ...]:
    """The whole of a flow that is one site visit: the counter accepts and hands over (`accept`), the
    distribution centre visits (`visit`, re-booked when conditions are not met), then the end states."""
    return (counter_accept(accept, accept, visit), *visit_steps(visit, label, done, forms=forms, extra=extra),
            *terminal_steps())


def documents_step(code: str, label: str, next_step: str, ok_label: str, question: str,
                   *, mismatch_wait: str | None = None) -> StepDef:
    """The counter checks the customer's documents; yes goes on, no tells the reason."""
    ok = ActionDef(code="documents_ok", label=ok_label, target=next_step, roles=ROLES.clerk,
                   guards=("documents_complete",), decision="是")
    if mismatch_wait:
        no = ActionDef(code="documents_mismatch", label="资料不符（告知客户补充资料）", target=mismatch_wait,
                       roles=ROLES.clerk, needs_reason=True, decision="否")
    else:
        no = refuse()
    return StepDef(code=code, label=label, department="customer_service", question=question, actions=(ok, no))


def counter_accept(code: str, action: str, next_step: str, label: str = "受理，转输配中心派工") -> StepDef:
    """The counter takes the request with its documents (`action`) and hands it to the distribution centre."""
    return StepDef(
        code=code, label="受理申请并核对资料", department="customer_service", question="资料是否齐全",
        actions=(
            ActionDef(code=action, label=label, target=next_step, roles=ROLES.clerk,
                      guards=("documents_complete",), decision="是"),
            refuse(),
        ),
    )


def counter_step(code: str, label: str, question: str | None, actions: tuple[ActionDef, ...]) -> StepDef:
    """A step the counter (客户服务部) decides, its chart question drawn as a diamond."""
    return StepDef(code=code, label=label, department="customer_service", question=question, actions=actions)


def opens_account(*checks: Rule | str) -> dict[str, Any]:
    """A flow that opens a new account: prepared on opening (after `checks` of what was typed), closed
    again if the order is abandoned."""
    return {"account_statuses": None, "account_lock": AccountLock.CHANGES,
            "open_effects": (*checks, "create_applying_account"), "abandon_effects": ("close_applying_account",)}


def simple_step(code: str, label: str, action: str, action_label: str, target: str, *,
                roles: frozenset[Role] = ROLES.clerk, department: str = "customer_service",
                fields: tuple[FieldDef, ...] = (), effects: tuple[Rule | str, ...] = (),
                guards: tuple[Rule | str, ...] = (),
                limit: TimeLimit | None = None, counted: bool = True, customer_wait: bool = False,
                forms: tuple[str, ...] = (), note: str = "") -> StepDef:
    """A step with one way forward: `fields` and `effects` belong to that action, the rest to the step
    (`forms` are the step's, printed on entering it)."""
    return StepDef(
        code=code, label=label, department=department, limit=limit, counted=counted,
        customer_wait=customer_wait, forms=forms, note=note,
        actions=(ActionDef(code=action, label=action_label, target=target, roles=roles, fields=fields,
                           guards=guards, effects=effects),),
    )
