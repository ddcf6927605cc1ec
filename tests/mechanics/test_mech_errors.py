"""Bad designs give clear errors naming the connection; unmodelled parts are reported."""

from __future__ import annotations

import pytest
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import MechanicsError, analyse_design

CASE = load_example("12_crossbite_correction")
LM = average_landmarks(CASE)
SITE = SiteRef(between=(15, 16), surface="buccal")


def test_unknown_implant_is_named():
    d = design(
        [("i1", SITE)],
        [dict(id="c9", kind="elastic_chain", from_implant="nope", teeth=[16], force_g=100)],
    )
    with pytest.raises(MechanicsError, match="connection c9: from_implant 'nope'"):
        analyse_design(CASE, d, LM)


def test_cross_arch_elastic_is_reported_not_modelled():
    d = design([], [dict(id="x", kind="elastic", teeth=[16, 46], force_g=100)])
    fs = analyse_design(CASE, d, LM)
    (c,) = fs.connections
    assert c.role == "ignored" and "both arches" in c.notes[0]
    assert fs.units == []


def test_absent_teeth_are_reported():
    d = design(
        [("i1", SITE)],
        [dict(id="c", kind="elastic_chain", from_implant="i1", teeth=[18], force_g=100)],
    )
    lm = {t: v for t, v in LM.items() if t != 18}
    (c,) = analyse_design(CASE, d, lm).connections
    assert c.role == "ignored" and "18" in c.notes[0]
