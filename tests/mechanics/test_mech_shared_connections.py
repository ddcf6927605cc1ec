"""A connection carried by several implants (``from_implants``): its reaction is shared among
them, each implant's load and flags use its share, the teeth get the force once."""

from __future__ import annotations

import numpy as np
import pytest
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import (
    MechanicsError,
    analyse_design,
    format_force_system,
    mechanics_data,
)
from tadplan.mechanics.modules import G_TO_N
from tadplan.model import ConnectionForce, ForceSystem

CROSSBITE = load_example("12_crossbite_correction")
CROSSBITE_LM = average_landmarks(CROSSBITE)
RETRACTION = load_example("05_anterior_retraction_deep_bite")
RETRACTION_LM = average_landmarks(RETRACTION)

PALATAL = [
    (f"i{k}", SiteRef(region="paramedian_palate", side=s))
    for k, s in enumerate(["right", "right", "left", "left"], start=1)
]
PALATAL_HEADS = {  # two screws per side, 8 mm apart antero-posteriorly
    "i1": (-6.0, -20.0, 16.0),
    "i2": (-6.0, -28.0, 16.0),
    "i3": (6.0, -20.0, 16.0),
    "i4": (6.0, -28.0, 16.0),
}
BUCCAL = [
    ("a", SiteRef(between=(15, 16), surface="buccal")),
    ("b", SiteRef(between=(16, 17), surface="buccal")),
]


def _marpe(force_g: float) -> ForceSystem:
    conn = dict(
        id="c1", kind="expander", from_implants=["i1", "i2", "i3", "i4"], teeth=[16, 26]
    ) | dict(force_g=force_g)
    return analyse_design(
        CROSSBITE, design(PALATAL, [conn], ["expand"], PALATAL_HEADS), CROSSBITE_LM
    )


def _push(r: ConnectionForce) -> np.ndarray:
    return np.asarray(r.direction) * r.applied_g * G_TO_N


def test_marpe_each_side_pushed_once_and_the_screw_loads_the_other_sides_implants() -> None:
    fs = _marpe(200.0)
    parts = {r.connection_id: r for r in fs.connections}
    assert set(parts) == {"c1 (right)", "c1 (left)"}
    right, left = parts["c1 (right)"], parts["c1 (left)"]
    assert right.teeth == [16] and left.teeth == [26]
    assert right.applied_g == pytest.approx(200.0) and left.applied_g == pytest.approx(200.0)
    # expansion: each side's teeth go buccally (right towards -x, left towards +x)
    assert right.direction is not None and left.direction is not None
    assert right.direction[0] < 0 < left.direction[0]
    # the expansion screw: the right side's push is carried by the left side's screws
    assert set(right.implant_ids) == {"i3", "i4"}
    assert set(left.implant_ids) == {"i1", "i2"}
    loads = {ld.implant_id: ld for ld in fs.implants}
    assert set(loads) == {"i1", "i2", "i3", "i4"}  # every carrier has a load
    for side, ids in ((right, ("i3", "i4")), (left, ("i1", "i2"))):
        total = np.sum([loads[i].force_n for i in ids], axis=0)
        assert total == pytest.approx(-_push(side), abs=1e-9)  # shares sum to the load
        for i in ids:  # the screws are loaded along the screw, half each (no moment)
            assert loads[i].force_g == pytest.approx(side.applied_g / 2, rel=1e-6)
            assert abs(loads[i].torsion_nmm) < 1e-6 and loads[i].bending_nmm < 1e-6
    # the halves are pushed apart: the right screws go to the patient's right, and vice versa
    assert loads["i1"].force_n[0] < 0 < loads["i3"].force_n[0]
    # each half moves its own side: the units do not cross the midline
    assert sorted(len({t // 10 for t in u.teeth}) for u in fs.units) == [1, 1]
    text = format_force_system(fs)
    assert "c1 (right) expander from i3+i4" in text and "c1 (left) expander from i1+i2" in text


def test_load_flags_use_each_implants_share() -> None:
    """A push that one screw could not take (over the orthopaedic limit per screw) is within
    it for each of two screws sharing it."""
    limit = mechanics_data().orthopaedic.screw_load_limit.g
    fs = _marpe(1.5 * limit)
    for ld in fs.implants:
        assert ld.force_g == pytest.approx(0.75 * limit, rel=1e-6)
        assert not ld.flags
    fs = _marpe(2.5 * limit)
    assert all(ld.flags == ["over_orthopaedic_limit"] for ld in fs.implants)


def test_a_chain_from_two_screws_pulls_the_tooth_once_and_both_screws_share_it() -> None:
    """Two buccal screws joined by one appliance pull the canine once: the tooth's force is
    that of one chain from the screws' mid-point; the screws share its reaction."""
    heads = {"a": (-22.0, -18.0, 9.0), "b": (-22.0, -12.0, 9.0), "m": (-22.0, -15.0, 9.0)}
    conn = dict(id="c", kind="niti_tension_spring", teeth=[13], force_g=150)
    both = analyse_design(
        RETRACTION,
        design(BUCCAL, [conn | dict(from_implants=["a", "b"])], ["retract"], heads),
        RETRACTION_LM,
    )
    mid = analyse_design(
        RETRACTION,
        design([("m", BUCCAL[0][1])], [conn | dict(from_implant="m")], ["retract"], heads),
        RETRACTION_LM,
    )
    (r2,) = [r for r in both.connections if r.role == "active"]
    (r1,) = [r for r in mid.connections if r.role == "active"]
    assert r2.implant_ids == ["a", "b"] and r1.implant_ids == ["m"]
    assert r2.direction == pytest.approx(r1.direction)
    assert r2.delivered_g == pytest.approx(r1.delivered_g)
    assert both.units[0].force_n == pytest.approx(mid.units[0].force_n)
    loads = {ld.implant_id: ld for ld in both.implants}
    total = np.sum([ld.force_n for ld in loads.values()], axis=0)
    assert total == pytest.approx(np.asarray(mid.implants[0].force_n), abs=1e-9)
    assert total == pytest.approx(-_push(r2), abs=1e-9)
    assert loads["a"].force_g > 0 and loads["b"].force_g > 0
    assert loads["a"].force_g < 150 and loads["b"].force_g < 150


def test_a_single_implant_connection_takes_the_whole_reaction() -> None:
    heads = {"a": (-22.0, -18.0, 9.0)}
    conn = dict(id="c", kind="niti_tension_spring", from_implant="a", teeth=[13], force_g=150)
    fs = analyse_design(RETRACTION, design(BUCCAL[:1], [conn], ["retract"], heads), RETRACTION_LM)
    (r,) = [r for r in fs.connections if r.role == "active"]
    assert r.implant_ids == ["a"] and r.implant_id == "a"
    assert fs.implants[0].force_n == pytest.approx(-_push(r), abs=1e-12)
    assert fs.implants[0].force_g == pytest.approx(150.0)


def test_an_unknown_carrier_is_named() -> None:
    conn = dict(id="c", kind="elastic_chain", from_implants=["a", "zz"], teeth=[13], force_g=100)
    with pytest.raises(MechanicsError, match="connection c: from_implants 'zz'"):
        analyse_design(RETRACTION, design(BUCCAL, [conn], ["retract"]), RETRACTION_LM)
