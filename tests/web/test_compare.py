"""Two plan versions side by side (tadplan.service.web.compare)."""

from __future__ import annotations

import pytest

from tadplan.case import case_from_data
from tadplan.examples import load_example
from tadplan.model import Plan
from tadplan.planner import plan as make_plan
from tadplan.service.web.compare import case_changes, compare_plans


@pytest.fixture(scope="module")
def demo() -> Plan:
    return make_plan(load_example("demo"))


def test_a_plan_against_itself_has_no_change(demo: Plan) -> None:
    c = compare_plans(demo, demo)
    assert c.case_changes == [] and c.why == []
    assert all(not g.top_changed and not g.added and not g.removed for g in c.goals)


def test_ruling_out_the_buccal_sites_changes_the_first_design_and_says_why(demo: Plan) -> None:
    data = demo.case.model_dump(mode="json", exclude_defaults=True)
    data["findings"]["site_assessments"] = [
        {"site": {"between": [15, 16], "surface": "buccal"}, "available": False},
        {"site": {"between": [25, 26], "surface": "buccal"}, "available": False},
    ]
    later = make_plan(case_from_data(data))
    c = compare_plans(demo, later)
    paths = {ch.path for ch in c.case_changes}
    assert "findings.site_assessments.0.available" in paths
    assert c.why and "the case changed" in c.why[0]
    retract = next(g for g in c.goals if g.goal_id == "retract")
    assert retract.top_changed
    assert "buccal 16-15" in retract.before[0].implants
    assert "buccal 16-15" not in retract.after[0].implants


def test_case_changes_lists_each_changed_field() -> None:
    before = {
        "id": "a",
        "patient": {"age_y": 20.0},
        "goals": [{"kind": "intrusion", "amount_mm": 2.0}],
    }
    after = {
        "id": "a",
        "patient": {"age_y": 21.0},
        "goals": [{"kind": "intrusion", "amount_mm": 3.0}],
    }
    changes = {c.path: (c.before, c.after) for c in case_changes(before, after)}
    assert changes == {"patient.age_y": ("20", "21"), "goals.0.amount_mm": ("2", "3")}
