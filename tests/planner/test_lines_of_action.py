"""Issue 10: every force along the element's real line of action.

- protraction from the palate pulls the molars mesially (not palatally or up);
- a TPA joins the two sides of the arch;
- an open coil on a guide wire or the archwire pushes along the wire, so a distalising
  spring does not extrude the molars.
"""

from __future__ import annotations

import numpy as np
import pytest
from planner_helpers import by_rule, plan_of
from pydantic import ValidationError

from tadplan.anatomy import average_landmarks
from tadplan.case.model import Case
from tadplan.examples import load_example
from tadplan.mechanics import make_unit
from tadplan.mechanics.modules import G_TO_N
from tadplan.model import Connection, ConnectionKind
from tadplan.planner import plan


def _grams(force_n: tuple[float, float, float]) -> tuple[float, float, float]:
    """Patient frame (x left, y anterior, z superior) in grams: units that span the midline
    are read in the patient's planes."""
    x, y, z = force_n
    return x / G_TO_N, y / G_TO_N, z / G_TO_N


VERTICAL_BOUND = 0.10
"""A distalising push along the wire: the vertical component stays below 10 % of the distal
one (before: 432 g of extrusion against 298 g distal in 11a's direct design)."""


def test_a_tpa_between_two_teeth_of_one_side_is_refused() -> None:
    with pytest.raises(ValidationError, match="TPA connects the two sides"):
        Connection(id="c1", kind=ConnectionKind.tpa, teeth=[26, 27])
    with pytest.raises(ValidationError, match="TPA connects the two sides"):
        Connection(id="c1", kind=ConnectionKind.tpa, teeth=[16, 17])
    assert Connection(id="c1", kind=ConnectionKind.tpa, teeth=[16, 26]).teeth == [16, 26]


def test_no_tpa_is_proposed_without_a_molar_on_the_other_side() -> None:
    """10c protracts 26-27; without 16 and 17 there is nothing to hinge the TPA on."""
    raw = load_example("10c_maxillary_molar_protraction").model_dump(mode="json")
    raw["dentition"]["missing"] = sorted({*raw["dentition"]["missing"], 16, 17})
    raw["attachments"]["bands"] = [t for t in raw["attachments"]["bands"] if t not in (16, 17)]
    p = plan(Case.model_validate(raw))
    gp = next(g for g in p.goals if g.goal.id == "protract-left")
    assert all(d.rule_id != "molar-mesialisation-palatal-tpa" for d in gp.designs)
    assert any("both sides" in n for n in gp.notes)
    for d in gp.designs:
        for c in d.connections:
            if c.kind == ConnectionKind.tpa:
                assert {t // 10 for t in c.teeth} == {1, 2}


@pytest.mark.parametrize(
    "rule", ["molar-distalisation-direct-spring", "molar-distalisation-indirect-spring"]
)
def test_a_distalising_open_coil_pushes_along_the_wire(rule: str) -> None:
    """11a: the push spring sits on a guide wire (direct) or on the archwire (indirect): it
    pushes the molars distally, without extruding them ('bite opening')."""
    d = by_rule(plan_of("11a_molar_distalisation"), "distalise", rule)
    assert d.mechanics is not None
    for c in d.mechanics.connections:
        if c.kind == "compression_spring":
            assert any("pushes along the wire" in n for n in c.notes)
    (unit,) = d.mechanics.units
    lateral, anterior, superior = _grams(unit.force_n)  # 16 26: the patient's planes
    distal = -anterior
    assert distal > 300
    assert abs(superior) < VERTICAL_BOUND * distal and abs(lateral) < 1
    assert not any("extrusion" in e or "bite opening" in e for e in unit.effects)


# ------------------------------------------------------------- control: tipping | bodily | root


def _protraction(control: str | None):  # type: ignore[no-untyped-def]
    raw = load_example("10c_maxillary_molar_protraction").model_dump(mode="json")
    if control is not None:
        raw["goals"][0]["control"] = control
    return plan(Case.model_validate(raw))


def test_control_defaults_per_goal_kind() -> None:
    from tadplan.case.model import Control, Goal

    assert Goal(kind="mesialisation", teeth=[26]).movement_control == Control.bodily
    assert Goal(kind="distalisation", teeth=[26]).movement_control == Control.bodily
    assert Goal(kind="retraction", segment="13-23").movement_control == Control.tipping
    assert Goal(kind="retraction", segment="13-23", control="bodily").movement_control == (
        Control.bodily
    )
    with pytest.raises(ValidationError, match="control"):
        Goal(kind="retraction", segment="13-23", control="sideways")


def test_bodily_control_gets_the_power_arm_that_translates_the_molars() -> None:
    """10c d1: spring from the premolar-region implant to a power hook on 26 (Fig. 22): for
    bodily protraction the planner fits the hook length whose pull passes through the CR."""
    d = by_rule(_protraction("bodily"), "protract-left", "molar-mesialisation-direct-niti")
    spring = next(c for c in d.connections if c.kind == ConnectionKind.niti_tension_spring)
    hook = next(c for c in d.connections if c.kind == ConnectionKind.power_hook)
    assert spring.attachment_height_mm is not None and 0 < spring.attachment_height_mm <= 9
    assert hook.attachment_height_mm == spring.attachment_height_mm
    assert any("through the centre of resistance" in a for a in d.activation)
    assert d.mechanics is not None
    (unit,) = d.mechanics.units
    assert unit.movement.value == "translation"
    cf = next(c for c in d.mechanics.connections if c.connection_id == spring.id)
    assert cf.translation_height_mm == pytest.approx(spring.attachment_height_mm, abs=0.05)


def test_tipping_control_keeps_the_rules_hook() -> None:
    d = by_rule(_protraction("tipping"), "protract-left", "molar-mesialisation-direct-niti")
    spring = next(c for c in d.connections if c.kind == ConnectionKind.niti_tension_spring)
    assert spring.attachment_height_mm is None
    assert not any("through the centre of resistance" in a for a in d.activation)


def test_an_open_coil_on_a_vertical_segment_extrudes() -> None:
    """02 (seed II.1 Fig. 9): the spring on the wire segment pushes the anterior segment
    occlusally: it extrudes, it does not push along the arch."""
    d = by_rule(plan_of("02_anterior_extrusion"), "extrude", "maxilla-vertical-extrusion-spring")
    assert d.mechanics is not None
    (unit,) = d.mechanics.units
    frame = make_unit(unit.teeth, average_landmarks(load_example("02_anterior_extrusion")))
    f = np.asarray(unit.force_n) / G_TO_N
    extrusive = -float(np.dot(f, frame.axis))  # along the incisors' long axis, occlusally
    assert extrusive > 100
    assert float(np.linalg.norm(f + extrusive * frame.axis)) < VERTICAL_BOUND * extrusive


def test_open_coils_for_an_anterior_crossbite_push_the_incisors_labially() -> None:
    p = plan_of("17_anterior_crossbite")
    d = by_rule(p, "anterior-crossbite", "anterior-crossbite-open-coil-indirect")
    assert d.mechanics is not None
    (unit,) = d.mechanics.units
    frame = make_unit(unit.teeth, average_landmarks(load_example("17_anterior_crossbite")))
    f = np.asarray(unit.force_n) / G_TO_N
    labial = float(np.dot(f, frame.buccal))  # out of the arch, in the incisors' own frame
    assert labial > 50
    assert float(np.linalg.norm(f - labial * frame.buccal)) < VERTICAL_BOUND * labial


def test_a_bodily_goal_is_told_when_its_palatal_pull_tips_the_molars() -> None:
    """10c d3 pulls on the TPA at crown level (no hook on the slot to lengthen): the plan
    says the molars will tip although the goal asks for bodily movement."""
    d = by_rule(_protraction("bodily"), "protract-left", "molar-mesialisation-palatal-tpa")
    assert any("bodily movement" in w.text and "tipping" in w.text for w in d.warnings)
    tipped = by_rule(_protraction("tipping"), "protract-left", "molar-mesialisation-palatal-tpa")
    assert not any("bodily movement" in w.text for w in tipped.warnings)
