"""The flow definitions are consistent data, and the pure engine enforces them."""

from __future__ import annotations

import pytest

from gasdesk.flows import ALL_FLOWS, FLOWS, SERVICE_FLOWS, engine
from gasdesk.flows.definition import names
from gasdesk.flows.departments import DEPARTMENTS
from gasdesk.flows.forms import FORMS
from gasdesk.flows.registry import EFFECTS, GUARDS
from gasdesk.vocab import Role

KINDS = ["installation", "activation", "capacity_change", "type_change", "allowance_change", "suspension",
         "transfer", "detail_change", "closure", "complaint"]


def test_exactly_the_ten_kinds():
    assert sorted(FLOWS) == sorted(KINDS)


def test_the_commitment_services_ride_on_the_same_engine():
    assert sorted(SERVICE_FLOWS) == ["inspection", "meter_service", "relocation", "resume_supply"]
    assert ALL_FLOWS == {**FLOWS, **SERVICE_FLOWS}
    prefixes = [f.number_prefix for f in ALL_FLOWS.values()]
    assert len(prefixes) == len(set(prefixes))


@pytest.mark.parametrize("kind", list(ALL_FLOWS))
def test_definition_is_consistent(kind):
    flow = ALL_FLOWS[kind]
    codes = [s.code for s in flow.steps]
    assert len(codes) == len(set(codes)), "duplicate step codes"
    assert flow.has_step(flow.initial)
    for rule in names(flow.open_effects + flow.abandon_effects):
        assert rule in EFFECTS
    for form in flow.forms:
        assert form in FORMS, form
    for step in flow.steps:
        if step.department:
            assert step.department in DEPARTMENTS
        for action in step.actions:
            assert flow.has_step(action.target), (step.code, action.code, action.target)
            assert set(names(action.guards)) <= set(GUARDS), action.guards
            assert set(names(action.effects)) <= set(EFFECTS), action.effects
            assert action.roles, (step.code, action.code)
        if not step.terminal:
            assert step.actions, f"{kind}.{step.code} is a dead end"


@pytest.mark.parametrize("kind", list(ALL_FLOWS))
def test_every_step_reachable_and_every_step_can_finish(kind):
    flow = ALL_FLOWS[kind]
    reach = {flow.initial}
    frontier = [flow.initial]
    while frontier:
        step = flow.step(frontier.pop())
        for a in engine.actions_for(flow, step):
            if a.target not in reach:
                reach.add(a.target)
                frontier.append(a.target)
    assert {s.code for s in flow.steps if not s.terminal} <= reach
    assert {"archived", "cancelled"} <= reach
    for step in flow.steps:
        if step.terminal:
            continue
        seen, todo = set(), [step.code]
        while todo:
            cur = flow.step(todo.pop())
            if cur.code == "archived":
                break
            seen.add(cur.code)
            todo += [a.target for a in cur.actions if a.target not in seen]
        else:
            pytest.fail(f"{kind}.{step.code} cannot reach archived")


def test_the_commitment_figures():
    inst = FLOWS["installation"]
    limited = [s for s in inst.steps if s.limit]
    assert sum(s.limit.amount for s in limited) == 8
    assert inst.total_limit.amount == 8
    assert {s.code for s in inst.steps if not s.counted} == {"design", "budget", "contract", "construction"}
    assert FLOWS["activation"].total_limit.amount == 5
    assert FLOWS["capacity_change"].total_limit.amount == 5


def test_engine_refuses_wrong_step_role_reason_and_fields():
    flow = FLOWS["activation"]
    with pytest.raises(engine.ActionRefused, match="不能办理“作业完毕") as refused:
        engine.plan(flow, "accept", "work_done", Role.CLERK)
    assert "work_done" not in str(refused.value)  # the action's label, never its code
    with pytest.raises(engine.ActionRefused, match="无权"):
        engine.plan(flow, "site_visit", "work_done", Role.CLERK, {})
    with pytest.raises(engine.ActionRefused, match="原因"):
        engine.plan(flow, "accept", "refuse", Role.CLERK, {}, reason="  ")
    with pytest.raises(engine.ActionRefused, match="表号") as exc:
        engine.plan(flow, "site_visit", "work_done", Role.DISPATCHER, {"meter_rating": "G2.5"})
    assert exc.value.field == "meter_number"
    with pytest.raises(engine.ActionRefused, match="起始读数"):
        engine.plan(flow, "site_visit", "work_done", Role.DISPATCHER, {
            "meter_number": "M1", "meter_model": "x", "meter_rating": "G2.5", "initial_reading": "-1"})
    with pytest.raises(engine.ActionRefused, match="已"):
        engine.plan(flow, "archived", "accept", Role.CLERK)


def test_engine_normalises_values_and_plans_clocks():
    flow = FLOWS["installation"]
    t = engine.plan(flow, "plan_reply", "plan_approved", Role.ACCOUNT_MANAGER, {"supply_plan": " 中压接入 "})
    assert t.values == {"supply_plan": "中压接入"}
    assert t.clocks.order_clock == "pause" and "不计入" in t.clocks.pause_reason
    t = engine.plan(flow, "construction", "construction_done", Role.ACCOUNT_MANAGER,
                    {"construction_unit": "甲", "supervision_unit": "乙"})
    assert t.clocks.order_clock == "run" and t.clocks.start_step.amount == 1
    t = engine.plan(flow, "survey", "survey_done", Role.ACCOUNT_MANAGER,
                    {"survey_date": "2026-11-30", "designer": "王工", "survey_notes": "可接管"})
    assert t.clocks.order_clock == "pause" and "等待客户" in t.clocks.pause_reason


def test_allowed_actions_by_role_and_cancel_everywhere():
    flow = FLOWS["activation"]
    clerk = [a.code for a in engine.allowed_actions(flow, "accept", Role.CLERK)]
    assert clerk == ["accept", "refuse", "cancel"]
    assert [a.code for a in engine.allowed_actions(flow, "accept", Role.DISPATCHER)] == []
    dispatcher = [a.code for a in engine.allowed_actions(flow, "site_visit", Role.DISPATCHER)]
    assert dispatcher == ["assign", "work_done", "conditions_not_met"]
    assert engine.allowed_actions(flow, "archived", Role.ADMIN) == []
