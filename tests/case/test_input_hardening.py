"""Case input that must be refused with a field-named reason (issue 11): non-finite and
non-numeric numbers, hostile YAML/JSON, files that are not files, cross-field
contradictions."""

from __future__ import annotations

import os
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tadplan.case import CaseError, case_from_data, load_case
from tadplan.case.model import Case


def base(**goal: Any) -> dict[str, Any]:
    g: dict[str, Any] = {"kind": "intrusion", "teeth": [11], "amount_mm": 2}
    g.update(goal)
    return {"id": "t", "goals": [g]}


def problems(data: Any) -> list[str]:
    with pytest.raises(CaseError) as info:
        case_from_data(data)
    return [str(p) for p in info.value.problems]


def file_problems(tmp_path: Path, text: str, suffix: str = ".yaml") -> list[str]:
    p = tmp_path / f"case{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case(p)
    return [str(p) for p in info.value.problems]


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
@pytest.mark.parametrize("key", ["amount_mm", "amount_deg"])
def test_non_finite_amounts_refused(tmp_path: Path, key: str, value: str) -> None:
    kind = "uprighting" if key == "amount_deg" else "intrusion"
    text = f"id: t\ngoals:\n  - {{kind: {kind}, teeth: [36], {key}: {value}}}\n"
    (msg,) = file_problems(tmp_path, text)
    assert msg.startswith(f"goals.0.{key}:") and "finite" in msg


def test_non_finite_json_numbers_refused(tmp_path: Path) -> None:
    text = '{"id": "t", "findings": {"overjet_mm": NaN}, "goals": [{"kind": "intrusion", '
    text += '"teeth": [11], "amount_mm": Infinity}]}'
    msgs = file_problems(tmp_path, text, ".json")
    assert {m.split(":")[0] for m in msgs} == {"findings.overjet_mm", "goals.0.amount_mm"}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"goals": [{"kind": "intrusion", "teeth": [11], "amount_mm": True}]}, "goals.0.amount_mm"),
        ({"goals": [{"kind": "intrusion", "teeth": [11], "amount_mm": "2"}]}, "goals.0.amount_mm"),
        ({"constraints": {"max_implants": True}}, "constraints.max_implants"),
        ({"constraints": {"max_implants": 2.5}}, "constraints.max_implants"),
        ({"patient": {"age_y": False}}, "patient.age_y"),
        ({"patient": {"smoker": 1}}, "patient.smoker"),
        ({"findings": {"gummy_smile": "yes"}}, "findings.gummy_smile"),
    ],
)
def test_numbers_and_booleans_are_strict(patch: dict[str, Any], field: str) -> None:
    data = base() | patch
    assert any(m.startswith(f"{field}:") for m in problems(data))


def _strict_leaves(model: type[BaseModel], seen: set[type]) -> list[str]:
    """Number and boolean fields of ``model`` (and the models it holds) that are lax."""
    lax: list[str] = []
    if model in seen:
        return lax
    seen.add(model)
    for name, info in model.model_fields.items():
        ann = info.annotation
        args = typing.get_args(ann) or (ann,)
        for a in args:
            inner = typing.get_args(a) or (a,)
            for t in inner:
                if isinstance(t, type) and issubclass(t, BaseModel):
                    lax += _strict_leaves(t, seen)
        strict = any(getattr(m, "strict", False) for m in info.metadata)
        if {float, int, bool} & set(args) and not strict:
            lax.append(f"{model.__name__}.{name}")
    return lax


def test_every_number_field_of_the_case_is_strict() -> None:
    """New fields must use StrictFloat/StrictInt/StrictBool: `true` is not a number."""
    assert _strict_leaves(Case, set()) == []

    class Lax(BaseModel):
        a: float | None = None
        b: bool = False

    assert _strict_leaves(Lax, set()) == ["Lax.a", "Lax.b"]


@pytest.mark.parametrize(
    ("kind", "key"), [("intrusion", "amount_mm"), ("derotation", "amount_deg")]
)
@pytest.mark.parametrize("amount", [1e-300, 0.01, 0.3])
def test_absurdly_small_amounts_refused(kind: str, key: str, amount: float) -> None:
    (msg,) = problems({"id": "t", "goals": [{"kind": kind, "teeth": [13], key: amount}]})
    assert msg.startswith(f"goals.0.{key}:") and "too small" in msg


def test_smallest_plannable_amounts_accepted() -> None:
    case_from_data(base(amount_mm=0.5))
    case_from_data(base(kind="derotation", amount_mm=None, amount_deg=1))


# ----------------------------------------------------------------------------- YAML / JSON


def test_alias_bomb_refused_fast_and_small(tmp_path: Path) -> None:
    bomb = 'a: &a ["16","16","16","16","16","16","16","16","16"]\n'
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    text = f"id: t\ndentition:\n  missing: {bomb.splitlines()[-1].split(': ', 1)[1]}\n"
    text = "x:\n" + "".join(f"  {line}\n" for line in bomb.splitlines()) + text
    assert len(text.encode()) < 1500
    (msg,) = file_problems(tmp_path, text)
    assert msg.startswith("line 2, column") and "aliases" in msg
    assert len(msg) < 200


def test_anchor_alone_refused(tmp_path: Path) -> None:
    text = "id: t\ngoals:\n  - &g {kind: intrusion, teeth: [11], amount_mm: 2}\n"
    (msg,) = file_problems(tmp_path, text)
    assert msg.startswith("line 3,") and "anchors" in msg


def test_duplicate_keys_refused(tmp_path: Path) -> None:
    text = (
        "id: t\ngoals:\n  - {kind: intrusion, teeth: [11], amount_mm: 2}\n"
        "goals:\n  - {kind: extrusion, teeth: [21], amount_mm: 2}\n"
    )
    (msg,) = file_problems(tmp_path, text)
    assert msg.startswith("line 4, column 1") and "duplicate key 'goals'" in msg
    json_text = '{"id": "t", "id": "u", "goals": []}'
    (msg,) = file_problems(tmp_path, json_text, ".json")
    assert "duplicate key 'id'" in msg


@pytest.mark.parametrize("number", ["016", "0x10", "0b10000", "0o20", "1:30"])
def test_yaml11_numbers_refused(tmp_path: Path, number: str) -> None:
    text = f"id: t\ngoals:\n  - {{kind: intrusion, teeth: [{number}], amount_mm: 2}}\n"
    msgs = file_problems(tmp_path, text)
    # never read as another tooth (016 was tooth 14)
    assert len(msgs) == 1 and ("not a plain decimal" in msgs[0] or "goals.0.teeth" in msgs[0])


def test_deep_nesting_refused(tmp_path: Path) -> None:
    (msg,) = file_problems(tmp_path, "id: t\ngoals: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested more than" in msg
    (msg,) = file_problems(
        tmp_path, '{"id": "t", "goals": ' + "[" * 5000 + "]" * 5000 + "}", ".json"
    )
    assert "nested" in msg


def test_huge_integer_refused(tmp_path: Path) -> None:
    (msg,) = file_problems(tmp_path, '{"id": "t", "goals": [' + "9" * 5000 + "]}", ".json")
    assert "not valid JSON" in msg
    msgs = file_problems(tmp_path, "id: t\ngoals: [" + "9" * 5000 + "]\n")
    assert len(msgs[0]) < 300


def test_fifo_and_devices_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    with pytest.raises(CaseError, match="not a regular file"):
        load_case(fifo)
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(CaseError, match="not a regular file"):
        load_case(link)


def test_oversized_file_refused(tmp_path: Path) -> None:
    p = tmp_path / "big.yaml"
    p.write_text("id: t\n" + "#" * 2_000_000 + "\n")
    with pytest.raises(CaseError, match="too large"):
        load_case(p)


def test_echoed_values_are_cut() -> None:
    msgs = problems(base(teeth=["9" * 100_000]))
    assert msgs[0].startswith("goals.0.teeth:") and len(msgs[0]) < 300
    msgs = problems(base(teeth=None, segment="x" * 100_000))
    assert msgs[0].startswith("goals.0.segment:") and len(msgs[0]) < 400
    many = base()
    many["goals"] = [{"kind": "nope"}] * 5000
    msgs = problems(many)
    assert len(msgs) <= 51 and "more problems" in msgs[-1]


# ----------------------------------------------------------------------------- cross-field


@pytest.mark.parametrize("status", ["missing", "extracted"])
@pytest.mark.parametrize("where", ["bands", "brackets"])
def test_attachments_on_absent_teeth_refused(status: str, where: str) -> None:
    data = base()
    data["dentition"] = {status: [17]}
    data["attachments"] = {where: [16, 17]}
    (msg,) = problems(data)
    assert msg == f"attachments.{where}: tooth 17 is {status}"


def test_brackets_all_and_bands_on_planned_extraction_accepted() -> None:
    data = base()
    data["dentition"] = {"planned_extraction": [14], "missing": [18]}
    data["attachments"] = {"brackets": "all", "bands": [14, 16]}
    case_from_data(data)


def test_crossbite_on_missing_teeth_refused() -> None:
    data = base()
    data["dentition"] = {"missing": [12, 22]}
    data["findings"] = {"crossbites": [{"kind": "anterior", "teeth": [11, 12]}]}
    (msg,) = problems(data)
    assert msg == "findings.crossbites.0.teeth: tooth 12 is missing"


def test_crossbite_on_absent_primary_tooth_refused() -> None:
    data = base()
    data["findings"] = {"crossbites": [{"kind": "posterior_lingual", "teeth": [55]}]}
    (msg,) = problems(data)
    assert msg.startswith("findings.crossbites.0.teeth: tooth 55 is not present")


@pytest.mark.parametrize(
    ("side", "teeth", "bad"), [("left", [14, 15], 14), ("right", [25], 25), ("left", [11, 21], 11)]
)
def test_goal_side_contradicting_its_teeth_refused(side: str, teeth: list[int], bad: int) -> None:
    (msg,) = problems(base(teeth=teeth, side=side))
    assert msg.startswith(f"goals.0.side: {side}, but tooth {bad}")


def test_goal_side_matching_teeth_accepted() -> None:
    case_from_data(base(teeth=[24, 25], side="left"))
    case_from_data(base(teeth=[11, 21], side="bilateral"))


def test_segment_with_planned_extraction_moves_only_retained_teeth() -> None:
    data = base(teeth=None, segment="upper_right_buccal", kind="mesialisation", amount_mm=3)
    data["dentition"] = {"planned_extraction": [14]}
    case = case_from_data(data)
    assert case.goal_teeth(0) == (17, 16, 15)
    # naming the tooth explicitly stays an error
    data["goals"][0] |= {"segment": None, "teeth": [14, 15]}
    (msg,) = problems(data)
    assert msg.startswith("goals.0.teeth: tooth 14 is a planned extraction")


def test_segment_of_planned_extractions_only_is_refused() -> None:
    data = base(teeth=None, segment="14-15", kind="retraction", amount_mm=3)
    data["dentition"] = {"planned_extraction": [14, 15]}
    (msg,) = problems(data)
    assert msg.startswith("goals.0.segment:")


def test_a_goal_error_does_not_hide_the_case_level_ones() -> None:
    """Every problem at once: a bad goal still lets the cross-field checks speak, named by
    the original goal numbers."""
    data = {
        "id": "c",
        "attachments": {"bands": [16]},
        "dentition": {"missing": [16, 26]},
        "goals": [
            {"kind": "intrusion", "teeth": [11], "amount_mm": 40},
            {"kind": "distalisation", "teeth": [26], "amount_mm": 3},
        ],
    }
    found = problems(data)
    assert any(p.startswith("goals.0.amount_mm:") for p in found)
    assert "attachments.bands: tooth 16 is missing" in found
    assert any(p.startswith("goals.1.teeth: tooth 26 is missing") for p in found)
    # the only goal fails: the case-level problem is still listed
    found = problems({**data, "goals": data["goals"][:1]})
    assert "attachments.bands: tooth 16 is missing" in found
    assert not any("stand-in" in p for p in found)
