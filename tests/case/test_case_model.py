"""The case model: what is accepted, what is refused and how the refusal reads."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tadplan.case import CaseError, case_from_data, dump_case, fdi, load_case
from tadplan.case.model import (
    MAX_AMOUNT,
    MIN_AMOUNT_DEG,
    MIN_AMOUNT_MM,
    MovementKind,
    ToothStatus,
    parse_segment,
)
from tadplan.examples import example_paths, load_example


def base(**goal: Any) -> dict[str, Any]:
    g = {"kind": "intrusion", "teeth": [11], "amount_mm": 2}
    g.update(goal)
    return {"id": "t", "goals": [g]}


def problems(data: Any) -> list[str]:
    with pytest.raises(CaseError) as info:
        case_from_data(data)
    return [str(p) for p in info.value.problems]


def test_all_examples_are_valid() -> None:
    paths = example_paths()
    assert len(paths) >= 14
    for path in paths.values():
        case = load_case(path)
        assert case.goals


def test_minimal_case() -> None:
    case = case_from_data(base())
    assert case.goal_ids() == ["g1"]
    assert case.dentition.status(11) == ToothStatus.present
    assert case.dentition.status(55) == ToothStatus.missing  # primary teeth only when listed


def test_segment_expansion_drops_absent_teeth() -> None:
    data = base(teeth=None, segment="13-23", kind="retraction", amount_mm=4)
    data["dentition"] = {"missing": [12, 22]}
    case = case_from_data(data)
    assert case.goal_teeth(0) == (13, 11, 21, 23)


def test_named_segments() -> None:
    assert parse_segment("upper_anterior") == (13, 12, 11, 21, 22, 23)
    assert parse_segment("lower incisors") == (42, 41, 31, 32)


def test_nonexistent_tooth_named() -> None:
    msgs = problems(base(teeth=[19]))
    assert msgs == [msgs[0]]
    assert msgs[0].startswith("goals.0.teeth:") and "19" in msgs[0]


@pytest.mark.parametrize("status", ["missing", "extracted", "implants", "pontics"])
def test_movement_of_absent_tooth(status: str) -> None:
    data = base(teeth=[12])
    data["dentition"] = {status: [12]}
    (msg,) = problems(data)
    assert msg.startswith("goals.0.teeth: tooth 12") and "cannot be moved" in msg


def test_movement_of_planned_extraction() -> None:
    data = base(teeth=[14], kind="retraction", amount_mm=3)
    data["dentition"] = {"planned_extraction": [14]}
    (msg,) = problems(data)
    assert "planned extraction" in msg


def test_contradictory_goals() -> None:
    data = base()
    data["goals"].append({"kind": "extrusion", "segment": "12-22", "amount_mm": 1})
    (msg,) = problems(data)
    assert msg.startswith("goals.1:") and "contradictory" in msg and "tooth 11" in msg


def test_retraction_against_protraction_is_contradictory() -> None:
    data = {
        "id": "t",
        "goals": [
            {"kind": "retraction", "teeth": [13], "amount_mm": 3},
            {"kind": "mesialisation", "segment": "13-16", "amount_mm": 3},
        ],
    }
    assert any("contradictory" in m for m in problems(data))


def test_segment_crossing_arches() -> None:
    (msg,) = problems(base(teeth=None, segment="13-43"))
    assert msg.startswith("goals.0.segment:") and "crosses arches" in msg


def test_explicit_teeth_in_both_arches() -> None:
    (msg,) = problems(base(teeth=[11, 41]))
    assert msg.startswith("goals.0.teeth:") and "both arches" in msg


@pytest.mark.parametrize("amount", [-1, 0, 40, 8.5])
def test_absurd_or_negative_amounts(amount: float) -> None:
    (msg,) = problems(base(amount_mm=amount))
    assert msg.startswith("goals.0.amount_mm:")


def test_angle_for_linear_kind_refused() -> None:
    (msg,) = problems(base(amount_mm=None, amount_deg=10))
    assert msg.startswith("goals.0.amount_deg:")


@given(st.sampled_from(sorted(MovementKind, key=str)), st.floats(0.01, 200))
def test_amount_ceiling(kind: MovementKind, amount: float) -> None:
    from tadplan.case.model import ANGULAR_KINDS

    if kind == MovementKind.anchorage_maintenance:
        return
    key = "amount_deg" if kind in ANGULAR_KINDS else "amount_mm"
    data = {"id": "t", "goals": [{"kind": kind.value, "teeth": [16], key: amount}]}
    floor = MIN_AMOUNT_DEG if kind in ANGULAR_KINDS else MIN_AMOUNT_MM
    if floor <= amount <= MAX_AMOUNT[kind]:
        assert case_from_data(data)
    else:
        assert any(m.startswith(f"goals.0.{key}:") for m in problems(data))


def test_unknown_keys_are_errors() -> None:
    data = base()
    data["findngs"] = {}
    data["goals"][0]["amout_mm"] = 1
    msgs = problems(data)
    assert any(m.startswith("findngs:") and "unknown key" in m for m in msgs)
    assert any(m.startswith("goals.0.amout_mm:") for m in msgs)


def test_every_structural_problem_reported_together() -> None:
    data = {
        "id": "t",
        "goals": [{"kind": "intrusion", "teeth": [19]}, {"kind": "levitation", "teeth": [11]}],
    }
    msgs = problems(data)
    assert any(m.startswith("goals.0.teeth") for m in msgs)
    assert any(m.startswith("goals.1.kind") for m in msgs)


def test_site_between_teeth_must_be_neighbours_given_the_dentition() -> None:
    data = base()
    data["findings"] = {"site_assessments": [{"site": {"between": [34, 36], "surface": "buccal"}}]}
    (msg,) = problems(data)
    assert "not neighbours" in msg
    data["dentition"] = {"missing": [35]}
    assert case_from_data(data)


def test_palatal_surface_in_mandible_refused() -> None:
    data = base()
    data["findings"] = {"site_assessments": [{"site": {"between": [34, 35], "surface": "palatal"}}]}
    (msg,) = problems(data)
    assert "lingual" in msg


def test_models_are_frozen() -> None:
    case = load_example("demo")
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        case.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(example_paths()))
def test_yaml_round_trip(name: str, tmp_path: Path) -> None:
    case = load_example(name)
    out = tmp_path / "c.yaml"
    out.write_text(dump_case(case))
    assert load_case(out) == case
    js = tmp_path / "c.json"
    js.write_text(case.model_dump_json())
    assert load_case(js) == case


@given(
    st.lists(st.sampled_from(fdi.PERMANENT), min_size=1, max_size=5, unique=True),
    st.sampled_from(["missing", "extracted", None]),
)
def test_random_dentitions_round_trip(teeth: list[int], status: str | None) -> None:
    data: dict[str, Any] = {
        "id": "h",
        "goals": [{"kind": "anchorage_maintenance", "teeth": [teeth[0]]}],
    }
    if status and len(teeth) > 1:
        data["dentition"] = {status: teeth[1:]}
    case = case_from_data(data)
    again = case_from_data(yaml.safe_load(dump_case(case)))
    assert again == case


@pytest.mark.parametrize(
    ("content", "suffix", "fragment"),
    [
        ("id: x\ngoals: [\n  - kind:\n", ".yaml", "not valid YAML"),
        ('{"id": "x", ', ".json", "not valid JSON"),
        ("- just\n- a list\n", ".yaml", "mapping"),
        ("", ".yaml", "empty"),
        ("id: x\n", ".txt", "must end in"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: str, suffix: str, fragment: str) -> None:
    p = tmp_path / f"case{suffix}"
    p.write_text(content)
    with pytest.raises(CaseError) as info:
        load_case(p)
    assert fragment in str(info.value)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    p = tmp_path / "img.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    with pytest.raises(CaseError, match="not a text file"):
        load_case(p)
    with pytest.raises(CaseError, match="file not found"):
        load_case(tmp_path / "nope.yaml")
