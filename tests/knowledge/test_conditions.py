"""The condition language: compiled closures, facts for the trace, errors naming the field."""

from __future__ import annotations

import pytest

from tadplan.examples import load_example
from tadplan.knowledge.conditions import ConditionError, compile_condition
from tadplan.knowledge.context import GoalContext


def ctx(example: str, goal: int = 0) -> GoalContext:
    return GoalContext(load_example(example), goal, 3.0)


def test_leaves_and_facts() -> None:
    c = ctx("04a_incisor_intrusion_class_ii_2")
    ok, facts = compile_condition(
        {
            "all": [
                {"goal_kind_in": ["intrusion"]},
                {"finding": {"incisor_inclination": "retroclined"}},
                {"tooth_type_in": ["incisor"]},
                {"jaw": "maxilla"},
            ]
        }
    )(c)
    assert ok
    assert "goal kind = intrusion" in facts
    assert "finding incisor_inclination = retroclined" in facts
    assert compile_condition({"jaw": "mandible"})(c) == (False, ["jaw: mandible"])
    # a failed 'all' names the sub-condition that failed
    failed = compile_condition({"all": [{"jaw": "maxilla"}, {"symmetry": "asymmetric"}]})(c)
    assert failed == (False, ["symmetry: asymmetric"])
    assert compile_condition({"not": {"jaw": "mandible"}})(c)[0]
    assert compile_condition({"any": [{"jaw": "mandible"}, {"symmetry": "symmetric"}]})(c)[0]
    assert compile_condition({"finding": {"sagittal_class": ["II/1", "II/2"]}})(c)[0]
    assert not compile_condition({"finding": {"sagittal_class": "III"}})(c)[0]


def test_other_goal_coverage() -> None:
    both = ctx("01a_agenesis_bilateral_protraction", 2)
    one = ctx("01b_unilateral_space_closure", 1)
    cond = compile_condition(
        {"other_goal": {"kind_in": ["mesialisation"], "coverage": "bilateral"}}
    )
    assert cond(both)[0] and not cond(one)[0]


def test_site_available_follows_assessments() -> None:
    ruled_out = ctx("10b_mesialisation_site_ruled_out")
    cond = compile_condition({"site_available": {"surface": "buccal", "between": [[4, 5], [3, 4]]}})
    assert not cond(ruled_out)[0]
    assert cond(ctx("10_molar_mesialisation"))[0]


def test_bands_and_demand() -> None:
    c = ctx("05_anterior_retraction_deep_bite")
    ok, facts = compile_condition({"bands_on_position": [7]})(c)
    assert ok and facts == ["bands on 17 27"]
    assert compile_condition({"demand_at_least": "maximum"})(c)[0]
    assert not compile_condition({"demand_at_least": "absolute"})(ctx("02_anterior_extrusion"))[0]


@pytest.mark.parametrize(
    ("cond", "field"),
    [
        ({"all": []}, "when.all"),
        ({"jaw": "maxila"}, "when.jaw"),
        ({"finding": {"overbite": 3}}, "when.finding.overbite"),
        ({"goal_kind_in": ["intrusion"], "jaw": "maxilla"}, "when"),
        ({"not": {"teeth_count_at_least": "many"}}, "when.not.teeth_count_at_least"),
        ({"site_available": {"surface": "buccal"}}, "when.site_available"),
    ],
)
def test_malformed_conditions(cond: dict[str, object], field: str) -> None:
    with pytest.raises(ConditionError) as exc:
        compile_condition(cond)
    assert exc.value.field == field, exc.value.field
