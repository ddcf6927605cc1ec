"""Displaced teeth (findings.displaced_teeth): the case says where the tooth lies, the plan
pulls it towards its place in the arch and chooses the palatal or the alveolar site by it
(seed II.1 Displaced canine correction, Fig. 13-14)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tadplan.anatomy import average_landmarks
from tadplan.case import case_from_data
from tadplan.case.model import Displacement
from tadplan.examples import load_example
from tadplan.mechanics.geometry import make_unit
from tadplan.mechanics.system import goal_direction, towards_arch
from tadplan.model import Design
from tadplan.planner import plan


def _case(direction: list[str] | None, demand: str = "maximum") -> Any:
    data = load_example("06_displaced_canine").model_dump(mode="json", exclude_defaults=True)
    data["findings"].pop("displaced_teeth", None)
    if direction is not None:
        data["findings"]["displaced_teeth"] = [{"tooth": 23, "direction": direction}]
    data["goals"][0]["anchorage_demand"] = demand
    return case_from_data(data)


def _net_on_canine(d: Design) -> tuple[float, float, float]:
    """(mesial, buccal, intrusive) grams of the force on 23 summed over the design."""
    assert d.mechanics is not None
    units = [u for u in d.mechanics.units if u.teeth == [23]]
    assert units, f"design {d.rule_id} puts no force on 23"
    c = units[0].components
    return c.mesial_g, c.buccal_g, c.intrusive_g


def test_palatally_displaced_canine_is_brought_buccally_and_distally() -> None:
    p = plan(_case(["palatal", "apical"]))
    ds = p.goals[0].designs
    assert ds, "no design for a palatally displaced canine"
    for d in ds:
        mesial, buccal, intrusive = _net_on_canine(d)
        assert buccal > 0.2 * np.hypot(mesial, buccal), (d.rule_id, mesial, buccal)
        assert mesial < 0, (d.rule_id, mesial)  # distal: the seed's posteriorly directed pull
        assert intrusive < 0, (d.rule_id, intrusive)  # a high canine comes down
    # the palatal site, not the alveolar one
    rules = {d.rule_id for d in ds}
    assert "displaced-canine-palatal-cantilever" in rules
    assert "displaced-canine-palatal-suture" not in rules  # a chain to the palate pulls it away
    assert "displaced-canine-alveolar" not in rules


def test_buccally_displaced_canine_is_brought_palatally() -> None:
    p = plan(_case(["buccal"], demand="moderate"))
    ds = p.goals[0].designs
    rules = {d.rule_id for d in ds}
    assert "displaced-canine-alveolar" in rules  # the buccal site follows the displacement
    assert "displaced-canine-palatal-cantilever" not in rules
    for d in ds:
        _, buccal, _ = _net_on_canine(d)
        assert buccal < 0, (d.rule_id, buccal)


def test_without_a_stated_displacement_nothing_changes_sides() -> None:
    """No direction stated: the canine is only brought down (eruption), as before."""
    p = plan(_case(None))
    rules = [d.rule_id for d in p.goals[0].designs]
    assert "displaced-canine-palatal-suture" in rules and "displaced-canine-alveolar" in rules


@pytest.mark.parametrize(
    ("direction", "expect"),
    [
        (["palatal"], {"buccal": 1, "mesial": -1}),
        (["buccal"], {"buccal": -1, "mesial": -1}),
        (["apical"], {"axis": -1, "mesial": -1}),
        (["distal", "buccal"], {"mesial": 1, "buccal": -1}),
        (["mesial", "palatal"], {"mesial": -1, "buccal": 1}),
    ],
)
def test_towards_arch_is_against_every_stated_displacement(
    direction: list[str], expect: dict[str, int]
) -> None:
    lms = average_landmarks(None)
    unit = make_unit([23], lms)
    v = towards_arch([Displacement(d) for d in direction], unit)
    assert abs(float(np.linalg.norm(v)) - 1) < 1e-9
    for ax, sign in expect.items():
        assert np.sign(float(np.dot(v, getattr(unit, ax)))) == sign, (direction, ax)


def test_goal_direction_of_canine_alignment_without_displacement_is_extrusion() -> None:
    case = _case(None)
    unit = make_unit([23], average_landmarks(case))
    assert np.allclose(goal_direction(case.goals[0], unit), -unit.axis)


def test_impacted_palatal_canine_is_brought_into_the_arch() -> None:
    """An impacted canine is not in the mouth, but the traction acts on it where it lies."""
    case = case_from_data(
        {
            "id": "t",
            "patient": {"age_y": 14},
            "dentition": {"impacted": [13]},
            "attachments": {"brackets": "all", "appliances": ["fixed_full_arch"]},
            "findings": {"displaced_teeth": [{"tooth": 13, "direction": ["palatal", "apical"]}]},
            "goals": [{"kind": "canine_alignment", "teeth": [13], "amount_mm": 5}],
        }
    )
    ds = plan(case).goals[0].designs
    assert ds
    for d in ds:
        assert d.mechanics is not None
        (u,) = [u for u in d.mechanics.units if u.teeth == [13]]
        c = u.components
        assert c.buccal_g > 0 and c.mesial_g < 0 and c.intrusive_g < 0, (d.rule_id, c)
