"""Forces the anchorage holds against (Herbst, Class II / III elastics): they act on the unit the
implants hold, the links carry them to the implants, and the held unit stays put (seed II.1,
"Mandible horizontal plane", Fig. 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case.model import Appliance, Case, SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import (
    analyse_design,
    format_force_system,
    make_unit,
    mechanics_data,
    share_load,
)
from tadplan.mechanics.data import MechanicsDataError, data_dir
from tadplan.mechanics.modules import G_TO_N
from tadplan.mechanics.system import appliance_loads, held_balance
from tadplan.model import ConnectionForce, ForceSystem, MovementType
from tadplan.planner import plan

HERBST = load_example("03_mandibular_anchorage_herbst")
LM = average_landmarks(HERBST)
SPECS = mechanics_data().appliances.appliances
LOWER = [
    ("i1", SiteRef(between=(45, 46), surface="buccal")),
    ("i2", SiteRef(between=(35, 36), surface="buccal")),
]
UPPER = [
    ("u1", SiteRef(between=(14, 15), surface="buccal")),
    ("u2", SiteRef(between=(24, 25), surface="buccal")),
]


def _with(case: Case, *appliances: Appliance) -> Case:
    att = case.attachments.model_copy(update={"appliances": list(appliances)})
    return case.model_copy(update={"attachments": att})


def _force_n(name: str) -> float:
    f = SPECS[name].force_per_side
    return (f.low + f.high) / 2 * (G_TO_N if f.unit == "g" else 1.0)


def _appliance(fs: ForceSystem) -> list[ConnectionForce]:
    return [c for c in fs.connections if c.role == "appliance"]


def _vec(c: ConnectionForce) -> np.ndarray:
    return np.asarray(c.direction) * c.applied_g * G_TO_N


def _total_on_implants(fs: ForceSystem) -> np.ndarray:
    return np.sum([np.asarray(i.force_n) for i in fs.implants], axis=0)


def _analyse(
    case: Case, implants: list[tuple[str, SiteRef]], conns: list[dict[str, Any]]
) -> ForceSystem:
    return analyse_design(case, design(implants, conns, ["hold-lower-anterior"]), LM)


TIE_BACKS = [
    dict(id="c1", kind="ligature_tie_back", from_implant="i1", teeth=[43]),
    dict(id="c2", kind="ligature_tie_back", from_implant="i2", teeth=[33]),
]


@pytest.fixture(scope="module")
def example03() -> list[ForceSystem]:
    p = plan(HERBST)
    out = {d.id: d.mechanics for g in p.goals for d in g.designs if d.mechanics is not None}
    assert out, "example 03 has no analysed design"
    return list(out.values())


def test_example03_implants_carry_the_cited_herbst_force_mesially(
    example03: list[ForceSystem],
) -> None:
    per_side = _force_n("herbst")
    for fs in example03:
        apps = _appliance(fs)
        assert {c.connection_id for c in apps} == {"herbst (right)", "herbst (left)"}
        assert {(c.design_connection_id, c.side, c.teeth[0]) for c in apps} == {
            ("herbst", "right", 44),  # the lower telescope pivots
            ("herbst", "left", 34),
        }
        for c in apps:
            assert c.applied_g * G_TO_N == pytest.approx(per_side)
            d = np.asarray(c.direction)
            assert d[1] > 0 and d[1] == max(abs(d))  # mainly mesial: +y anterior, lower arch
            mate = 16 if c.teeth[0] == 44 else 26  # pushed away from the upper molar's tube
            line = LM[c.teeth[0]].bracket_mm - LM[mate].bracket_mm
            assert d == pytest.approx(line / np.linalg.norm(line))
            assert set(c.implant_ids) == {i.implant_id for i in fs.implants}
        held = sum((_vec(c) for c in apps), np.zeros(3))
        # every implant takes a share, and the shares add up to what the tie-backs hold
        assert all(i.force_g > 1.0 for i in fs.implants)
        assert _total_on_implants(fs) == pytest.approx(held, abs=1e-9)
        assert _total_on_implants(fs)[1] > 0  # the implants are pulled mesially
        assert "no active force" not in format_force_system(fs)


def test_example03_implant_loads_are_judged_against_the_immediate_loading_limit(
    example03: list[ForceSystem],
) -> None:
    limit = mechanics_data().implant_loads.immediate_loading_limit_g.value
    for fs in example03:
        for i in fs.implants:
            assert ("over_immediate_loading_limit" in i.flags) == (i.force_g > limit + 0.5)
        assert "oesterle2012" in fs.sources and "pancherz1979" in fs.sources
        # the Herbst's force is not the implant's to lower: the advice says what to do instead
        over = [w.text for w in fs.warnings if "immediate loading" in w.text]
        assert over and all("holds the force of the herbst" in t for t in over)
        assert not any("lower the force" in t for t in over)


def test_the_held_unit_is_balanced_and_would_flare_without_the_tie_backs() -> None:
    fs = _analyse(HERBST, LOWER, TIE_BACKS)
    for c in _appliance(fs):
        assert c.system is not None
        # the appliance alone moves the held unit mesially (the flaring the tie-back prevents)
        assert c.system.force_g == pytest.approx(c.applied_g)
        assert c.system.movement != MovementType.none
        assert any("net force on the held unit 43 33: 0 g" in n for n in c.notes)


def test_held_balance_is_zero_only_with_all_the_implants_reactions() -> None:
    """Physics: appliance force + the implants' shares given back through the links = 0."""
    unit = make_unit([43, 33], LM, mechanics_data())
    loads = [
        (e.point_mm, e.force_n)
        for e in appliance_loads(HERBST, {"mandible": [43, 33]}, LM, mechanics_data())
    ]
    assert len(loads) == 2
    heads = [np.array([-29.7, -22.6, -13.9]), np.array([29.7, -22.6, -13.9])]
    f = sum((ld[1] for ld in loads), np.zeros(3))
    m = sum((np.cross(p - unit.cr_mm, ld) for p, ld in loads), np.zeros(3))
    shares = share_load(heads, f, m, unit.cr_mm)
    net = held_balance(unit, loads, heads, shares)
    assert net.force_g == pytest.approx(0.0, abs=1e-6)  # g: pinv round-off
    assert np.asarray(net.moment_about_cr_nmm) == pytest.approx(np.zeros(3), abs=1e-6)
    assert net.movement == MovementType.none
    # one implant's reaction missing: the unit is pushed mesially
    half = held_balance(unit, loads, heads[:1], shares[:1])
    assert half.force_g > 100 and half.force_n[1] > 0


def test_class_ii_elastics_pull_the_held_lower_molars_mesially_towards_the_upper_canines() -> None:
    case = _with(HERBST, Appliance.class_ii_elastics, Appliance.fixed_full_arch)
    conns = [
        dict(id="c1", kind="segmental_arch", from_implant="i1", teeth=[46], passive=True),
        dict(id="c2", kind="segmental_arch", from_implant="i2", teeth=[36], passive=True),
    ]
    fs = _analyse(case, LOWER, conns)
    apps = _appliance(fs)
    assert {c.teeth[0] for c in apps} == {46, 36}
    for c in apps:
        mate = 13 if c.teeth[0] == 46 else 23
        line = LM[mate].bracket_mm - LM[c.teeth[0]].bracket_mm
        d = np.asarray(c.direction)
        assert d == pytest.approx(line / np.linalg.norm(line))
        assert d[1] > 0 and d[2] > 0  # mesial and up (extrusive)
        assert c.applied_g * G_TO_N == pytest.approx(_force_n("class_ii_elastics"))
    assert _total_on_implants(fs) == pytest.approx(sum(_vec(c) for c in apps), abs=1e-9)


def test_class_ii_elastics_pull_held_upper_canines_distally_class_iii_the_reverse() -> None:
    conns = [
        dict(id="c1", kind="segmental_arch", from_implant="u1", teeth=[13], passive=True),
        dict(id="c2", kind="segmental_arch", from_implant="u2", teeth=[23], passive=True),
    ]
    ii = _analyse(_with(HERBST, Appliance.class_ii_elastics), UPPER, conns)
    (a, b) = _appliance(ii)
    assert {a.teeth[0], b.teeth[0]} == {13, 23}
    assert a.direction is not None and a.direction[1] < 0 and a.direction[2] < 0  # distal, down
    # Class III elastics hook on the upper first molars (and lower canines): the molars are
    # bonded on the same archwire as the held canines (brackets: all), so the force reaches them
    iii = _analyse(_with(HERBST, Appliance.class_iii_elastics), UPPER, conns)
    (c3, d3) = _appliance(iii)
    assert {c3.teeth[0], d3.teeth[0]} == {16, 26}  # brackets: all: one archwire
    assert c3.direction is not None and c3.direction[1] > 0 and c3.direction[2] < 0
    assert _total_on_implants(iii)[1] > 0 > _total_on_implants(ii)[1]


def test_herbst_pushes_held_upper_molars_distally() -> None:
    conns = [
        dict(id="c1", kind="segmental_arch", from_implant="u1", teeth=[16], passive=True),
        dict(id="c2", kind="segmental_arch", from_implant="u2", teeth=[26], passive=True),
    ]
    fs = _analyse(HERBST, UPPER, conns)
    apps = _appliance(fs)
    assert {c.teeth[0] for c in apps} == {16, 26}
    for c in apps:
        d = np.asarray(c.direction)
        assert -d[1] == max(abs(d))  # mainly distal on the upper arch
    assert _total_on_implants(fs)[1] < 0


def test_unbonded_teeth_outside_the_held_unit_do_not_pass_the_force() -> None:
    att = HERBST.attachments.model_copy(
        update={"appliances": [Appliance.class_iii_elastics], "brackets": [13, 23]}
    )
    case = HERBST.model_copy(update={"attachments": att})
    conns = [
        dict(id="c1", kind="segmental_arch", from_implant="u1", teeth=[13], passive=True),
        dict(id="c2", kind="segmental_arch", from_implant="u2", teeth=[23], passive=True),
    ]
    fs = _analyse(case, UPPER, conns)
    assert _appliance(fs) == []
    assert all(i.force_g == 0 for i in fs.implants)


def test_a_ligature_the_appliance_pushes_towards_its_implant_is_flagged() -> None:
    implants = [("i1", SiteRef(between=(43, 44), surface="buccal"))]
    conn = dict(id="c1", kind="ligature_tie_back", from_implant="i1", teeth=[45])
    fs = _analyse(HERBST, implants, [conn])
    assert _appliance(fs)
    assert any("a ligature cannot push" in w.text for w in fs.warnings)
    ok = _analyse(HERBST, LOWER, TIE_BACKS)
    assert not any("a ligature cannot push" in w.text for w in ok.warnings)


def test_without_the_appliance_or_without_implant_links_nothing_changes() -> None:
    plain = _with(HERBST, Appliance.fixed_full_arch)
    fs = _analyse(plain, LOWER, TIE_BACKS)
    assert _appliance(fs) == [] and all(i.force_g == 0 for i in fs.implants)
    # a Jasper Jumper has no cited force here: not modelled
    jj = _analyse(_with(HERBST, Appliance.jasper_jumper), LOWER, TIE_BACKS)
    assert _appliance(jj) == []
    # implants with no link to the teeth hold nothing
    free = _analyse(HERBST, LOWER, [])
    assert _appliance(free) == [] and all(i.force_g == 0 for i in free.implants)


def test_the_text_names_the_appliance_force_and_its_source() -> None:
    text = format_force_system(_analyse(HERBST, LOWER, TIE_BACKS))
    assert f"herbst (right): {SPECS['herbst'].force_per_side.g:.0f} g on 44," in text
    assert "an appliance force the implants hold against (i1+i2)" in text
    assert "oesterle2012 [E]" in text


def test_a_reversed_appliance_range_is_refused(tmp_path: Path) -> None:
    import shutil

    d = tmp_path / "data"
    shutil.copytree(data_dir(), d)
    p = d / "appliances.yaml"
    head, tail = p.read_text().split("  class_ii_elastics:", 1)
    p.write_text(head + "  class_ii_elastics:" + tail.replace("low: 188", "low: 400", 1))
    with pytest.raises(MechanicsDataError, match=r"appliances\.yaml: .*class_ii_elastics"):
        mechanics_data(d)
