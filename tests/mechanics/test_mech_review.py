"""Clinical review of the force systems (issue 4, fix 4): the sense of each effect as an
orthodontist reads it, on the average dentition of real examples."""

from __future__ import annotations

import numpy as np
import pytest
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design, make_unit, mechanics_data, unit_force_system
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


MESIAL = load_example("10_molar_mesialisation")
MESIAL_LM = average_landmarks(MESIAL)


def _mesialise(connections):
    return analyse_design(
        MESIAL,
        design([("i1", SiteRef(between=(44, 45), surface="buccal"))], connections, ["mesialise"]),
        MESIAL_LM,
    )


def test_a_power_hook_is_where_the_implant_pulls_not_a_second_force():
    """II.2 Mesialisation (Fig. 22): spring from a premolar-region implant to a power hook on
    the molar; 'the anterior teeth are not loaded'."""
    spring = dict(
        id="s",
        kind="niti_tension_spring",
        from_implant="i1",
        teeth=[47],
        force_g=175,
        attachment="power hook on the molar",
        attachment_site="power_arm",
    )
    fs = _mesialise([spring, dict(id="h", kind="power_hook", teeth=[47])])
    roles = {c.connection_id: c.role for c in fs.connections}
    assert roles == {"s": "active", "h": "attachment"}
    assert fs.anchorage == []  # no reaction on the anterior teeth
    (unit,) = fs.units
    assert unit.force_g == pytest.approx(fs.connections[0].delivered_g)
    (imp,) = fs.implants
    assert imp.force_g == pytest.approx(175.0)
    # the hook raises the line of action towards the CR: closer to translation than a bracket
    plain = _mesialise([{**spring, "attachment": "molar tube", "attachment_site": "bracket"}])
    assert unit.lever_mm is not None and plain.units[0].lever_mm is not None
    assert abs(unit.moment_components.about_buccal_nmm) < abs(
        plain.units[0].moment_components.about_buccal_nmm
    )


def test_a_lever_arm_carries_the_chain_from_its_end_and_bends_the_implant():
    """I. Lever arm: a stiff arm from the implant head brings the line of force to the
    attachment, parallel to the arch (issue 10); it adds no force of its own."""
    fs = _mesialise(
        [
            dict(id="arm", kind="lever_arm", from_implant="i1", teeth=[47]),
            dict(
                id="ch",
                kind="elastic_chain",
                from_implant="i1",
                teeth=[47],
                force_g=175,
                attachment="from the end of the lever arm to the power hook",
                attachment_site="power_arm",
            ),
        ]
    )
    arm, chain = fs.connections
    assert arm.role == "attachment" and chain.role == "active"
    # the arm ends in line with the attachment along the arch: the pull is mesial only
    assert chain.system is not None
    c = chain.system.components
    assert c.mesial_g > 100
    assert abs(c.buccal_g) < 1e-6 * c.mesial_g and abs(c.intrusive_g) < 1e-6 * c.mesial_g
    (imp,) = fs.implants
    assert imp.force_g == pytest.approx(175.0)  # one pull, not two
    assert imp.bending_nmm > 1.0  # the arm's moment on the screw


def test_a_chain_from_both_canines_to_the_molars_pulls_each_side_to_its_own_molar():
    """A tooth-borne chain hooked on 13 and 23 is two chains, each to its own side's molar:
    the anterior segment is retracted straight back, without a sideways pull or rotation."""
    demo = load_example("demo")
    lm = average_landmarks(demo)
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
    fs = analyse_design(demo, d, lm)
    sides = [c for c in fs.connections if c.connection_id.startswith("ch")]
    assert [c.connection_id for c in sides] == ["ch (right)", "ch (left)"]
    assert [c.teeth for c in sides] == [[13], [23]]
    (unit,) = fs.units
    assert abs(unit.force_n[0]) < 0.02 * np.linalg.norm(unit.force_n)
    assert not any("patient's" in e or "rotation" in e for e in unit.effects)
    i3, i4 = fs.implants
    assert i3.force_g == pytest.approx(i4.force_g, rel=0.05)


def test_an_occlusal_button_tips_the_molar_upright_without_rotating_it():
    """II.2 Repositioning of tipped molars (Fig. 21): chain from a distal implant to the
    crown; 'an uprighting moment because of the coronal, eccentric force'."""
    case = load_example("09_molar_uprighting")
    lm = average_landmarks(case)
    fs = analyse_design(
        case,
        design(
            [("i2", SiteRef(region="retromolar", side="left"))],
            [
                dict(
                    id="c",
                    kind="elastic_chain",
                    from_implant="i2",
                    teeth=[37],
                    force_g=75,
                    attachment="button on the occlusal/mesial part of the crown",
                    attachment_site="occlusal",
                )
            ],
            ["upright-37"],
        ),
        lm,
    )
    (unit,) = fs.units
    effects = " ".join(unit.effects)
    assert "distal crown tipping of the molar" in effects
    assert "rotation" not in effects
    assert unit.side_effects == [] or all("tipping" not in s for s in unit.side_effects)


def test_a_negligible_moment_arm_is_not_called_tipping():
    """02 (extrusion): a 428 g pull with 0.1 mm of mesio-distal arm is not 'crown tipping to
    the patient's right'; the 0.7 mm bucco-lingual arm still is."""
    from mech_helpers import upright_tooth

    lm = {11: upright_tooth(11)}
    unit = make_unit([11], lm)
    tol = mechanics_data().classification.negligible_moment_arm_mm.value
    f = np.array([0.0, 0.0, -4.0])  # extrusive (the tooth stands along +z)
    point = unit.cr_mm + np.array([0.2 * tol, 1.4 * tol, -5.0])
    u = unit_force_system(unit, [(point, f)])
    words = " ".join(u.effects)
    assert "buccal crown tipping" in words or "palatal crown tipping" in words
    assert "mesial crown tipping" not in words and "distal crown tipping" not in words


def test_two_springs_on_one_unit_share_its_per_tooth_dose():
    """02 (anterior extrusion): a spring on each side of the four incisors; the textbook
    range per tooth x 4 is the dose of the unit, so each spring is compared with half of it."""
    case = load_example("02_anterior_extrusion")
    lm = average_landmarks(case)
    conns = [
        dict(id="r", kind="compression_spring", from_implant="i1", teeth=[12, 11], force_g=125),
        dict(id="l", kind="compression_spring", from_implant="i2", teeth=[21, 22], force_g=125),
    ]
    sites = [
        ("i1", SiteRef(between=(12, 13), surface="buccal")),
        ("i2", SiteRef(between=(22, 23), surface="buccal")),
    ]
    goal = case.goal_ids()[0]
    fs = analyse_design(case, design(sites, conns, [goal]), lm)
    per = mechanics_data().ranges.per_tooth_by_movement
    assert len(fs.connections) == 2
    for c in fs.connections:
        assert c.dose is not None
        assert c.dose.source.key == per.extrusion.source
        assert (c.dose.source.detail or "").startswith(per.extrusion.detail)
        assert c.dose.high_g == pytest.approx(2 * per.extrusion.high_g)
        assert c.dose.status == "within"


def test_modules_on_one_molar_share_its_dose_and_a_tpa_between_teeth_is_no_force():
    """08a (Heravi 2011 in the cited range): 100 g in total on an upper molar, from a buccal
    and a palatal implant, is within the per-molar range; each chain alone is not compared
    with the whole range. A TPA between the molars (no implant) holds, it does not pull."""
    case = load_example("08a_molar_intrusion")
    lm = average_landmarks(case)
    goal = case.goal_ids()[0]
    d = design(
        [
            ("b", SiteRef(between=(26, 27), surface="buccal")),
            ("p", SiteRef(between=(26, 27), surface="palatal")),
        ],
        [
            dict(id="cb", kind="elastic_chain", from_implant="b", teeth=[26], force_g=50),
            dict(id="cp", kind="elastic_chain", from_implant="p", teeth=[26], force_g=50),
            dict(id="tpa", kind="tpa", teeth=[16, 26]),
        ],
        [goal],
    )
    fs = analyse_design(case, d, lm)
    by_id = {c.connection_id: c for c in fs.connections}
    assert by_id["tpa"].role == "ignored" and by_id["tpa"].applied_g == 0
    full = next(r for r in mechanics_data().ranges.goal_ranges if r.source == "carrillo2007")
    for cid in ("cb", "cp"):
        dose = by_id[cid].dose
        assert dose is not None
        assert dose.low_g == pytest.approx(full.low_g / 2)
        assert dose.status == "within"
    (unit,) = fs.units
    assert unit.teeth == [26]


@pytest.mark.parametrize(
    ("kind", "bite"), [("intrusion", "bite opening"), ("extrusion", "bite deepening")]
)
def test_the_bite_change_a_vertical_goal_is_for_is_not_a_side_effect(kind, bite):
    """II.1 Intrusion of anterior teeth (deep bite): the bite opening is the aim; in an
    anterior open bite the extrusion's bite deepening is."""
    from tadplan.case.model import Goal

    lm = LM
    unit = make_unit([12, 11, 21, 22], lm)
    sign = 1.0 if kind == "intrusion" else -1.0
    f = sign * unit.axis * 100 * G_TO_N
    goal = Goal(kind=kind, teeth=[12, 11, 21, 22])
    u = unit_force_system(unit, [(unit.cr_mm, f)], goal=goal)
    assert bite in u.effects
    assert bite not in u.side_effects
    other = unit_force_system(unit, [(unit.cr_mm, -f)], goal=goal)  # the wrong way
    assert any(b in other.side_effects for b in ("bite opening", "bite deepening"))


def test_a_force_lighter_than_any_spring_class_is_not_offered_a_heavy_spring():
    from tadplan.mechanics import suggest_module

    lightest = min(mechanics_data().modules.niti_closed_coil.nominal_classes_g.values)
    text = suggest_module(lightest / 4, "elastic", None)
    assert "lighter than the lightest closed-coil class" in text


def test_uprighting_moves_the_crown_distally_as_intended():
    """II.2 Repositioning of tipped molars (Fig. 20): the compression spring pushes the crown
    distally; that distal crown movement is the uprighting, not a side effect."""
    case = load_example("09_molar_uprighting")
    lm = average_landmarks(case)
    fs = analyse_design(
        case,
        design(
            [("i1", SiteRef(region="edentulous_ridge", side="left", arch="mandible"))],
            [dict(id="s", kind="compression_spring", from_implant="i1", teeth=[37], force_g=75)],
            ["upright-37"],
        ),
        lm,
    )
    (unit,) = fs.units
    assert "distal movement of the molar" in unit.effects
    assert "distal crown tipping of the molar" in unit.effects
    assert "distal movement of the molar" not in unit.side_effects
    assert "distal crown tipping of the molar" not in unit.side_effects


def test_intrusion_wanted_by_another_goal_of_the_design_is_no_side_effect():
    """16: en-masse retraction from apical implants while the incisors are intruded; the
    intrusive component (seed II.1 Fig. 12: 'bite opening') serves the design's second goal."""
    case = load_example("16_combined_retraction_intrusion")
    lm = average_landmarks(case)
    sites = [
        ("i1", SiteRef(between=(15, 16), surface="buccal")),
        ("i2", SiteRef(between=(25, 26), surface="buccal")),
    ]
    conns = [
        dict(id="r", kind="niti_tension_spring", from_implant="i1", teeth=[13], force_g=225),
        dict(id="l", kind="niti_tension_spring", from_implant="i2", teeth=[23], force_g=225),
    ]
    both = analyse_design(case, design(sites, conns, ["retract", "intrude"]), lm).units[0]
    alone = analyse_design(case, design(sites, conns, ["retract"]), lm).units[0]
    assert "intrusion of the anterior segment" in both.effects
    assert "intrusion of the anterior segment" in alone.side_effects
    assert "intrusion of the anterior segment" not in both.side_effects
    assert "bite opening" not in both.side_effects


def test_a_distaliser_on_two_palatal_implants_shares_its_moment_as_forces():
    """11b: one distaliser on the right buccal segment carried by a paramedian implant on each
    side is one appliance; the two screws resist its moment as a couple of forces (seed II.1,
    Fig. 8), not each with a torsion beyond its removal torque."""
    case = load_example("11b_buccal_segment_distalisation")
    lm = average_landmarks(case)
    goal = case.goal_ids()[0]
    sites = [
        ("p1", SiteRef(region="paramedian_palate", side="right")),
        ("p2", SiteRef(region="paramedian_palate", side="left")),
    ]
    conns = [
        dict(id="a", kind="distaliser", from_implant="p1", teeth=[16], force_g=150),
        dict(id="b", kind="distaliser", from_implant="p2", teeth=[16], force_g=150),
    ]
    fs = analyse_design(case, design(sites, conns, [goal]), lm)
    limit = mechanics_data().implant_loads.torsion_resistance_nmm.value
    total = np.sum([i.force_n for i in fs.implants], axis=0)
    pushes = np.sum([np.asarray(c.direction) * c.applied_g for c in fs.connections], axis=0)
    assert total == pytest.approx(-pushes * G_TO_N, abs=1e-6)  # equilibrium
    for imp in fs.implants:
        assert abs(imp.torsion_nmm) < 0.05 * limit
        assert "unresisted_moment" not in imp.flags
    alone = analyse_design(case, design(sites[:1], conns[:1], [goal]), lm)
    (one,) = alone.implants
    assert abs(one.torsion_nmm) > 10 * max(abs(i.torsion_nmm) for i in fs.implants)
