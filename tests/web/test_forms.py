"""The case editor's form <-> case mapping (tadplan.service.web.forms): pure functions."""

from __future__ import annotations

import pytest

from tadplan.case import CaseError
from tadplan.examples import example_paths, load_example
from tadplan.service.web.forms import (
    case_from_form,
    case_to_form,
    form_field,
    form_to_case_data,
)

DEMO_FORM = {
    "id": "web-1",
    "title": "Class II/1 <b>retraction</b>",
    "patient.id": "P-7",
    "patient.age_y": "27",
    "patient.sex": "F",
    "patient.smoker": "",
    "dentition.missing": "18 28, 38 48",
    "dentition.extracted": "",
    "dentition.planned_extraction": "14 24",
    "attachments.bands": "17 27",
    "attachments.brackets": "all",
    "attachments.appliances.fixed_full_arch": "on",
    "findings.sagittal_class": "II/1",
    "findings.overjet_mm": "7",
    "findings.overbite_mm": "5,5",
    "findings.vertical": "deep_bite",
    "findings.incisor_inclination": "proclined",
    "findings.gummy_smile": "on",
    "goals.0.id": "retract",
    "goals.0.kind": "retraction",
    "goals.0.teeth": "upper_anterior",
    "goals.0.amount": "5",
    "goals.0.anchorage_demand": "absolute",
    "goals.0.control": "",
    "goals.1.kind": "uprighting",
    "goals.1.teeth": "37",
    "goals.1.amount": "20",
    "findings.site_assessments.0.site.between": "15-16",
    "findings.site_assessments.0.site.surface": "buccal",
    "findings.site_assessments.0.interradicular_width_mm": "2.1",
    "findings.site_assessments.0.available": "no",
    "findings.site_assessments.0.reason": "too narrow on CBCT",
}


def test_form_maps_to_case_data() -> None:
    data = form_to_case_data(DEMO_FORM)
    assert data == {
        "id": "web-1",
        "title": "Class II/1 <b>retraction</b>",
        "patient": {"id": "P-7", "age_y": 27.0, "sex": "F"},
        "dentition": {"missing": [18, 28, 38, 48], "planned_extraction": [14, 24]},
        "attachments": {"bands": [17, 27], "brackets": "all", "appliances": ["fixed_full_arch"]},
        "findings": {
            "sagittal_class": "II/1",
            "overjet_mm": 7.0,
            "overbite_mm": 5.5,
            "vertical": "deep_bite",
            "incisor_inclination": "proclined",
            "gummy_smile": True,
            "site_assessments": [
                {
                    "site": {"between": [15, 16], "surface": "buccal"},
                    "interradicular_width_mm": 2.1,
                    "available": False,
                    "reason": "too narrow on CBCT",
                }
            ],
        },
        "goals": [
            {
                "id": "retract",
                "kind": "retraction",
                "segment": "upper_anterior",
                "amount_mm": 5.0,
                "anchorage_demand": "absolute",
            },
            # uprighting is angular: the amount is in degrees
            {"kind": "uprighting", "teeth": [37], "amount_deg": 20.0},
        ],
    }
    case = case_from_form(DEMO_FORM)
    assert case.goals[1].amount_deg == 20.0
    assert case.title == "Class II/1 <b>retraction</b>"  # kept as typed; pages escape it


@pytest.mark.parametrize("name", sorted(example_paths()))
def test_every_example_round_trips_through_the_form(name: str) -> None:
    """The form shows every field the bundled cases use: without the stored case to keep
    keys from, each example comes back equal."""
    case = load_example(name)
    assert case_from_form(case_to_form(case)) == case
    base = case.model_dump(mode="json", exclude_defaults=True)
    assert case_from_form(case_to_form(case), base) == case


def test_a_field_left_empty_or_unticked_is_removed_not_kept_from_the_stored_case() -> None:
    base = form_to_case_data(DEMO_FORM)
    form = {k: v for k, v in DEMO_FORM.items() if k != "findings.gummy_smile"}
    form["findings.overjet_mm"] = ""
    form["dentition.planned_extraction"] = ""
    data = form_to_case_data(form, base)
    assert "gummy_smile" not in data["findings"]
    assert "overjet_mm" not in data["findings"]
    assert "planned_extraction" not in data["dentition"]


def test_keys_the_form_does_not_show_are_kept_from_the_stored_case() -> None:
    base = form_to_case_data(DEMO_FORM)
    base["findings"]["future_finding"] = 1
    base["goals"][0]["symmetry"] = "asymmetric"
    data = form_to_case_data({**DEMO_FORM, "goals.0.symmetry": ""} | {"goals.0.amount": "4"}, base)
    assert data["findings"]["future_finding"] == 1
    assert data["goals"][0]["amount_mm"] == 4.0
    assert "symmetry" not in data["goals"][0]  # shown (empty) in this form: removed


def _problems(form: dict[str, str]) -> dict[str, str]:
    with pytest.raises(CaseError) as err:
        case_from_form(form)
    out: dict[str, str] = {}
    for p in err.value.problems:
        out[p.field] = f"{out[p.field]}; {p.message}" if p.field in out else p.message
    return out


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"goals.0.amount": "40"}, "goals.0.amount", "not plausible for retraction"),
        ({"goals.0.amount": "0.05"}, "goals.0.amount", "too small"),
        ({"findings.overjet_mm": "seven"}, "findings.overjet_mm", "number"),
        ({"findings.overjet_mm": "nan"}, "findings.overjet_mm", "number"),
        ({"dentition.missing": "18 19"}, "dentition.missing", "not an FDI tooth number"),
        ({"goals.0.teeth": "13-99"}, "goals.0.teeth", "not an FDI tooth number"),
        ({"goals.0.teeth": "14"}, "goals.0.teeth", "planned extraction"),
        ({"attachments.bands": "17 18"}, "attachments.bands", "missing"),
        ({"id": "web 1"}, "id", "pattern"),
        ({"patient.age_y": "3"}, "patient.age_y", "greater than or equal to 5"),
        (
            {"findings.site_assessments.0.site.between": "15-17"},
            "findings.site_assessments.0.site.between",
            "not neighbours",
        ),
    ],
)
def test_problems_name_the_form_field(change: dict[str, str], field: str, words: str) -> None:
    problems = _problems({**DEMO_FORM, **change})
    assert field in problems, problems
    assert words in problems[field]


def test_a_wrong_required_value_is_one_problem_not_also_missing() -> None:
    with pytest.raises(CaseError) as err:
        case_from_form({**DEMO_FORM, "id": "web 1"})
    assert [p.field for p in err.value.problems] == ["id"]


def test_no_goal_is_a_problem_of_the_goals() -> None:
    form = {k: v for k, v in DEMO_FORM.items() if not k.startswith("goals.")}
    problems = _problems(form)
    assert problems.keys() == {""} or any("goals" in m for m in problems.values())


def test_form_field_cuts_to_the_longest_field() -> None:
    fields = ["dentition.missing", "goals.0.teeth", "goals.0.amount", "goals.0"]
    assert form_field(("dentition", "missing", 1), fields) == "dentition.missing"
    assert form_field(("goals", 0, "segment"), fields) == "goals.0.teeth"
    assert form_field(("goals", 0, "amount_deg"), fields) == "goals.0.amount"
    assert form_field(("goals", 0), fields) == "goals.0"
    assert form_field(("constraints", "max_implants"), fields) == ""
