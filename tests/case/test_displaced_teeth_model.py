"""findings.displaced_teeth: FDI tooth, one or more directions, clear errors naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tadplan.case import CaseError, case_from_data
from tadplan.case.model import Displacement


def _data(*displaced: dict[str, Any], **dentition: Any) -> dict[str, Any]:
    return {
        "id": "t",
        "dentition": dentition,
        "findings": {"displaced_teeth": list(displaced)},
        "goals": [{"kind": "canine_alignment", "teeth": [23], "amount_mm": 3}],
    }


def test_directions_are_read_and_looked_up_by_tooth() -> None:
    case = case_from_data(_data({"tooth": "23", "direction": ["palatal", "apical"]}))
    assert case.findings.displacement(23) == (Displacement.palatal, Displacement.apical)
    assert case.findings.displacement(13) == ()


@pytest.mark.parametrize(
    ("entry", "dentition", "field", "words"),
    [
        ({"tooth": 23, "direction": ["palatal", "buccal"]}, {}, "direction", "opposite"),
        ({"tooth": 23, "direction": ["mesial", "distal"]}, {}, "direction", "opposite"),
        ({"tooth": 23, "direction": ["lingual"]}, {}, "direction", "use 'palatal'"),
        ({"tooth": 33, "direction": ["palatal"]}, {}, "direction", "use 'lingual'"),
        ({"tooth": 23, "direction": ["apical", "apical"]}, {}, "direction", "twice"),
        ({"tooth": 23, "direction": []}, {}, "direction", "at least 1"),
        ({"tooth": 23, "direction": ["up"]}, {}, "direction.0", "palatal"),
        ({"tooth": 29, "direction": ["buccal"]}, {}, "tooth", "not an FDI tooth"),
        ({"tooth": 13, "direction": ["buccal"]}, {"missing": [13]}, "tooth", "missing"),
    ],
)
def test_bad_entries_name_the_field_and_the_reason(
    entry: dict[str, Any], dentition: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(CaseError) as info:
        case_from_data(_data(entry, **dentition))
    (p,) = info.value.problems
    assert str(p).startswith(f"findings.displaced_teeth.0.{field}"), str(p)
    assert words in str(p), str(p)


def test_a_tooth_listed_twice_is_refused() -> None:
    entry = {"tooth": 23, "direction": ["buccal"]}
    with pytest.raises(CaseError) as info:
        case_from_data(_data(entry, entry))
    assert "listed twice" in str(info.value.problems[0])
