"""Any valid case plans without crashing, and designs never use a ruled-out or absent site."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadplan.case import CaseError, case_from_data, fdi
from tadplan.case.model import NAMED_SEGMENTS, MovementKind
from tadplan.planner import plan

KINDS = [k.value for k in MovementKind]


@st.composite
def cases(draw: st.DrawFn) -> dict:
    missing = draw(st.lists(st.sampled_from(fdi.PERMANENT), max_size=4, unique=True))
    goals = []
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS))
        goal: dict = {
            "id": f"g{i}",
            "kind": kind,
            "symmetry": draw(st.sampled_from(["symmetric", "asymmetric"])),
            "anchorage_demand": draw(
                st.sampled_from(["minimum", "moderate", "maximum", "absolute"])
            ),
        }
        if draw(st.booleans()):
            goal["segment"] = draw(st.sampled_from(sorted(NAMED_SEGMENTS)))
        else:
            goal["teeth"] = [draw(st.sampled_from(fdi.PERMANENT))]
        goals.append(goal)
    return {
        "id": "random",
        "dentition": {"missing": missing},
        "attachments": {
            "bands": draw(
                st.lists(st.sampled_from([16, 26, 17, 27, 36, 46]), unique=True, max_size=3)
            ),
            "appliances": draw(
                st.lists(
                    st.sampled_from(["herbst", "utility_arch", "fixed_full_arch"]), unique=True
                )
            ),
        },
        "findings": {
            "vertical": draw(st.sampled_from(["normal", "deep_bite", "open_bite"])),
            "incisor_inclination": draw(st.sampled_from(["retroclined", "normal", "proclined"])),
            "orthognathic_surgery_planned": draw(st.booleans()),
        },
        "constraints": {"no_palatal": draw(st.booleans())},
        "goals": goals,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_random_cases_plan_consistently(data: dict) -> None:
    try:
        case = case_from_data(data)
    except CaseError:
        return  # invalid combinations (absent teeth moved, contradictory goals) are rejected
    p = plan(case)
    retained = case.dentition.retained_teeth()
    assert len(p.goals) == len(case.goals)
    for gp in p.goals:
        for d in gp.designs:
            assert d.sources and all(s.text for s in d.sources)
            for i in d.implants:
                if i.site.between is not None:
                    assert set(i.site.between) <= retained
                if case.constraints.no_palatal:
                    assert i.site.surface != "palatal"
                    assert "palat" not in i.site.region.value
