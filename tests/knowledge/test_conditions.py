"""The condition language: one model per kind, facts for the trace, errors naming the field."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tadplan.examples import load_example
from tadplan.knowledge import conditions, load_knowledge
from tadplan.knowledge.conditions import KEYS, KINDS, ConditionError, parse_condition
from tadplan.knowledge.context import GoalContext
from tadplan.knowledge.loader import data_dir
from tadplan.knowledge.schema import RuleFile


def ctx(example: str, goal: int = 0) -> GoalContext:
    return GoalContext(load_example(example), goal, 3.0)


def test_leaves_and_facts() -> None:
    c = ctx("04a_incisor_intrusion_class_ii_2")
    ok, facts = parse_condition(
        {
            "all": [
                {"goal_kind_in": ["intrusion"]},
                {"finding": {"incisor_inclination": "retroclined"}},
                {"tooth_type_in": ["incisor"]},
                {"jaw": "maxilla"},
            ]
        }
    ).check(c)
    assert ok
    assert "goal kind = intrusion" in facts
    assert "finding incisor_inclination = retroclined" in facts
    assert parse_condition({"jaw": "mandible"}).check(c) == (False, ["jaw: mandible"])
    # a failed 'all' names the sub-condition that failed
    failed = parse_condition({"all": [{"jaw": "maxilla"}, {"symmetry": "asymmetric"}]}).check(c)
    assert failed == (False, ["symmetry: asymmetric"])
    assert parse_condition({"not": {"jaw": "mandible"}}).check(c)[0]
    assert parse_condition({"any": [{"jaw": "mandible"}, {"symmetry": "symmetric"}]}).check(c)[0]
    assert parse_condition({"finding": {"sagittal_class": ["II/1", "II/2"]}}).check(c)[0]
    assert not parse_condition({"finding": {"sagittal_class": "III"}}).check(c)[0]


def test_other_goal_coverage() -> None:
    both = ctx("01a_agenesis_bilateral_protraction", 2)
    one = ctx("01b_unilateral_space_closure", 1)
    cond = parse_condition({"other_goal": {"kind_in": ["mesialisation"], "coverage": "bilateral"}})
    assert cond.check(both)[0] and not cond.check(one)[0]


def test_site_available_follows_assessments() -> None:
    ruled_out = ctx("10b_mesialisation_site_ruled_out")
    cond = parse_condition({"site_available": {"surface": "buccal", "between": [[4, 5], [3, 4]]}})
    assert not cond.check(ruled_out)[0]
    assert cond.check(ctx("10_molar_mesialisation"))[0]


def test_bands_and_demand() -> None:
    c = ctx("05_anterior_retraction_deep_bite")
    ok, facts = parse_condition({"bands_on_position": [7]}).check(c)
    assert ok and facts == ["bands on 17 27"]
    assert parse_condition({"demand_at_least": "maximum"}).check(c)[0]
    assert not parse_condition({"demand_at_least": "absolute"}).check(ctx("02_anterior_extrusion"))[
        0
    ]


@pytest.mark.parametrize(
    ("cond", "field", "reason"),
    [
        ({"all": []}, "when.all", "at least 1 item"),
        ({"jaw": "maxila"}, "when.jaw", "'maxilla' or 'mandible'"),
        ({"finding": {"overbite": 3}}, "when.finding.overbite", "unknown key"),
        ({"finding": {}}, "when.finding", "name at least one field"),
        ({"finding": {"vertical": ["deep_bit"]}}, "when.finding.vertical", "'deep_bite'"),
        ({"patient": {"smoker": "often"}}, "when.patient.smoker", "valid boolean"),
        ({"goal_kind_in": ["intrusion"], "jaw": "maxilla"}, "when", "exactly one key"),
        ("jaw: maxilla", "when", "exactly one key"),
        ({"not": {"teeth_count_at_least": "many"}}, "when.not.teeth_count_at_least", "integer"),
        ({"site_available": {"surface": "buccal"}}, "when.site_available", "'place' or 'between'"),
        ({"all": [{"jaw": "maxilla"}, {"symetry": "asymmetric"}]}, "when.all.1.symetry", "unknown"),
        ({"any": [{"not": {"absent_any": [19]}}]}, "when.any.0.not.absent_any", "19 is not"),
        ({"bands_on_position": [9]}, "when.bands_on_position.0", "less than or equal to 8"),
        ({"always": False}, "when.always", "True"),
    ],
)
def test_malformed_conditions(cond: object, field: str, reason: str) -> None:
    with pytest.raises(ConditionError) as exc:
        parse_condition(cond)
    assert exc.value.field == field, exc.value.field
    assert reason in exc.value.reason, exc.value.reason


# (condition, (example, goal) where it holds, the fact it gives, (example, goal) where it fails)
EVERY_KIND: list[tuple[dict[str, object], tuple[str, int], str, tuple[str, int]]] = [
    ({"always": True}, ("02_anterior_extrusion", 0), "", ("", 0)),
    (
        {"all": [{"jaw": "maxilla"}, {"goal_kind_in": ["intrusion"]}]},
        ("04a_incisor_intrusion_class_ii_2", 0),
        "goal kind = intrusion",
        ("03_mandibular_anchorage_herbst", 0),
    ),
    (
        {"any": [{"jaw": "mandible"}, {"goal_kind_in": ["intrusion"]}]},
        ("03_mandibular_anchorage_herbst", 0),
        "goal in the mandible",
        ("05_anterior_retraction_deep_bite", 0),
    ),
    (
        {"not": {"jaw": "maxilla"}},
        ("03_mandibular_anchorage_herbst", 0),
        "not (jaw: maxilla)",
        ("05_anterior_retraction_deep_bite", 0),
    ),
    (
        {"goal_kind_in": ["retraction"]},
        ("05_anterior_retraction_deep_bite", 0),
        "goal kind = retraction",
        ("02_anterior_extrusion", 0),
    ),
    (
        {"tooth_type_in": ["molar"]},
        ("07a_posterior_anchorage", 0),
        "goal teeth 16 26 are molar",
        ("01a_agenesis_bilateral_protraction", 0),
    ),
    (
        {"tooth_type_any": ["canine"]},
        ("01a_agenesis_bilateral_protraction", 0),
        "goal teeth 17 16 15 14 13 include canine",
        ("07a_posterior_anchorage", 0),
    ),
    (
        {"jaw": "mandible"},
        ("03_mandibular_anchorage_herbst", 0),
        "goal in the mandible",
        ("05_anterior_retraction_deep_bite", 0),
    ),
    (
        {"symmetry": "asymmetric"},
        ("01b_unilateral_space_closure", 0),
        "goal is asymmetric",
        ("05_anterior_retraction_deep_bite", 0),
    ),
    (
        {"side_in": ["right"]},
        ("01a_agenesis_bilateral_protraction", 0),
        "goal side = right",
        ("01a_agenesis_bilateral_protraction", 1),
    ),
    (
        {"demand_at_least": "absolute"},
        ("01a_agenesis_bilateral_protraction", 2),
        "anchorage demand absolute (>= absolute)",
        ("02_anterior_extrusion", 0),
    ),
    (
        {"teeth_count_at_least": 6},
        ("03_mandibular_anchorage_herbst", 0),
        "6 goal teeth",
        ("07a_posterior_anchorage", 0),
    ),
    (
        {"appliance_present": ["herbst"]},
        ("03_mandibular_anchorage_herbst", 0),
        "appliance herbst in place",
        ("05_anterior_retraction_deep_bite", 0),
    ),
    (
        {"bands_on_position": [6]},
        ("07b_utility_arch_molar_control", 0),
        "bands on 16 26",
        ("01a_agenesis_bilateral_protraction", 0),
    ),
    (
        {"absent_any": [14, 24]},
        ("05_anterior_retraction_deep_bite", 0),
        "tooth 14 24 absent",
        ("02_anterior_extrusion", 0),
    ),
    (
        {"finding": {"vertical": ["deep_bite", "open_bite"]}},
        ("02b_vertical_stabilisation", 0),
        "finding vertical = deep_bite",
        ("01a_agenesis_bilateral_protraction", 0),
    ),
    (
        {"patient": {"smoker": True}},
        ("16_combined_retraction_intrusion", 0),
        "patient smoker = True",
        ("05_anterior_retraction_deep_bite", 0),
    ),
    (
        {"constraint": {"no_palatal": True}},
        ("15_distalisation_palate_refused", 0),
        "constraint no_palatal = True",
        ("11a_molar_distalisation", 0),
    ),
    (
        {"crossbite_kind_in": ["anterior"]},
        ("17_anterior_crossbite", 0),
        "crossbite anterior",
        ("12_crossbite_correction", 0),
    ),
    (
        {"skeletal_crossbite": True},
        ("12_crossbite_correction", 0),
        "skeletal crossbite bilateral_posterior",
        ("17_anterior_crossbite", 0),
    ),
    (
        {"displacement_any": ["palatal"]},
        ("06_displaced_canine", 0),
        "tooth displaced: 23 palatal/apical/mesial",
        ("06b_buccally_displaced_canine", 0),
    ),
    (
        {"site_available": {"region": "median_palatal_suture"}},
        ("01a_agenesis_bilateral_protraction", 0),
        "site median palatal suture available",
        ("15_distalisation_palate_refused", 0),
    ),
    (
        {"other_goal": {"kind_in": ["intrusion"], "jaw": "same"}},
        ("07b_utility_arch_molar_control", 1),
        "other goal intrude-incisors (kind_in: [intrusion], jaw: same)",
        ("05_anterior_retraction_deep_bite", 0),
    ),
]


def test_every_kind_is_exercised() -> None:
    tested = {next(iter(c)) for c, *_ in EVERY_KIND}
    assert tested == {k.key() for k in KINDS}


@pytest.mark.parametrize(
    ("cond", "holds", "fact", "fails"), EVERY_KIND, ids=[next(iter(c)) for c, *_ in EVERY_KIND]
)
def test_each_kind_true_and_false(
    cond: dict[str, object], holds: tuple[str, int], fact: str, fails: tuple[str, int]
) -> None:
    model = parse_condition(cond)
    assert type(model).key() == next(iter(cond))
    ok, facts = model.check(ctx(*holds))
    assert ok and (fact in facts if fact else facts == [])
    if fails[0]:
        # a failure names the condition as written (for 'all': the sub-condition that failed)
        failed = ["jaw: maxilla"] if "all" in cond else [model.describe()]
        assert model.check(ctx(*fails)) == (False, failed)
        assert model.describe() == _as_written(cond)


def _as_written(cond: object) -> str:
    if isinstance(cond, dict):
        return ", ".join(f"{k}: {_as_written(v)}" for k, v in cond.items())
    if isinstance(cond, list):
        return "[" + ", ".join(_as_written(v) for v in cond) + "]"
    return str(cond)


def test_no_skeletal_crossbite() -> None:
    none = parse_condition({"skeletal_crossbite": False})
    assert none.check(ctx("17_anterior_crossbite")) == (True, ["no skeletal crossbite"])
    assert not none.check(ctx("12_crossbite_correction"))[0]


def _documented_keys(text: str) -> list[str]:
    """The condition keys of a table: the first word of each row's first cell."""
    rows = re.findall(r"^\|\s*`(\w+)[:`]|^``(\w+)", text, flags=re.M)
    return [a or b for a, b in rows]


def test_the_rule_schema_is_the_condition_union() -> None:
    schema = RuleFile.model_json_schema()
    defs = schema["$defs"]
    when = defs["RuleSpec"]["properties"]["when"]
    members = [defs[m["$ref"].rsplit("/", 1)[1]] for m in when["oneOf"]]
    # one object per kind, with exactly its one key, nothing else allowed
    assert [m["required"] for m in members] == [[k] for k in KEYS]
    assert all(list(m["properties"]) == m["required"] for m in members)
    assert all(m["additionalProperties"] is False for m in members)
    # nested conditions are the same union
    assert defs["AllOf"]["properties"]["all"]["items"]["oneOf"] == when["oneOf"]
    assert defs["Not"]["properties"]["not"]["oneOf"] == when["oneOf"]
    # the field tests take the case's own fields and values
    finding = defs["FindingsTest"]
    assert finding["additionalProperties"] is False
    assert {"vertical", "sagittal_class", "overbite_mm"} <= set(finding["properties"])
    assert "crossbites" not in finding["properties"]  # a list: crossbite_kind_in tests it
    assert set(defs["PatientTest"]["properties"]) >= {"smoker", "age_y"}


def test_the_documented_kinds_are_the_schema_kinds() -> None:
    readme = (data_dir() / "rules" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Conditions (`when`)")[1].split("\n## ")[0]
    assert _documented_keys(section) == list(KEYS)
    assert conditions.__doc__ is not None
    assert _documented_keys(conditions.__doc__) == list(KEYS)


def test_cli_prints_the_rule_schema() -> None:
    exe = Path(sys.executable).with_name("tadplan")
    r = subprocess.run(
        [str(exe), "rules", "--schema"], capture_output=True, text=True, timeout=300, check=False
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == RuleFile.model_json_schema()


def test_every_packaged_rule_condition_round_trips() -> None:
    """The packaged rules' conditions, read back from their models, are the ones written."""
    for rule in load_knowledge().rules:
        dumped = rule.spec.when.model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert parse_condition(dumped) == rule.spec.when, rule.id
