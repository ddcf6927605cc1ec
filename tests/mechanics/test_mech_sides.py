"""Issue 10: a unit on both sides is reported per side, each in its own frame, and the
resultant separately (a summed "mesial"/"buccal" mixed the two sides' frames)."""

from __future__ import annotations

import pytest
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design
from tadplan.mechanics.geometry import make_unit
from tadplan.mechanics.modules import G_TO_N
from tadplan.mechanics.system import unit_force_system
from tadplan.mechanics.text import format_force_system


def _distaliser_design():
    """Two distalisers from buccal implants mesial of 16 and 26 (11a_molar_distalisation)."""
    return design(
        [
            ("i1", SiteRef(between=(15, 16), surface="buccal")),
            ("i2", SiteRef(between=(25, 26), surface="buccal")),
        ],
        [
            dict(id="c1", kind="distaliser", from_implant="i1", teeth=[16], force_g=300),
            dict(id="c2", kind="distaliser", from_implant="i2", teeth=[26], force_g=300),
        ],
    )


def test_bilateral_distalisation_reads_distal_on_each_side():
    case = load_example("11a_molar_distalisation")
    lm = average_landmarks(case)
    fs = analyse_design(case, _distaliser_design(), lm)
    (unit,) = [u for u in fs.units if set(u.teeth) == {16, 26}]
    # no one mesial or buccal direction for 16 and 26 together
    assert unit.components is None
    assert [s.side for s in unit.sides] == ["right", "left"]
    for s in unit.sides:
        c = s.components
        # each molar moves distally in its own frame; hardly anything sideways
        assert c.mesial_g == pytest.approx(-300, rel=0.05)
        assert abs(c.buccal_g) < 0.1 * s.force_g
        # each side's crown tips distally (crown-signed moment, same sign both sides)
        assert s.moment_components.about_buccal_nmm < 0
    # the two sides' moments are mirror images, not opposite senses of tipping
    r, left = unit.sides
    assert r.moment_components.about_buccal_nmm == pytest.approx(
        left.moment_components.about_buccal_nmm, rel=1e-6
    )
    # the resultant in the patient's planes: 600 g posterior, nothing across
    assert unit.resultant.anterior_g == pytest.approx(-600, rel=0.05)
    assert abs(unit.resultant.left_g) < 1.0
    text = format_force_system(fs)
    assert "right side 16: 300 g (mesial -300" in text.replace("-299", "-300")
    assert "buccal -600" not in text  # the old mixed-frame label


def test_bilateral_palatal_pull_shows_on_each_side_though_it_cancels():
    """Equal palatal pulls on 16 and 26 cancel in the resultant; each side shows it."""
    case = load_example("11a_molar_distalisation")
    lm = average_landmarks(case)
    d = design(
        [("p", SiteRef(region="median_palatal_suture"))],
        [
            dict(id="c1", kind="elastic_chain", from_implant="p", teeth=[16], force_g=150),
            dict(id="c2", kind="elastic_chain", from_implant="p", teeth=[26], force_g=150),
        ],
    )
    fs = analyse_design(case, d, lm)
    units = [u for u in fs.units if set(u.teeth) >= {16, 26}]
    assert units, [u.teeth for u in fs.units]
    u = units[0]
    assert abs(u.resultant.left_g) < 0.05 * u.force_g + 1.0
    for s in u.sides:
        assert s.components.buccal_g < -0.3 * s.force_g  # palatal on both sides
    assert sum(s.force_g for s in u.sides) >= u.force_g - 1e-6
    # the constriction that cancels in the resultant is named, as a side effect
    assert "palatal movement of both sides (narrows the arch) of the molars" in u.effects
    assert "palatal movement of both sides (narrows the arch) of the molars" in u.side_effects


def test_one_sided_unit_keeps_its_components_and_no_sides():
    case = load_example("11a_molar_distalisation")
    lm = average_landmarks(case)
    unit = make_unit([16], lm)
    distal = -unit.mesial * 200 * G_TO_N
    u = unit_force_system(unit, [(lm[16].bracket_mm, distal)])
    assert u.sides == []
    assert u.components is not None
    assert u.components.mesial_g == pytest.approx(-200)
    # the tooth frame's intrusive part runs along the long axis; the patient-plane one is
    # perpendicular to the occlusal plane (up in the maxilla)
    assert u.components.intrusive_g == pytest.approx(0, abs=1e-9)
    assert u.resultant.intrusive_g == pytest.approx(u.force_n[2] / G_TO_N)
