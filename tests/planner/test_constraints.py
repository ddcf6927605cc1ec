"""Every field of ``constraints`` changes the plan: max_implants (issue 11: it was
ignored), no_palatal, guided_insertion."""

from __future__ import annotations

from typing import Any

import pytest
from planner_helpers import plan_of

from tadplan.case import case_from_data
from tadplan.examples import load_example
from tadplan.model import Plan
from tadplan.planner import plan


def _demo_with(**constraints: Any) -> Plan:
    data = load_example("demo").model_dump(mode="json", exclude_defaults=True)
    data["constraints"] = constraints
    return plan(case_from_data(data))


def _most_implants(p: Plan) -> int:
    return max(len(d.implants) for gp in p.goals for d in gp.designs)


def test_demo_without_limit_proposes_four_implant_designs() -> None:
    assert _most_implants(plan_of("demo")) == 4  # the distal tie: the limit below can bite


@pytest.mark.parametrize("limit", [2, 3])
def test_designs_over_max_implants_are_not_proposed(limit: int) -> None:
    p = _demo_with(max_implants=limit)
    assert _most_implants(p) <= limit
    hold = next(gp for gp in p.goals if gp.goal.id == "hold-molars")
    assert any(
        "[posterior-anchorage-distal-tie] is not proposed: it needs 4 mini-implants" in n
        for n in hold.notes
    )
    assert any(t.reason.startswith("dropped: 4 implants") for t in p.trace)


def test_goal_emptied_by_max_implants_says_so() -> None:
    p = _demo_with(max_implants=1)
    retract = next(gp for gp in p.goals if gp.goal.id == "retract")
    assert retract.designs == []
    assert len(retract.notes) >= 2 and all("max_implants (1)" in n for n in retract.notes)
    (w,) = [w for w in p.warnings if "goal retract" in w.text]
    assert "constraints.max_implants (1)" in w.text and "no rule" not in w.text
    hold = next(gp for gp in p.goals if gp.goal.id == "hold-molars")
    assert hold.designs and all(len(d.implants) == 1 for d in hold.designs)


def test_first_designs_together_over_the_limit_warn() -> None:
    data = {
        "id": "two",
        "constraints": {"max_implants": 3},
        "goals": [
            {"id": "r", "kind": "intrusion", "teeth": [16], "amount_mm": 2},
            {"id": "l", "kind": "intrusion", "teeth": [26], "amount_mm": 2},
        ],
    }
    p = plan(case_from_data(data))
    firsts = {i.id for gp in p.goals for i in gp.designs[0].implants}
    assert len(firsts) > 3
    assert any(
        f"together need {len(firsts)} mini-implants, more than constraints.max_implants (3)"
        in w.text
        for w in p.warnings
    )
    data["constraints"] = {"max_implants": len(firsts)}
    assert not any("together need" in w.text for w in plan(case_from_data(data)).warnings)


def test_no_palatal_removes_every_palatal_site() -> None:
    p = _demo_with(no_palatal=True)
    for gp in p.goals:
        for d in gp.designs:
            for i in d.implants:
                assert "palat" not in i.site.region.value and i.site.surface != "palatal"
    assert any(
        "palat" in i.site.region.value
        for gp in plan_of("demo").goals
        for d in gp.designs
        for i in d.implants
    )


def test_guided_insertion_changes_the_site_check() -> None:
    free = plan_of("demo")
    guided = _demo_with(guided_insertion=True)
    notes = {
        n
        for gp in free.goals
        for d in gp.designs
        for i in d.implants
        for n in (i.safety.notes if i.safety else [])
    }
    notes_g = {
        n
        for gp in guided.goals
        for d in gp.designs
        for i in d.implants
        for n in (i.safety.notes if i.safety else [])
    }
    assert notes != notes_g
