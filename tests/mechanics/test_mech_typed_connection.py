"""A connection's module, activation and attachment site travel as typed fields (issue 12):
the mechanics reads them, never the connection's words; per-side results name their
connection and side as fields."""

from __future__ import annotations

import pytest
from mech_helpers import design
from pydantic import ValidationError

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design
from tadplan.model import Connection

MESIAL = load_example("10_molar_mesialisation")
MESIAL_LM = average_landmarks(MESIAL)
SPRING = dict(id="s", kind="niti_tension_spring", from_implant="i1", teeth=[47], force_g=175)


def _mesialise(**spring: object):  # type: ignore[no-untyped-def]
    implant = ("i1", SiteRef(between=(44, 45), surface="buccal"))
    return analyse_design(MESIAL, design([implant], [SPRING | spring], ["mesialise"]), MESIAL_LM)


def test_the_attachment_words_do_not_move_the_point_of_force() -> None:
    """Words that once picked the site ("button", "palatal", "power hook") are only words:
    the typed site decides where the spring pulls."""
    plain = _mesialise(attachment="molar tube")
    worded = _mesialise(attachment="palatal button or power hook, occlusal")
    assert worded.connections[0].point_mm == pytest.approx(plain.connections[0].point_mm)
    at = {s: _mesialise(attachment_site=s).connections[0].point_mm for s in ("bracket", "lingual")}
    assert at["bracket"] == pytest.approx(plain.connections[0].point_mm)
    assert at["lingual"] != pytest.approx(at["bracket"])
    arm = _mesialise(attachment_site="power_arm").connections[0]
    assert arm.attachment_height_mm is not None and arm.attachment_height_mm > 0


def test_the_module_and_activation_are_read_from_their_fields() -> None:
    """A 6 mm activation of a NiTi closed coil is 6 mm whatever the words say; the words'
    "12 mm" is not read."""
    cf = _mesialise(activation_mm=6.0, activation="12 mm chain, ss").connections[0]
    assert cf.module is not None
    assert cf.module.kind == "niti_closed_coil" and cf.module.activation_mm == 6.0


def test_a_module_must_be_one_its_kind_is_made_of() -> None:
    with pytest.raises(ValidationError, match="module: compression_spring takes niti_open_coil"):
        Connection(id="c", kind="compression_spring", teeth=[16], module="elastomeric_chain")
    with pytest.raises(ValidationError, match="segmental_arch takes no force module"):
        Connection(id="c", kind="segmental_arch", teeth=[16], module="niti_closed_coil")
    ok = Connection(id="c", kind="compression_spring", teeth=[16], module="ss_open_coil")
    assert ok.module == "ss_open_coil"


def test_per_side_results_name_their_connection_and_side() -> None:
    """A tooth-borne chain on both sides is analysed per side: each result says which
    connection and side it is as fields (the display id is not parsed)."""
    demo = load_example("demo")
    d = design(
        [
            ("i3", SiteRef(between=(16, 17), surface="buccal")),
            ("i4", SiteRef(between=(26, 27), surface="buccal")),
        ],
        [
            dict(id="r", kind="segmental_arch", from_implant="i3", teeth=[16], passive=True),
            dict(id="l", kind="segmental_arch", from_implant="i4", teeth=[26], passive=True),
            dict(id="ch", kind="elastic_chain", teeth=[13, 23], force_g=250),
        ],
        ["retract"],
    )
    fs = analyse_design(demo, d, average_landmarks(demo))
    parts = [c for c in fs.connections if c.design_connection_id == "ch"]
    assert [(c.side, c.teeth) for c in parts] == [("right", [13]), ("left", [23])]
    whole = [c for c in fs.connections if c.design_connection_id in ("r", "l")]
    assert [c.side for c in whole] == [None, None]


def test_an_activation_needs_a_force_module() -> None:
    with pytest.raises(ValidationError, match="activation_mm: a tpa has no force module"):
        Connection(id="c", kind="tpa", teeth=[16, 26], activation_mm=2.0)
