"""Issue 10: dose ranges fit the jaw, movement and segment; no range from one jaw doses the
other."""

from __future__ import annotations

import pytest

from tadplan.case.model import Goal, MovementKind
from tadplan.mechanics import mechanics_data
from tadplan.mechanics.system import dose_range
from tadplan.model import MovementType


def _goal(kind: MovementKind, teeth: list[int]) -> Goal:
    return Goal(kind=kind, teeth=teeth, amount_mm=3)


def test_maxillary_molar_distalisation_is_dosed_by_a_maxillary_study():
    g = _goal(MovementKind.distalisation, [16, 26])
    rng = dose_range(g, [16, 26], MovementType.translation, modules=2)
    assert rng is not None
    assert rng.source == "nienkemper2014_beneslider"
    # 2.4 N and 5.0 N per side (the Beneslider study), in grams-force
    assert rng.low_g == pytest.approx(2.4 / 0.00980665, abs=1)
    assert rng.high_g == pytest.approx(5.0 / 0.00980665, abs=1)


def test_mandibular_distalisation_keeps_the_buccal_shelf_study():
    g = _goal(MovementKind.distalisation, [36, 46])
    rng = dose_range(g, [36, 46], MovementType.translation, modules=2)
    assert rng is not None and rng.source == "chang2015"


def test_no_range_is_borrowed_across_jaws():
    """Every cited distalisation or incisor-intrusion range names its jaw, and a unit of the
    other jaw or of other teeth gets the per-tooth textbook range with a note saying so."""
    data = mechanics_data()
    for r in data.ranges.goal_ranges:
        if r.kind == MovementKind.distalisation or r.source == "vela2020":
            assert r.jaw is not None, r.source
    # a maxillary buccal segment: the molars' cited range per side (the push acts on the
    # molars), an estimate [E], never the mandibular buccal-shelf study nor a per-tooth sum
    segment = [17, 16, 15, 14, 13]
    rng = dose_range(_goal(MovementKind.distalisation, segment), segment, MovementType.translation)
    assert rng is not None
    assert rng.source == "nienkemper2014_beneslider" and rng.tag == "E"
    assert (rng.low_g, rng.high_g) == (245, 510)
    # a mandibular buccal segment takes the mandibular buccal-shelf study, not the maxillary one
    lower_seg = [47, 46, 45, 44, 43]
    rng = dose_range(
        _goal(MovementKind.distalisation, lower_seg), lower_seg, MovementType.translation
    )
    assert rng is not None and rng.source == "chang2015"
    lower = [32, 31, 41, 42]
    rng = dose_range(_goal(MovementKind.intrusion, lower), lower, MovementType.translation)
    assert rng is not None and rng.source != "vela2020"
    assert "mandibular" in rng.detail
