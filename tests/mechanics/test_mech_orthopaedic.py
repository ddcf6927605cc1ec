"""Orthopaedic loads: a MARPE's expander carries kg forces (the cited expansion-force range),
shared by its palatal screws, which are judged against the cited limit per screw for that use
instead of the immediate-loading limit for orthodontic forces."""

from __future__ import annotations

import numpy as np
import pytest
from mech_helpers import design
from pydantic import ValidationError

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.knowledge.schema import ConnectionTemplate
from tadplan.mechanics import analyse_design, mechanics_data
from tadplan.mechanics.modules import G_TO_N
from tadplan.mechanics.system import orthopaedic_range
from tadplan.model import ORTHOPAEDIC_KINDS
from tadplan.planner import plan

D = mechanics_data()
CASE = load_example("12_crossbite_correction")
LM = average_landmarks(CASE)
PALATAL = [
    (f"i{k}", SiteRef(region="paramedian_palate", side=s))
    for k, s in enumerate(["right", "right", "left", "left"], start=1)
]
HEADS = {
    "i1": (-6.0, -20.0, 16.0),
    "i2": (-6.0, -28.0, 16.0),
    "i3": (6.0, -20.0, 16.0),
    "i4": (6.0, -28.0, 16.0),
}


def _marpe(force_g: float | None):  # type: ignore[no-untyped-def]
    conn: dict[str, object] = dict(
        id="c1", kind="expander", from_implants=["i1", "i2", "i3", "i4"], teeth=[16, 26]
    )
    if force_g is not None:
        conn["force_g"] = force_g
    return analyse_design(CASE, design(PALATAL, [conn], ["expand"], HEADS), LM)


def test_cited_ranges_in_grams() -> None:
    ef = D.orthopaedic.expansion_force
    assert (ef.accumulated.low_g, ef.accumulated.high_g) == (16000, 20000)  # 16-20 kg
    assert ef.per_activation.low_g == pytest.approx(30 / G_TO_N)  # 30 N
    assert D.orthopaedic.screw_load_limit.g == pytest.approx(87 / G_TO_N)
    assert D.orthopaedic.screw_load_limit_use.tag == "E"  # its use for palatal screws
    assert all(orthopaedic_range(k) is not None for k in ORTHOPAEDIC_KINDS)
    assert orthopaedic_range("niti_tension_spring") is None


def test_marpe_without_a_force_takes_the_middle_of_the_expansion_range() -> None:
    fs = _marpe(None)
    parts = [c for c in fs.connections if c.kind == "expander"]
    assert len(parts) == 2 and all(c.role == "active" for c in parts)
    for c in parts:
        assert c.applied_g == pytest.approx(18000)  # middle of 16-20 kg
        assert c.dose is not None and c.dose.status == "within"
        assert c.dose.source.key.startswith("camporesi2013")
        assert c.dose.suggestion is None  # no spring or chain for an expansion screw
        assert any("per activation" in n for n in c.notes)
    assert {"camporesi2013", "rpe_aligner2024"} <= set(fs.sources)


def test_marpe_screws_share_the_load_and_the_shares_sum_to_it() -> None:
    fs = _marpe(None)
    loads = {ld.implant_id: ld for ld in fs.implants}
    for c in (c for c in fs.connections if c.kind == "expander"):
        push = np.asarray(c.direction) * c.applied_g * G_TO_N
        total = np.sum([loads[i].force_n for i in c.implant_ids], axis=0)
        assert total == pytest.approx(-push, abs=1e-6)  # the shares sum to the expander's load
        for i in c.implant_ids:
            assert loads[i].force_g == pytest.approx(c.applied_g / len(c.implant_ids), rel=1e-6)
    assert all(ld.force_g > 0 for ld in loads.values())


def test_orthopaedic_implants_are_judged_against_the_orthopaedic_limit() -> None:
    limit = D.orthopaedic.screw_load_limit.g
    light = _marpe(1.8 * limit)  # 0.9 of the limit per screw: far above 150 g, no flag
    assert all(
        ld.force_g > D.implant_loads.immediate_loading_limit_g.value for ld in light.implants
    )
    assert not any(ld.flags for ld in light.implants)
    assert not any("immediate loading" in w.text for w in light.warnings)
    heavy = _marpe(20000)  # the top of the cited range: 10 kg, 98 N per screw
    for ld in heavy.implants:
        assert ld.force_g * G_TO_N > 87
        assert ld.flags == ["over_orthopaedic_limit"]
    flagged = [w for w in heavy.warnings if "orthopaedic load" in w.text]
    assert len(flagged) == 4 and all(w.sources == ["pickard2010"] for w in flagged)
    assert "10.0 kg (98 N)" in flagged[0].text


def test_an_expander_force_below_the_range_is_said_in_kg() -> None:
    fs = _marpe(5000)
    c = next(c for c in fs.connections if c.kind == "expander")
    assert c.dose is not None and c.dose.status == "below" and c.dose.suggestion is None
    texts = [w.text for w in fs.warnings if w.text.startswith("connection c1")]
    assert texts and "5 kg applied: below the cited 16-20 kg" in texts[0]


def test_the_bundled_marpe_carries_the_expansion_load() -> None:
    p = plan(CASE)
    marpe = next(d for gp in p.goals for d in gp.designs if d.rule_id == "crossbite-marpe")
    assert marpe.mechanics is not None
    loads = marpe.mechanics.implants
    assert len(loads) == 4 and all(ld.force_g > 1000 for ld in loads)
    limit = D.orthopaedic.screw_load_limit.g
    for ld in loads:
        assert "over_immediate_loading_limit" not in ld.flags
        assert ("over_orthopaedic_limit" in ld.flags) == (ld.force_g > limit + 0.5)


def test_the_marpe_pushes_the_halves_straight_apart() -> None:
    """Expansion is transverse: each side's push is along +-x (patient's left/right) with
    no anteroposterior part, though a half-arch's mean buccal direction points forward."""
    p = plan(CASE)
    marpe = next(d for gp in p.goals for d in gp.designs if d.rule_id == "crossbite-marpe")
    assert marpe.mechanics is not None
    pushes = [c for c in marpe.mechanics.connections if c.kind == "expander"]
    assert len(pushes) == 2
    for c in pushes:
        assert c.direction is not None and c.point_mm is not None
        d = np.asarray(c.direction)
        assert abs(d[1]) < 1e-9
        assert d[0] * c.point_mm[0] > 0  # outward, on its own side
        assert abs(d[0]) > 0.99


def test_orthodontic_implants_keep_the_immediate_loading_limit() -> None:
    """The demo's buccal screws (NiTi springs, 250 g) are judged as before."""
    p = plan(load_example("demo"))
    top = p.goals[0].designs[0]
    assert top.mechanics is not None
    for ld in top.mechanics.implants:
        assert ld.flags == ["over_immediate_loading_limit"]


@pytest.mark.parametrize(
    ("kind", "force_g", "ok"),
    [
        ("niti_tension_spring", 250, True),
        ("niti_tension_spring", 1500, False),
        ("expander", 18000, True),
        ("expander", 60000, False),
    ],
)
def test_rule_force_cap_depends_on_the_kind(kind: str, force_g: float, ok: bool) -> None:
    raw = {"kind": kind, "from": "p", "force_g": force_g, "force_source": {"key": "seed"}}
    if ok:
        assert ConnectionTemplate.model_validate(raw).force_g == force_g
        return
    with pytest.raises(ValidationError, match=rf"force_g: {force_g:g} g is above .* {kind}"):
        ConnectionTemplate.model_validate(raw)
