"""Crossbite designs push the teeth the way the crossbite is corrected (issue 10).

Forces are read in the patient frame of :mod:`tadplan.anatomy.frame` (+x patient's left,
+y anterior, +z superior), summed over a design's connections on the goal's teeth, so a wrong
local frame in the mechanics cannot hide a wrong force. "Works for the goal" means at least
half of the force points the goal's way (within 60 degrees).
"""

from __future__ import annotations

import numpy as np
import pytest
from planner_helpers import by_rule, plan_of

from tadplan.anatomy import average_landmarks
from tadplan.case import fdi
from tadplan.case.model import Attachments, Crossbite, CrossbiteKind, SiteRegion
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design
from tadplan.mechanics.geometry import make_unit
from tadplan.mechanics.system import crossbite_sense, goal_direction
from tadplan.model import Design, Plan
from tadplan.planner import plan

G_PER_N = 1 / 0.00980665


def net_g(d: Design, teeth: set[int]) -> np.ndarray:
    """Sum (g, patient frame) of the connection forces acting on ``teeth``."""
    assert d.mechanics is not None
    out = np.zeros(3)
    for c in d.mechanics.connections:
        if c.direction is not None and set(c.teeth) & teeth:
            out += np.asarray(c.direction) * c.delivered_g
    return out


def share(f: np.ndarray, want: tuple[float, float, float]) -> float:
    """Fraction of ``f`` along the unit direction ``want``."""
    return float(f @ np.asarray(want)) / float(np.linalg.norm(f))


# ----------------------------------------------------------------------------- scissor bite


def test_scissor_bite_palatal_screw_pulls_17_palatally_and_up() -> None:
    """Scissor bite of 17 (right side): correction moves it palatally (+x) and intrudes it
    (+z). The screw sits in the palatal vault, medial of the molar: a screw between the
    palatal roots of 16 and 17 had its head right above the palatal button (x -17.8 vs
    -17.9 mm) and pulled 17 up and mesially only (x +0, y +30, z +40 g)."""
    d = by_rule(
        plan_of("12_crossbite_correction"), "scissor-17", "crossbite-scissor-palatal-implant"
    )
    assert d.implants[0].site.region in (
        SiteRegion.median_palatal_suture,
        SiteRegion.paramedian_palate,
    )
    f = net_g(d, {17})
    assert f[0] > 0 and f[2] > 0, f  # palatal for the right side, intrusive
    assert share(f, (1.0, 0.0, 0.0)) >= 0.5, f
    assert d.mechanics is not None
    chain = d.mechanics.connections[0]
    head = np.asarray(d.implants[0].head_position_mm)
    assert chain.point_mm is not None
    assert head[0] - chain.point_mm[0] > 5.0  # the head is well medial of the button


def test_scissor_bite_cross_elastic_pulls_17_palatally() -> None:
    """The cross-elastic of a scissor bite runs from the upper molar's palatal button to the
    lower molar's buccal button, which stands palatal of it: it pulls 17 palatally. It
    pushed 17 buccally (direction x -1.0 on the right side) before; with the buccal
    implant's intrusive chain the molar is moved palatally and up."""
    d = by_rule(plan_of("12_crossbite_correction"), "scissor-17", "crossbite-scissor-cross-elastic")
    assert d.mechanics is not None
    cross = next(c for c in d.mechanics.connections if c.role == "tooth_borne")
    assert cross.direction is not None and cross.direction[0] > 0.9  # palatal (+x on the right)
    f = net_g(d, {17})
    assert f[0] > 0 and f[2] > 0, f
    assert share(f, (1.0, 0.0, 0.0)) >= 0.5, f
    assert any("extru" in w.text for w in d.warnings)  # the unmodelled extrusion is said


@pytest.mark.parametrize(
    "rule",
    ["posterior-crossbite-palatal-arm", "posterior-crossbite-cross-elastic-to-lower-implant"],
)
def test_palatal_crossbite_of_26_is_pushed_buccally(rule: str) -> None:
    """Palatal crossbite of 26 (left): correction moves it buccally, +x."""
    d = by_rule(plan_of("18_dental_posterior_crossbite"), "crossbite-26", rule)
    f = net_g(d, {26})
    assert share(f, (1.0, 0.0, 0.0)) >= 0.5, f


@pytest.mark.parametrize(
    ("kind", "tooth", "out_of_arch"),
    [
        (CrossbiteKind.posterior_buccal, 17, False),  # scissor bite: upper goes palatally
        (CrossbiteKind.posterior_buccal, 47, True),  # and the lower buccally
        (CrossbiteKind.posterior_lingual, 26, True),  # palatal crossbite: upper buccally
        (CrossbiteKind.posterior_lingual, 36, False),  # and the lower lingually
        (CrossbiteKind.bilateral_posterior, 16, True),
        (CrossbiteKind.anterior, 11, True),  # upper incisor labially
        (CrossbiteKind.anterior, 41, False),  # lower incisor lingually
    ],
)
def test_crossbite_goal_direction_follows_the_crossbite_kind(
    kind: CrossbiteKind, tooth: int, out_of_arch: bool
) -> None:
    case = load_example("12_crossbite_correction")
    lm = average_landmarks(case)
    goal = next(g for g in case.goals if g.id == "scissor-17")
    unit = make_unit([tooth], lm)
    assert crossbite_sense(kind, unit) == (1.0 if out_of_arch else -1.0)
    v = goal_direction(goal, unit, crossbite=kind)
    outward = float(v @ unit.buccal)
    assert (outward > 0.9) if out_of_arch else (outward < -0.9), v
    if kind == CrossbiteKind.anterior:  # labial / lingual is sagittal for incisors
        assert abs(v[1]) > 0.9 and (v[1] > 0) == (fdi.arch(tooth) == "maxilla")
    else:  # across the arch
        assert abs(v[1]) < 0.2


# ----------------------------------------------------------------------------- anterior


def test_class_iii_elastics_pull_the_upper_incisors_forward_from_the_first_molar_hooks() -> None:
    """Class III elastics run from the upper first-molar hook forwards and down to the lower
    anchorage (here mandibular implants between 3 and 4); the archwire carries the pull to
    the incisors. Hooked on 11/21 they pulled the incisors back and down (y -0.24, z -0.79)."""
    d = by_rule(
        plan_of("17_anterior_crossbite"),
        "anterior-crossbite",
        "anterior-crossbite-class-iii-elastics",
    )
    assert d.mechanics is not None
    assert sorted(t for c in d.connections for t in c.hook_teeth) == [16, 26]
    for c in d.mechanics.connections:
        assert c.role == "active" and c.direction is not None and c.point_mm is not None
        molar = 16 if fdi.side(c.teeth[0]) == "right" else 26
        hook = average_landmarks(load_example("17_anterior_crossbite"))[molar].bracket_mm
        assert np.allclose(c.point_mm, hook)  # acts at the first-molar hook
        assert c.system is not None and set(c.system.teeth) >= {molar, c.teeth[0]}
        assert len(c.system.teeth) == 6  # 6 5 4 3 2 1 of its side on the archwire
        assert c.direction[1] > 0.5 and c.direction[2] < 0  # forward; extrudes the molar
    for teeth in ({11}, {21}):
        assert share(net_g(d, teeth), (0.0, 1.0, 0.0)) >= 0.5


def test_class_iii_elastic_without_an_archwire_moves_only_the_hooked_molar() -> None:
    """Nothing carries the pull forward without brackets on the teeth between."""
    case = load_example("17_anterior_crossbite")
    d = by_rule(
        plan_of("17_anterior_crossbite"),
        "anterior-crossbite",
        "anterior-crossbite-class-iii-elastics",
    )
    bare = case.model_copy(update={"attachments": Attachments()})
    fs = analyse_design(bare, d, average_landmarks(bare))
    for c in fs.connections:
        assert c.system is not None and len(c.system.teeth) == 1
        assert fdi.position(c.system.teeth[0]) == 6


def test_bilateral_scissor_bite_moves_each_second_molar_on_its_own_side() -> None:
    """Scissor bites of 17 and 27: each side moves palatally on its own (one unit per side);
    bracketed on one archwire, 17 and 27 were taken as one unit across the midline and the
    cross-elastic then pulled straight up (x 0, z +1.0)."""
    case = load_example("12_crossbite_correction")
    goal = next(g for g in case.goals if g.id == "scissor-17")
    goal = goal.model_copy(update={"teeth": [17, 27], "side": "bilateral"})
    findings = case.findings.model_copy(
        update={"crossbites": [Crossbite(kind=CrossbiteKind.posterior_buccal, teeth=[17, 27])]}
    )
    p = plan(case.model_copy(update={"goals": [goal], "findings": findings}))
    ds = p.goals[0].designs
    assert {d.rule_id for d in ds} >= {
        "crossbite-scissor-palatal-implant",
        "crossbite-scissor-cross-elastic",
    }
    for d in ds:
        assert d.mechanics is not None
        for c in d.mechanics.connections:
            assert c.system is not None
            assert len({fdi.side(t) for t in c.system.teeth}) == 1, (d.rule_id, c.system.teeth)
        for tooth, palatal in ((17, (1.0, 0.0, 0.0)), (27, (-1.0, 0.0, 0.0))):
            assert share(net_g(d, {tooth}), palatal) >= 0.5, (d.rule_id, tooth)


def _anterior_crossbite_without(teeth: list[int]) -> Plan:
    case = load_example("17_anterior_crossbite")
    dentition = case.dentition.model_copy(update={"extracted": teeth})
    return plan(case.model_copy(update={"dentition": dentition}))


def test_class_iii_elastic_hooks_on_the_second_molar_when_the_first_is_gone() -> None:
    p = _anterior_crossbite_without([16, 26])
    d = next(x for x in p.goals[0].designs if x.rule_id == "anterior-crossbite-class-iii-elastics")
    assert sorted(t for c in d.connections for t in c.hook_teeth) == [17, 27]
    for teeth in ({11}, {21}):
        assert share(net_g(d, teeth), (0.0, 1.0, 0.0)) >= 0.5


def test_class_iii_elastic_is_not_proposed_without_a_posterior_tooth_to_hook_on() -> None:
    """Hooked on the incisors instead it would pull them back and down."""
    p = _anterior_crossbite_without([15, 16, 17, 25, 26, 27])
    assert all(d.rule_id != "anterior-crossbite-class-iii-elastics" for d in p.goals[0].designs)
    assert any("hook" in n for n in p.goals[0].notes)
