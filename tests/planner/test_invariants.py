"""Clinical invariants on every design of every bundled example and of generated cases.

The oracle (``invariants.py``) judges forces in the patient frame from FDI numbers alone, so it
does not share the mechanics' local frames. A design may break an invariant only if the plan
shows it with a DANGER and ranks it below every design that keeps them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import (
    Violation,
    buccal_direction,
    design_violations,
    expected_direction,
    plan_violations,
    side_forces_g,
)
from planner_helpers import plan_of

from tadplan.case.model import Case, Goal, MovementKind
from tadplan.examples import example_paths
from tadplan.planner import plan

EXAMPLES = list(example_paths())


def _report(unflagged: list[Violation], ranking: list[str]) -> str:
    return "\n".join([*(str(v) for v in unflagged), *ranking])


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_keeps_the_invariants(name: str) -> None:
    p = plan_of(name)
    unflagged, ranking = plan_violations(p)
    assert not unflagged and not ranking, _report(unflagged, ranking)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_first_design_of_every_goal_moves_its_teeth(name: str) -> None:
    """The design a clinician reads first keeps every invariant (no DANGER fallback)."""
    p = plan_of(name)
    for gp in p.goals:
        if not gp.designs:
            continue
        best = min(gp.designs, key=lambda d: d.rank)
        assert not design_violations(p.case, gp, best), [
            str(v) for v in design_violations(p.case, gp, best)
        ]


# ---------------------------------------------------------------- the oracle itself


def _goal(kind: str, **extra: Any) -> Goal:
    return Goal.model_validate({"kind": kind, **extra})


def test_oracle_directions_in_the_patient_frame() -> None:
    case = Case.model_validate(
        {
            "id": "o",
            "findings": {"crossbites": [{"kind": "posterior_buccal", "teeth": [17]}]},
            "goals": [{"kind": "intrusion", "teeth": [16], "amount_mm": 2}],
        }
    )
    d = expected_direction
    assert list(d(case, _goal("intrusion", teeth=[16]), [16])) == [0, 0, 1]
    assert list(d(case, _goal("intrusion", teeth=[46]), [46])) == [0, 0, -1]
    assert list(d(case, _goal("extrusion", teeth=[11]), [11])) == [0, 0, -1]
    assert list(d(case, _goal("retraction", segment="13-23"), [13])) == [0, -1, 0]
    assert list(d(case, _goal("mesialisation", teeth=[36]), [36])) == [0, 1, 0]
    # across the arch, out of it: the molars' buccal is nearly sideways
    assert d(case, _goal("expansion", segment="upper_arch"), [16]) @ [-1, 0, 0] > 0.99
    assert d(case, _goal("expansion", segment="upper_arch"), [26]) @ [1, 0, 0] > 0.99
    # a scissor bite of 17 (right side) is corrected palatally: towards +x
    assert d(case, _goal("crossbite_correction", teeth=[17]), [17]) @ [1, 0, 0] > 0.99
    # a canine's buccal points out and forward
    out = buccal_direction([23])
    assert out[0] > 0.5 and out[1] > 0.5


def test_oracle_flags_a_distaliser_that_extrudes() -> None:
    """A hand-made design whose spring pushes mostly occlusally is caught."""
    p = plan_of("11a_molar_distalisation")
    gp = p.goals[0]
    design = gp.designs[0]
    assert design.mechanics is not None
    conns = [
        c.model_copy(update={"direction": (0.0, -0.5, -0.866), "delivered_g": 300.0})
        if c.role == "active"
        else c
        for c in design.mechanics.connections
    ]
    bad = design.model_copy(
        update={"mechanics": design.mechanics.model_copy(update={"connections": conns})}
    )
    assert any("vertical" in v.what for v in design_violations(p.case, gp, bad))
    forces = side_forces_g(bad, set(gp.goal.teeth), {"active", "tooth_borne"})
    assert set(forces) == {"right", "left"}


# ---------------------------------------------------------------- generated cases

_GOALS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # (kind, goal fields, case fields it needs)
    ("retraction", {"segment": "upper_anterior", "amount_mm": 5}, {"extract": [14, 24]}),
    ("retraction", {"segment": "lower_anterior", "amount_mm": 4}, {"extract": [34, 44]}),
    ("retraction", {"teeth": [13], "amount_mm": 4, "side": "right"}, {"extract": [14]}),
    ("intrusion", {"segment": "upper_incisors", "amount_mm": 2}, {}),
    ("intrusion", {"segment": "lower_incisors", "amount_mm": 2}, {}),
    ("intrusion", {"teeth": [26], "amount_mm": 2, "side": "left"}, {"lost": [36]}),
    ("intrusion", {"teeth": [16, 26], "amount_mm": 2, "side": "bilateral"}, {"open_bite": 1}),
    ("extrusion", {"segment": "upper_incisors", "amount_mm": 2}, {}),
    ("distalisation", {"teeth": [16, 26], "amount_mm": 3, "side": "bilateral"}, {}),
    ("distalisation", {"teeth": [26], "amount_mm": 3, "side": "left"}, {}),
    ("mesialisation", {"teeth": [37], "amount_mm": 7, "side": "left"}, {"lost": [36]}),
    ("mesialisation", {"teeth": [46, 47], "amount_mm": 6, "side": "right"}, {"lost": [45]}),
    ("protraction", {"teeth": [16], "amount_mm": 5, "side": "right"}, {"lost": [15]}),
    ("uprighting", {"teeth": [37], "amount_deg": 20, "side": "left"}, {"lost": [36]}),
    ("uprighting", {"teeth": [47], "amount_deg": 25, "side": "right"}, {"lost": [46]}),
    ("expansion", {"segment": "upper_arch", "amount_mm": 5, "side": "bilateral"}, {}),
    ("anchorage_maintenance", {"segment": "lower_anterior"}, {"herbst": 1}),
    ("derotation", {"teeth": [13], "amount_deg": 25, "side": "right"}, {"extract": [14]}),
]

_SYMMETRIC_ONE_SIDE = {"right", "left"}


@st.composite
def generated_cases(draw: st.DrawFn) -> Case:
    kind, goal_fields, needs = draw(st.sampled_from(_GOALS))
    demand = draw(st.sampled_from(["moderate", "maximum", "absolute"]))
    age = draw(st.integers(min_value=12, max_value=60))
    goal = {"id": "g", "kind": kind, "anchorage_demand": demand, **goal_fields}
    if goal.get("side") in _SYMMETRIC_ONE_SIDE:
        goal["symmetry"] = "asymmetric"
    dentition: dict[str, Any] = {}
    if "extract" in needs:
        dentition["planned_extraction"] = needs["extract"]
    if "lost" in needs:
        dentition["extracted"] = needs["lost"]
    if draw(st.booleans()):
        dentition["missing"] = [18, 28, 38, 48]
    findings: dict[str, Any] = {
        "sagittal_class": draw(st.sampled_from(["I", "II/1", "II/2", "III"]))
    }
    if "open_bite" in needs:
        findings["vertical"] = "open_bite"
        findings["overbite_mm"] = -3
    else:
        findings["vertical"] = draw(st.sampled_from(["normal", "deep_bite"]))
    appliances = ["fixed_full_arch"]
    if "herbst" in needs:
        appliances.append("herbst")
    attachments: dict[str, Any] = {"brackets": "all", "appliances": appliances}
    if draw(st.booleans()):
        attachments["bands"] = [17, 27]
    constraints = {
        "no_palatal": draw(st.booleans()),
        "guided_insertion": draw(st.booleans()),
    }
    data = {
        "id": "generated",
        "patient": {"age_y": age},
        "dentition": dentition,
        "attachments": attachments,
        "findings": findings,
        "constraints": constraints,
        "goals": [goal],
    }
    return Case.model_validate(data)


def _planned_kinds() -> set[MovementKind]:
    return {MovementKind(k) for k, _, _ in _GOALS}


def test_the_generator_covers_the_goal_kinds() -> None:
    """Every goal kind the planner can move on its own appears in the generator."""
    assert _planned_kinds() >= {
        MovementKind.retraction,
        MovementKind.intrusion,
        MovementKind.extrusion,
        MovementKind.distalisation,
        MovementKind.mesialisation,
        MovementKind.protraction,
        MovementKind.uprighting,
        MovementKind.expansion,
        MovementKind.anchorage_maintenance,
    }


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=generated_cases())
def test_generated_cases_keep_the_invariants(case: Case) -> None:
    p = plan(case)
    unflagged, ranking = plan_violations(p)
    assert not unflagged and not ranking, _report(unflagged, ranking)
