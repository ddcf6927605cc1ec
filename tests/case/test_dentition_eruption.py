"""Unerupted and impacted teeth, and third molars defaulted from the patient's age
(ADA eruption chart: third molars erupt at 17-21 years; case/data/eruption.yaml)."""

from __future__ import annotations

from typing import Any

import pytest

from tadplan.case import CaseError, case_from_data, dump_case
from tadplan.case.model import ToothStatus, third_molar_eruption_age_y
from tadplan.knowledge.sources import load_sources
from tadplan.planner import plan


def _data(age: float | None = None, **dentition: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": "t",
        "goals": [{"kind": "anchorage_maintenance", "teeth": [16, 26], "side": "bilateral"}],
        "dentition": dentition,
        "attachments": {"bands": [16, 26]},
    }
    if age is not None:
        d["patient"] = {"age_y": age}
    return d


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as info:
        case_from_data(data)
    return [str(p) for p in info.value.problems]


def test_eruption_age_is_cited_and_in_the_published_range() -> None:
    ages = third_molar_eruption_age_y()
    assert set(ages) == {"maxilla", "mandible"}
    assert all(17 <= a <= 21 for a in ages.values())  # ADA chart: 17-21 years
    assert "ada_eruption_chart" in load_sources()


def test_third_molars_of_a_teenager_are_unerupted() -> None:
    case = case_from_data(_data(age=14))
    for t in (18, 28, 38, 48):
        assert case.dentition.status(t) == ToothStatus.unerupted
        assert t not in case.dentition.present_teeth()
    assert case.dentition.status(17) == ToothStatus.present


def test_third_molars_of_an_adult_are_present_and_listing_overrides_age() -> None:
    assert case_from_data(_data(age=30)).dentition.status(18) == ToothStatus.present
    young = case_from_data(_data(age=15, erupted=[18], missing=[28]))
    assert young.dentition.status(18) == ToothStatus.present
    assert young.dentition.status(28) == ToothStatus.missing
    assert young.dentition.status(38) == ToothStatus.unerupted
    adult = case_from_data(_data(age=30, impacted=[38], unerupted=[48]))
    assert adult.dentition.status(38) == ToothStatus.impacted
    assert adult.dentition.status(48) == ToothStatus.unerupted


def test_the_age_default_is_not_written_back_into_the_case() -> None:
    case = case_from_data(_data(age=14))
    assert "unerupted" not in str(dump_case(case))
    again = case_from_data(case.model_dump(mode="json"))
    assert again.dentition.status(18) == ToothStatus.unerupted


@pytest.mark.parametrize(
    ("dentition", "field", "words"),
    [
        ({"unerupted": [18], "missing": [18]}, "dentition", "listed both"),
        ({"impacted": [99]}, "dentition.impacted", "not an FDI tooth"),
        ({"erupted": [17]}, "dentition", "not a third molar"),
        ({"unerupted": [55]}, "dentition", "primary tooth"),
    ],
)
def test_bad_dentition_lists_name_the_field(
    dentition: dict[str, Any], field: str, words: str
) -> None:
    (msg,) = _problems(_data(age=30, **dentition))
    assert msg.startswith(field) and words in msg, msg


def test_an_unerupted_tooth_cannot_be_intruded_but_can_be_brought_into_the_arch() -> None:
    data = _data(age=30, impacted=[13])
    data["goals"] = [{"kind": "intrusion", "teeth": [13], "amount_mm": 2}]
    (msg,) = _problems(data)
    assert msg.startswith("goals.0.teeth") and "impacted" in msg
    data["goals"] = [{"kind": "canine_alignment", "teeth": [13], "amount_mm": 3}]
    assert case_from_data(data).dentition.status(13) == ToothStatus.impacted


def test_no_site_behind_the_second_molar_while_the_third_molar_is_unerupted() -> None:
    """posterior-anchorage-distal-tie puts its second implant at 17-18 or in the tuberosity:
    in a 14-year-old both are the bone of the unerupted third molar."""

    def distal_sites(age: float) -> set[str]:
        p = plan(case_from_data(_data(age=age)))
        out = set()
        for d in p.goals[0].designs:
            for imp in d.implants:
                label = imp.site.label()
                if "18" in label or "28" in label or "tuberosity" in label:
                    out.add(label)
        return out

    assert distal_sites(14) == set()
    assert distal_sites(30)  # an adult's erupted third molar: the site behind 17 is used
    notes = " ".join(plan(case_from_data(_data(age=14))).goals[0].notes)
    assert "unerupted" in notes
