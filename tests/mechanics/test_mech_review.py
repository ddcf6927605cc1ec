"""Clinical review of the force systems (issue 4, fix 4): the sense of each effect as an
orthodontist reads it, on the average dentition of real examples."""

from __future__ import annotations

import pytest

from tadplan.anatomy import average_landmarks
from tadplan.examples import load_example
from tadplan.mechanics import make_unit, unit_force_system
from tadplan.mechanics.modules import G_TO_N

LM = average_landmarks(load_example("05_anterior_retraction_deep_bite"))


@pytest.mark.parametrize(
    ("tooth", "sign", "expected"),
    [
        (26, +1, "rotation (mesial surface palatal)"),  # mesial pull on the buccal side
        (16, +1, "rotation (mesial surface palatal)"),
        (36, +1, "rotation (mesial surface lingual)"),
        (46, +1, "rotation (mesial surface lingual)"),
        (26, -1, "rotation (mesial surface buccal)"),  # distal pull on the buccal side
        (36, -1, "rotation (mesial surface buccal)"),
    ],
)
def test_a_pull_on_the_buccal_tube_rotates_the_molar_about_its_palatal_root(tooth, sign, expected):
    """A mesial force on the buccal side of a molar (protraction chain or spring) turns its
    mesial surface in (mesio-palatal/-lingual rotation; the reason for the TPA 'rotation
    control' in seed II.3, Fig. 23); a distal pull on the buccal side turns it out."""
    lm = LM[tooth]
    unit = make_unit([tooth], LM)
    f = sign * lm.mesial * 150 * G_TO_N
    u = unit_force_system(unit, [(lm.bracket_mm, f)])
    assert expected in " ".join(u.effects)
    # and the crown tips the way it is pulled
    tip = "mesial crown tipping" if sign > 0 else "distal crown tipping"
    assert tip in " ".join(u.effects)
